package fixcmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/trailwatch/trailwatch/plan"
)

// For every gap code a state with that gap: fix --yes makes audit pass, and
// a second fix --yes writes nothing.
func TestFixEveryGap(t *testing.T) {
	for _, tc := range []struct {
		code string
		s    state
	}{
		{"TRAIL_NOT_LOGGING", state{notLogging: true}},
		{"MANAGEMENT_EVENTS_NOT_CAPTURED", state{selectors: []cttypes.EventSelector{dataSelector}}},
		{"NO_CLOUDWATCH_LOGS", state{noLogs: true}},
		{"NO_METRIC_FILTER", state{noFilter: true}},
		{"NO_ALARM", state{noAlarm: true}},
		{"ALARM_NOT_NOTIFYING", state{alarmDisabled: true}},
		{"NO_CONFIRMED_SUBSCRIPTION", state{noSub: true}},
		{"everything", state{notLogging: true, selectors: []cttypes.EventSelector{dataSelector}, noLogs: true}},
	} {
		t.Run(tc.code, func(t *testing.T) {
			w := newWorld(t)
			w.build(tc.s)
			before := w.cli(false, "audit", "--output", "json")
			if before.code != 2 || (tc.code != "everything" && !strings.Contains(gapsOf(before.out), tc.code)) {
				t.Fatalf("state does not show %s: exit %d, gaps %s\n%s", tc.code, before.code, gapsOf(before.out), before.errOut)
			}
			w.resetOps()
			fix := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
			if fix.code != 0 {
				t.Fatalf("fix exit %d\nstdout:\n%s\nstderr:\n%s", fix.code, fix.out, fix.errOut)
			}
			if len(w.writes()) == 0 {
				t.Error("fix wrote nothing")
			}
			if !strings.Contains(fix.out, "Plan:") || strings.Index(fix.out, "Plan:") > strings.Index(fix.out, "Applying:") {
				t.Error("the plan was not printed before applying")
			}
			after := w.cli(false, "audit", "--output", "json")
			if after.code != 0 {
				t.Fatalf("audit after fix: exit %d, gaps %s", after.code, gapsOf(after.out))
			}
			w.resetOps()
			again := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
			if again.code != 0 || len(w.writes()) != 0 {
				t.Errorf("second fix: exit %d, writes %v\n%s", again.code, w.writes(), again.out)
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	w.build(state{noLogs: true, notLogging: true})
	w.resetOps()
	r := w.cli(false, "fix", "--dry-run", "--email", "secops@example.com")
	if r.code != 2 || len(w.writes()) != 0 {
		t.Fatalf("exit %d, writes %v\n%s%s", r.code, w.writes(), r.out, r.errOut)
	}
	if !strings.Contains(r.out, "+ create logs_log_group") || !strings.Contains(r.errOut, "nothing was written") {
		t.Errorf("output:\n%s\n%s", r.out, r.errOut)
	}
	// plan is the same, read-only.
	r = w.cli(false, "plan", "--email", "secops@example.com", "--output", "json")
	if r.code != 2 || len(w.writes()) != 0 || !strings.Contains(r.out, `"action": "+"`) {
		t.Errorf("plan: exit %d, writes %v", r.code, w.writes())
	}
}

func TestNoTerminalNoYesRefuses(t *testing.T) {
	w := newWorld(t)
	w.build(state{notLogging: true})
	w.resetOps()
	r := w.cli(false, "fix")
	if r.code != 1 || len(w.writes()) != 0 {
		t.Fatalf("exit %d, writes %v", r.code, w.writes())
	}
	if !strings.Contains(r.errOut, "--yes") || !strings.Contains(r.out, "~ update cloudtrail_logging") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	}

	// When the plan also lacks a choice, the refusal says so at once.
	w = newWorld(t)
	w.build(state{noAlarm: true})
	w.resetOps()
	r = w.cli(false, "fix")
	if r.code != 1 || len(w.writes()) != 0 || !strings.Contains(r.errOut, "--yes") || !strings.Contains(r.errOut, "--email") {
		t.Errorf("exit %d, writes %v, stderr:\n%s", r.code, w.writes(), r.errOut)
	}
}

func TestYesWithoutEndpointFailsBeforeWriting(t *testing.T) {
	w := newWorld(t)
	w.build(state{noAlarm: true, notLogging: true})
	w.resetOps()
	r := w.cli(false, "fix", "--yes")
	if r.code != 1 || len(w.writes()) != 0 || !strings.Contains(r.errOut, "--email") {
		t.Fatalf("exit %d, writes %v\n%s", r.code, w.writes(), r.errOut)
	}
}

func TestDataSelectorsSurvive(t *testing.T) {
	w := newWorld(t)
	w.build(state{selectors: []cttypes.EventSelector{dataSelector}})
	if r := w.cli(false, "fix", "--yes"); r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	out, err := w.f.CloudTrail(region).GetEventSelectors(w.ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range out.EventSelectors {
		for _, d := range s.DataResources {
			if aws.ToString(d.Type) == "AWS::S3::Object" && len(d.Values) == 1 && d.Values[0] == "arn:aws:s3:::payroll/" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("data selector lost: %+v", out.EventSelectors)
	}
}

func TestUnrelatedAlarmWithDefaultNameUntouched(t *testing.T) {
	w := newWorld(t)
	w.build(state{noAlarm: true})
	w.alarm("trailwatch-cloudtrail-config-changes", "CPUUtilization", false, nil)
	r := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	out, err := w.f.CloudWatch(region).DescribeAlarms(w.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("trailwatch-cloudtrail-config-changes")})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, a := range out.MetricAlarms {
		names[aws.ToString(a.AlarmName)] = aws.ToString(a.MetricName)
		if aws.ToString(a.AlarmName) == "trailwatch-cloudtrail-config-changes" && (aws.ToBool(a.ActionsEnabled) || len(a.AlarmActions) > 0) {
			t.Errorf("unrelated alarm changed: %+v", a)
		}
	}
	if names["trailwatch-cloudtrail-config-changes"] != "CPUUtilization" || names["trailwatch-cloudtrail-config-changes-2"] != metric {
		t.Errorf("alarms = %v", names)
	}
}

func TestSavedPlan(t *testing.T) {
	w := newWorld(t)
	w.build(state{notLogging: true, noAlarm: true})
	file := filepath.Join(t.TempDir(), "plan.json")
	r := w.cli(false, "plan", "--subscribe", "sqs:"+queueARN, "--out", file)
	if r.code != 2 {
		t.Fatalf("plan exit %d\n%s", r.code, r.errOut)
	}

	t.Run("tampered", func(t *testing.T) {
		data, _ := os.ReadFile(file)
		bad := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(bad, []byte(strings.Replace(string(data), "alerts", "evil", 1)), 0o600)
		w.resetOps()
		r := w.cli(false, "apply", "--yes", bad)
		if r.code != 1 || len(w.writes()) != 0 || !strings.Contains(r.errOut, "checksum") {
			t.Errorf("exit %d writes %v\n%s", r.code, w.writes(), r.errOut)
		}
	})
	t.Run("no terminal without --yes", func(t *testing.T) {
		w.resetOps()
		r := w.cli(false, "apply", file)
		if r.code != 1 || len(w.writes()) != 0 || !strings.Contains(r.errOut, "--yes") {
			t.Errorf("exit %d writes %v\n%s", r.code, w.writes(), r.errOut)
		}
	})
	t.Run("another region", func(t *testing.T) {
		w.resetOps()
		r := w.cli(false, "apply", "--yes", "--region", "eu-west-1", file)
		if r.code != 1 || len(w.writes()) != 0 || !strings.Contains(r.errOut, "made for region us-east-1") || !strings.Contains(r.errOut, "eu-west-1") {
			t.Errorf("exit %d writes %v\n%s", r.code, w.writes(), r.errOut)
		}
	})
	t.Run("steps edited, checksum recomputed", func(t *testing.T) {
		// The checksum finds damage, not intent: a file whose steps were
		// edited and whose checksum was recomputed must still not run
		// anything but what trailwatch plans from the recorded state.
		saved, err := plan.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		for i := range saved.Plan.Steps {
			if a := saved.Plan.Steps[i].Params.Alarm; a != nil {
				a.Threshold, a.EvaluationPeriods = 1000, 5
			}
		}
		forged := filepath.Join(t.TempDir(), "forged.json")
		if err := plan.Save(forged, saved.Plan, saved.Created); err != nil {
			t.Fatal(err)
		}
		w.resetOps()
		r := w.cli(false, "apply", "--yes", forged)
		if r.code != 1 || len(w.writes()) != 0 || !strings.Contains(r.errOut, "cloudwatch.alarm") {
			t.Errorf("exit %d writes %v\n%s", r.code, w.writes(), r.errOut)
		}
	})
	t.Run("stale", func(t *testing.T) {
		// The account changes: someone starts the trail.
		if _, err := w.f.CloudTrail(region).StartLogging(w.ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
			t.Fatal(err)
		}
		w.resetOps()
		r := w.cli(false, "apply", "--yes", file)
		if r.code != 1 || len(w.writes()) != 0 {
			t.Fatalf("exit %d writes %v\n%s", r.code, w.writes(), r.errOut)
		}
		if !strings.Contains(r.errOut, "stale") || !strings.Contains(r.errOut, "is_logging: false → true") {
			t.Errorf("stderr:\n%s", r.errOut)
		}
	})
	t.Run("fresh", func(t *testing.T) {
		r := w.cli(false, "plan", "--subscribe", "sqs:"+queueARN, "--out", file)
		if r.code != 2 {
			t.Fatalf("plan exit %d", r.code)
		}
		r = w.cli(false, "apply", "--yes", file)
		if r.code != 0 {
			t.Fatalf("apply exit %d\n%s\n%s", r.code, r.out, r.errOut)
		}
		// Applying the same file again: the account moved on, so it is stale.
		w.resetOps()
		r = w.cli(false, "apply", "--yes", file)
		if r.code != 1 || len(w.writes()) != 0 {
			t.Errorf("re-apply exit %d writes %v", r.code, w.writes())
		}
	})
}

// An email subscription stays pending: fix says so plainly and exits 2; a
// second fix does not subscribe again.
func TestPendingEmail(t *testing.T) {
	w := newWorld(t)
	w.pending = true
	w.build(state{noAlarm: true})
	r := w.cli(false, "fix", "--yes", "--email", "pending@example.com")
	if r.code != 2 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	for _, want := range []string{"click the link", "NO_CONFIRMED_SUBSCRIPTION", "After: gaps remain"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	w.resetOps()
	r = w.cli(false, "fix", "--yes", "--email", "pending@example.com")
	if r.code != 2 || len(w.writes()) != 0 || !strings.Contains(r.out, "waits for confirmation") {
		t.Errorf("second run: exit %d, writes %v\n%s", r.code, w.writes(), r.out)
	}
}

// fix --output json prints one JSON document on stdout (the plan, what
// apply did, the verdict after), so a pipeline can parse it; the plan is
// also shown as text on stderr before anything is written.
func TestFixJSONIsOneDocument(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		applied bool
	}{
		{"applied", []string{"fix", "--yes", "--subscribe", "sqs:" + queueARN, "--output", "json"}, 0, true},
		{"dry run", []string{"fix", "--dry-run", "--subscribe", "sqs:" + queueARN, "--output", "json"}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.build(state{noAlarm: true})
			res := w.cli(false, tc.args...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tc.code, res.out, res.errOut)
			}
			dec := json.NewDecoder(strings.NewReader(res.out))
			var doc struct {
				Plan  *struct{ Steps []json.RawMessage }
				Apply *json.RawMessage
				After *struct {
					Compliant *bool
					Gaps      []json.RawMessage
				}
			}
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, res.out)
			}
			if dec.More() {
				t.Fatalf("stdout holds more than one JSON document:\n%s", res.out)
			}
			if doc.Plan == nil || len(doc.Plan.Steps) == 0 {
				t.Errorf("no plan in the document:\n%s", res.out)
			}
			if !strings.Contains(res.errOut, "Plan:") {
				t.Errorf("the plan was not shown on stderr:\n%s", res.errOut)
			}
			if got := doc.Apply != nil && string(*doc.Apply) != "null"; got != tc.applied {
				t.Errorf("apply present = %v, want %v:\n%s", got, tc.applied, res.out)
			}
			if tc.applied && (doc.After == nil || doc.After.Compliant == nil || !*doc.After.Compliant || doc.After.Gaps == nil) {
				t.Errorf("after = %+v, want compliant with an empty gaps array:\n%s", doc.After, res.out)
			}
		})
	}
}
