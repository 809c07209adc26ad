package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// allControls is an account with a complete chain for every CIS
// monitoring control 4.1–4.15: one trail and log group, one filter and
// alarm per control (each control's own text, metric and alarm name), all
// notifying one topic.
func allControls() *fa.Account {
	a := fa.Compliant()
	a.Filters[lgKey] = nil
	a.Alarms[fa.Home] = nil
	for _, c := range chain.Catalog() {
		d := c.Defaults
		a.Filters[lgKey] = append(a.Filters[lgKey], fa.NewFilter(fa.LogGroup, d.Filter, c.Pattern, d.Namespace, d.Metric))
		a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, d.Alarm, d.Namespace, d.Metric, topicARN))
	}
	return a
}

func alarmOf(a *fa.Account, name string) *cwtypes.MetricAlarm {
	for i := range a.Alarms[fa.Home] {
		if aws.ToString(a.Alarms[fa.Home][i].AlarmName) == name {
			return &a.Alarms[fa.Home][i]
		}
	}
	panic("no alarm " + name)
}

func control(t *testing.T, id string) chain.Control {
	t.Helper()
	c, err := chain.ControlFor(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Issue 12: every control on the same chain, judged by meaning; the shared
// links read once.
func TestRunControls(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*fa.Account)
		want   map[string]string // control → verdict and gap codes
	}{
		{name: "all compliant", mutate: func(*fa.Account) {}},
		{name: "three broken in different links", mutate: func(a *fa.Account) {
			a.Filters[lgKey] = slicesDelete(a.Filters[lgKey], control(t, "4.1").Defaults.Filter)
			a.Alarms[fa.Home] = alarmsDelete(a.Alarms[fa.Home], control(t, "4.3").Defaults.Alarm)
			alarmOf(a, control(t, "4.10").Defaults.Alarm).ActionsEnabled = aws.Bool(false)
		}, want: map[string]string{"4.1": "gaps NO_METRIC_FILTER", "4.3": "gaps NO_ALARM", "4.10": "gaps ALARM_NOT_NOTIFYING"}},
		{name: "the shared trail stops logging", mutate: func(a *fa.Account) {
			a.Status[trailARN].IsLogging = aws.Bool(false)
		}, want: map[string]string{"*": "gaps TRAIL_NOT_LOGGING"}},
	}
	// Pages of two alarms: each control finds its alarm by metric, the
	// listing read on (once) where one is broken.
	for _, tt := range tests {
		for _, size := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/page=%d", tt.name, size), func(t *testing.T) {
				a := allControls()
				tt.mutate(a)
				a.PageSize = size
				m, err := audit.RunControls(context.Background(), a, chain.Catalog(), audit.Options{})
				if err != nil {
					t.Fatal(err)
				}
				got, want := map[string]string{}, map[string]string{}
				for _, r := range m.Reports {
					s := summarize(r)
					v := s.Verdict
					for _, g := range s.Gaps {
						v += " " + string(g)
					}
					got[r.Control] = v
					want[r.Control] = "compliant"
					if w, ok := tt.want[r.Control]; ok {
						want[r.Control] = w
					} else if w, ok := tt.want["*"]; ok {
						want[r.Control] = w
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("verdicts (-want +got):\n%s", diff)
				}
				if len(m.Reports) != 15 || len(m.Shared) != 4 {
					t.Errorf("%d reports, %d shared links; want 15 and the trail's 4", len(m.Reports), len(m.Shared))
				}
				if dups := fa.Duplicates(a.Calls()); len(dups) > 0 {
					t.Errorf("read twice: %v", dups)
				}
				var txt, js bytes.Buffer
				if err := audit.WriteMultiText(&txt, m, false); err != nil {
					t.Fatal(err)
				}
				for i, line := range strings.Split(txt.String(), "\n") {
					if n := utf8.RuneCountInString(line); n > audit.Width && strings.Contains(strings.TrimSpace(line), " ") {
						t.Errorf("line %d is %d columns: %q", i+1, n, line)
					}
				}
				if n := strings.Count(txt.String(), "Multi-region trail"); n != 1 {
					t.Errorf("the shared trail is shown %d times, want once:\n%s", n, txt.String())
				}
				if err := audit.WriteMultiJSON(&js, m); err != nil {
					t.Fatal(err)
				}
				var doc struct {
					Compliant *bool             `json:"compliant"`
					Results   []json.RawMessage `json:"results"`
				}
				if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Results) != 15 {
					t.Fatalf("JSON: %v, %d results", err, len(doc.Results))
				}
				if (doc.Compliant != nil && *doc.Compliant) != (len(tt.want) == 0) {
					t.Errorf("compliant %v", doc.Compliant)
				}
			})
		}
	}
}

