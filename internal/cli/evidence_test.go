package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/exitcode"
)

// Every shipped evidence file audits offline through the command line, with
// the exit status its verdict calls for; the README's first command is one of
// them.
func TestAuditShippedEvidence(t *testing.T) {
	files, err := filepath.Glob("../../testdata/evidence/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no evidence files (%v)", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing may be called
			code, out, errOut := run(t, "audit", "--evidence", file, "--output", "json")
			var r struct {
				Compliant *bool `json:"compliant"`
				Gaps      []any `json:"gaps"`
				Unknown   []any `json:"unknown"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("not JSON (%v): %s\n%s", err, out, errOut)
			}
			want := exitcode.Changes
			switch {
			case r.Compliant == nil:
				want = exitcode.Error
				if len(r.Unknown) == 0 {
					t.Error("unknown verdict without unknown reads")
				}
			case *r.Compliant:
				want = exitcode.OK
			}
			if code != want {
				t.Errorf("exit %d, want %d for compliant=%v", code, want, r.Compliant)
			}
			// Names: compliant and org-*-covered/org-management pass,
			// denied* and *no-access are unknown, the others have gaps.
			passes := name == "compliant" || name == "org-member-covered" || name == "org-management"
			unknown := strings.HasPrefix(name, "denied") || strings.HasSuffix(name, "no-access")
			switch {
			case passes && code != exitcode.OK,
				unknown && code != exitcode.Error,
				!passes && !unknown && code != exitcode.Changes:
				t.Errorf("%s: exit %d does not fit its name", name, code)
			}
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
			// The same file as text, with the same status.
			if textCode, text, _ := run(t, "audit", "--evidence", file); textCode != code || !strings.Contains(text, "Verdict") {
				t.Errorf("text: exit %d (json %d):\n%s", textCode, code, text)
			}
		})
	}
}

// audit --control: one control gives its own report; several, one document
// with a result each, the shared links once, and the exit status over all
// (issue 12).
func TestAuditControls(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "evidence", "compliant.json")
	code, out, errOut := run(t, "audit", "--evidence", file, "--control", "CloudWatch.5", "--output", "json")
	var one struct {
		Control   string `json:"control"`
		Compliant *bool  `json:"compliant"`
	}
	if err := json.Unmarshal([]byte(out), &one); err != nil || code != 0 || one.Control != "4.5" || one.Compliant == nil || !*one.Compliant {
		t.Errorf("--control CloudWatch.5: exit %d, %+v (%v)\n%s", code, one, err, errOut)
	}
	code, out, errOut = run(t, "audit", "--evidence", file, "--control", "all", "--output", "json")
	var all struct {
		Compliant *bool `json:"compliant"`
		Shared    []any `json:"shared"`
		Results   []struct {
			Control   string `json:"control"`
			Compliant *bool  `json:"compliant"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatalf("not JSON (%v): %s\n%s", err, out, errOut)
	}
	// 4.16 is unknown offline (the file holds no Security Hub read): exit 1.
	if code != 1 || len(all.Results) != 16 || len(all.Shared) != 4 || all.Compliant == nil || *all.Compliant {
		t.Errorf("--control all: exit %d, %d results, %d shared links, compliant %v", code, len(all.Results), len(all.Shared), all.Compliant)
	}
	for _, r := range all.Results {
		if r.Control == "4.16" {
			if r.Compliant != nil {
				t.Errorf("CIS 4.16: compliant %v, want null (not read)", *r.Compliant)
			}
			continue
		}
		if want := r.Control == "4.5"; r.Compliant == nil || *r.Compliant != want {
			t.Errorf("CIS %s: compliant %v, want %v (the file has 4.5's chain only)", r.Control, r.Compliant, want)
		}
	}
	if code, _, errOut := run(t, "audit", "--evidence", file, "--control", "4.99"); code != 1 || !strings.Contains(errOut, "4.99") {
		t.Errorf("--control 4.99: exit %d, %s", code, errOut)
	}
}
