package testaccount

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
)

// PTY is a process running in a pseudo-terminal, as a user at a terminal
// would run it: forms are drawn, keys typed, the screen read.
type PTY struct {
	t   testing.TB
	cmd *exec.Cmd
	f   *os.File
	mu  sync.Mutex
	buf bytes.Buffer
	eof chan struct{}
}

// StartPTY starts bin with args in a 160×50 pseudo-terminal, with env added
// to the process's environment.
func StartPTY(t testing.TB, env []string, bin string, args ...string) *PTY {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color"), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	s := &PTY{t: t, cmd: cmd, f: f, eof: make(chan struct{})}
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

// Raw is everything the terminal received, escape sequences included.
func (s *PTY) Raw() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// Text is what the terminal received, without escape sequences.
func (s *PTY) Text() string { return ansi.ReplaceAllString(s.Raw(), "") }

// Mark remembers how much output there is, for WaitForAfter.
func (s *PTY) Mark() int { return len(s.Text()) }

// WaitFor waits until want appears in the text.
func (s *PTY) WaitFor(want string) { s.t.Helper(); s.WaitForAfter(0, want) }

// WaitForAfter waits until want appears in the text after position from
// (from Mark): a screen redrawn after a key press.
func (s *PTY) WaitForAfter(from int, want string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if text := s.Text(); len(text) >= from && strings.Contains(text[from:], want) {
			time.Sleep(150 * time.Millisecond) // let the form settle before typing
			return
		}
		select {
		case <-s.eof:
			if text := s.Text(); len(text) >= from && strings.Contains(text[from:], want) {
				return
			}
			s.t.Fatalf("process ended before %q appeared:\n%s", want, s.Text())
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.t.Fatalf("timed out waiting for %q:\n%s", want, s.Text())
}

// Send types keys.
func (s *PTY) Send(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.f, keys); err != nil {
		s.t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
}

// Wait waits for the process to exit and returns its status.
func (s *PTY) Wait() int {
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
		s.t.Fatalf("process did not exit:\n%s", s.Text())
		return -1
	}
}
