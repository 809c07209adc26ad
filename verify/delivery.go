package verify

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/trailwatch/trailwatch/internal/awserr"
)

// judgeDelivery says whether the trail delivers to CloudWatch Logs now.
//
// GetTrailStatus (CloudTrail API reference) reports
// LatestCloudWatchLogsDeliveryTime, the last time CloudTrail wrote the
// trail's events to the log group, and LatestCloudWatchLogsDeliveryError,
// the error CloudTrail met when it last failed to (a deleted log group, a
// delivery role it can no longer assume). A trail that logs delivers within
// minutes of any management event, so an old or missing delivery time means
// the filter sees nothing; an account with very few API calls may need a
// larger maxAge.
func judgeDelivery(t *Trail, out *cloudtrail.GetTrailStatusOutput, err error, now time.Time, maxAge time.Duration) Check {
	c := Check{Name: CheckDelivery, Resource: t.Name}
	if c.Resource == "" {
		c.Resource = t.ARN
	}
	switch {
	case err != nil && awserr.IsNotFound(err):
		c.Status, c.Detail = Broken, "GetTrailStatus does not find the trail: it was deleted"
		return c
	case err != nil:
		c.Status = Unknown
		c.Action, c.Detail = failure("cloudtrail", "GetTrailStatus", err)
		return c
	}
	last := out.LatestCloudWatchLogsDeliveryTime
	lastText := "never"
	if last != nil {
		lastText = fmt.Sprintf("%s ago (%s)", roundAge(now.Sub(*last)), stamp(*last))
	}
	switch e := aws.ToString(out.LatestCloudWatchLogsDeliveryError); {
	case !aws.ToBool(out.IsLogging):
		c.Status = Broken
		c.Detail = "the trail is not logging (IsLogging is false), so nothing reaches the log group; last delivery: " + lastText
	case e != "":
		c.Status = Broken
		c.Detail = fmt.Sprintf("CloudTrail reports a CloudWatch Logs delivery error: %s (last delivery: %s)", e, lastText)
	case last == nil:
		c.Status = Broken
		c.Detail = "CloudTrail has never delivered this trail's events to CloudWatch Logs (GetTrailStatus shows no LatestCloudWatchLogsDeliveryTime)"
	case now.Sub(*last) > maxAge:
		c.Status = Broken
		c.Detail = fmt.Sprintf("the last delivery to CloudWatch Logs was %s, longer ago than the %s allowed (--max-delivery-age): events are not arriving", lastText, maxAge)
	default:
		c.Status = OK
		c.Detail = fmt.Sprintf("delivered to CloudWatch Logs %s; no delivery error", lastText)
	}
	return c
}

// roundAge rounds an age for display; a negative one (clock skew) is 0s.
func roundAge(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d.Round(time.Second)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func stampPtr(t *time.Time) string {
	if t == nil {
		return "an unknown time"
	}
	return stamp(*t)
}
