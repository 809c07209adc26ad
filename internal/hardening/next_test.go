package hardening

import (
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/motoserver"
)

// Issue 15: plan without --out says how to apply what it printed; with
// --out it names the apply command; with nothing to do it says neither.
func TestPlanSaysHowToApply(t *testing.T) {
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	res := run(t, t.Context(), "plan", "--subscribe", subscribe, "--endpoint-url", srv.URL)
	if res.code != 2 || !strings.Contains(res.stderr, "This plan was not saved") || !strings.Contains(res.stderr, "trailwatch apply FILE") ||
		!strings.Contains(res.stderr, "trailwatch fix") {
		t.Errorf("exit %d, stderr:\n%s", res.code, res.stderr)
	}
	if res := run(t, t.Context(), "plan", "--output", "json", "--subscribe", subscribe, "--endpoint-url", srv.URL); strings.Contains(res.stderr, "not saved") {
		t.Errorf("JSON plan: stderr %q", res.stderr)
	}
	if res := run(t, t.Context(), "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", srv.URL); res.code != 0 {
		t.Fatalf("fix: exit %d\n%s", res.code, res.stderr)
	}
	if res := run(t, t.Context(), "plan", "--endpoint-url", srv.URL); res.code != 0 || strings.Contains(res.stderr, "not saved") {
		t.Errorf("nothing to do: exit %d, stderr %q", res.code, res.stderr)
	}
}
