package remediate

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/plan"
)

// readAlarm reads the alarm called name (nil when there is none; taken is
// true when a composite alarm holds the name) and whether it is
// trailwatch's.
func readAlarm(ctx context.Context, c CloudWatchAPI, name string) (cur *cwtypes.MetricAlarm, taken, ours bool, err error) {
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil {
		return nil, false, false, fmt.Errorf("describe alarm %q: %w", name, err)
	}
	for i := range out.MetricAlarms {
		if aws.ToString(out.MetricAlarms[i].AlarmName) == name {
			cur = &out.MetricAlarms[i]
		}
	}
	for _, ca := range out.CompositeAlarms {
		taken = taken || aws.ToString(ca.AlarmName) == name
	}
	if cur == nil {
		return nil, taken, false, nil
	}
	tags, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: cur.AlarmArn})
	if err != nil {
		return nil, true, false, fmt.Errorf("list tags of alarm %q: %w", name, err)
	}
	return cur, true, chain.Managed(chain.CloudWatchTags(tags.Tags)), nil
}

// alarm creates trailwatch's alarm, or repairs trailwatch's own: only the
// settings the plan names change, the topic joins its alarm actions and
// its actions are enabled; everything else the user set on it is kept.
func (a *applier) alarm(ctx context.Context, s plan.Step) (outcome, error) {
	p, region := s.Params.Alarm, s.Address.Region
	c := a.c.CloudWatch(region)
	topic := a.ref(plan.IDTopic, p.TopicARN)
	cur, taken, ours, err := readAlarm(ctx, c, p.Name)
	if err != nil {
		return outcome{}, err
	}
	var problems []chain.Problem
	for _, r := range p.Repair {
		problems = append(problems, chain.Problem{Setting: r})
	}
	switch {
	case s.Action == plan.Update && (cur == nil || !ours):
		return outcome{}, fmt.Errorf("alarm %q is no longer trailwatch's (or is gone) since the plan was made; nothing was written, run fix again", p.Name)
	case s.Action == plan.Create && taken && !ours:
		return outcome{}, fmt.Errorf("alarm name %q was taken by another alarm since the plan was made; nothing was written, run fix again", p.Name)
	case cur == nil:
		w := chain.WantAlarm{Name: p.Name, MetricName: p.MetricName, Namespace: p.Namespace, Actions: []string{topic}, Description: p.Description}
		if _, err := c.PutMetricAlarm(ctx, w.PutInput()); err != nil {
			return outcome{}, fmt.Errorf("put metric alarm %q: %w", p.Name, err)
		}
		return outcome{changed: true, resource: p.Name, detail: "created, notifies " + topic}, nil
	}
	// trailwatch's alarm exists: repair what the plan names (on a create,
	// a retry's or another run's alarm: only what keeps it from notifying).
	in := chain.Repair(*cur, problems, topic)
	if aws.ToBool(cur.ActionsEnabled) && slices.Contains(cur.AlarmActions, topic) && len(problems) == 0 {
		return outcome{resource: p.Name, detail: "trailwatch's alarm already notifies " + topic}, nil
	}
	if _, err := c.PutMetricAlarm(ctx, in); err != nil {
		return outcome{}, fmt.Errorf("put metric alarm %q: %w", p.Name, err)
	}
	return outcome{changed: true, resource: p.Name, detail: "repaired trailwatch's alarm; notifies " + topic + "; its other settings and actions kept"}, nil
}
