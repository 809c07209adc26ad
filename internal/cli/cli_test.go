package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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
	if code != 0 || !strings.HasPrefix(out, "trailwatch version ") || strings.Contains(out, "dev\n") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// Errors are one line on stderr, "trailwatch: ...", and nothing on stdout;
// a command line that cannot run as written is followed by the command's
// usage line and where to read more, and a mistyped command or flag by the
// closest real one.
func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		want  string
		usage string // the usage line's command, for usage errors
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`, "trailwatch COMMAND"},
		{[]string{"audti"}, `unknown command "audti" (did you mean audit?)`, "trailwatch COMMAND"},
		{[]string{"audit", "--output", "xml"}, `invalid --output "xml": expected text, json, ocsf, asff, junit or csv`, "trailwatch audit"},
		{[]string{"plan", "--output", "csv"}, `invalid --output "csv": expected text or json`, "trailwatch plan"},
		{[]string{"audit", "--evidence", "e.json", "--security-hub"}, "cannot be combined with --security-hub", ""},
		{[]string{"audit", "--nope"}, "flag provided but not defined: --nope", "trailwatch audit"},
		{[]string{"audit", "--stirct"}, "flag provided but not defined: --stirct (did you mean --strict?)", "trailwatch audit"},
		{[]string{"audit", "--endpoint", "http://x"}, "flag provided but not defined: --endpoint (did you mean --endpoint-url?)", "trailwatch audit"},
		{[]string{"fix", "--dry-rn"}, "flag provided but not defined: --dry-rn (did you mean --dry-run?)", "trailwatch fix"},
		{[]string{"audit", "-x"}, "flag provided but not defined: -x", "trailwatch audit"},
		{[]string{"apply", "p.json", "--dry-run"}, "flag provided but not defined: --dry-run", "trailwatch apply FILE"},
		{[]string{"plan", "--retention-days", "a year"}, `invalid value "a year" for flag --retention-days`, "trailwatch plan"},
		{[]string{"fix", "--yes=maybe"}, `invalid boolean value "maybe" for --yes`, "trailwatch fix"},
		{[]string{"pattern", "test", "-DescribeTrails"}, "flag provided but not defined: --DescribeTrails; a PATTERN that starts with '-' goes after --", "trailwatch pattern test 'PATTERN'"},
		{[]string{"pattern", "tset", "x"}, `unknown command "tset" for trailwatch pattern`, "trailwatch pattern COMMAND"},
		{[]string{"pattern", "test"}, "pattern test takes one PATTERN argument (quote it), got 0", "trailwatch pattern test 'PATTERN'"},
		{[]string{"audit", "now"}, `audit takes no arguments, got ["now"]`, "trailwatch audit"},
		{[]string{"plan", "now"}, `plan takes no arguments, got ["now"]`, "trailwatch plan"},
		{[]string{"fix", "now"}, `fix takes no arguments, got ["now"]`, "trailwatch fix"},
		{[]string{"iam-policy", "--for", "audit", "now"}, `iam-policy takes no arguments, got ["now"]`, "trailwatch iam-policy"},
		{[]string{"audit", "--evidence", "e.json", "--profile", "p", "--endpoint-url", "http://x"}, "cannot be combined with --profile, --endpoint-url", ""},
		{[]string{"iam-policy", "--for", "everything"}, "everything", ""},
		{[]string{"verify", "now"}, `verify takes no arguments, got ["now"]`, "trailwatch verify"},
		{[]string{"verify", "--wait", "0s"}, "--wait 0s: want a duration from 1s to 15m0s", ""},
		{[]string{"verify", "--yes"}, "--yes only confirms --fire", ""},
		{[]string{"verify", "--max-delivery-age", "soon"}, `invalid value "soon" for flag --max-delivery-age`, "trailwatch verify"},
	} {
		code, out, errOut := run(t, tc.args...)
		if code != exitcode.Error {
			t.Errorf("%q: exit %d, want 1", tc.args, code)
		}
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if !strings.HasPrefix(lines[0], "trailwatch: ") || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%q: stderr %q, want a first line naming %q", tc.args, errOut, tc.want)
		}
		var wantRest []string
		if tc.usage != "" {
			help := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(tc.usage, " FILE"), " 'PATTERN'"), " COMMAND")
			wantRest = []string{"Usage: " + tc.usage + " [options]", "Run '" + help + " --help' for the options and examples."}
		}
		if diff := cmp.Diff(wantRest, lines[1:], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q: lines after the message (-want +got):\n%s", tc.args, diff)
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

// audit --org judges one control a run: several, or all, is refused before
// anything is read.
func TestOrgAuditOneControl(t *testing.T) {
	for _, args := range [][]string{{"--control", "all"}, {"--control", "4.1", "--control", "4.3"}} {
		code, _, errOut := run(t, append([]string{"audit", "--org", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"}, args...)...)
		if code != 1 || !strings.Contains(errOut, "one control a run") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
