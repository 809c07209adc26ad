package integration

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

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
			// moto answers every alarm in one page, whatever MaxRecords
			// asks: the proxy pages them one by one, as CloudWatch does in
			// an account with more alarms than a page.
			p := faultproxy.Start(t, e.srv.URL)
			p.PageAlarms(1)
			cfg := e.srv.Config(t, home)
			cfg.BaseEndpoint = aws.String(p.URL)
			r, err := audit.Run(context.Background(), awsx.FromConfig(cfg).AuditClients(), audit.Options{})
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			for _, c := range p.Calls() {
				counts[c.Operation]++
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
			if counts["DescribeAlarmsForMetric"] != 1 || counts["DescribeAlarms"] != tt.pages {
				t.Errorf("calls %v; want one DescribeAlarmsForMetric and %d DescribeAlarms pages", counts, tt.pages)
			}
		})
	}
}
