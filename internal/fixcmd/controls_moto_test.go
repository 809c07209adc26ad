package fixcmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/plan"
)

// Issue 12, fix side: from an empty account, the 4.5 bootstrap and then
// fix --control for every other control leave an account compliant for all
// sixteen, with one topic and one subscription for every alarm and a filter
// and an alarm per control; a second run writes nothing.
func TestFixEveryControlOnMoto(t *testing.T) {
	w := newWorld(t)
	if r := w.cli(false, "fix", "--yes", "--email", "secops@example.com"); r.code != 0 {
		t.Fatalf("bootstrap: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	for _, c := range chain.Controls() { // 4.16 too: Security Hub enabled
		if c.ID == "4.5" {
			continue
		}
		// No --email: trailwatch's own topic has a confirmed subscriber
		// (moto confirms email subscriptions at once).
		if r := w.cli(false, "fix", "--yes", "--control", c.ID); r.code != 0 {
			t.Fatalf("fix --control %s: exit %d\n%s\n%s", c.ID, r.code, r.out, r.errOut)
		}
	}
	if r := w.cli(false, "audit", "--control", "all"); r.code != 0 {
		t.Fatalf("audit --control all: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	topics, err := w.f.SNS(region).ListTopics(w.ctx, &sns.ListTopicsInput{})
	if err != nil || len(topics.Topics) != 1 {
		t.Errorf("%d topics (%v), want one for every alarm", len(topics.Topics), err)
	}
	if len(topics.Topics) == 1 {
		subs, err := w.f.SNS(region).ListSubscriptionsByTopic(w.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topics.Topics[0].TopicArn})
		if err != nil || len(subs.Subscriptions) != 1 {
			t.Errorf("%d subscriptions (%v), want one", len(subs.Subscriptions), err)
		}
	}
	filters, err := w.f.Logs(region).DescribeMetricFilters(w.ctx, &cloudwatchlogs.DescribeMetricFiltersInput{})
	if err != nil || len(filters.MetricFilters) != 15 {
		t.Errorf("%d metric filters (%v), want 15", len(filters.MetricFilters), err)
	}
	w.resetOps()
	for _, id := range []string{"4.1", "4.10", "4.15"} {
		if r := w.cli(false, "fix", "--yes", "--control", id); r.code != 0 {
			t.Errorf("second fix --control %s: exit %d\n%s", id, r.code, r.errOut)
		}
	}
	if ws := w.writes(); len(ws) > 0 {
		t.Errorf("a second run wrote: %v", ws)
	}

	// Three controls broken in different links: each shows its own gap,
	// the other twelve pass, and fix --control repairs each.
	c41, c43, c410 := control(t, "4.1"), control(t, "4.3"), control(t, "4.10")
	_, err = w.f.Logs(region).DeleteMetricFilter(w.ctx, &cloudwatchlogs.DeleteMetricFilterInput{FilterName: aws.String(c41.Defaults.Filter), LogGroupName: aws.String(plan.DefaultLogGroupName)})
	w.must(err, "DeleteMetricFilter 4.1")
	_, err = w.f.CloudWatch(region).DeleteAlarms(w.ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{c43.Defaults.Alarm}})
	w.must(err, "DeleteAlarms 4.3")
	// moto answers DisableAlarmActions with 500: put the alarm again with
	// its actions disabled, which is the same state.
	got, err := w.f.CloudWatch(region).DescribeAlarms(w.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{c410.Defaults.Alarm}})
	w.must(err, "DescribeAlarms 4.10")
	m := got.MetricAlarms[0]
	_, err = w.f.CloudWatch(region).PutMetricAlarm(w.ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: m.AlarmName, MetricName: m.MetricName, Namespace: m.Namespace,
		Statistic: m.Statistic, Period: m.Period, EvaluationPeriods: m.EvaluationPeriods, Threshold: m.Threshold, ComparisonOperator: m.ComparisonOperator,
		TreatMissingData: m.TreatMissingData, AlarmActions: m.AlarmActions, ActionsEnabled: aws.Bool(false)})
	w.must(err, "PutMetricAlarm 4.10")
	r := w.cli(false, "audit", "--control", "all", "--output", "json")
	var doc struct {
		Results []struct {
			Control string `json:"control"`
			Gaps    []struct {
				Code string `json:"code"`
			} `json:"gaps"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil || r.code != 2 {
		t.Fatalf("audit after the breakage: exit %d, %v\n%s", r.code, err, r.errOut)
	}
	gaps := map[string]string{}
	for _, res := range doc.Results {
		for _, g := range res.Gaps {
			gaps[res.Control] += g.Code
		}
	}
	if diff := cmp.Diff(map[string]string{"4.1": "NO_METRIC_FILTER", "4.3": "NO_ALARM", "4.10": "ALARM_NOT_NOTIFYING"}, gaps); diff != "" {
		t.Errorf("gaps (-want +got):\n%s", diff)
	}
	for _, id := range []string{"4.1", "4.3", "4.10"} {
		if r := w.cli(false, "fix", "--yes", "--control", id); r.code != 0 {
			t.Errorf("repair fix --control %s: exit %d\n%s\n%s", id, r.code, r.out, r.errOut)
		}
	}
	if r := w.cli(false, "audit", "--control", "all"); r.code != 0 {
		t.Errorf("audit after the repairs: exit %d\n%s", r.code, r.out)
	}
}

func control(t *testing.T, id string) chain.Control {
	t.Helper()
	c, err := chain.ControlFor(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CIS 4.16: fix enables Security Hub only when that control is asked for,
// with no standard; a second run writes nothing.
func TestFixSecurityHubOnMoto(t *testing.T) {
	w := newWorld(t)
	if r := w.cli(false, "audit", "--control", "4.16"); r.code != 2 || !strings.Contains(r.out, "SECURITY_HUB_NOT_ENABLED") || !strings.Contains(r.out, "--control 4.16") {
		t.Fatalf("audit before: exit %d\n%s", r.code, r.out)
	}
	if r := w.cli(false, "fix", "--dry-run"); strings.Contains(r.out, "securityhub") {
		t.Errorf("fix without --control 4.16 plans Security Hub:\n%s", r.out)
	}
	if r := w.cli(false, "fix", "--yes", "--control", "CloudWatch.16"); r.code == 0 {
		t.Errorf("CloudWatch.16 is no Security Hub control id, yet fix accepted it")
	}
	if r := w.cli(false, "fix", "--yes", "--control", "4.16"); r.code != 0 {
		t.Fatalf("fix --control 4.16: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	// (moto has no GetEnabledStandards: remediate's unit test checks that
	// no standard is asked for.)
	if r := w.cli(false, "audit", "--control", "4.16"); r.code != 0 {
		t.Errorf("audit after: exit %d\n%s", r.code, r.out)
	}
	w.resetOps()
	if r := w.cli(false, "fix", "--yes", "--control", "4.16"); r.code != 0 {
		t.Errorf("second fix: exit %d\n%s", r.code, r.errOut)
	}
	if ws := w.writes(); len(ws) > 0 {
		t.Errorf("a second run wrote: %v", ws)
	}
}
