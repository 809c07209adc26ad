package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/chain"
)

// maxAlarmNames is how many names DescribeAlarms takes in one call
// (CloudWatch API reference, DescribeAlarms: AlarmNames, at most 100).
const maxAlarmNames = 100

// readAlarms reads the named metric alarms of one region, paginated,
// keyed by name.
func readAlarms(ctx context.Context, cw CloudWatchAPI, names []string) (map[string]cwtypes.MetricAlarm, error) {
	out := map[string]cwtypes.MetricAlarm{}
	for start := 0; start < len(names); start += maxAlarmNames {
		p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{
			AlarmNames: names[start:min(start+maxAlarmNames, len(names))],
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range page.MetricAlarms {
				out[aws.ToString(a.AlarmName)] = a
			}
		}
	}
	return out, nil
}

// alarmReadiness says whether an alarm, as read now, can notify: it exists,
// its actions are enabled, it still names SNS topics, and it is not already
// in ALARM. Alarm actions run only when the state changes (SetAlarmState
// and CloudWatch user guide, "Alarm actions"): an alarm already in ALARM
// sends nothing on the next CloudTrail change, and setting ALARM again would
// not run its actions either.
func alarmReadiness(name, region string, a cwtypes.MetricAlarm, found bool) (Status, string) {
	switch {
	case !found:
		return Broken, fmt.Sprintf("alarm %s no longer exists in %s", name, region)
	case !aws.ToBool(a.ActionsEnabled):
		return Broken, "its actions are disabled (ActionsEnabled false): it changes state but notifies nobody"
	case len(chain.SNSTopics(a.AlarmActions)) == 0:
		return Broken, "it names no SNS topic among its alarm actions"
	case a.StateValue == cwtypes.StateValueAlarm:
		return Unknown, fmt.Sprintf("it is in ALARM now (since %s: %s). While it stays there a new event sends nothing, since actions run only when the state changes; if no trail change happened recently, look at how it treats missing data and at the filter's default value",
			stampPtr(a.StateUpdatedTimestamp), strings.TrimSpace(aws.ToString(a.StateReason)))
	}
	return OK, fmt.Sprintf("actions enabled, state %s, notifies %s", a.StateValue, strings.Join(chain.SNSTopics(a.AlarmActions), ", "))
}

func judgeAlarm(t *Alarm, alarms map[string]cwtypes.MetricAlarm, err error) Check {
	c := Check{Name: CheckAlarm, Resource: t.Name}
	if err != nil {
		c.Status = Unknown
		c.Action, c.Detail = failure("cloudwatch", "DescribeAlarms", err)
		return c
	}
	a, found := alarms[t.Name]
	c.Status, c.Detail = alarmReadiness(t.Name, t.Region, a, found)
	if c.Status == OK {
		// The topics the other checks follow came from the audit; say so
		// when the alarm has changed since.
		if now := chain.SNSTopics(a.AlarmActions); !slices.Equal(now, t.Topics) {
			c.Detail += fmt.Sprintf(" (the audit saw %s)", strings.Join(t.Topics, ", "))
		}
	}
	return c
}
