package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// Issue 10: an alarm that cannot fire on one CloudTrail change, or cannot
// reach anyone, is a gap; fix never builds on what the audit rejected, and
// leaves someone else's alarm, filter and topic as they were. Each state is
// a chain someone else made with one setting wrong; the reasoning per rule,
// with its AWS page, is in chain/alarm.go and chain/topic.go.
func TestAlarmsThatCannotFireOrReach(t *testing.T) {
	alarm := func(f func(*cloudwatch.PutMetricAlarmInput)) testaccount.Chain { return testaccount.Chain{Alarm: f} }
	const metric = "cis-CloudTrailConfigChanges"
	for _, tc := range []struct {
		name     string
		chain    testaccount.Chain
		gap      string
		endpoint bool // the chain's topic was rejected: fix needs a new subscriber
	}{
		{"threshold 1000 on Sum", alarm(func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(1000) }), "ALARM_CANNOT_FIRE", false},
		{"LessThanThreshold", alarm(func(in *cloudwatch.PutMetricAlarmInput) {
			in.ComparisonOperator = cwtypes.ComparisonOperatorLessThanThreshold
		}), "ALARM_CANNOT_FIRE", false},
		{"GreaterThanThreshold 1", alarm(func(in *cloudwatch.PutMetricAlarmInput) {
			in.ComparisonOperator = cwtypes.ComparisonOperatorGreaterThanThreshold
		}), "ALARM_CANNOT_FIRE", false},
		{"3 of 3 datapoints", alarm(func(in *cloudwatch.PutMetricAlarmInput) {
			in.EvaluationPeriods, in.DatapointsToAlarm = aws.Int32(3), aws.Int32(3)
		}), "ALARM_CANNOT_FIRE", false},
		{"unit the filter does not publish", alarm(func(in *cloudwatch.PutMetricAlarmInput) { in.Unit = cwtypes.StandardUnitCount }), "ALARM_CANNOT_FIRE", false},
		{"dimensions the filter does not publish", alarm(func(in *cloudwatch.PutMetricAlarmInput) {
			in.Dimensions = []cwtypes.Dimension{{Name: aws.String("Trail"), Value: aws.String("cis-trail")}}
		}), "ALARM_CANNOT_FIRE", false},
		{"missing data treated as breaching", alarm(func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("breaching") }), "ALARM_CANNOT_FIRE", false},
		{"metric math stuck in ALARM", alarm(func(in *cloudwatch.PutMetricAlarmInput) {
			in.MetricName, in.Namespace, in.Statistic, in.Period = nil, nil, "", nil
			in.Metrics = []cwtypes.MetricDataQuery{
				{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{MetricName: aws.String(metric), Namespace: aws.String("CISBenchmark")}, Period: aws.Int32(300), Stat: aws.String("Sum")}},
				{Id: aws.String("e1"), Expression: aws.String("FILL(m1, 1)"), ReturnData: aws.Bool(true)},
			}
		}), "ALARM_CANNOT_FIRE", false},
		{"filter default value 1", testaccount.Chain{Filter: func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].DefaultValue = aws.Float64(1)
		}}, "ALARM_CANNOT_FIRE", false},
		{"filter metric value 0", testaccount.Chain{Filter: func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].MetricValue = aws.String("0")
		}}, "ALARM_CANNOT_FIRE", false},
		{"filter publishing only per-dimension series", testaccount.Chain{Filter: func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].Dimensions = map[string]string{"EventName": "$.eventName"}
		}}, "NO_METRIC_FILTER", false},
		{"only an OK action", alarm(func(in *cloudwatch.PutMetricAlarmInput) {
			in.OKActions, in.AlarmActions = in.AlarmActions, nil
		}), "ALARM_NOT_NOTIFYING", false},
		{"topic policy denying CloudWatch", testaccount.Chain{TopicAttrs: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sns:Publish","Resource":"*"},` +
			`{"Sid":"no","Effect":"Deny","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}`}}, "ALARM_NOT_NOTIFYING", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.account()
			a.Chain(tc.chain)
			before := foreignState(t, a.Factory)

			res, r := e.audit()
			if res.code != 2 || strings.Join(r.codes(), ",") != tc.gap {
				t.Fatalf("audit: exit %d, gaps %v, want %s\n%s", res.code, r.codes(), tc.gap, res.stdout)
			}
			args := []string{"fix", "--yes", "--endpoint-url", e.endpoint}
			if tc.endpoint {
				// The subscriber is on the topic CloudWatch cannot publish
				// to: fix does not reuse it and needs a new one.
				if f := e.run(args...); f.code != 1 || !strings.Contains(f.stderr, "subscription endpoint") {
					t.Fatalf("fix without an endpoint: exit %d\n%s", f.code, f.stderr)
				}
				args = append(args, "--subscribe", "sqs:arn:aws:sqs:us-east-1:123456789012:alerts")
			}
			if f := e.run(args...); f.code != 0 {
				t.Fatalf("fix: exit %d\n%s\n%s", f.code, f.stdout, f.stderr)
			}
			if res, r := e.audit(); res.code != 0 {
				t.Fatalf("audit after fix: exit %d, gaps %v", res.code, r.codes())
			}
			if after := foreignState(t, a.Factory); after != before {
				t.Errorf("someone else's chain changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// foreignState describes the chain testaccount.Chain made (prefix cis):
// its filters, alarm and topic policy.
func foreignState(t *testing.T, f *awsx.Factory) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	fs, err := f.Logs(testaccount.Home).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("cis-trail-logs"), FilterNamePrefix: aws.String("cis-")})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fs.MetricFilters {
		m := x.MetricTransformations[0]
		fmt.Fprintf(&b, "filter %s %q %s=%s %v %v; ", aws.ToString(x.FilterName), aws.ToString(x.FilterPattern), aws.ToString(m.MetricName), aws.ToString(m.MetricValue), m.Dimensions, fmtDefault(m))
	}
	as, err := f.CloudWatch(testaccount.Home).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"cis-cloudtrail-changes"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range as.MetricAlarms {
		var dims []string
		for _, d := range x.Dimensions {
			dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
		}
		fmt.Fprintf(&b, "alarm %s %g %s %s %v %v %v %s; ", aws.ToString(x.AlarmName), aws.ToFloat64(x.Threshold), x.ComparisonOperator, x.Unit,
			dims, x.AlarmActions, x.OKActions, aws.ToString(x.TreatMissingData))
	}
	topic := "arn:aws:sns:" + testaccount.Home + ":123456789012:cis-security-alerts"
	if attrs, err := f.SNS(testaccount.Home).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)}); err == nil {
		fmt.Fprintf(&b, "topic policy %q", attrs.Attributes["Policy"])
	}
	return b.String()
}

func fmtDefault(m cwltypes.MetricTransformation) string {
	if m.DefaultValue == nil {
		return "-"
	}
	return fmt.Sprint(*m.DefaultValue)
}
