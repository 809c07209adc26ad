package fixcmd_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

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
		s := startPTY(t, bin, "fix", "--endpoint-url", w.proxy)
		s.waitFor("Where should the alarm")
		s.send("\x03") // Ctrl-C
		code := s.wait()
		if code != 130 || len(w.writes()) != 0 { // Ctrl-C: the shell's 130, even as a key in a form
			t.Fatalf("exit %d, writes %v\n%s", code, w.writes(), s.text())
		}
		if !strings.Contains(s.text(), "nothing was written") {
			t.Errorf("output:\n%s", s.text())
		}
	})

	t.Run("answer and confirm", func(t *testing.T) {
		w := newWorld(t)
		w.build(state{noAlarm: true})
		s := startPTY(t, bin, "fix", "--endpoint-url", w.proxy)
		s.waitFor("Where should the alarm")
		s.send("\x1b[B")
		s.send("\x1b[B") // email → https → SQS
		s.send("\r")
		s.waitFor("SQS queue ARN")
		s.send(queueARN)
		s.send("\r")
		s.waitFor("Use these names?")
		s.send("y")
		s.waitFor("Apply these changes")
		s.send("y")
		code := s.wait()
		if code != 0 || !strings.Contains(s.text(), "After: compliant") {
			t.Fatalf("exit %d\n%s", code, s.text())
		}
		if r := w.cli(false, "audit"); r.code != 0 {
			t.Errorf("audit after: exit %d", r.code)
		}
	})
}

type ptySession struct {
	t   *testing.T
	cmd *exec.Cmd
	f   *os.File
	mu  sync.Mutex
	buf bytes.Buffer
	eof chan struct{}
}

func startPTY(t *testing.T, bin string, args ...string) *ptySession {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	s := &ptySession{t: t, cmd: cmd, f: f, eof: make(chan struct{})}
	go func() {
		defer close(s.eof)
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			s.mu.Lock()
			s.buf.Write(b[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		}
		f.Close()
	})
	return s
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\r`)

// text is what the terminal received, without escape sequences.
func (s *ptySession) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.ReplaceAllString(s.buf.String(), "")
}

func (s *ptySession) waitFor(want string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.text(), want) {
			time.Sleep(150 * time.Millisecond) // let the form settle before typing
			return
		}
		select {
		case <-s.eof:
			if strings.Contains(s.text(), want) {
				return
			}
			s.t.Fatalf("process ended before %q appeared:\n%s", want, s.text())
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.t.Fatalf("timed out waiting for %q:\n%s", want, s.text())
}

func (s *ptySession) send(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.f, keys); err != nil {
		s.t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
}

func (s *ptySession) wait() int {
	s.t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		<-s.eof
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatal(err)
		}
		return 0
	case <-time.After(90 * time.Second):
		s.t.Fatalf("process did not exit:\n%s", s.text())
		return -1
	}
}
