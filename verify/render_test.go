package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	goldenfile "github.com/trailwatch/trailwatch/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.File(t, filepath.Join("testdata", name), got, *update)
}

// reports builds the golden reports from the fakes, so the goldens show
// what the engine really says. Durations are fixed afterwards (the fake
// clock does not move).
func goldenReports(t *testing.T) map[string]*Report {
	t.Helper()
	build := func(f *fakeAWS, tg Target, o FireOptions) *Report {
		trs, err := Run(context.Background(), f, []Target{tg}, Options{Account: account, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		trs[0].Fire = Fire(context.Background(), f, tg, o)
		if fr := trs[0].Fire; fr != nil {
			for i := range fr.Steps {
				fr.Steps[i].Duration = time.Duration(i+1) * 1300 * time.Millisecond
			}
		}
		return &Report{Account: account, Region: region, Caller: "arn:aws:iam::111122223333:user/alice", Targets: trs}
	}
	verified := healthy()
	tg := firingTarget()
	tg.Prior = []Check{{Name: CheckAudit, Status: OK, Detail: "the chain is complete"}}

	broken := healthy()
	broken.engine = func(string, string) bool { return false }
	broken.trail.LatestCloudWatchLogsDeliveryTime = nil
	broken.failed = []Datapoint{{now.Add(-2 * time.Hour).Truncate(time.Hour), 1}}
	broken.historyAfterSet = []cwtypes.AlarmHistoryItem{action(now.Add(time.Second), topic, false)}
	broken.setErr = map[cwtypes.StateValue]error{cwtypes.StateValueOk: apiErr(500, "InternalFailure", "try later")}
	bt := firingTarget()
	bt.Samples = bt.Samples[:3]

	unknown := healthy()
	unknown.historyErr = denied("cloudwatch:DescribeAlarmHistory")
	unknown.testErr = denied("logs:TestMetricFilter")

	return map[string]*Report{
		"verified": build(verified, tg, fireOpts()),
		"broken":   build(broken, bt, fireOpts()),
		"unknown":  build(unknown, target(), fireOpts()),
	}
}

func TestGoldenText(t *testing.T) {
	for name, r := range goldenReports(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, r, false); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".txt", buf.Bytes())
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	for name, r := range goldenReports(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".json", buf.Bytes())
			var back struct {
				Verdict  string `json:"verdict"`
				Verified *bool  `json:"verified"`
				Targets  []struct {
					Checks []map[string]any `json:"checks"`
					Fire   *struct {
						Steps []struct {
							DurationMS *int64 `json:"duration_ms"`
						} `json:"steps"`
					} `json:"fire"`
				} `json:"targets"`
			}
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"verified": "ok", "broken": "broken", "unknown": "unknown"}[name]
			if back.Verdict != want || (want == "unknown") != (back.Verified == nil) {
				t.Errorf("verdict %q verified %v", back.Verdict, back.Verified)
			}
			if f := back.Targets[0].Fire; f != nil && (len(f.Steps) == 0 || f.Steps[0].DurationMS == nil) {
				t.Errorf("steps without duration_ms: %+v", f)
			}
		})
	}
}

// Colour only when asked; the words are the same.
func TestTextColor(t *testing.T) {
	r := goldenReports(t)["broken"]
	var plain, color bytes.Buffer
	_ = WriteText(&plain, r, false)
	_ = WriteText(&color, r, true)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without colour")
	}
	if !strings.Contains(color.String(), "\x1b[31mBROKEN") {
		t.Error("no red BROKEN with colour")
	}
	stripped := strings.NewReplacer(ansiReset, "", ansiBold, "", ansiRed, "", ansiGreen, "", ansiYellow, "").Replace(color.String())
	if diff := cmp.Diff(plain.String(), stripped); diff != "" {
		t.Errorf("colour changes the words (-plain +color):\n%s", diff)
	}
}

// A firing refused before any call still has "steps": [] in JSON.
func TestJSONRefusedFireHasSteps(t *testing.T) {
	f := healthy()
	tg := firingTarget()
	tg.Alarm.ActionsEnabled = false
	r := &Report{Targets: []TargetReport{{Control: "c", Fire: Fire(context.Background(), f, tg, fireOpts())}}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"steps": []`) || !strings.Contains(buf.String(), `"status": "skipped"`) {
		t.Errorf("JSON:\n%s", buf.String())
	}
	if r.Targets[0].Fire.Steps != nil {
		t.Error("WriteJSON changed the report")
	}
}
