package audit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// typical is an account as CIS leaves it: one multi-region trail, a
// single-region leftover, the fourteen CIS monitoring filters on one log
// group, each with an alarm notifying one topic.
func typical() *fa.Account {
	a := fa.Compliant()
	old := fa.NewTrail(fa.Home, fa.AccountID, "old-regional", "")
	old.IsMultiRegionTrail = aws.Bool(false)
	a.Trails = append(a.Trails, old)
	for i := 1; i <= 13; i++ {
		name := fmt.Sprintf("cis-%02d", i)
		a.Filters[lgKey] = append(a.Filters[lgKey], fa.NewFilter(fa.LogGroup, name, fmt.Sprintf(`{ $.eventName = Event%d }`, i), fa.Namespace, name))
		a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, name, fa.Namespace, name, topicARN))
	}
	return a
}

// sharing has two multi-region trails delivering to the same log group,
// homed in different regions, and alarms in that region sharing a topic.
func sharing() *fa.Account {
	a := fa.Compliant()
	a.Status[trailARN].IsLogging = aws.Bool(false)
	tr := fa.NewTrail(fa.Home, fa.AccountID, "second", fa.LogGroup)
	tr.HomeRegion = aws.String("eu-west-1")
	tr.TrailARN = aws.String(fa.TrailARN("eu-west-1", fa.AccountID, "second"))
	a.Trails = append(a.Trails, tr)
	a.Status[*tr.TrailARN] = &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(true)}
	a.Filters[lgKey] = append(a.Filters[lgKey], cwltypes.MetricFilter{})
	a.Filters[lgKey][1] = fa.NewFilter(fa.LogGroup, "copy", fa.CIS, fa.Namespace, "Copy")
	a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, "copy", fa.Namespace, "Copy", topicARN))
	return a
}

func TestSpeed(t *testing.T) {
	for name, mk := range map[string]func() *fa.Account{"typical": typical, "sharing": sharing} {
		t.Run(name, func(t *testing.T) {
			a := mk()
			a.Latency = 20 * time.Millisecond
			r := run(t, a, audit.Options{})
			if r.Compliant == nil || !*r.Compliant {
				t.Fatalf("not compliant: %+v", summarize(r))
			}
			calls := a.Calls()
			if n := fa.RoundTrips(calls); n > 4 {
				t.Errorf("%d sequential round trips, want at most 4", n)
			}
			if d := fa.Duplicates(calls); len(d) > 0 {
				t.Errorf("read twice: %v", d)
			}
			perOp := map[string]int{}
			for _, c := range calls {
				perOp[c.Op]++
			}
			// One topic is read for the alarms, and trailwatch's own topic
			// is looked for by name.
			if perOp["DescribeAlarms"] != 1 || perOp["DescribeMetricFilters"] != 1 || perOp["GetTopicAttributes"] != 2 {
				t.Errorf("calls per operation: %v", perOp)
			}
			t.Logf("%d calls, %d round trips: %v", len(calls), fa.RoundTrips(calls), perOp)
		})
	}
}

// BenchmarkAudit audits the typical account with 2 ms per call and reports
// the calls made and the sequential round trips.
func BenchmarkAudit(b *testing.B) { benchAudit(b, typical()) }

// benchAudit audits a with 2 ms per call and reports the calls made and
// the sequential round trips.
func benchAudit(b *testing.B, a *fa.Account) {
	a.Latency = 2 * time.Millisecond
	var calls, trips int
	for b.Loop() {
		a.Reset()
		run(b, a, audit.Options{})
		c := a.Calls()
		calls, trips = len(c), fa.RoundTrips(c)
	}
	b.ReportMetric(float64(calls), "calls/op")
	b.ReportMetric(float64(trips), "roundtrips/op")
}
