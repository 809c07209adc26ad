package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// outcome is a check as the tables compare it.
type outcome struct {
	Name   CheckName
	Status Status
	Action string
}

func outcomes(cs []Check) []outcome {
	var out []outcome
	for _, c := range cs {
		out = append(out, outcome{c.Name, c.Status, c.Action})
	}
	return out
}

func run(t *testing.T, f *fakeAWS, tg Target) TargetReport {
	t.Helper()
	got, err := Run(context.Background(), f, []Target{tg}, Options{Account: account, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d target reports, want 1", len(got))
	}
	return got[0]
}

func allOK() []outcome {
	return []outcome{{CheckDelivery, OK, ""}, {CheckPattern, OK, ""}, {CheckAlarm, OK, ""}, {CheckHistory, OK, ""}, {CheckSNS, OK, ""}}
}

// with replaces the outcome of the check named like o.
func with(os []outcome, o outcome) []outcome {
	out := append([]outcome(nil), os...)
	for i := range out {
		if out[i].Name == o.Name {
			out[i] = o
		}
	}
	return out
}

// Every way the path can break, with fakes: each case breaks one link and
// expects exactly that check to say so, with words that tell the user what.
func TestRunFindsEachBrokenLink(t *testing.T) {
	tests := []struct {
		name   string
		breakF func(*fakeAWS)
		breakT func(*Target)
		want   []outcome
		detail string // in the broken check's detail
	}{
		{name: "healthy", want: allOK(), detail: "delivered to CloudWatch Logs 3m0s ago"},
		{
			name: "delivery error",
			breakF: func(f *fakeAWS) {
				f.trail.LatestCloudWatchLogsDeliveryError = aws.String("Access denied. Verify in IAM that the role has adequate permissions.")
			},
			want:   with(allOK(), outcome{CheckDelivery, Broken, ""}),
			detail: "delivery error: Access denied. Verify in IAM",
		},
		{
			name:   "delivery stale",
			breakF: func(f *fakeAWS) { f.trail.LatestCloudWatchLogsDeliveryTime = aws.Time(now.Add(-3 * time.Hour)) },
			want:   with(allOK(), outcome{CheckDelivery, Broken, ""}),
			detail: "3h0m0s ago (2026-03-01 09:00:00 UTC), longer ago than the 1h0m0s allowed",
		},
		{
			name:   "never delivered",
			breakF: func(f *fakeAWS) { f.trail.LatestCloudWatchLogsDeliveryTime = nil },
			want:   with(allOK(), outcome{CheckDelivery, Broken, ""}),
			detail: "never delivered",
		},
		{
			name:   "not logging",
			breakF: func(f *fakeAWS) { f.trail.IsLogging = aws.Bool(false) },
			want:   with(allOK(), outcome{CheckDelivery, Broken, ""}),
			detail: "not logging",
		},
		{
			name:   "trail status denied",
			breakF: func(f *fakeAWS) { f.trailErr = denied("cloudtrail:GetTrailStatus") },
			want:   with(allOK(), outcome{CheckDelivery, Unknown, "cloudtrail:GetTrailStatus"}),
			detail: "could not tell: cloudtrail:GetTrailStatus was denied",
		},
		{
			name: "AWS's engine disagrees",
			// An AWS that treats eventName as case-insensitive text would
			// still agree; one that never matches a failed call does not.
			breakF: func(f *fakeAWS) {
				f.engine = func(p, m string) bool {
					pp, _ := pattern.Parse(p)
					return pattern.Match(pp, m) && !strings.Contains(m, "errorCode")
				}
			},
			want:   with(allOK(), outcome{CheckPattern, Broken, ""}),
			detail: "DISAGREEMENT: AWS's pattern engine and trailwatch's answer differently on 5 of 14 records: CreateTrail (AWS: no match, trailwatch: match)",
		},
		{
			name:   "both engines say the filter misses events",
			breakT: func(tg *Target) { tg.Filter.Pattern = `{ ($.eventName = CreateTrail) || ($.eventName = DeleteTrail) }` },
			want:   with(allOK(), outcome{CheckPattern, Broken, ""}),
			detail: "both engines agree the filter does not catch UpdateTrail, StartLogging, StopLogging",
		},
		{
			name:   "TestMetricFilter denied",
			breakF: func(f *fakeAWS) { f.testErr = denied("logs:TestMetricFilter") },
			want:   with(allOK(), outcome{CheckPattern, Unknown, "logs:TestMetricFilter"}),
			detail: "AWS's pattern engine was not consulted",
		},
		{
			name:   "history shows a failed action",
			breakF: func(f *fakeAWS) { f.history = append(f.history, action(now.Add(-time.Hour), topic, false)) },
			want:   with(allOK(), outcome{CheckHistory, Broken, ""}),
			detail: "the alarm's last action failed at 2026-03-01 11:00:00 UTC: Failed to execute action " + topic + `. Received error: "Resource: arn:aws:cloudwatch`,
		},
		{
			name: "an old failure was followed by a success",
			breakF: func(f *fakeAWS) {
				f.history = []cwtypes.AlarmHistoryItem{
					action(now.Add(-9*time.Hour), topic, false), action(now.Add(-8*time.Hour), topic, false),
					action(now.Add(-time.Hour), topic, true),
				}
			},
			want:   allOK(),
			detail: "last action succeeded on " + topic + " at 2026-03-01 11:00:00 UTC",
		},
		{
			name:   "no action in the history",
			breakF: func(f *fakeAWS) { f.history = nil },
			want:   allOK(),
			detail: "no action in the history for " + topic,
		},
		{
			name:   "history denied",
			breakF: func(f *fakeAWS) { f.historyErr = denied("cloudwatch:DescribeAlarmHistory") },
			want:   with(allOK(), outcome{CheckHistory, Unknown, "cloudwatch:DescribeAlarmHistory"}),
			detail: "cloudwatch:DescribeAlarmHistory was denied",
		},
		{
			name: "SNS failed to deliver",
			breakF: func(f *fakeAWS) {
				f.failed = []Datapoint{{now.Add(-7 * time.Hour).Truncate(time.Hour), 2}, {now.Add(-2 * time.Hour).Truncate(time.Hour), 1}}
			},
			want:   with(allOK(), outcome{CheckSNS, Broken, ""}),
			detail: "SNS failed to deliver 3 notification(s) in the last 24 hours (2 in the hour from 2026-03-01 05:00:00 UTC, 1 in the hour from 2026-03-01 10:00:00 UTC) and delivered 2",
		},
		{
			name:   "SNS failures older than a day do not count",
			breakF: func(f *fakeAWS) { f.failed = []Datapoint{{now.Add(-30 * time.Hour), 4}} },
			want:   allOK(),
			detail: "no failed deliveries in the last 24 hours (2 delivered)",
		},
		{
			name:   "GetMetricData denied",
			breakF: func(f *fakeAWS) { f.metricsErr = denied("cloudwatch:GetMetricData") },
			want:   with(allOK(), outcome{CheckSNS, Unknown, "cloudwatch:GetMetricData"}),
			detail: "cloudwatch:GetMetricData was denied",
		},
		{
			name: "topic in another account",
			breakT: func(tg *Target) {
				tg.Alarm.Topics = []string{"arn:aws:sns:eu-west-1:444455556666:org-security"}
			},
			breakF: func(f *fakeAWS) { f.alarm.AlarmActions = []string{"arn:aws:sns:eu-west-1:444455556666:org-security"} },
			want:   with(allOK(), outcome{CheckSNS, Unknown, ""}),
			detail: "the topic belongs to account 444455556666",
		},
		{
			name:   "alarm actions disabled",
			breakF: func(f *fakeAWS) { f.alarm.ActionsEnabled = aws.Bool(false) },
			want:   with(allOK(), outcome{CheckAlarm, Broken, ""}),
			detail: "actions are disabled",
		},
		{
			name:   "alarm already in ALARM",
			breakF: func(f *fakeAWS) { f.alarm.StateValue = cwtypes.StateValueAlarm },
			want:   with(allOK(), outcome{CheckAlarm, Unknown, ""}),
			detail: "it is in ALARM now",
		},
		{
			name:   "alarm deleted since the audit",
			breakF: func(f *fakeAWS) { f.alarm = nil },
			want:   with(allOK(), outcome{CheckAlarm, Broken, ""}),
			detail: "alarm cloudtrail-changes no longer exists in eu-west-1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, tg := healthy(), target()
			if tc.breakF != nil {
				tc.breakF(f)
			}
			if tc.breakT != nil {
				tc.breakT(&tg)
			}
			got := run(t, f, tg)
			if diff := cmp.Diff(tc.want, outcomes(got.Checks)); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			var all []string
			for _, c := range got.Checks {
				all = append(all, c.Detail)
			}
			if text := strings.Join(all, "\n"); !strings.Contains(text, tc.detail) {
				t.Errorf("no check says %q:\n%s", tc.detail, text)
			}
			if f.fired || len(f.sets) > 0 {
				t.Errorf("Run wrote: SetAlarmState %v", f.sets)
			}
		})
	}
}

