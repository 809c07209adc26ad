package fixcmd_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/plan"
)

// Issue 9: a chain that was complete until one thing changed. For a chain
// trailwatch made and for one someone else made, each link is broken in
// turn. Each time the audit reports exactly that link's gap with every other
// existing link passed, the plan has only the steps that link needs, fix
// --yes with no choice flags ends compliant wherever a confirmed subscriber
// still exists, what fix does is what it planned, a second fix writes
// nothing, and nothing trailwatch did not make is changed.

// chainMaker builds a complete chain and says where its parts are.
type chainMaker struct {
	name                      string
	build                     func(w *world)
	group, filter, alarm, top string // names; top is the topic's name
	metric                    string // namespace/name the alarm watches
}

func foreignChain() chainMaker {
	return chainMaker{name: "someone else's", build: func(w *world) { w.build(state{}) },
		group: group, filter: "ct-changes", alarm: "ct-changes-alarm", top: "secops", metric: ns + "/" + metric}
}

func trailwatchChain() chainMaker {
	return chainMaker{name: "trailwatch's", build: func(w *world) {
		if r := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN); r.code != 0 {
			w.t.Fatalf("bootstrap: exit %d\n%s\n%s", r.code, r.out, r.errOut)
		}
	}, group: plan.DefaultLogGroupName, filter: plan.DefaultFilterName, alarm: plan.DefaultAlarmName, top: plan.DefaultTopicName,
		metric: plan.DefaultNamespace + "/" + plan.DefaultMetricName}
}

// breakage breaks one link.
type breakage struct {
	name  string
	apply func(w *world, c chainMaker)
	// the chain as the audit reports it after (one letter per link: P
	// passed, F failed, M missing, B blocked), and its one gap
	chain, gap string
	// the plan's steps, by chain (foreign, trailwatch's)
	steps [2][]string
	// needsEndpoint: no confirmed subscriber is left anywhere on the chain
	needsEndpoint bool
}

func (w *world) trailARN() string {
	out, err := w.f.CloudTrail(region).DescribeTrails(w.ctx, &cloudtrail.DescribeTrailsInput{})
	w.must(err, "DescribeTrails")
	for _, t := range out.TrailList {
		if aws.ToBool(t.IsMultiRegionTrail) {
			return aws.ToString(t.TrailARN)
		}
	}
	w.t.Fatal("no multi-region trail")
	return ""
}

func (w *world) topicARN(name string) string {
	return "arn:aws:sns:" + region + ":" + w.id + ":" + name
}

