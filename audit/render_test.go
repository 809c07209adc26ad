package audit_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
	goldenfile "github.com/trailwatch/trailwatch/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenReports are the accounts whose rendering is pinned.
func goldenReports(t *testing.T) map[string]*audit.Report {
	reports := map[string]*audit.Report{}
	reports["compliant"] = run(t, fa.Compliant(), audit.Options{})

	a := fa.Compliant()
	a.Status[trailARN].IsLogging = aws.Bool(false)
	setPattern(`{ ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) && $.errorCode NOT EXISTS }`)(a)
	reports["gaps"] = run(t, a, audit.Options{})

	a = fa.Compliant()
	a.Trails = nil
	reports["no-trail"] = run(t, a, audit.Options{})

	a = fa.Compliant()
	setPattern(`{ $.eventSource = cloudtrail.amazonaws.com }`)(a)
	alarm(func(m *cwtypes.MetricAlarm) { m.Threshold = aws.Float64(2) })(a)
	reports["warnings"] = run(t, a, audit.Options{})

	a = fa.Compliant()
	a.Trails[0] = fa.NewTrail(fa.Home, "999988887777", "org-trail", "org-logs")
	a.Trails[0].IsOrganizationTrail = aws.Bool(true)
	a.Errors["GetTrailStatus"] = fa.Denied("AccessDeniedException")
	reports["unknown"] = run(t, a, audit.Options{})
	return reports
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.File(t, filepath.Join("testdata", "golden", name), got, *update)
}

func TestGolden(t *testing.T) {
	for name, r := range goldenReports(t) {
		t.Run(name, func(t *testing.T) {
			var txt, js bytes.Buffer
			if err := audit.WriteText(&txt, r, false); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(txt.String(), "\x1b[") {
				t.Error("colour escape without color")
			}
			golden(t, name+".txt", txt.Bytes())
			if err := audit.WriteJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".json", js.Bytes())
		})
	}
}

func TestWriteTextColor(t *testing.T) {
	r := goldenReports(t)["gaps"]
	var b bytes.Buffer
	if err := audit.WriteText(&b, r, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\x1b[31mFAILED", "\x1b[32mPASS", "\x1b[31mNOT COMPLIANT"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("coloured output lacks %q", want)
		}
	}
	golden(t, "gaps.color.txt", b.Bytes())
}

// TestTextNamesEveryCatalogueOnce: the header names the control in every
// catalogue; the verdict does not repeat them (issue 15); every line fits
// 80 columns, the width of a terminal, but for a word too long for any line.
func TestTextNamesEveryCatalogueOnce(t *testing.T) {
	for name, r := range goldenReports(t) {
		var b bytes.Buffer
		if err := audit.WriteText(&b, r, false); err != nil {
			t.Fatal(err)
		}
		text := b.String()
		verdict := text[strings.LastIndex(text, "Verdict:"):]
		for _, c := range []string{"v1.2 3.5", "v1.4–v5 4.5", "v6+ 5.5", "Security Hub CloudWatch.5"} {
			if n := strings.Count(text, c); n != 1 {
				t.Errorf("%s: %s named %d times, want once", name, c, n)
			}
			if strings.Contains(verdict, c) {
				t.Errorf("%s: verdict line %q repeats %s", name, verdict, c)
			}
		}
		for i, line := range strings.Split(text, "\n") {
			if n := utf8.RuneCountInString(line); n > audit.Width && strings.Contains(strings.TrimSpace(line), " ") {
				t.Errorf("%s: line %d is %d columns: %q", name, i+1, n, line)
			}
		}
	}
}

// TestJSONStableKeys checks the keys scripts rely on, and that lists are
// arrays even when empty, for a report built by hand too.
func TestJSONStableKeys(t *testing.T) {
	reports := goldenReports(t)
	reports["zero"] = &audit.Report{}
	want := map[string]any{"compliant": map[string]any{}, "gaps": []any{}, "warnings": []any{}, "unknown": []any{}}
	for name, r := range reports {
		var b bytes.Buffer
		if err := audit.WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"compliant", "account", "gaps", "warnings", "unknown"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: no %q key", name, k)
			}
		}
		for k := range want {
			if k == "compliant" {
				switch m[k].(type) {
				case bool, nil:
				default:
					t.Errorf("%s: compliant is %T", name, m[k])
				}
				continue
			}
			if _, ok := m[k].([]any); !ok {
				t.Errorf("%s: %s is %T, want an array", name, k, m[k])
			}
		}
		for _, g := range m["gaps"].([]any) {
			g := g.(map[string]any)
			if g["code"] == "" || g["message"] == "" {
				t.Errorf("%s: gap without code or message: %v", name, g)
			}
		}
	}
}
