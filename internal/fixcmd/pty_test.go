package fixcmd_test

import (
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// TestInteractivePTY drives the real binary in a pseudo-terminal against
// moto: it answers the huh forms with keystrokes, confirms, and checks the
// account ends compliant; a second run cancelled with Ctrl-C writes nothing.
func TestInteractivePTY(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testaccount.Binary(t)

	t.Run("cancel", func(t *testing.T) {
		w := newWorld(t)
		w.build(state{noAlarm: true})
		w.resetOps()
		s := testaccount.StartPTY(t, []string{"NO_COLOR="}, bin, "fix", "--endpoint-url", w.proxy)
		s.WaitFor("Where should the alarm")
		s.Send("\x03") // Ctrl-C
		code := s.Wait()
		if code != 130 || len(w.writes()) != 0 { // Ctrl-C: the shell's 130, even as a key in a form
			t.Fatalf("exit %d, writes %v\n%s", code, w.writes(), s.Text())
		}
		if !strings.Contains(s.Text(), "nothing was written") {
			t.Errorf("output:\n%s", s.Text())
		}
	})

	t.Run("answer and confirm", func(t *testing.T) {
		w := newWorld(t)
		w.build(state{noAlarm: true})
		s := testaccount.StartPTY(t, []string{"NO_COLOR="}, bin, "fix", "--endpoint-url", w.proxy)
		s.WaitFor("Where should the alarm")
		s.Send("\x1b[B")
		s.Send("\x1b[B") // email → https → SQS
		s.Send("\r")
		s.WaitFor("SQS queue ARN")
		s.Send(queueARN)
		s.Send("\r")
		s.WaitFor("Use these names?")
		s.Send("y")
		s.WaitFor("Apply these changes")
		s.Send("y")
		code := s.Wait()
		if code != 0 || !strings.Contains(s.Text(), "After: compliant") {
			t.Fatalf("exit %d\n%s", code, s.Text())
		}
		if r := w.cli(false, "audit"); r.code != 0 {
			t.Errorf("audit after: exit %d", r.code)
		}
	})
}
