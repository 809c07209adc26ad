package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/term"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, _, out, errOut := term.Test(false)
	code = Run(context.Background(), append([]string{"trailwatch"}, args...), io)
	return code, out.String(), errOut.String()
}

func TestRunHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{nil, {"--help"}, {"help"}, {"audit", "--help"}, {"help", "audit"}} {
		code, out, errOut := run(t, args...)
		if code != 0 || !strings.Contains(out, "trailwatch") || errOut != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	code, out, _ := run(t, "--version")
	if code != 0 || !strings.Contains(out, Version) {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"audit", "--output", "xml"}, `invalid --output "xml": expected text, json, ocsf, asff, junit or csv`},
		{[]string{"plan", "--output", "csv"}, `invalid --output "csv": expected text or json`},
		{[]string{"audit", "--evidence", "e.json", "--security-hub"}, "cannot be combined with --security-hub"},
		{[]string{"audit", "--nope"}, "flag provided but not defined: --nope (see 'trailwatch audit --help')"},
		{[]string{"audit", "-x"}, "flag provided but not defined: -x (see"},
		{[]string{"apply", "p.json", "--dry-run"}, "flag provided but not defined: --dry-run (see 'trailwatch apply --help')"},
		{[]string{"plan", "--retention-days", "a year"}, `invalid value "a year" for flag --retention-days`},
		{[]string{"fix", "--yes=maybe"}, `invalid boolean value "maybe" for --yes`},
		{[]string{"pattern", "test", "-DescribeTrails"}, "flag provided but not defined: --DescribeTrails (see 'trailwatch pattern test --help'; a PATTERN that starts with '-' goes after --"},
		{[]string{"audit", "now"}, `audit takes no arguments, got ["now"]`},
		{[]string{"plan", "now"}, `plan takes no arguments, got ["now"]`},
		{[]string{"fix", "now"}, `fix takes no arguments, got ["now"]`},
		{[]string{"iam-policy", "--for", "audit", "now"}, `iam-policy takes no arguments, got ["now"]`},
		{[]string{"audit", "--evidence", "e.json", "--profile", "p", "--endpoint-url", "http://x"}, "cannot be combined with --profile, --endpoint-url"},
		{[]string{"iam-policy", "--for", "everything"}, "everything"},
	} {
		code, out, errOut := run(t, tc.args...)
		if code != exitcode.Error {
			t.Errorf("%q: exit %d, want 1", tc.args, code)
		}
		if !strings.HasPrefix(errOut, "trailwatch: ") || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: stderr %q, want one line naming %q", tc.args, errOut, tc.want)
		}
		if out != "" {
			t.Errorf("%q: stdout %q, want nothing", tc.args, out)
		}
	}
}

func TestIAMPolicyRegistered(t *testing.T) {
	code, out, errOut := run(t, "iam-policy", "--for", "audit")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc["Statement"] == nil {
		t.Errorf("not a policy document (%v):\n%s", err, out)
	}
}

func TestVerdictStatus(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		compliant *bool
		want      int
	}{
		{&yes, exitcode.OK},
		{&no, exitcode.Changes},
		{nil, exitcode.Error},
	} {
		err := verdictStatus(&audit.Report{Compliant: tc.compliant})
		if got := exitcode.Of(err); got != tc.want {
			t.Errorf("compliant=%v: exit %d, want %d", tc.compliant, got, tc.want)
		}
		if err != nil && err.Error() != "" {
			t.Errorf("verdict status is not silent: %q", err)
		}
	}
}

// Flags after the pattern argument reach the command.
func TestPatternFlagsAfterArgument(t *testing.T) {
	const cis = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`
	for _, args := range [][]string{
		{"pattern", "test", cis, "--output", "json"},
		{"pattern", "test", "--output", "json", cis},
		{"pattern", "test", cis, "-o=json", "--no-color"},
		{"pattern", "test", "--output=json", "--", cis},
	} {
		code, out, errOut := run(t, args...)
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Errorf("%q: not JSON (%v): %s %s", args, err, out, errOut)
			continue
		}
		if code != 0 || doc["covers"] != true {
			t.Errorf("%q: exit %d, covers %v", args, code, doc["covers"])
		}
	}
	// A pattern that starts with "-" needs "--".
	code, _, errOut := run(t, "pattern", "test", "--", "-CreateTrail")
	if code == 1 && strings.Contains(errOut, "flag provided") {
		t.Errorf("-- did not protect the pattern: %s", errOut)
	}
}

// `apply FILE --yes`: the flag after the argument reaches apply, which then
// fails on the missing file, not on its arguments.
func TestApplyFlagAfterArgument(t *testing.T) {
	for _, args := range [][]string{
		{"apply", "no-such-plan.json", "--yes"},
		{"apply", "--yes", "no-such-plan.json"},
	} {
		code, _, errOut := run(t, args...)
		if code != exitcode.Error || !strings.Contains(errOut, "no-such-plan.json") || strings.Contains(errOut, "flag provided") {
			t.Errorf("%q: exit %d, stderr %q; want a failure to read no-such-plan.json", args, code, errOut)
		}
	}
}