// Auditing all fifteen controls costs the round trips of one: the reads
// are the same lists.
func TestRunControlsRoundTrips(t *testing.T) {
	one := allControls()
	one.Latency = 20 * time.Millisecond
	if _, err := audit.Run(context.Background(), one, audit.Options{}); err != nil {
		t.Fatal(err)
	}
	all := allControls()
	all.Latency = 20 * time.Millisecond
	if _, err := audit.RunControls(context.Background(), all, chain.Catalog(), audit.Options{}); err != nil {
		t.Fatal(err)
	}
	r1, r15 := fa.RoundTrips(one.Calls()), fa.RoundTrips(all.Calls())
	if r15 > r1 {
		t.Errorf("15 controls: %d sequential round trips, one control: %d", r15, r1)
	}
	t.Logf("round trips: one control %d (%d calls), fifteen %d (%d calls)", r1, len(one.Calls()), r15, len(all.Calls()))
}

func slicesDelete(fs []cwltypes.MetricFilter, name string) []cwltypes.MetricFilter {
	var out []cwltypes.MetricFilter
	for _, f := range fs {
		if aws.ToString(f.FilterName) != name {
			out = append(out, f)
		}
	}
	return out
}

func alarmsDelete(as []cwtypes.MetricAlarm, name string) []cwtypes.MetricAlarm {
	var out []cwtypes.MetricAlarm
	for _, m := range as {
		if aws.ToString(m.AlarmName) != name {
			out = append(out, m)
		}
	}
	return out
}

// BenchmarkAuditControls: one control against all fifteen on the same
// account, 2 ms a call; the round trips and calls are reported.
func BenchmarkAuditControls(b *testing.B) {
	for _, n := range []int{1, 15} {
		b.Run(fmt.Sprintf("controls=%d", n), func(b *testing.B) {
			ctls := chain.Catalog()[:n]
			if n == 1 {
				ctls = []chain.Control{chain.CloudTrailChanges()}
			}
			var calls, trips int
			for b.Loop() {
				a := allControls()
				a.Latency = 2 * time.Millisecond
				if _, err := audit.RunControls(context.Background(), a, ctls, audit.Options{}); err != nil {
					b.Fatal(err)
				}
				calls, trips = len(a.Calls()), fa.RoundTrips(a.Calls())
			}
			b.ReportMetric(float64(calls), "calls")
			b.ReportMetric(float64(trips), "roundtrips")
		})
	}
}

// The catalog's findings about a filter that covers reach the report as
// warnings: another tool's text check it fails, an exclusion that excludes
// nothing, what a narrower accepted form misses. Security Hub's exact text
// is said once, by NOT_LITERAL_CIS_PATTERN, when the filter is no
// published text at all.
func TestCatalogWarnings(t *testing.T) {
	tests := []struct {
		control, pattern string
		want             []string // warning codes about the control's filter
	}{
		{"4.1", `{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }`,
			[]string{"OTHER_TOOL_TEXT_CHECK", "EXCLUSION_DOES_NOT_APPLY"}},
		{"4.2", `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
			[]string{"NARROWER_THAN_CIS_BASIC_FORM"}},
		{"4.3", `{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = "Root" }`,
			[]string{"NOT_LITERAL_CIS_PATTERN"}},
	}
	for _, tt := range tests {
		t.Run(tt.control, func(t *testing.T) {
			a := allControls()
			ctl := control(t, tt.control)
			for i := range a.Filters[lgKey] {
				if aws.ToString(a.Filters[lgKey][i].FilterName) == ctl.Defaults.Filter {
					a.Filters[lgKey][i].FilterPattern = aws.String(tt.pattern)
				}
			}
			r := run(t, a, audit.Options{Control: ctl})
			if got := summarize(r); got.Verdict != "compliant" {
				t.Fatalf("%+v", got)
			}
			var got []string
			for _, w := range r.Warnings {
				if w.Resource == ctl.Defaults.Filter {
					got = append(got, w.Code)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%+v", diff, r.Warnings)
			}
		})
	}
}

// Several controls of a covered member reach the owner account once in
// all, a refusal included, not once per control.
func TestRunControlsReachOnce(t *testing.T) {
	o := fa.Organization()
	for _, refused := range []bool{false, true} {
		var mu sync.Mutex
		calls := 0
		reach := o.Reach(o.Management, o.Audit)
		if refused {
			reach = o.Reach()
		}
		counted := func(ctx context.Context, id string) (audit.Clients, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			return reach(ctx, id)
		}
		if _, err := audit.RunControls(context.Background(), o.Member, chain.Catalog(), audit.Options{Reach: counted}); err != nil {
			t.Fatal(err)
		}
		// The management account, and the Audit account of its topic.
		if max := 2; calls > max || calls == 0 {
			t.Errorf("refused %v: Reach called %d times for 15 controls, want 1 or 2", refused, calls)
		}
	}
}
