package hardening

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// buildChain creates, with moto's root test credentials, a multi-region
// logging trail and, unless c leaves links out, the rest of a compliant CIS
// 4.5 chain, its resources named org-...
func buildChain(t *testing.T, srv *motoserver.Server, c testaccount.Chain) testaccount.Built {
	t.Helper()
	c.Prefix = "org"
	return testaccount.New(t, awsx.FromConfig(srv.Config(t, home))).Chain(c)
}

// pagedAlarms adds an alarm about something else to srv's account and
// returns a proxy whose DescribeAlarms answers one alarm a page, so the
// audit finds the region's alarms take more than a page and asks
// DescribeAlarmsForMetric, as it does in an account with more than 100
// alarms (moto answers every alarm in one page).
func pagedAlarms(t *testing.T, srv *motoserver.Server) *faultproxy.Proxy {
	t.Helper()
	cw := awsx.FromConfig(srv.Config(t, home)).CloudWatch(home)
	if _, err := cw.PutMetricAlarm(t.Context(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("app-errors"), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
	}); err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	p := faultproxy.Start(t, srv.URL)
	p.PageAlarms(1)
	return p
}

// fallbackReads are reads whose failure only makes the audit read the
// whole listing instead (audit/alarms.go): the report is what it would be
// without them, and names no unknown read.
var fallbackReads = map[string]bool{"cloudwatch:DescribeAlarmsForMetric": true}
