package fakeaws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/trailwatch/trailwatch/audit"
)

// An organization laid out as Control Tower and the Landing Zone
// Accelerator leave it: the organization trail and its log group in the
// management account (the group's name with landing zone 4.0's random
// suffix), the CIS filter and alarm there, notifying the central Security
// topic of the Audit account, encrypted with that account's key.
const (
	MemberID     = "111122223333"
	ManagementID = "999988887777"
	AuditID      = "444455556666"
	OrgTrailName = "aws-controltower-BaselineCloudTrail"
	OrgLogGroup  = "aws-controltower/CloudTrailLogs-x9Qe2K"
	OrgAlarm     = "CIS-4.5-CloudTrailChanges"
	OrgNamespace = "LogMetrics"
	OrgMetric    = "CloudTrailChanges"
	SecurityKey  = "arn:aws:kms:us-east-1:444455556666:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
)

// Org is the three accounts.
type Org struct {
	Member, Management, Audit *Account
}

// OrgTrailARN is the organization trail's ARN (the management account's).
func OrgTrailARN() string { return TrailARN(Home, ManagementID, OrgTrailName) }

// SecurityTopicARN is the central topic, in the Audit account.
func SecurityTopicARN() string { return TopicARN(Home, AuditID, "Security") }

// Organization is the organization with a complete chain for the member.
func Organization() *Org {
	trail := NewTrail(Home, ManagementID, OrgTrailName, OrgLogGroup)
	trail.IsOrganizationTrail = aws.Bool(true)
	trail.S3BucketName = aws.String("aws-controltower-logs-" + ManagementID + "-us-east-1")
	trail.CloudWatchLogsRoleArn = aws.String("arn:aws:iam::" + ManagementID + ":role/aws-controltower-CloudWatchLogsRole")
	status := map[string]*cloudtrail.GetTrailStatusOutput{*trail.TrailARN: {IsLogging: aws.Bool(true)}}
	topic := SecurityTopicARN()

	member := &Account{ID: MemberID, HomeRegion: Home, Trails: []cttypes.Trail{trail}, Status: status,
		Filters: map[string][]cwltypes.MetricFilter{}, Alarms: map[string][]cwtypes.MetricAlarm{},
		Topics: map[string]map[string]string{}, Subs: map[string][]snstypes.Subscription{}, Errors: map[string]error{}}

	mgmt := &Account{ID: ManagementID, HomeRegion: Home, Trails: []cttypes.Trail{trail}, Status: status,
		Filters: map[string][]cwltypes.MetricFilter{
			LogKey(Home, OrgLogGroup): {NewFilter(OrgLogGroup, "CIS-4.5-CloudTrailChanges", CIS, OrgNamespace, OrgMetric)},
		},
		Alarms: map[string][]cwtypes.MetricAlarm{Home: {NewAlarm(Home, ManagementID, OrgAlarm, OrgNamespace, OrgMetric, topic)}},
		Topics: map[string]map[string]string{}, Subs: map[string][]snstypes.Subscription{}, Errors: map[string]error{}}

	attrs := TopicAttrs(topic)
	attrs["Owner"] = AuditID
	attrs["KmsMasterKeyId"] = "alias/security"
	attrs["Policy"] = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sns:*","Resource":"%s"},`+
		`{"Sid":"cloudwatch","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"%s"}]}`, AuditID, topic, topic)
	audit := &Account{ID: AuditID, HomeRegion: Home,
		Topics: map[string]map[string]string{topic: attrs},
		Subs:   map[string][]snstypes.Subscription{topic: {Confirmed(topic, "security@example.com")}},
		Keys: map[string]*Key{SecurityKey: {Manager: "CUSTOMER", Policy: `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + AuditID + `:root"},"Action":"kms:*","Resource":"*"},` +
			`{"Sid":"cloudwatch","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`}},
		Aliases: map[string]string{"alias/security": SecurityKey},
		Errors:  map[string]error{}}
	return &Org{Member: member, Management: mgmt, Audit: audit}
}

// Reach gives the accounts named, as audit.Options.Reach does; any other
// is refused as AssumeRole would refuse it.
func (o *Org) Reach(accounts ...*Account) func(context.Context, string) (audit.Clients, error) {
	return func(_ context.Context, id string) (audit.Clients, error) {
		for _, a := range accounts {
			if a.ID == id {
				return a, nil
			}
		}
		return nil, fmt.Errorf("AccessDenied: not authorized to perform sts:AssumeRole on arn:aws:iam::%s:role/trailwatch-audit", id)
	}
}