func (w *world) putAlarm(c chainMaker, f func(*cloudwatch.PutMetricAlarmInput)) {
	w.t.Helper()
	out, err := w.f.CloudWatch(region).DescribeAlarms(w.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{c.alarm}})
	w.must(err, "DescribeAlarms")
	if len(out.MetricAlarms) != 1 {
		w.t.Fatalf("alarm %s: %d found", c.alarm, len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	in := &cloudwatch.PutMetricAlarmInput{AlarmName: a.AlarmName, MetricName: a.MetricName, Namespace: a.Namespace, Statistic: a.Statistic,
		Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator,
		TreatMissingData: a.TreatMissingData, ActionsEnabled: a.ActionsEnabled, AlarmActions: a.AlarmActions, AlarmDescription: a.AlarmDescription}
	f(in)
	_, err = w.f.CloudWatch(region).PutMetricAlarm(w.ctx, in)
	w.must(err, "PutMetricAlarm")
}

func breakages() []breakage {
	return []breakage{
		{name: "stop logging", apply: func(w *world, c chainMaker) {
			// By name: moto's StopLogging takes only the name.
			arn := w.trailARN()
			_, err := w.f.CloudTrail(region).StopLogging(w.ctx, &cloudtrail.StopLoggingInput{Name: aws.String(arn[strings.LastIndex(arn, "/")+1:])})
			w.must(err, "StopLogging")
		}, chain: "PFPPPPPP", gap: "TRAIL_NOT_LOGGING", steps: [2][]string{{plan.IDTrailLogging}, {plan.IDTrailLogging}}},
		{name: "drop read events", apply: func(w *world, c chainMaker) {
			_, err := w.f.CloudTrail(region).PutEventSelectors(w.ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(w.trailARN()),
				EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly}}})
			w.must(err, "PutEventSelectors")
		}, chain: "PPFPPPPP", gap: "MANAGEMENT_EVENTS_NOT_CAPTURED", steps: [2][]string{{plan.IDEventSelectors}, {plan.IDEventSelectors}}},
		// The trail is cut from its log group; the chain downstream is
		// found by listing the region's filters and the trail pointed back.
		{name: "cut the trail's delivery", apply: func(w *world, c chainMaker) {
			_, err := w.f.CloudTrail(region).UpdateTrail(w.ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(w.trailARN()),
				CloudWatchLogsLogGroupArn: aws.String(""), CloudWatchLogsRoleArn: aws.String("")})
			w.must(err, "UpdateTrail")
		}, chain: "PPPMPPPP", gap: "NO_CLOUDWATCH_LOGS",
			steps: [2][]string{{plan.IDLogsRole, plan.IDTrailCloudWatch}, {plan.IDTrailCloudWatch}}},
		// The alarm left behind is found by its names; the filter comes
		// back publishing the metric it watches.
		{name: "delete the filter", apply: func(w *world, c chainMaker) {
			_, err := w.f.Logs(region).DeleteMetricFilter(w.ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(c.group), FilterName: aws.String(c.filter)})
			w.must(err, "DeleteMetricFilter")
		}, chain: "PPPPMPPP", gap: "NO_METRIC_FILTER", steps: [2][]string{{plan.IDMetricFilter}, {plan.IDMetricFilter}}},
		// moto adds a second filter when one is put under an existing
		// name (AWS replaces it), so the narrowing deletes and puts.
		{name: "narrow the filter", apply: func(w *world, c chainMaker) {
			logs := w.f.Logs(region)
			out, err := logs.DescribeMetricFilters(w.ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(c.group), FilterNamePrefix: aws.String(c.filter)})
			w.must(err, "DescribeMetricFilters")
			_, err = logs.DeleteMetricFilter(w.ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(c.group), FilterName: aws.String(c.filter)})
			w.must(err, "DeleteMetricFilter")
			_, err = logs.PutMetricFilter(w.ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(c.group), FilterName: aws.String(c.filter),
				FilterPattern:         aws.String(`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }`),
				MetricTransformations: []cwltypes.MetricTransformation{out.MetricFilters[0].MetricTransformations[0]}})
			w.must(err, "PutMetricFilter")
		}, chain: "PPPPFPPP", gap: "NO_METRIC_FILTER", steps: [2][]string{{plan.IDMetricFilter}, {plan.IDMetricFilter}}},
		// Someone else's topic is reached only through their alarm; with
		// the alarm gone nothing points to it, so an endpoint is needed.
		// trailwatch's own topic is found by its name and reused.
		{name: "delete the alarm", apply: func(w *world, c chainMaker) {
			_, err := w.f.CloudWatch(region).DeleteAlarms(w.ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{c.alarm}})
			w.must(err, "DeleteAlarms")
		}, chain: "PPPPPM??", gap: "NO_ALARM",
			steps: [2][]string{{plan.IDTopic, plan.IDSubscription, plan.IDAlarm}, {plan.IDAlarm}}},
		{name: "threshold no single event reaches", apply: func(w *world, c chainMaker) {
			w.putAlarm(c, func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(1000) })
		}, chain: "PPPPPFPP", gap: "ALARM_CANNOT_FIRE", steps: [2][]string{{plan.IDAlarm}, {plan.IDAlarm}}},
		// DisableAlarmActions answers 500 on moto: the alarm is put again
		// with its actions disabled.
		{name: "disable the alarm's actions", apply: func(w *world, c chainMaker) {
			w.putAlarm(c, func(in *cloudwatch.PutMetricAlarmInput) { in.ActionsEnabled = aws.Bool(false) })
		}, chain: "PPPPPPFP", gap: "ALARM_NOT_NOTIFYING", steps: [2][]string{{plan.IDAlarm}, {plan.IDAlarm}}},
		{name: "unsubscribe", apply: func(w *world, c chainMaker) {
			out, err := w.f.SNS(region).ListSubscriptionsByTopic(w.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(w.topicARN(c.top))})
			w.must(err, "ListSubscriptionsByTopic")
			for _, s := range out.Subscriptions {
				_, err := w.f.SNS(region).Unsubscribe(w.ctx, &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn})
				w.must(err, "Unsubscribe")
			}
		}, chain: "PPPPPPPM", gap: "NO_CONFIRMED_SUBSCRIPTION", steps: [2][]string{{plan.IDSubscription}, {plan.IDSubscription}}, needsEndpoint: true},
		// trailwatch's topic is made again under its name, which its alarm
		// still names; beside someone else's alarm trailwatch adds its own.
		{name: "delete the topic", apply: func(w *world, c chainMaker) {
			_, err := w.f.SNS(region).DeleteTopic(w.ctx, &sns.DeleteTopicInput{TopicArn: aws.String(w.topicARN(c.top))})
			w.must(err, "DeleteTopic")
		}, chain: "PPPPPPFB", gap: "ALARM_NOT_NOTIFYING",
			steps: [2][]string{{plan.IDTopic, plan.IDSubscription, plan.IDAlarm}, {plan.IDTopic, plan.IDSubscription}}, needsEndpoint: true},
	}
}