// The disagreement keeps both answers per record, for the report.
func TestDisagreementKeepsBothAnswers(t *testing.T) {
	f := healthy()
	f.engine = func(string, string) bool { return false } // AWS matches nothing
	got := run(t, f, target())
	var p *Check
	for i := range got.Checks {
		if got.Checks[i].Name == CheckPattern {
			p = &got.Checks[i]
		}
	}
	if p == nil {
		t.Fatal("no pattern check")
	}
	n := 0
	for _, s := range p.Samples {
		if s.AWS == nil || *s.AWS {
			t.Errorf("%s: AWS answer %v, want false", s.Event, s.AWS)
		}
		if s.Trailwatch != s.MustMatch {
			t.Errorf("%s: trailwatch %v, want %v (the CIS pattern)", s.Event, s.Trailwatch, s.MustMatch)
		}
		if s.Disagrees() {
			n++
		}
	}
	if n != 10 {
		t.Errorf("%d disagreements, want 10 (two records for each of the five events)", n)
	}
}

// Targets that share a trail, an alarm and a topic read each once; the
// reads happen and nothing else.
func TestRunReadsEachThingOnce(t *testing.T) {
	f := healthy()
	a, b := target(), target()
	b.Control = "other"
	got, err := Run(context.Background(), f, []Target{a, b}, Options{Account: account, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Control != "other" {
		t.Fatalf("reports %+v", got)
	}
	want := []string{
		"DescribeAlarmHistory eu-west-1", "DescribeAlarms eu-west-1", "GetMetricData eu-west-1",
		"GetTrailStatus eu-west-1", "TestMetricFilter eu-west-1", "TestMetricFilter eu-west-1",
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// More than 50 distinct records go in calls of at most 50, and each answer
// lands on its record.
func TestTestMetricFilterBatches(t *testing.T) {
	f := healthy()
	tg := target()
	var extra []Sample
	for i := range 60 {
		extra = append(extra, Sample{Event: "CreateTrail", MustMatch: true,
			Message: strings.Replace(tg.Samples[0].Message, `"eventID":"`, `"eventID":"n`+strings.Repeat("x", i), 1)})
	}
	tg.Samples = append(tg.Samples, extra...)
	got := run(t, f, tg)
	if diff := cmp.Diff([]int{50, 24}, []int{len(f.tested[0]), len(f.tested[1])}); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(allOK(), outcomes(got.Checks)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

func TestPlaceMatch(t *testing.T) {
	batch := []string{"a", "b", "c"}
	tests := []struct {
		n      int64
		echoed string
		want   string
		ok     bool
	}{
		{1, "a", "a", true},
		{3, "", "c", true},
		{2, "c", "c", true}, // the number disagrees with the text: the text wins
		{9, "b", "b", true},
		{0, "", "", false},
		{9, "zzz", "", false},
	}
	for _, tc := range tests {
		got, ok := placeMatch(batch, tc.n, tc.echoed)
		if got != tc.want || ok != tc.ok {
			t.Errorf("placeMatch(%d, %q) = %q, %v; want %q, %v", tc.n, tc.echoed, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseAction(t *testing.T) {
	fifo := "arn:aws:sns:eu-west-1:111122223333:alerts.fifo"
	tests := []struct {
		name string
		item cwtypes.AlarmHistoryItem
		res  string
		ok   bool
		seen bool
	}{
		{"data, succeeded", action(now, topic, true), topic, true, true},
		{"data, failed", action(now, topic, false), topic, false, true},
		{"summary only, failed, FIFO topic", cwtypes.AlarmHistoryItem{HistorySummary: aws.String("Failed to execute action " + fifo + ". Received error: KMS")}, fifo, false, true},
		{"summary only, succeeded", cwtypes.AlarmHistoryItem{HistorySummary: aws.String("Successfully executed action " + topic)}, topic, true, true},
		{"neither", cwtypes.AlarmHistoryItem{HistorySummary: aws.String("Alarm updated from OK to ALARM"), HistoryData: aws.String("{}")}, "", false, false},
	}
	for _, tc := range tests {
		res, ok, seen := parseAction(tc.item)
		if res != tc.res || ok != tc.ok || seen != tc.seen {
			t.Errorf("%s: parseAction = %q, %v, %v; want %q, %v, %v", tc.name, res, ok, seen, tc.res, tc.ok, tc.seen)
		}
	}
}

// Missing parts of the chain skip the checks that need them; the audit's
// verdict (Prior) comes first.
func TestRunPartialChain(t *testing.T) {
	f := healthy()
	tg := target()
	tg.Filter, tg.Alarm = nil, nil
	tg.Prior = []Check{{Name: CheckAudit, Status: Broken, Detail: "NO_METRIC_FILTER"}}
	got := run(t, f, tg)
	want := []outcome{{CheckAudit, Broken, ""}, {CheckDelivery, OK, ""}, {CheckPattern, Skipped, ""}, {CheckAlarm, Skipped, ""}}
	if diff := cmp.Diff(want, outcomes(got.Checks)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GetTrailStatus eu-west-1"}, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestNoSamplesIsUnknown(t *testing.T) {
	f := healthy()
	tg := target()
	tg.Samples = nil
	got := run(t, f, tg)
	if diff := cmp.Diff(with(allOK(), outcome{CheckPattern, Unknown, ""}), outcomes(got.Checks)); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

func TestSamples(t *testing.T) {
	some := func(ev string) []string {
		if ev == "Nothing" {
			return nil
		}
		return records(ev)
	}
	s, err := Samples(some, []string{"CreateTrail"}, []string{"DescribeTrails", "Nothing"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range s {
		got = append(got, x.Event+map[bool]string{true: "+", false: "-"}[x.MustMatch])
	}
	if diff := cmp.Diff([]string{"CreateTrail+", "CreateTrail+", "DescribeTrails-", "DescribeTrails-"}, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	none := func(string) []string { return nil }
	if _, err := Samples(none, []string{"CreateTrail"}, nil); err == nil || !strings.Contains(err.Error(), "CreateTrail") {
		t.Errorf("an event without records: err %v, want one naming CreateTrail", err)
	}
}

func TestChooseFire(t *testing.T) {
	mk := func(ids ...string) []Target {
		var ts []Target
		for _, id := range ids {
			ts = append(ts, Target{Control: id, Alarm: &Alarm{Name: id}})
		}
		return ts
	}
	fired := func(ts []Target) []string {
		var out []string
		for _, t := range ts {
			if t.Fire {
				out = append(out, t.Control)
			}
		}
		return out
	}
	one := mk("a")
	if err := ChooseFire(one, nil); err != nil || !cmp.Equal(fired(one), []string{"a"}) {
		t.Errorf("one target: %v, fired %v", err, fired(one))
	}
	two := mk("a", "b")
	if err := ChooseFire(two, nil); err == nil || len(fired(two)) != 0 || !strings.Contains(err.Error(), "a, b") {
		t.Errorf("two targets, none named: %v, fired %v; want an error listing a, b and nothing fired", err, fired(two))
	}
	two = mk("a", "b")
	if err := ChooseFire(two, []string{"b"}); err != nil || !cmp.Equal(fired(two), []string{"b"}) {
		t.Errorf("b named: %v, fired %v", err, fired(two))
	}
	if err := ChooseFire(mk("a"), []string{"zz"}); err == nil || !strings.Contains(err.Error(), `"zz"`) {
		t.Errorf("unknown control: %v", err)
	}
	noAlarm := []Target{{Control: "a"}}
	if err := ChooseFire(noAlarm, nil); err != nil || noAlarm[0].Fire {
		t.Errorf("no alarm: %v, fired %v", err, noAlarm[0].Fire)
	}
}

func TestVerdict(t *testing.T) {
	r := func(ss ...Status) *Report {
		tr := TargetReport{}
		for _, s := range ss {
			tr.Checks = append(tr.Checks, Check{Status: s})
		}
		return &Report{Targets: []TargetReport{tr}}
	}
	for _, tc := range []struct {
		r    *Report
		want Status
	}{
		{r(OK, OK, Skipped), OK},
		{r(OK, Unknown), Unknown},
		{r(Unknown, Broken, OK), Broken},
		{&Report{Targets: []TargetReport{{Checks: []Check{{Status: OK}}, Fire: &FireResult{Status: Broken}}}}, Broken},
	} {
		if got := tc.r.Verdict(); got != tc.want {
			t.Errorf("%+v: verdict %s, want %s", tc.r, got, tc.want)
		}
	}
}
