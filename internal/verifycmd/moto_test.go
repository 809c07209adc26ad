package verifycmd_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/internal/testaccount"
	"github.com/trailwatch/trailwatch/internal/verifycmd"
)

func TestMain(m *testing.M) { motoserver.Main(m) }

const home = testaccount.Home

// runCLI runs `trailwatch verify ARGS` in process, the command built as
// internal/cli builds it but with this package's sample records.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	io, _, out, errOut := term.Test(false)
	app := &cli.App{
		Name: "trailwatch", Writer: io.Out, ErrWriter: io.ErrOut,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands:       []*cli.Command{verifycmd.Command(func() *term.IO { return io }, records)},
	}
	err := app.RunContext(context.Background(), append([]string{"trailwatch", "verify"}, args...))
	res := result{code: exitcode.Of(err), out: out.String(), errOut: errOut.String()}
	if err != nil {
		res.errOut += err.Error()
	}
	return res
}

// jsonReport is the documented part of `verify --output json`.
type jsonReport struct {
	Verdict string `json:"verdict"`
	Caller  string `json:"caller"`
	Targets []struct {
		Checks []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Action string `json:"action"`
			Detail string `json:"detail"`
		} `json:"checks"`
		Fire *struct {
			Status string `json:"status"`
			Steps  []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
				Action string `json:"action"`
				Detail string `json:"detail"`
			} `json:"steps"`
		} `json:"fire"`
	} `json:"targets"`
}

func decode(t *testing.T, res result) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(res.out), &r); err != nil || len(r.Targets) != 1 {
		t.Fatalf("exit %d, stdout is not the report (%v):\n%s\nstderr:\n%s", res.code, err, res.out, res.errOut)
	}
	return r
}

type line struct{ Name, Status, Action string }

// compliantAccount builds a whole CIS chain in moto and returns a factory
// that talks to moto directly (not through any proxy).
func compliantAccount(t *testing.T, s testaccount.Chain) (*motoserver.Server, *awsx.Factory) {
	t.Helper()
	srv := motoserver.Shared(t)
	srv.SetEnv(t, home)
	f := awsx.FromConfig(srv.Config(t, home))
	testaccount.New(t, f).Chain(s)
	return srv, f
}

func alarmState(t *testing.T, f *awsx.Factory) cwtypes.MetricAlarm {
	t.Helper()
	out, err := f.CloudWatch(home).DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"cis-cloudtrail-changes"}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("read the alarm: %v, %+v", err, out)
	}
	return out.MetricAlarms[0]
}