type auditDoc struct {
	Compliant *bool `json:"compliant"`
	Chain     []struct {
		Name, Status string
	} `json:"chain"`
	Gaps []struct {
		Code string `json:"code"`
	} `json:"gaps"`
}

func (d auditDoc) letters() string {
	var b strings.Builder
	for _, l := range d.Chain {
		b.WriteString(strings.ToUpper(l.Status[:1]))
	}
	return b.String()
}

type fixDoc struct {
	Plan struct {
		Steps []struct {
			ID     string `json:"id"`
			Action string `json:"action"`
		} `json:"steps"`
	} `json:"plan"`
	Apply *struct {
		Steps []struct {
			ID, Status, Detail string
		} `json:"steps"`
	} `json:"apply"`
	After *struct {
		Compliant *bool `json:"compliant"`
	} `json:"after"`
}

func TestOneLinkBroken(t *testing.T) {
	for ci, c := range []chainMaker{foreignChain(), trailwatchChain()} {
		for _, b := range breakages() {
			t.Run(c.name+"/"+b.name, func(t *testing.T) {
				w := newWorld(t)
				c.build(w)
				if r := w.cli(false, "audit"); r.code != 0 {
					t.Fatalf("the chain is not compliant to begin with: exit %d\n%s", r.code, r.out)
				}
				b.apply(w, c)
				foreign := w.snapshot(c, ci == 0)

				// The audit: that link's gap, the others passed.
				var a auditDoc
				r := w.cli(false, "audit", "--output", "json")
				if err := json.Unmarshal([]byte(r.out), &a); err != nil {
					t.Fatalf("audit: %v\n%s", err, r.out)
				}
				want := b.chain
				if strings.Contains(want, "?") { // notification and subscription: blocked without trailwatch's topic
					want = strings.ReplaceAll(want, "?", map[bool]string{true: "B", false: "P"}[ci == 0])
				}
				if got := a.letters(); got != want || gapsOf(r.out) != b.gap || r.code != 2 {
					t.Fatalf("audit: exit %d, chain %s (want %s), gaps %s (want %s)\n%s", r.code, got, want, gapsOf(r.out), b.gap, r.out)
				}

				// The plan: only what that link needs.
				p := w.cli(false, "plan", "--output", "json")
				var pd struct {
					Steps []struct{ ID string } `json:"steps"`
				}
				if err := json.Unmarshal([]byte(p.out), &pd); err != nil {
					t.Fatalf("plan: %v\n%s", err, p.out)
				}
				var ids []string
				for _, s := range pd.Steps {
					ids = append(ids, s.ID)
				}
				if !slices.Equal(ids, b.steps[ci]) {
					t.Errorf("plan steps %v, want %v\n%s", ids, b.steps[ci], p.out)
				}

				// fix --yes with no choice flags.
				w.resetOps()
				needs := b.needsEndpoint || (ci == 0 && b.name == "delete the alarm")
				args := []string{"fix", "--yes", "--output", "json"}
				f := w.cli(false, args...)
				if needs {
					if f.code != 1 || !strings.Contains(f.errOut, "subscription endpoint") || len(w.writes()) != 0 {
						t.Fatalf("fix without an endpoint where none is confirmed: exit %d, writes %v\n%s", f.code, w.writes(), f.errOut)
					}
					args = append(args, "--subscribe", "sqs:"+queueARN)
					f = w.cli(false, args...)
				}
				if f.code != 0 {
					t.Fatalf("fix: exit %d\n%s\n%s", f.code, f.out, f.errOut)
				}
				// What fix did is what it planned: every planned step done.
				var fd fixDoc
				if err := json.Unmarshal([]byte(f.out), &fd); err != nil || fd.Apply == nil || fd.After == nil || fd.After.Compliant == nil || !*fd.After.Compliant {
					t.Fatalf("fix JSON: %v\n%s", err, f.out)
				}
				if len(fd.Apply.Steps) != len(fd.Plan.Steps) {
					t.Errorf("applied %d steps, planned %d", len(fd.Apply.Steps), len(fd.Plan.Steps))
				}
				for _, s := range fd.Apply.Steps {
					if s.Status != "done" {
						t.Errorf("step %s planned but %s (%s)", s.ID, s.Status, s.Detail)
					}
				}
				w.resetOps()
				if again := w.cli(false, args...); again.code != 0 || len(w.writes()) != 0 {
					t.Errorf("second fix: exit %d, writes %v\n%s", again.code, w.writes(), again.errOut)
				}
				if after := w.snapshot(c, ci == 0); after != foreign {
					t.Errorf("a resource trailwatch did not make changed:\nbefore %s\nafter  %s", foreign, after)
				}
			})
		}
	}
}

