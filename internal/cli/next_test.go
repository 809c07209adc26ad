package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/verify"
)

// A text audit with gaps ends with the commands that close them; compliant,
// unknown and JSON reports do not.
func TestAuditEndsWithNextStep(t *testing.T) {
	want := "\nTo close these gaps in account 111122223333, with credentials for it, preview\n" +
		"the changes (this writes nothing), then apply them after a confirmation:\n" +
		"  trailwatch fix --dry-run --region us-east-1 --strict\n" +
		"  trailwatch fix --region us-east-1 --strict\n"
	_, out, _ := run(t, "audit", "--strict", "--evidence", "../../testdata/evidence/no-metric-filter.json")
	if !strings.HasSuffix(out, want) {
		t.Errorf("text report ends:\n%s\nwant:\n%s", tail(out, 4), want)
	}
	for _, args := range [][]string{
		{"audit", "--evidence", "../../testdata/evidence/compliant.json"},
		{"audit", "--evidence", "../../testdata/evidence/denied.json"},
		{"audit", "--evidence", "../../testdata/evidence/no-metric-filter.json", "--output", "json"},
	} {
		if _, out, _ := run(t, args...); strings.Contains(out, "trailwatch fix") {
			t.Errorf("%q suggests a fix:\n%s", args, tail(out, 4))
		}
	}
}

func TestNextStepRepeatsAccountFlags(t *testing.T) {
	no := false
	var b bytes.Buffer
	nextStep(&b, &audit.Report{Compliant: &no, Region: "eu-west-1"}, []string{"--profile", verify.ShellQuote("prod admin"), "--region", "eu-west-1"}, false)
	want := "\nTo close these gaps, preview the changes (this writes nothing), then apply them\n" +
		"after a confirmation:\n" +
		"  trailwatch fix --dry-run --profile 'prod admin' --region eu-west-1\n" +
		"  trailwatch fix --profile 'prod admin' --region eu-west-1\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The flags repeated are those fix takes, --chain-role (repeatable)
// included, quoted for the shell.
func TestAccountFlags(t *testing.T) {
	var got []string
	app := &cli.App{Flags: append(cliflags.AWSFlags(), cliflags.ChainRoleFlag(), &cli.BoolFlag{Name: "strict"}),
		Action: func(c *cli.Context) error { got = accountFlags(c); return nil }}
	if err := app.Run([]string{"trailwatch", "--profile", "prod admin", "--chain-role", "arn:aws:iam::111111111111:role/a",
		"--chain-role", "arn:aws:iam::222222222222:role/b", "--strict"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"--profile", "'prod admin'", "--chain-role", "arn:aws:iam::111111111111:role/a", "--chain-role", "arn:aws:iam::222222222222:role/b", "--strict"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
