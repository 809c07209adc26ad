package hardening

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// colour is an SGR sequence that sets a foreground or background colour.
var colour = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9]+)*m`)

// Issue 15: with NO_COLOR the confirmation still shows which button is
// selected, in words ("> Cancel", then "> Apply" after a key press), since
// Enter there writes to AWS; Esc cancels (exit 1) and Ctrl-C interrupts
// (exit 130), both with nothing written. The real binary, in a
// pseudo-terminal.
func TestConfirmNoColorPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testaccount.Binary(t)
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	p := faultproxy.Start(t, srv.URL)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	if res := run(t, t.Context(), "plan", "--subscribe", subscribe, "--out", planFile, "--endpoint-url", p.URL); res.code != 2 {
		t.Fatalf("plan --out: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}

	for _, tc := range []struct {
		name, key string
		code      int
	}{{"Esc", "\x1b", 1}, {"Ctrl-C", "\x03", 130}} {
		t.Run(tc.name, func(t *testing.T) {
			s := testaccount.StartPTY(t, []string{"NO_COLOR=1"}, bin, "apply", planFile, "--endpoint-url", p.URL)
			s.WaitFor("Apply these changes")
			if !strings.Contains(s.Text(), "> Cancel") || strings.Contains(s.Text(), "> Apply") {
				t.Fatalf("Cancel, the default, is not the one marked:\n%s", s.Text())
			}
			m := s.Mark()
			s.Send("\x1b[D") // left: to Apply
			s.WaitForAfter(m, "> Apply")
			if c := colour.FindString(s.Raw()); c != "" {
				t.Errorf("colour %q despite NO_COLOR", c)
			}
			s.Send(tc.key)
			if code := s.Wait(); code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, s.Text())
			}
			if w := p.Writes(); len(w) > 0 {
				t.Errorf("writes after %s: %v", tc.name, w)
			}
			if !strings.Contains(s.Text(), "nothing was written") {
				t.Errorf("output:\n%s", s.Text())
			}
		})
	}
}
