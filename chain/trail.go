package chain

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// The trail, logging and CloudWatch Logs links.

// IsCandidateTrail: only a multi-region trail satisfies the control
// (single-region trails miss every other region's calls).
func IsCandidateTrail(t cttypes.Trail) bool { return aws.ToBool(t.IsMultiRegionTrail) }

// JudgeTrail is the trail link of a multi-region trail.
func JudgeTrail(t cttypes.Trail, audited string) Verdict {
	home := aws.ToString(t.HomeRegion)
	d := "home region " + home
	if aws.ToBool(t.IsOrganizationTrail) {
		d = "organization trail, " + d
	}
	if owner := AccountOf(aws.ToString(t.TrailARN)); owner != "" && audited != "" && owner != audited {
		d += ", owned by account " + owner
	}
	return pass(d).on("IsMultiRegionTrail")
}

// NoTrail is the trail link when no multi-region trail exists. (The
// single-region trails are named by the audit's SINGLE_REGION_TRAIL
// warning, not here too.)
func NoTrail() Verdict {
	return missing("no trail records every region").on("IsMultiRegionTrail")
}

// JudgeLogging judges GetTrailStatus's IsLogging.
func JudgeLogging(s *cloudtrail.GetTrailStatusOutput) Verdict {
	if s != nil && aws.ToBool(s.IsLogging) {
		return pass("").on("IsLogging")
	}
	return fail("not logging").on("IsLogging")
}

// ChangeRefusal says why trailwatch may not change a trail, "" when it may:
// it changes trails only in the account it runs in and never an
// organization trail (a change would reach every member account).
func ChangeRefusal(t cttypes.Trail, account string) string {
	arn := aws.ToString(t.TrailARN)
	if aws.ToBool(t.IsOrganizationTrail) {
		return fmt.Sprintf("trail %s is an organization trail; trailwatch does not change organization trails (a change reaches every member account)", arn)
	}
	if owner := AccountOf(arn); owner != "" && account != "" && owner != account {
		return fmt.Sprintf("trail %s belongs to account %s; trailwatch changes trails only in the account it runs in (%s)", arn, owner, account)
	}
	return ""
}

// NewTrail is what trailwatch wants of a trail it creates: multi-region,
// global service events, log file validation, delivering to a bucket and
// a log group, tagged.
type NewTrail struct {
	Name, Bucket, LogGroupARN, RoleARN string
}

// Matches reports whether an existing trail already has every setting
// trailwatch would give it.
func (w NewTrail) Matches(t cttypes.Trail) bool {
	return aws.ToBool(t.IsMultiRegionTrail) && aws.ToBool(t.IncludeGlobalServiceEvents) && aws.ToBool(t.LogFileValidationEnabled) &&
		aws.ToString(t.S3BucketName) == w.Bucket && SameLogGroupARN(aws.ToString(t.CloudWatchLogsLogGroupArn), w.LogGroupARN) &&
		aws.ToString(t.CloudWatchLogsRoleArn) == w.RoleARN
}

// SameLogGroupARN compares log group ARNs with or without the ":*" suffix.
func SameLogGroupARN(a, b string) bool {
	return strings.TrimSuffix(a, ":*") == strings.TrimSuffix(b, ":*")
}

// Delivery is the CloudWatch Logs link's inputs: the trail's log group
// ARN, and what GetTrailStatus and the log group read say.
type Delivery struct {
	LogGroupARN   string
	Status        *cloudtrail.GetTrailStatusOutput // nil when unread
	GroupNotFound bool                             // the named group does not exist
}

// JudgeDelivery judges the CloudWatch Logs link. A trail without a log group
// ARN is missing the link; one naming a group that does not exist, or whose
// delivery fails (LatestCloudWatchLogsDeliveryError), has it failed.
func JudgeDelivery(d Delivery) (Verdict, *LogGroup) {
	if d.LogGroupARN == "" {
		return missing("the trail does not send its events to CloudWatch Logs").on("CloudWatchLogsLogGroupArn"), nil
	}
	lg, err := ParseLogGroupARN(d.LogGroupARN)
	if err != nil {
		return fail("the trail's log group ARN is malformed: " + err.Error()).on("CloudWatchLogsLogGroupArn"), nil
	}
	if d.GroupNotFound {
		return fail(fmt.Sprintf("the trail sends its events to log group %s in %s, which does not exist", lg.Name, lg.Region)).on("CloudWatchLogsLogGroupArn"), &lg
	}
	if d.Status != nil {
		if de := aws.ToString(d.Status.LatestCloudWatchLogsDeliveryError); de != "" {
			return fail("delivery fails: " + de).on("LatestCloudWatchLogsDeliveryError"), &lg
		}
	}
	return pass(fmt.Sprintf("in %s, account %s", lg.Region, lg.Account)).on("CloudWatchLogsLogGroupArn"), &lg
}
