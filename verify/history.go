package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// An Action item of an alarm's history (DescribeAlarmHistory with
// HistoryItemType Action; CloudWatch API reference, AlarmHistoryItem) says
// whether CloudWatch ran one of the alarm's actions. Its HistorySummary reads
// "Successfully executed action ARN" or "Failed to execute action ARN.
// Received error: ..." (the re:Post knowledge center article "Why didn't I
// receive an SNS notification for my CloudWatch alarm trigger?" quotes the
// failure for a topic policy that refuses CloudWatch); its HistoryData is
// JSON with the same facts as actionState and notificationResource.
const (
	summaryOK     = "Successfully executed action "
	summaryFailed = "Failed to execute action "
)

// parseAction reads an Action history item: the resource the action was
// for, and whether it succeeded. ok is false for an item that says neither.
func parseAction(it cwtypes.AlarmHistoryItem) (resource string, succeeded, ok bool) {
	var data struct {
		ActionState          string `json:"actionState"`
		NotificationResource string `json:"notificationResource"`
	}
	if json.Unmarshal([]byte(aws.ToString(it.HistoryData)), &data) == nil && data.NotificationResource != "" {
		switch data.ActionState {
		case "Succeeded":
			return data.NotificationResource, true, true
		case "Failed":
			return data.NotificationResource, false, true
		}
	}
	sum := aws.ToString(it.HistorySummary)
	for _, p := range []struct {
		prefix    string
		succeeded bool
	}{{summaryOK, true}, {summaryFailed, false}} {
		if rest, found := strings.CutPrefix(sum, p.prefix); found {
			arn, _, _ := strings.Cut(rest, " ")
			// The failure summary ends the ARN with a full stop; a FIFO
			// topic's name has one of its own (".fifo"), so only one goes.
			return strings.TrimSuffix(arn, "."), p.succeeded, true
		}
	}
	return "", false, false
}

// latestActions reads the alarm's Action history, newest first, and returns
// the newest item for each of topics (absent when the history has none).
// With since set, only items from then on are read. Pages are read until
// every topic has its item or the history ends.
func latestActions(ctx context.Context, cw CloudWatchAPI, alarm string, topics []string, since time.Time) (map[string]ActionResult, error) {
	in := &cloudwatch.DescribeAlarmHistoryInput{
		AlarmName:       aws.String(alarm),
		HistoryItemType: cwtypes.HistoryItemTypeAction,
		ScanBy:          cwtypes.ScanByTimestampDescending,
	}
	if !since.IsZero() {
		in.StartDate = aws.Time(since)
	}
	want := map[string]bool{}
	for _, t := range topics {
		want[t] = true
	}
	got := map[string]ActionResult{}
	p := cloudwatch.NewDescribeAlarmHistoryPaginator(cw, in)
	for p.HasMorePages() && len(got) < len(want) {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range page.AlarmHistoryItems {
			res, succeeded, ok := parseAction(it)
			if !ok || !want[res] {
				continue
			}
			ts := aws.ToTime(it.Timestamp)
			if prev, seen := got[res]; seen && !ts.After(prev.Time) {
				continue
			}
			got[res] = ActionResult{Topic: res, Succeeded: succeeded, Time: ts, Summary: aws.ToString(it.HistorySummary)}
		}
	}
	return got, nil
}

// judgeHistory: the newest action on each of the alarm's topics must not
// have failed. A topic with no action in the history only means the alarm
// has not fired since the history began, which proves nothing either way
// (--fire does).
func judgeHistory(t *Alarm, got map[string]ActionResult, err error) Check {
	c := Check{Name: CheckHistory, Resource: t.Name}
	if err != nil {
		c.Status = Unknown
		c.Action, c.Detail = failure("cloudwatch", "DescribeAlarmHistory", err)
		return c
	}
	var failed, fine, none []string
	for _, topic := range t.Topics {
		a, ok := got[topic]
		switch {
		case !ok:
			none = append(none, topic)
		case a.Succeeded:
			c.Actions = append(c.Actions, a)
			fine = append(fine, fmt.Sprintf("%s at %s", topic, stamp(a.Time)))
		default:
			c.Actions = append(c.Actions, a)
			failed = append(failed, fmt.Sprintf("at %s: %s", stamp(a.Time), a.Summary))
		}
	}
	var parts []string
	if len(failed) > 0 {
		c.Status = Broken
		parts = append(parts, "the alarm's last action failed "+strings.Join(failed, "; "))
	} else {
		c.Status = OK
	}
	if len(fine) > 0 {
		parts = append(parts, "last action succeeded on "+strings.Join(fine, ", "))
	}
	if len(none) > 0 {
		parts = append(parts, "no action in the history for "+strings.Join(none, ", ")+" (the alarm has not fired on it; --fire tests it)")
	}
	if len(t.Topics) == 0 {
		parts = append(parts, "the alarm names no SNS topic")
	}
	c.Detail = strings.Join(parts, "; ")
	return c
}
