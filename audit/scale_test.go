package audit_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// Regions with more alarms than one DescribeAlarms page (alarms.go).

// sameAsListing audits acct again with DescribeAlarmsForMetric refused, so
// that every alarm is listed, and checks that the reports agree: one that
// is not compliant in every field, facts included; a compliant one in
// everything but the facts, which may then hold only the alarms found by
// metric.
func sameAsListing(t *testing.T, acct *fa.Account, got *audit.Report) {
	t.Helper()
	acct.Errors["DescribeAlarmsForMetric"] = fa.Denied("AccessDenied")
	defer delete(acct.Errors, "DescribeAlarmsForMetric")
	want := run(t, acct, audit.Options{})
	var opts []cmp.Option
	if want.Compliant != nil && *want.Compliant {
		opts = append(opts, cmpopts.IgnoreFields(audit.Report{}, "Facts"))
	}
	// The SDK's types carry an unexported marker field with nothing in it.
	opts = append(opts, cmp.Exporter(func(reflect.Type) bool { return true }))
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("report differs from the one the full listing gives (-listing +by metric)\n%s", diff)
	}
}

// manyAlarms is an account with n alarms in its region, the control's the
// last of them (none at all when n is 0), and groups log groups: the
// trail's, with the CIS filter, and groups-1 others with a filter each on
// its own metric, which the other alarms watch. Pages hold at most 1,000
// alarms, so the audit's MaxRecords decides their size.
func manyAlarms(n, groups int) *fa.Account {
	a := fa.Compliant()
	for i := 1; i < groups; i++ {
		g := fmt.Sprintf("/app/service-%03d", i)
		a.Filters[fa.LogKey(fa.Home, g)] = []cwltypes.MetricFilter{fa.NewFilter(g, "errors", `{ $.level = "ERROR" }`, "App", fmt.Sprintf("Errors%03d", i))}
	}
	control := a.Alarms[fa.Home][:min(n, 1)]
	a.Alarms[fa.Home] = nil
	for i := 1; i < n; i++ {
		metric := fmt.Sprintf("Errors%03d", 1+i%(groups-1))
		a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, fmt.Sprintf("app-%05d", i), "App", metric, topicARN))
	}
	a.Alarms[fa.Home] = append(a.Alarms[fa.Home], control...)
	a.PageSize = 1000
	return a
}

func perOp(calls []fa.Call) map[string]int {
	n := map[string]int{}
	for _, c := range calls {
		n[c.Op]++
	}
	return n
}

// TestManyAlarms: with 10,000 alarms a compliant audit reads one page of
// them and asks for the alarms on the filter's metric; with the control's
// alarm deleted it pages through every one, once, and reaches the report
// listing alone gives.
func TestManyAlarms(t *testing.T) {
	a := manyAlarms(10000, 500)
	r := run(t, a, audit.Options{})
	if got := summarize(r); got.Verdict != "compliant" {
		t.Fatalf("compliant account: %+v", got)
	}
	if n := perOp(a.Calls()); n["DescribeAlarms"] != 1 || n["DescribeAlarmsForMetric"] != 1 {
		t.Errorf("compliant: calls per operation %v; want one DescribeAlarms page and one DescribeAlarmsForMetric", n)
	}
	a.Reset()
	sameAsListing(t, a, r)

	a = manyAlarms(10000, 500)
	a.Alarms[fa.Home] = a.Alarms[fa.Home][:9999] // the control's
	r = run(t, a, audit.Options{})
	want := summary{Verdict: "gaps", Chain: "PPPPPMBB", Gaps: []audit.Code{audit.NoAlarm}}
	if diff := cmp.Diff(want, summarize(r)); diff != "" {
		t.Errorf("alarm deleted (-want +got)\n%s", diff)
	}
	// 9,999 alarms in pages of MaxRecords=100.
	if n := perOp(a.Calls()); n["DescribeAlarms"] != 100 || n["DescribeAlarmsForMetric"] != 1 {
		t.Errorf("alarm deleted: calls per operation %v; want 100 DescribeAlarms pages and one DescribeAlarmsForMetric", n)
	}
	if d := fa.Duplicates(a.Calls()); len(d) > 0 {
		t.Errorf("calls made twice: %v", d)
	}
	a.Reset()
	sameAsListing(t, a, r)
}

