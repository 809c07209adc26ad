package hardening

import (
	"slices"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

// writeOps lists the distinct write operations of calls in first-call order.
func writeOps(calls []faultproxy.Call) []string {
	var ops []string
	for _, c := range calls {
		if c.IsWrite() && !slices.Contains(ops, c.Action()) {
			ops = append(ops, c.Action())
		}
	}
	return ops
}

// Issue 6, faults: fix with a failure injected at write k, for every k (every
// write of every step, so a step can also fail half done): the writes before
// k were made, nothing after k was attempted, exit 1, the failure is named;
// a second fix completes and the audit passes.
func TestFixFailureAtEveryStep(t *testing.T) {
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	p := faultproxy.Start(t, srv.URL)
	fix := []string{"fix", "--yes", "--subscribe", subscribe}
	if res := run(t, t.Context(), append(fix, "--endpoint-url", p.URL)...); res.code != 0 {
		t.Fatalf("clean fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	ops := writeOps(p.Calls())
	if len(ops) < 9 {
		t.Fatalf("a fix of every gap made only the writes %v", ops)
	}
	t.Logf("writes in order: %v", ops)

	for k, op := range ops {
		t.Run(op, func(t *testing.T) {
			srv := motoserver.Shared(t)
			brokenTrail(t, srv)
			p := faultproxy.Start(t, srv.URL)
			p.Add(faultproxy.On(op).Deny())
			res := run(t, t.Context(), append(fix, "--endpoint-url", p.URL)...)
			if res.code != 1 {
				t.Errorf("exit %d, want 1", res.code)
			}
			if got := writeOps(p.Calls()); !slices.Equal(got, ops[:k+1]) {
				t.Errorf("writes attempted %v; want exactly those up to the failure %v", got, ops[:k+1])
			}
			if out := res.stdout + res.stderr; !strings.Contains(out, op) && !strings.Contains(out, strings.SplitN(op, ":", 2)[1]) {
				t.Errorf("the output does not name the failed call %s:\n%s", op, out)
			}

			if res := run(t, t.Context(), append(fix, "--endpoint-url", srv.URL)...); res.code != 0 {
				t.Errorf("second fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			if res, r := runAudit(t, srv.URL); res.code != 0 {
				t.Errorf("audit after the second fix: exit %d, verdict %s, gaps %+v", res.code, verdict(r), r.Gaps)
			}
		})
	}
}
