package hardening

import (
	"slices"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

// Issue 6, least privilege: a user with exactly `iam-policy --for fix` fixes
// an account where every step is needed, and the audit then passes. With any
// one action that this fix calls removed, the fix stops with exit 1 naming
// the call that was denied.
//
// moto cannot check the actions AWS authorizes inside other calls (tagging
// on create, iam:PassRole) nor calls this scenario does not make (kms, and
// the re-checks of resources that already exist); TestPolicyMatchesCalls
// shows those are called.
func TestFixLeastPrivilege(t *testing.T) {
	srv := motoserver.Start(t) // IAM enforcement is server-wide: not the shared one
	policy, err := iampolicy.For(iampolicy.ModeFix)
	if err != nil {
		t.Fatal(err)
	}
	fix := []string{"fix", "--yes", "--subscribe", subscribe, "--endpoint-url"}

	// setup gives a fresh account where every step is needed and a fixer
	// user with policy p, with IAM enforced.
	setup := func(t *testing.T, p iampolicy.Policy) {
		t.Helper()
		srv.Reset(t)
		brokenTrail(t, srv)
		admin := newIAMAdmin(t, srv)
		fixer := admin.user("fixer", motoPolicy(t, p))
		srv.EnforceIAM(t)
		as(t, fixer)
	}

	setup(t, policy)
	proxy := faultproxy.Start(t, srv.URL)
	res := run(t, t.Context(), append(fix, proxy.URL)...)
	if res.code != 0 {
		t.Fatalf("fix with exactly the fix policy: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if res, r := runAudit(t, srv.URL); res.code != 0 {
		t.Fatalf("audit after fix: exit %d, verdict %s, gaps %+v, unknown %+v", res.code, verdict(r), r.Gaps, r.Unknown)
	}
	var called []string
	for _, c := range proxy.Calls() {
		called = append(called, c.Action())
	}

	for _, action := range policy.Actions() {
		t.Run(action, func(t *testing.T) {
			if !slices.Contains(called, action) || action == "sts:GetCallerIdentity" {
				t.Skipf("not checkable on moto in this scenario (called: %v)", slices.Contains(called, action))
			}
			setup(t, policy.Without(action))
			res := run(t, t.Context(), append(fix, srv.URL)...)
			if factReads[action] {
				// Here it is only the audit's look at the existing alarms'
				// and topics' tags, which counts a failed read as "not
				// trailwatch's" (the safe side: a new alarm, never a changed
				// one). The re-check of an existing one before a write needs it.
				if res.code != 0 {
					t.Errorf("exit %d; a denied alarm tag read should only make the plan careful:\n%s", res.code, res.stderr)
				}
				return
			}
			_, op, _ := strings.Cut(action, ":")
			if res.code != 1 || !strings.Contains(res.stdout+res.stderr, op) {
				t.Errorf("exit %d; want 1 and the denied call %s named:\n%s%s", res.code, op, res.stdout, res.stderr)
			}
		})
	}
	srv.Reset(t)
}
