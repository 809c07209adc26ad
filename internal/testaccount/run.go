// Package testaccount is test support shared by the tests that drive
// trailwatch against moto_server (internal/integration, internal/hardening,
// internal/fixcmd): running the command line in process, and building account
// states with the real SDK. Only tests import it.
package testaccount

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/cli"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Run runs trailwatch in process with args (without the program name) and
// streams that are a terminal when tty is true, and gives up after timeout.
// It returns the exit status and what was written to stdout and stderr.
func Run(ctx context.Context, timeout time.Duration, tty bool, args ...string) (code int, stdout, stderr string) {
	io, _, out, errOut := term.Test(tty)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	code = cli.Run(ctx, append([]string{"trailwatch"}, args...), io)
	return code, out.String(), errOut.String()
}

// Binary builds the trailwatch command into a temporary directory and
// returns its path, for tests that need a real process (a terminal, a
// signal).
func Binary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "trailwatch")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/trailwatch/trailwatch/cmd/trailwatch").CombinedOutput(); err != nil {
		t.Fatalf("build trailwatch: %v\n%s", err, out)
	}
	return bin
}

// WaitExit waits for cmd, already started, to end and returns its exit
// status. If it has not ended after limit, it is killed and the test fails
// with output (what the process printed so far).
func WaitExit(t testing.TB, cmd *exec.Cmd, limit time.Duration, output func() string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitCode()
		}
		t.Fatalf("wait for %s: %v\n%s", cmd.Path, err, output())
	case <-time.After(limit):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		t.Fatalf("%s did not end within %s:\n%s", cmd.Path, limit, output())
	}
	return -1
}
