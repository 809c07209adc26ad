package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
)

// Every shipped evidence file audits offline in each findings format, with
// the same exit status as the JSON report and a document of its kind.
func TestAuditFindingsFormats(t *testing.T) {
	files, err := filepath.Glob("../../testdata/evidence/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no evidence files (%v)", err)
	}
	check := map[string]func(out string) error{
		"ocsf": func(out string) error {
			var v []map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				return err
			}
			if len(v) != 1 || v[0]["class_uid"] != 2003.0 {
				return errTest("want one Compliance Finding")
			}
			return nil
		},
		"asff": func(out string) error {
			var v struct{ Findings []map[string]any }
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				return err
			}
			if len(v.Findings) != 1 || v.Findings[0]["SchemaVersion"] != "2018-10-08" {
				return errTest("want one ASFF finding")
			}
			return nil
		},
		"junit": func(out string) error {
			var v struct {
				Tests int `xml:"tests,attr"`
			}
			if err := xml.Unmarshal([]byte(out), &v); err != nil {
				return err
			}
			if v.Tests != 1 {
				return errTest("want one test case")
			}
			return nil
		},
		"csv": func(out string) error {
			rows, err := csv.NewReader(bytes.NewReader([]byte(out))).ReadAll()
			if err != nil {
				return err
			}
			if len(rows) != 2 {
				return errTest("want a header and one row")
			}
			return nil
		},
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing may be called
			want, _, _ := run(t, "audit", "--evidence", file, "--output", "json")
			for format, ok := range check {
				code, out, errOut := run(t, "audit", "--evidence", file, "--output", format)
				if code != want || errOut != "" {
					t.Errorf("%s: exit %d (json %d), stderr %q", format, code, want, errOut)
				}
				if err := ok(out); err != nil {
					t.Errorf("%s: %v\n%s", format, err, out)
				}
			}
		})
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