// snapshot describes the resources of someone else's chain (the filter,
// the alarm, the topic's policy and key and its subscriptions), so a test
// can tell that none changed. For trailwatch's chain it is "".
func (w *world) snapshot(c chainMaker, foreign bool) string {
	w.t.Helper()
	if !foreign {
		return ""
	}
	var b strings.Builder
	fs, err := w.f.Logs(region).DescribeMetricFilters(w.ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(c.group), FilterNamePrefix: aws.String(c.filter)})
	if err == nil {
		for _, f := range fs.MetricFilters {
			if aws.ToString(f.FilterName) == c.filter {
				m := f.MetricTransformations[0]
				fmt.Fprintf(&b, "filter %s %q %s/%s=%s; ", c.filter, aws.ToString(f.FilterPattern), aws.ToString(m.MetricNamespace), aws.ToString(m.MetricName), aws.ToString(m.MetricValue))
			}
		}
	}
	as, err := w.f.CloudWatch(region).DescribeAlarms(w.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{c.alarm}})
	w.must(err, "DescribeAlarms")
	for _, a := range as.MetricAlarms {
		fmt.Fprintf(&b, "alarm %s %s/%s %s %s %g %v %v; ", c.alarm, aws.ToString(a.Namespace), aws.ToString(a.MetricName), a.Statistic,
			a.ComparisonOperator, aws.ToFloat64(a.Threshold), aws.ToBool(a.ActionsEnabled), a.AlarmActions)
	}
	topic := w.topicARN(c.top)
	if attrs, err := w.f.SNS(region).GetTopicAttributes(w.ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)}); err == nil {
		fmt.Fprintf(&b, "topic %s policy %q key %q; ", c.top, attrs.Attributes["Policy"], attrs.Attributes["KmsMasterKeyId"])
		subs, err := w.f.SNS(region).ListSubscriptionsByTopic(w.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
		w.must(err, "ListSubscriptionsByTopic")
		for _, s := range subs.Subscriptions {
			// The endpoint the user asked fix to subscribe is theirs to add.
			if aws.ToString(s.Endpoint) != queueARN {
				fmt.Fprintf(&b, "sub %s:%s; ", aws.ToString(s.Protocol), aws.ToString(s.Endpoint))
			}
		}
	}
	return b.String()
}