// TestShortcutFallsBack: what DescribeAlarmsForMetric cannot show makes the
// audit read the rest of the listing, and the report is the one listing
// alone gives. Pages hold one alarm, and a first alarm about something
// else fills the first.
func TestShortcutFallsBack(t *testing.T) {
	mathAlarm := func(name string, actions ...string) cwtypes.MetricAlarm {
		m := fa.NewAlarm(fa.Home, fa.AccountID, name, "", "", actions...)
		m.MetricName, m.Namespace, m.Statistic, m.Period = nil, nil, "", nil
		m.Metrics = []cwtypes.MetricDataQuery{
			{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{MetricName: aws.String(fa.MetricName), Namespace: aws.String(fa.Namespace)}, Period: aws.Int32(300), Stat: aws.String("Sum")}},
			{Id: aws.String("e1"), Expression: aws.String("FILL(m1, 0)"), ReturnData: aws.Bool(true)},
		}
		return m
	}
	good := fa.TopicARN(fa.Home, fa.AccountID, "good")
	tests := []struct {
		name     string
		mutate   func(*fa.Account)
		want     summary
		listed   bool // the rest of the listing was read
		byMetric int
		taken    []string // Facts.TakenAlarmNames
	}{
		{name: "compliant: not listed", mutate: func(*fa.Account) {},
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}, byMetric: 1},
		// The plain alarm's topic is encrypted with a key CloudWatch cannot
		// use; a metric-math alarm, which DescribeAlarmsForMetric does not
		// return, notifies a good topic: compliant, as the listing shows.
		{name: "only a metric-math alarm carries the control", mutate: func(a *fa.Account) {
			a.Topics[topicARN]["KmsMasterKeyId"] = "alias/aws/sns"
			a.Topics[good] = fa.TopicAttrs(good)
			a.Subs[good] = a.Subs[topicARN]
			a.Alarms[fa.Home] = append(a.Alarms[fa.Home], mathAlarm("math", good))
		}, want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}, listed: true, byMetric: 1},
		{name: "metric-math alarm only", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home] = []cwtypes.MetricAlarm{mathAlarm("math", topicARN)}
		}, want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}, listed: true, byMetric: 1},
		// trailwatch's orphan (its filter remade on another metric) is found
		// only by listing.
		{name: "alarm on another metric", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].MetricName = aws.String("Old")
		}, want: summary{Verdict: "gaps", Chain: "PPPPPMBB", Gaps: []audit.Code{audit.NoAlarm}}, listed: true, byMetric: 1},
		{name: "alarm with dimensions", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].Dimensions = []cwtypes.Dimension{{Name: aws.String("EventName"), Value: aws.String("StopLogging")}}
		}, want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: []audit.Code{audit.AlarmCannotFire}}, listed: true, byMetric: 1},
		{name: "no related filter: listed at once", mutate: func(a *fa.Account) {
			a.Filters[lgKey][0].FilterPattern = aws.String(`{ $.eventName = ConsoleLogin }`)
		}, want: summary{Verdict: "gaps", Chain: "PPPPMBBB", Gaps: []audit.Code{audit.NoMetricFilter}}, listed: true},
		// Found by metric and able to notify, but the subscription is
		// pending: not compliant, so listed after all, and the name an
		// alarm about something else holds is in the facts.
		{name: "chain broken downstream", mutate: func(a *fa.Account) {
			a.Subs[topicARN] = nil
			a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, "trailwatch-cloudtrail-config-changes-2", "Other", "Thing"))
		}, want: summary{Verdict: "gaps", Chain: "PPPPPPPM", Gaps: []audit.Code{audit.NoConfirmedSubscription}}, listed: true, byMetric: 1,
			taken: []string{"trailwatch-cloudtrail-config-changes-2"}},
		{name: "actions disabled", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].ActionsEnabled = aws.Bool(false)
		}, want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: []audit.Code{audit.AlarmNotNotifying}}, listed: true, byMetric: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fa.Compliant()
			tt.mutate(a)
			a.Alarms[fa.Home] = append([]cwtypes.MetricAlarm{fa.NewAlarm(fa.Home, fa.AccountID, "aaa-first", "App", "Other", topicARN)}, a.Alarms[fa.Home]...)
			a.PageSize = 1
			r := run(t, a, audit.Options{})
			if diff := cmp.Diff(tt.want, summarize(r)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			n := perOp(a.Calls())
			if got := n["DescribeAlarms"] > 1; got != tt.listed || n["DescribeAlarmsForMetric"] != tt.byMetric {
				t.Errorf("calls per operation %v; want the rest listed %v, DescribeAlarmsForMetric %d", n, tt.listed, tt.byMetric)
			}
			if tt.listed && n["DescribeAlarms"] != len(a.Alarms[fa.Home]) {
				t.Errorf("%d DescribeAlarms pages for %d alarms", n["DescribeAlarms"], len(a.Alarms[fa.Home]))
			}
			if d := fa.Duplicates(a.Calls()); len(d) > 0 {
				t.Errorf("calls made twice: %v", d)
			}
			if diff := cmp.Diff(tt.taken, r.Facts.TakenAlarmNames); diff != "" {
				t.Errorf("taken alarm names (-want +got)\n%s", diff)
			}
			a.Reset()
			sameAsListing(t, a, r)
		})
	}
}

// BenchmarkManyAlarms audits an account with 500 log groups and 0, 1,000
// or 10,000 alarms at 2 ms per call: compliant (the control's alarm found
// by its metric) and with that alarm deleted (every alarm listed). It
// reports the calls made and the sequential round trips.
func BenchmarkManyAlarms(b *testing.B) {
	for _, n := range []int{0, 1000, 10000} {
		for _, deleted := range []bool{false, true} {
			if n == 0 && !deleted {
				continue // no alarm at all
			}
			name := fmt.Sprintf("alarms=%d/compliant", n)
			if deleted {
				name = fmt.Sprintf("alarms=%d/alarm-deleted", n)
			}
			b.Run(name, func(b *testing.B) {
				a := manyAlarms(n, 500)
				if deleted && n > 0 {
					a.Alarms[fa.Home] = a.Alarms[fa.Home][:n-1]
				}
				benchAudit(b, a)
			})
		}
	}
}
