package verify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"
)

type stepOutcome struct {
	Name   StepName
	Status Status
}

func steps(r *FireResult) []stepOutcome {
	var out []stepOutcome
	for _, s := range r.Steps {
		out = append(out, stepOutcome{s.Name, s.Status})
	}
	return out
}

func fireOpts() FireOptions {
	return FireOptions{Now: func() time.Time { return now }, Caller: "arn:aws:iam::111122223333:user/alice", Timeout: 2 * time.Second, PollInterval: time.Millisecond, ResetTimeout: time.Second}
}

func firingTarget() Target {
	tg := target()
	tg.Fire = true
	return tg
}

func fire(t *testing.T, ctx context.Context, f *fakeAWS, tg Target, o FireOptions) *FireResult {
	t.Helper()
	res := Fire(ctx, f, tg, o)
	if res == nil {
		t.Fatal("Fire returned nil for a target with Fire set")
	}
	return res
}

var (
	setAlarmThenOK = []cwtypes.StateValue{cwtypes.StateValueAlarm, cwtypes.StateValueOk}
	allSteps       = []stepOutcome{{StepCheck, OK}, {StepAlarm, OK}, {StepWait, OK}, {StepReset, OK}}
)

func TestFireSucceeds(t *testing.T) {
	f := healthy()
	var progress []StepName
	o := fireOpts()
	o.Progress = func(s Step) { progress = append(progress, s.Name) }
	res := fire(t, context.Background(), f, firingTarget(), o)
	if diff := cmp.Diff(allSteps, steps(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]StepName{StepCheck, StepAlarm, StepWait, StepReset}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if res.Status != OK || res.ResetCommand != "" || res.Interrupted {
		t.Errorf("result %+v", res)
	}
	if diff := cmp.Diff(setAlarmThenOK, f.sets); diff != "" {
		t.Errorf("SetAlarmState (-want +got):\n%s", diff)
	}
	// The reason says it is a trailwatch test and who ran it.
	if r := f.reasons[0]; !strings.Contains(r, "trailwatch verify") || !strings.Contains(r, "TEST") || !strings.Contains(r, "user/alice") || len(r) > 1023 {
		t.Errorf("ALARM reason %q", r)
	}
	if len(res.Actions) != 1 || !res.Actions[0].Succeeded || res.Actions[0].Topic != topic {
		t.Errorf("actions %+v", res.Actions)
	}
	// The old success in the history (three days ago) is not taken for
	// this test's: the wait reads from just before the test.
	if !res.Actions[0].Time.Equal(now.Add(2 * time.Second)) {
		t.Errorf("action time %v, want the test's", res.Actions[0].Time)
	}
}

func TestFireFindsFailedAction(t *testing.T) {
	f := healthy()
	f.historyAfterSet = []cwtypes.AlarmHistoryItem{action(now.Add(time.Second), topic, false)}
	res := fire(t, context.Background(), f, firingTarget(), fireOpts())
	want := []stepOutcome{{StepCheck, OK}, {StepAlarm, OK}, {StepWait, Broken}, {StepReset, OK}}
	if diff := cmp.Diff(want, steps(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if res.Status != Broken || !strings.Contains(res.Steps[2].Detail, "is not authorized to perform: SNS:Publish") {
		t.Errorf("status %s, wait detail %q", res.Status, res.Steps[2].Detail)
	}
	if diff := cmp.Diff(setAlarmThenOK, f.sets); diff != "" {
		t.Errorf("SetAlarmState (-want +got):\n%s", diff)
	}
}

func TestFireTimesOutAndStillResets(t *testing.T) {
	f := healthy()
	f.historyAfterSet = nil // CloudWatch never reports the action
	o := fireOpts()
	o.Timeout = 50 * time.Millisecond
	res := fire(t, context.Background(), f, firingTarget(), o)
	want := []stepOutcome{{StepCheck, OK}, {StepAlarm, OK}, {StepWait, Unknown}, {StepReset, OK}}
	if diff := cmp.Diff(want, steps(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if d := res.Steps[2].Detail; !strings.Contains(d, "within 50ms (--wait)") || !strings.Contains(d, "no action yet on "+topic) {
		t.Errorf("wait detail %q", d)
	}
	if res.Interrupted {
		t.Error("a timeout is not an interruption")
	}
	if diff := cmp.Diff(setAlarmThenOK, f.sets); diff != "" {
		t.Errorf("SetAlarmState (-want +got):\n%s", diff)
	}
}

// Ctrl-C during the wait: the wait stops, and the reset still runs, on a
// context that is not the cancelled one.
func TestFireInterruptedStillResets(t *testing.T) {
	f := healthy()
	f.historyAfterSet = nil
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	f.onHistory = func() {
		if f.fired {
			once.Do(cancel)
		}
	}
	o := fireOpts()
	o.Timeout = time.Minute
	res := fire(t, ctx, f, firingTarget(), o)
	want := []stepOutcome{{StepCheck, OK}, {StepAlarm, OK}, {StepWait, Unknown}, {StepReset, OK}}
	if diff := cmp.Diff(want, steps(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if !res.Interrupted || !strings.Contains(res.Steps[2].Detail, "interrupted") {
		t.Errorf("interrupted %v, wait detail %q", res.Interrupted, res.Steps[2].Detail)
	}
	if diff := cmp.Diff(setAlarmThenOK, f.sets); diff != "" {
		t.Errorf("SetAlarmState (-want +got):\n%s", diff)
	}
	if err := f.setCtxErr[1]; err != nil {
		t.Errorf("the reset ran on an ended context: %v", err)
	}
}

// Ctrl-C while SetAlarmState ALARM is in flight: there is no answer, so
// the request may have reached AWS, and the reset runs.
func TestFireNoAnswerToSetResets(t *testing.T) {
	f := healthy()
	f.setErr = map[cwtypes.StateValue]error{cwtypes.StateValueAlarm: fmt.Errorf("operation error CloudWatch: SetAlarmState: %w", context.Canceled)}
	res := fire(t, context.Background(), f, firingTarget(), fireOpts())
	want := []stepOutcome{{StepCheck, OK}, {StepAlarm, Unknown}, {StepReset, OK}}
	if diff := cmp.Diff(want, steps(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(setAlarmThenOK, f.sets); diff != "" {
		t.Errorf("SetAlarmState (-want +got):\n%s", diff)
	}
}

func TestFireResetFailureSaysWhatToRun(t *testing.T) {
	f := healthy()
	f.setErr = map[cwtypes.StateValue]error{cwtypes.StateValueOk: apiErr(500, "InternalFailure", "try later")}
	tg := firingTarget()
	tg.Alarm.Name = "CIS 4.5 it's here"
	f.alarm.AlarmName = aws.String(tg.Alarm.Name)
	o := fireOpts()
	o.ResetArgs = []string{"--profile", "prod"}
	res := fire(t, context.Background(), f, tg, o)
	want := `aws cloudwatch set-alarm-state --region eu-west-1 --alarm-name 'CIS 4.5 it'\''s here' --state-value OK --state-reason 'trailwatch verify: reset after test' --profile prod`
	if res.ResetCommand != want {
		t.Errorf("reset command\n got %s\nwant %s", res.ResetCommand, want)
	}
	last := res.Steps[len(res.Steps)-1]
	if last.Name != StepReset || last.Status != Unknown || !strings.Contains(last.Detail, want) || !strings.Contains(res.Detail, want) {
		t.Errorf("reset step %+v, detail %q", last, res.Detail)
	}
	if res.Status != Unknown {
		t.Errorf("status %s, want unknown", res.Status)
	}
}

func TestFireRefuses(t *testing.T) {
	tests := []struct {
		name   string
		breakF func(*fakeAWS)
		breakT func(*Target)
		status Status
		steps  []stepOutcome
		detail string
	}{
		{
			name:   "actions disabled in the audit",
			breakT: func(tg *Target) { tg.Alarm.ActionsEnabled = false },
			status: Skipped,
			detail: "not fired: its actions are disabled",
		},
		{
			name:   "actions disabled since",
			breakF: func(f *fakeAWS) { f.alarm.ActionsEnabled = aws.Bool(false) },
			status: Broken,
			steps:  []stepOutcome{{StepCheck, Broken}},
			detail: "not fired: its actions are disabled",
		},
		{
			name:   "already in ALARM",
			breakF: func(f *fakeAWS) { f.alarm.StateValue = cwtypes.StateValueAlarm },
			status: Unknown,
			steps:  []stepOutcome{{StepCheck, Unknown}},
			detail: "not fired: it is in ALARM now",
		},
		{
			name:   "alarm unreadable",
			breakF: func(f *fakeAWS) { f.alarmsErr = denied("cloudwatch:DescribeAlarms") },
			status: Unknown,
			steps:  []stepOutcome{{StepCheck, Unknown}},
			detail: "not fired: cloudwatch:DescribeAlarms was denied",
		},
		{
			name: "SetAlarmState denied",
			breakF: func(f *fakeAWS) {
				f.setErr = map[cwtypes.StateValue]error{cwtypes.StateValueAlarm: denied("cloudwatch:SetAlarmState")}
			},
			status: Unknown,
			steps:  []stepOutcome{{StepCheck, OK}, {StepAlarm, Unknown}},
			detail: "cloudwatch:SetAlarmState was denied",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, tg := healthy(), firingTarget()
			if tc.breakF != nil {
				tc.breakF(f)
			}
			if tc.breakT != nil {
				tc.breakT(&tg)
			}
			res := fire(t, context.Background(), f, tg, fireOpts())
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			if diff := cmp.Diff(tc.steps, steps(res)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			text := res.Detail
			for _, s := range res.Steps {
				text += "\n" + s.Detail
			}
			if !strings.Contains(text, tc.detail) {
				t.Errorf("no step says %q:\n%s", tc.detail, text)
			}
			// Denied: AWS answered, nothing changed, nothing to reset.
			// The others never wrote at all.
			if f.fired {
				t.Error("the alarm was set to ALARM")
			}
			for _, s := range f.sets {
				if s == cwtypes.StateValueOk {
					t.Error("reset without a firing")
				}
			}
		})
	}
}

func TestFireHistoryUnreadable(t *testing.T) {
	f := healthy()
	f.onHistory = func() {
		if f.fired {
			f.historyErr = denied("cloudwatch:DescribeAlarmHistory")
		}
	}
	res := fire(t, context.Background(), f, firingTarget(), fireOpts())
	want := []stepOutcome{{StepCheck, OK}, {StepAlarm, OK}, {StepWait, Unknown}, {StepReset, OK}}
	if diff := cmp.Diff(want, steps(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if s := res.Steps[2]; s.Action != "cloudwatch:DescribeAlarmHistory" {
		t.Errorf("wait step %+v", s)
	}
}

func TestFireOnlyWhenAsked(t *testing.T) {
	f := healthy()
	if res := Fire(context.Background(), f, target(), fireOpts()); res != nil {
		t.Errorf("fired a target without Fire: %+v", res)
	}
	if len(f.Calls()) != 0 {
		t.Errorf("calls %v", f.Calls())
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"cis-4.5_alarm": "cis-4.5_alarm",
		"a b":           "'a b'",
		"it's":          `'it'\''s'`,
		"":              "''",
		"$(rm -rf /)":   "'$(rm -rf /)'",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
