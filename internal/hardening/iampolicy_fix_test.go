package hardening

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// observedActions runs args through a recording proxy and returns the IAM
// actions of the calls made, with those AWS implies (iampolicy.Implied).
func observedActions(t *testing.T, srv *motoserver.Server, args ...string) []string {
	t.Helper()
	return observedThrough(t, faultproxy.Start(t, srv.URL), args...)
}

// observedThrough is observedActions through the proxy p.
func observedThrough(t *testing.T, p *faultproxy.Proxy, args ...string) []string {
	t.Helper()
	res := run(t, t.Context(), append(args, "--endpoint-url", p.URL)...)
	if res.code != 0 {
		t.Fatalf("%v: exit %d\n%s\n%s", args, res.code, res.stdout, res.stderr)
	}
	var out []string
	for _, c := range p.Calls() {
		out = append(out, c.Action())
		out = append(out, iampolicy.Implied(c.Action())...)
	}
	return out
}

// Issue 6, least privilege: the printed policies are exactly what the code
// calls. audit on a compliant account; fix on an account where every step is
// needed (and encryption is asked for), and again where every name fix
// wants is taken or out of date: the actions called (with the ones AWS
// checks inside them) equal the policy, none missing and none extra; and
// from an account with no trail at all (issue 5).
func TestPolicyMatchesCalls(t *testing.T) {
	t.Run("audit", func(t *testing.T) {
		srv := motoserver.Shared(t)
		buildChain(t, srv, testaccount.Chain{KMSKey: true}) // encrypted: the key reads are made too
		got := observedActions(t, srv, "audit")
		// CIS 4.16 is read only when asked for (Security Hub enabled first,
		// so the audit passes).
		hub := securityhub.NewFromConfig(srv.Config(t, home))
		if _, err := hub.EnableSecurityHub(t.Context(), &securityhub.EnableSecurityHubInput{}); err != nil {
			t.Fatal(err)
		}
		got = append(got, observedActions(t, srv, "audit", "--control", "4.16")...)
		// More than a page of alarms: the alarm found by its metric.
		got = append(got, observedThrough(t, pagedAlarms(t, srv), "audit")...)
		compareActions(t, iampolicy.ModeAudit, got)
	})
	t.Run("fix", func(t *testing.T) {
		srv := motoserver.Shared(t)
		brokenTrail(t, srv)
		key := cloudWatchKey(t, srv)
		got := observedActions(t, srv, "fix", "--yes", "--subscribe", subscribe, "--kms-key", key)

		srv = motoserver.Shared(t)
		buildChain(t, srv, testaccount.Chain{NoLogs: true})
		takenNames(t, srv)
		got = append(got, observedActions(t, srv, "fix", "--yes", "--subscribe", subscribe)...)

		// Issue 5: an account without a trail (bucket and trail created).
		srv = motoserver.Shared(t)
		got = append(got, observedBootstrap(t, srv)...)
		// CIS 4.16, enabled only when asked for.
		got = append(got, observedActions(t, srv, "fix", "--yes", "--control", "4.16")...)
		// The account is compliant now; with more than a page of alarms,
		// fix's audit finds the alarm by its metric.
		got = append(got, observedThrough(t, pagedAlarms(t, srv), "fix", "--yes")...)
		compareActions(t, iampolicy.ModeFix, got)
	})
}

func compareActions(t *testing.T, mode string, got []string) {
	t.Helper()
	slices.Sort(got)
	got = slices.Compact(got)
	p, err := iampolicy.For(mode)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Actions(), got); diff != "" {
		t.Errorf("iam-policy --for %s against the calls made (-policy +called):\n%s", mode, diff)
	}
}