// Issue 14 on moto: `verify --fire --yes` on a compliant account sets the
// alarm to ALARM (read from moto during the wait) and back to OK (read
// after). moto has SetAlarmState but neither DescribeAlarmHistory nor
// TestMetricFilter (it answers 500), keeps no SNS metrics and reports no
// CloudWatch Logs delivery time; the report says exactly that: the
// delivery link is broken (never delivered, as AWS would say of such a
// trail), the pattern and history checks and the wait could not tell,
// naming the call, and SNS shows no failures.
//
// The calls made, as IAM actions, are exactly `iam-policy --for verify`.
func TestFireOnMoto(t *testing.T) {
	srv, f := compliantAccount(t, testaccount.Chain{})
	p := faultproxy.Start(t, srv.URL)
	var mu sync.Mutex
	var during *cwtypes.MetricAlarm
	p.Add(faultproxy.On("cloudwatch:DescribeAlarmHistory").Notify(func(faultproxy.Call) {
		fired := slices.ContainsFunc(p.Calls(), func(c faultproxy.Call) bool { return c.Operation == "SetAlarmState" })
		mu.Lock()
		defer mu.Unlock()
		if fired && during == nil {
			a := alarmState(t, f)
			during = &a
		}
	}))

	res := runCLI(t, "--fire", "--yes", "--output", "json", "--endpoint-url", p.URL)
	if res.code != exitcode.Changes {
		t.Errorf("exit %d, want 2 (moto reports no delivery to CloudWatch Logs)\n%s", res.code, res.errOut)
	}
	r := decode(t, res)
	var checks, steps []line
	for _, c := range r.Targets[0].Checks {
		checks = append(checks, line{c.Name, c.Status, c.Action})
	}
	want := []line{
		{"audit", "ok", ""},
		{"delivery", "broken", ""},
		{"pattern", "unknown", "logs:TestMetricFilter"},
		{"alarm", "ok", ""},
		{"history", "unknown", "cloudwatch:DescribeAlarmHistory"},
		{"sns", "ok", ""},
	}
	if diff := cmp.Diff(want, checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if d := r.Targets[0].Checks[1].Detail; !strings.Contains(d, "never delivered") {
		t.Errorf("delivery detail %q", d)
	}
	if d := r.Targets[0].Checks[5].Detail; !strings.Contains(d, "no failed deliveries in the last 24 hours (0 delivered)") {
		t.Errorf("sns detail %q", d)
	}
	if r.Targets[0].Fire == nil {
		t.Fatal("not fired")
	}
	for _, s := range r.Targets[0].Fire.Steps {
		steps = append(steps, line{s.Name, s.Status, s.Action})
	}
	wantSteps := []line{{"check", "ok", ""}, {"alarm", "ok", ""}, {"wait", "unknown", "cloudwatch:DescribeAlarmHistory"}, {"reset", "ok", ""}}
	if diff := cmp.Diff(wantSteps, steps); diff != "" {
		t.Errorf("fire steps (-want +got):\n%s", diff)
	}

	// ALARM during the wait, with the test's reason naming the caller.
	mu.Lock()
	got := during
	mu.Unlock()
	if got == nil {
		t.Fatal("the history was never read after SetAlarmState")
	}
	if got.StateValue != cwtypes.StateValueAlarm || !strings.Contains(aws.ToString(got.StateReason), "trailwatch verify: a TEST") || !strings.Contains(aws.ToString(got.StateReason), r.Caller) || r.Caller == "" {
		t.Errorf("during the wait: state %s, reason %q (caller %q)", got.StateValue, aws.ToString(got.StateReason), r.Caller)
	}
	// OK after.
	after := alarmState(t, f)
	if after.StateValue != cwtypes.StateValueOk || !strings.HasPrefix(aws.ToString(after.StateReason), "trailwatch verify: test by") {
		t.Errorf("after: state %s, reason %q", after.StateValue, aws.ToString(after.StateReason))
	}

	// The only writes are the two SetAlarmState; the calls are the policy.
	var writes, actions []string
	for _, c := range p.Writes() {
		writes = append(writes, c.Action())
	}
	if diff := cmp.Diff([]string{"cloudwatch:SetAlarmState", "cloudwatch:SetAlarmState"}, writes); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	for _, c := range p.Calls() {
		actions = append(actions, c.Action())
	}
	slices.Sort(actions)
	actions = slices.Compact(actions)
	policy, err := iampolicy.Calls(iampolicy.ModeVerify)
	if err != nil {
		t.Fatal(err)
	}
	// The topic here has no customer managed key, and moto lists every
	// alarm in one page, so the KMS reads the policy grants for such a key
	// and the look-up of alarms by metric in a region with more than a page
	// (audit/alarms.go) are the only actions not called.
	conditional := []string{"kms:DescribeKey", "kms:GetKeyPolicy", "cloudwatch:DescribeAlarmsForMetric"}
	needed := slices.DeleteFunc(slices.Clone(policy), func(a string) bool { return slices.Contains(conditional, a) })
	if diff := cmp.Diff(needed, actions); diff != "" {
		t.Errorf("iam-policy --for verify against the calls made (-policy +called):\n%s", diff)
	}
}

// Without --fire nothing is written, and the text report says the alarm
// was not fired.
func TestReadOnlyOnMoto(t *testing.T) {
	srv, f := compliantAccount(t, testaccount.Chain{})
	p := faultproxy.Start(t, srv.URL)
	res := runCLI(t, "--endpoint-url", p.URL)
	if res.code != exitcode.Changes {
		t.Errorf("exit %d, want 2\n%s\n%s", res.code, res.out, res.errOut)
	}
	if w := p.Writes(); len(w) != 0 {
		t.Errorf("wrote without --fire: %+v", w)
	}
	for _, want := range []string{"BROKEN   delivery", "UNKNOWN  pattern", "UNKNOWN  history", "Verdict: BROKEN"} {
		if !strings.Contains(res.out, want) {
			t.Errorf("output lacks %q:\n%s", want, res.out)
		}
	}
	if s := alarmState(t, f).StateValue; s == cwtypes.StateValueAlarm {
		t.Errorf("alarm state %s", s)
	}
}

// An alarm whose actions are disabled is never fired, and the report says
// why.
func TestDisabledAlarmNotFiredOnMoto(t *testing.T) {
	srv, _ := compliantAccount(t, testaccount.Chain{AlarmDisabled: true})
	p := faultproxy.Start(t, srv.URL)
	res := runCLI(t, "--fire", "--yes", "--endpoint-url", p.URL)
	if res.code != exitcode.Changes {
		t.Errorf("exit %d, want 2\n%s\n%s", res.code, res.out, res.errOut)
	}
	if w := p.Writes(); len(w) != 0 {
		t.Errorf("wrote: %+v", w)
	}
	if !strings.Contains(res.out, "not fired: its actions are disabled") || !strings.Contains(res.out, "ALARM_NOT_NOTIFYING") {
		t.Errorf("output does not say why:\n%s", res.out)
	}
}
