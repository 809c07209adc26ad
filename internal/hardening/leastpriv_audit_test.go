package hardening

import (
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// Issue 6, least privilege: a user with exactly `iam-policy --for audit`
// audits a compliant account to the same verdict as an administrator; with
// any one action removed the audit says which action was denied and on what,
// the verdict is unknown (exit 1), and it never reports a gap.
func TestAuditLeastPrivilege(t *testing.T) {
	srv := motoserver.Start(t)                               // IAM enforcement is server-wide: not the shared one
	c := buildChain(t, srv, testaccount.Chain{KMSKey: true}) // encrypted: every read of the audit is made
	policy, err := iampolicy.For(iampolicy.ModeAudit)
	if err != nil {
		t.Fatal(err)
	}
	enableHub(t, srv) // CIS 4.16's read passes too
	// Two pages of alarms through the proxy, so the audit asks
	// DescribeAlarmsForMetric too; the proxy leaves the signature intact.
	endpoint := pagedAlarms(t, srv).URL
	admin := newIAMAdmin(t, srv)
	auditor := admin.user("auditor", motoPolicy(t, policy))
	srv.EnforceIAM(t)
	t.Cleanup(func() { srv.Reset(t) })
	as(t, auditor)

	res, r := runAudit(t, endpoint)
	if res.code != 0 || verdict(r) != "compliant" {
		t.Fatalf("with exactly the audit policy: exit %d, verdict %s; want 0, compliant\n%s\n%s", res.code, verdict(r), res.stdout, res.stderr)
	}

	// What each read is about, so a denial can be checked to name it.
	resource := map[string]string{
		"cloudtrail:GetTrailStatus":    c.TrailName,
		"cloudtrail:GetEventSelectors": c.TrailName,
		"logs:DescribeMetricFilters":   c.LogGroup,
		"sns:GetTopicAttributes":       c.TopicARN,
		"sns:ListSubscriptionsByTopic": c.TopicARN,
	}
	for _, action := range policy.Actions() {
		t.Run(action, func(t *testing.T) {
			admin.setPolicy("auditor", motoPolicy(t, policy.Without(action)))
			t.Cleanup(func() { admin.setPolicy("auditor", motoPolicy(t, policy)) })

			extra := controlArgs(action)
			res, r := runAudit(t, endpoint, extra...)
			if fallbackReads[action] {
				if res.code != 0 || verdict(r) != "compliant" || len(r.Unknown) != 0 {
					t.Errorf("exit %d, verdict %s, unknown %+v; want 0, compliant from the whole listing", res.code, verdict(r), r.Unknown)
				}
				return
			}
			if action == "sts:GetCallerIdentity" {
				// AWS answers GetCallerIdentity whatever the policy says,
				// and moto does the same; TestAuditCallerIdentityDenied
				// makes the proxy deny it instead.
				if res.code != 0 || verdict(r) != "compliant" {
					t.Errorf("exit %d, verdict %s; want 0, compliant (GetCallerIdentity needs no permission)", res.code, verdict(r))
				}
				return
			}
			if factReads[action] {
				checkFactRead(t, res, r, action)
				return
			}
			checkDenied(t, res, r, action, resource[action], "denied")

			// The text a person reads names the action too.
			text := run(t, t.Context(), append([]string{"audit", "--endpoint-url", endpoint}, extra...)...)
			if text.code != 1 || !strings.Contains(text.stdout+text.stderr, action) {
				t.Errorf("text audit: exit %d, output does not name %s:\n%s%s", text.code, action, text.stdout, text.stderr)
			}
		})
	}
}

// Issue 6, least privilege: moto (like AWS) never denies GetCallerIdentity,
// so the denial comes from the proxy, in AWS's shape and in moto's
// undecodable one. The rest of the chain is readable, so only the account is
// unknown: the read is named, and nothing becomes a gap.
func TestAuditCallerIdentityDenied(t *testing.T) {
	srv := motoserver.Shared(t)
	buildChain(t, srv, testaccount.Chain{})
	for name, rule := range map[string]*faultproxy.Rule{
		"aws shape":  faultproxy.On("sts:GetCallerIdentity").Deny(),
		"moto shape": faultproxy.On("sts:GetCallerIdentity").DenyUndecodable(),
	} {
		t.Run(name, func(t *testing.T) {
			p := faultproxy.Start(t, srv.URL)
			p.Add(rule)
			res, r := runAudit(t, p.URL)
			checkNamed(t, res, r, "sts:GetCallerIdentity", "", "denied")
			if res.code == 2 {
				t.Errorf("exit 2 (gaps) for a denied read")
			}
		})
	}
}

// checkDenied asserts the audit's answer to one denied (or failed) action: unknown,
// exit 1, no gap, and the action (and the resource, when the read is about
// one) named in the JSON report.
func checkDenied(t *testing.T, res result, r report, action, resource, says string) {
	t.Helper()
	if res.code != 1 || verdict(r) != "unknown" {
		t.Errorf("exit %d, verdict %s; want 1, unknown", res.code, verdict(r))
	}
	checkNamed(t, res, r, action, resource, says)
}

// checkNamed asserts that the action is reported as an unknown read, with
// its resource and a message that says what happened, and that no gap came
// of it.
func checkNamed(t *testing.T, res result, r report, action, resource, says string) {
	t.Helper()
	if len(r.Gaps) != 0 {
		t.Errorf("a denied read became gaps %+v; want none", r.Gaps)
	}
	found := false
	for _, u := range r.Unknown {
		if u.Action != action {
			continue
		}
		found = true
		if resource != "" && !strings.Contains(u.Resource, resource) {
			t.Errorf("unknown read %s names resource %q; want %q", action, u.Resource, resource)
		}
		if !strings.Contains(strings.ToLower(u.Message), says) {
			t.Errorf("unknown read %s: message %q does not say %q", action, u.Message, says)
		}
	}
	if !found {
		t.Errorf("no unknown read names %s; got %+v\nstderr: %s", action, r.Unknown, res.stderr)
	}
}

// factReads only tell whose a resource is (its tags): denied or failed,
// the verdict stands, the resource is taken for someone else's (so fix never
// changes it), and a warning names the read.
var factReads = map[string]bool{"cloudwatch:ListTagsForResource": true, "sns:ListTagsForResource": true}

func checkFactRead(t *testing.T, res result, r report, action string) {
	t.Helper()
	if res.code != 0 || verdict(r) != "compliant" {
		t.Errorf("exit %d, verdict %s; want 0, compliant: %s only tells whose a resource is", res.code, verdict(r), action)
	}
	for _, w := range r.Warnings {
		if w.Code == "TAGS_UNREAD" && strings.Contains(w.Message, action) {
			return
		}
	}
	t.Errorf("no TAGS_UNREAD warning names %s: %+v", action, r.Warnings)
}
