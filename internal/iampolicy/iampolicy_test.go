package iampolicy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/golden"
	"github.com/trailwatch/trailwatch/internal/term"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestGolden(t *testing.T) {
	for _, mode := range []string{ModeAudit, ModeFix, ModeVerify} {
		t.Run(mode, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Print(&buf, mode); err != nil {
				t.Fatal(err)
			}
			golden.File(t, filepath.Join("testdata", mode+".json"), buf.Bytes(), *update)
		})
	}
}

func TestAuditPolicyIsTheReads(t *testing.T) {
	p, err := For(ModeAudit)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors", "cloudtrail:GetTrailStatus",
		"cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:ListTagsForResource", "kms:DescribeKey", "kms:GetKeyPolicy", "logs:DescribeMetricFilters", "securityhub:DescribeHub",
		"sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource", "sts:GetCallerIdentity",
	}
	if diff := cmp.Diff(want, p.Actions()); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
}

func TestPolicyShape(t *testing.T) {
	for _, mode := range []string{ModeAudit, ModeFix, ModeVerify} {
		p, err := For(mode)
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != "2012-10-17" {
			t.Errorf("%s: Version %q", mode, p.Version)
		}
		actions, _ := Actions(mode)
		if diff := cmp.Diff(actions, p.Actions()); diff != "" {
			t.Errorf("%s: policy and Actions disagree (-Actions +policy):\n%s", mode, diff)
		}
		sids := map[string]bool{}
		for _, s := range p.Statement {
			if sids[s.Sid] {
				t.Errorf("%s: duplicate Sid %s", mode, s.Sid)
			}
			sids[s.Sid] = true
			if s.Effect != "Allow" || s.Resource == "" || len(s.Action) == 0 {
				t.Errorf("%s: malformed statement %+v", mode, s)
			}
			svc, _, _ := strings.Cut(s.Action[0], ":")
			for _, a := range s.Action {
				if !strings.HasPrefix(a, svc+":") {
					t.Errorf("%s: statement %s mixes services: %v", mode, s.Sid, s.Action)
				}
				if strings.ContainsAny(a, "*?") {
					t.Errorf("%s: wildcard action %s", mode, a)
				}
			}
		}
		b, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var back Policy
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: printed policy is not JSON: %v", mode, err)
		}
		if diff := cmp.Diff(p, back); diff != "" {
			t.Errorf("%s: JSON round trip (-want +got):\n%s", mode, diff)
		}
	}
}

func TestFixIncludesAudit(t *testing.T) {
	audit, _ := Actions(ModeAudit)
	fix, _ := Actions(ModeFix)
	for _, a := range audit {
		if !slices.Contains(fix, a) {
			t.Errorf("fix policy lacks the audit's %s", a)
		}
	}
	p, _ := For(ModeFix)
	var pass *Statement
	for i, s := range p.Statement {
		if slices.Contains(s.Action, "iam:PassRole") {
			pass = &p.Statement[i]
		}
	}
	if pass == nil || len(pass.Action) != 1 || pass.Condition["StringEquals"]["iam:PassedToService"] != "cloudtrail.amazonaws.com" {
		t.Errorf("iam:PassRole must be alone in a statement limited to CloudTrail, got %+v", pass)
	}
}

// verify audits first, then makes its own reads; only --fire writes, and
// that one write is the alarm's state.
func TestVerifyPolicy(t *testing.T) {
	audit, _ := Actions(ModeAudit)
	verify, _ := Actions(ModeVerify)
	var extra []string
	for _, a := range verify {
		if !slices.Contains(audit, a) {
			extra = append(extra, a)
		}
	}
	want := []string{"cloudwatch:DescribeAlarmHistory", "cloudwatch:GetMetricData", "cloudwatch:SetAlarmState", "logs:TestMetricFilter"}
	if diff := cmp.Diff(want, extra); diff != "" {
		t.Errorf("verify beyond the audit (-want +got):\n%s", diff)
	}
	for _, a := range audit {
		// verify checks CIS 4.5's chain, never Security Hub (4.16).
		if !slices.Contains(verify, a) && a != "securityhub:DescribeHub" {
			t.Errorf("verify policy lacks the audit's %s", a)
		}
	}
}

func TestWithout(t *testing.T) {
	p, _ := For(ModeAudit)
	q := p.Without("sts:GetCallerIdentity")
	if slices.Contains(q.Actions(), "sts:GetCallerIdentity") {
		t.Error("Without kept the action")
	}
	if len(q.Actions()) != len(p.Actions())-1 || len(q.Statement) != len(p.Statement)-1 {
		t.Errorf("Without removed too much: %v", q.Actions())
	}
	if !slices.Contains(p.Actions(), "sts:GetCallerIdentity") {
		t.Error("Without changed the original")
	}
}

