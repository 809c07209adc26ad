package cliflags

import (
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in    string
		extra []Format
		want  Format
		err   string
	}{
		{"text", nil, Text, ""},
		{"json", nil, JSON, ""},
		{"csv", nil, "", `invalid --output "csv": expected text or json`},
		{"csv", FindingFormats, CSV, ""},
		{"ocsf", FindingFormats, OCSF, ""},
		{"xml", FindingFormats, "", `invalid --output "xml": expected text, json, ocsf, asff, junit or csv`},
	} {
		got, err := ParseFormat(tc.in, tc.extra...)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseFormat(%q, %v) = %q, %v; want %q, %q", tc.in, tc.extra, got, err, tc.want, tc.err)
		}
	}
}
