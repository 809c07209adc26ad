package integration

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// pagedAlarms are the real clients, except that DescribeAlarms answers in
// pages of one alarm, as CloudWatch does for an account with more alarms
// than MaxRecords: moto answers every alarm in one page whatever it is
// asked, so without this the audit would never ask moto
// DescribeAlarmsForMetric.
type pagedAlarms struct {
	audit.Clients
	mu     sync.Mutex
	counts map[string]int
}

func (p *pagedAlarms) CloudWatch(region string) audit.CloudWatchAPI {
	return pagedCW{p.Clients.CloudWatch(region), p}
}

func (p *pagedAlarms) count(op string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[op]++
}

type pagedCW struct {
	audit.CloudWatchAPI
	p *pagedAlarms
}

func (c pagedCW) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	c.p.count("DescribeAlarms")
	i, _ := strconv.Atoi(aws.ToString(in.NextToken))
	all, err := c.CloudWatchAPI.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}, o...)
	if err != nil || all.NextToken != nil {
		return nil, fmt.Errorf("moto paged DescribeAlarms itself (%v): this adapter is no longer needed", err)
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	if i < len(all.MetricAlarms) {
		out.MetricAlarms = all.MetricAlarms[i : i+1]
	}
	if i+1 < len(all.MetricAlarms) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func (c pagedCW) DescribeAlarmsForMetric(ctx context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
	c.p.count("DescribeAlarmsForMetric")
	return c.CloudWatchAPI.DescribeAlarmsForMetric(ctx, in, o...)
}

// TestAlarmsFoundByMetric (issue 11): on moto, through the real SDK
// client, an account with more alarms than a page is judged from
// DescribeAlarmsForMetric when that shows a compliant chain, and from the
// whole listing when it does not.
func TestAlarmsFoundByMetric(t *testing.T) {
	for _, tt := range []struct {
		name    string
		chain   testaccount.Chain
		verdict string
		pages   int // DescribeAlarms calls: 1, or every alarm's page
	}{
		{name: "compliant", verdict: "compliant", pages: 1},
		{name: "alarm actions disabled", chain: testaccount.Chain{AlarmDisabled: true}, verdict: "gaps ALARM_NOT_NOTIFYING", pages: 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.account()
			a.Chain(tt.chain)
			cw := a.Factory.CloudWatch(testaccount.Home)
			for i := range 5 {
				_, err := cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{
					AlarmName: aws.String(fmt.Sprintf("app-%d", i)), Namespace: aws.String("App"), MetricName: aws.String(fmt.Sprintf("Errors%d", i)),
					Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
					ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
				})
				a.Must(err, "PutMetricAlarm")
			}
			f := awsx.FromConfig(e.srv.Config(t, home))
			c := &pagedAlarms{Clients: f.AuditClients(), counts: map[string]int{}}
			r, err := audit.Run(context.Background(), c, audit.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := "unknown"
			if r.Compliant != nil {
				got = map[bool]string{true: "compliant", false: "gaps"}[*r.Compliant]
			}
			for _, g := range r.Gaps {
				got += " " + string(g.Code)
			}
			if got != tt.verdict || len(r.Unknown) != 0 {
				t.Errorf("verdict %q, unknown %+v; want %q", got, r.Unknown, tt.verdict)
			}
			if c.counts["DescribeAlarmsForMetric"] != 1 || c.counts["DescribeAlarms"] != tt.pages {
				t.Errorf("calls %v; want one DescribeAlarmsForMetric and %d DescribeAlarms pages", c.counts, tt.pages)
			}
		})
	}
}