func TestBadMode(t *testing.T) {
	for _, mode := range []string{"", "Audit", "remediate", "audit,fix"} {
		_, err := For(mode)
		if err == nil {
			t.Errorf("For(%q) succeeded", mode)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, `"`+mode+`"`) || !strings.Contains(msg, "audit|fix|verify") {
			t.Errorf("For(%q) error %q should name the value and audit|fix|verify", mode, msg)
		}
	}
}

func runCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	io, _, out, _ := term.Test(false)
	app := &cli.App{
		Name:           "trailwatch",
		Writer:         io.Out,
		ErrWriter:      io.ErrOut,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands:       []*cli.Command{Command(func() *term.IO { return io })},
	}
	err := app.Run(append([]string{"trailwatch", "iam-policy"}, args...))
	return out.String(), err
}

func TestCommand(t *testing.T) {
	out, err := runCommand(t, "--for", "fix")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join("testdata", "fix.json"))
	if out != string(want) {
		t.Errorf("iam-policy --for fix printed\n%s\nwant testdata/fix.json", out)
	}

	out, err = runCommand(t, "--for", "admin")
	if err == nil || !strings.Contains(err.Error(), `"admin"`) || !strings.Contains(err.Error(), "audit|fix") {
		t.Errorf("--for admin: err %v, want one naming the value and audit|fix", err)
	}
	if out != "" {
		t.Errorf("--for admin printed %q", out)
	}

	// Without --for: an error on stderr and nothing on stdout, so
	// `iam-policy > policy.json` cannot save the help text as a policy.
	if out, err := runCommand(t); err == nil || !strings.Contains(err.Error(), "--for audit, --for fix or --for verify") || out != "" {
		t.Errorf("without --for: err %v, stdout %q; want an error naming --for and no output", err, out)
	}
	if _, err := runCommand(t, "--for", "audit", "extra"); err == nil {
		t.Error("with an argument: no error")
	}
}

func TestOrgPolicy(t *testing.T) {
	for _, mode := range []string{ModeAudit, ModeFix} {
		p, err := ForOrg(mode, "trailwatch-"+mode)
		if err != nil {
			t.Fatal(err)
		}
		single, _ := For(mode)
		// The calling account is worked on too: everything the mode needs,
		// plus the two calls --org makes.
		want := slices.Concat(single.Actions(), []string{"organizations:ListAccounts", "sts:AssumeRole"})
		slices.Sort(want)
		if diff := cmp.Diff(want, p.Actions()); diff != "" {
			t.Errorf("%s: actions (-want +got):\n%s", mode, diff)
		}
		calls, _ := OrgCalls(mode)
		for _, c := range calls {
			if !slices.Contains(p.Actions(), c) {
				t.Errorf("%s: OrgCalls has %s, the policy does not", mode, c)
			}
		}
		for _, s := range p.Statement {
			if slices.Contains(s.Action, "sts:AssumeRole") {
				if len(s.Action) != 1 || s.Resource != "arn:*:iam::*:role/trailwatch-"+mode {
					t.Errorf("%s: sts:AssumeRole must be alone, on the role only: %+v", mode, s)
				}
			} else if s.Resource != "*" {
				t.Errorf("%s: statement %s resource %q", mode, s.Sid, s.Resource)
			}
		}
	}
	if _, err := ForOrg(ModeAudit, "arn:aws:iam::123456789012:role/x"); err == nil || !strings.Contains(err.Error(), "not an ARN") {
		t.Errorf("an ARN as role name: err %v", err)
	}
}

func TestOrgGolden(t *testing.T) {
	out, err := runCommand(t, "--for", "audit", "--org")
	if err != nil {
		t.Fatal(err)
	}
	golden.File(t, filepath.Join("testdata", "audit-org.json"), []byte(out), *update)
	// A bad role name is an --org-role error, not a --for one.
	if _, err := runCommand(t, "--for", "audit", "--org", "--org-role", "arn:aws:iam::123456789012:role/x"); err == nil || !strings.HasPrefix(err.Error(), "--org-role") {
		t.Errorf("an ARN as --org-role: err %v", err)
	}
	if _, err := runCommand(t, "--for", "audit", "--org-role", "x"); err == nil || !strings.Contains(err.Error(), "--org-role only works with --org") {
		t.Errorf("--org-role without --org: err %v", err)
	}
	out, err = runCommand(t, "--for", "fix", "--org", "--org-role", "audit/trailwatch-fix")
	if err != nil || !strings.Contains(out, `"Resource": "arn:*:iam::*:role/audit/trailwatch-fix"`) {
		t.Errorf("--org-role: err %v\n%s", err, out)
	}
}
