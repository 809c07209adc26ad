package hardening

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
	"github.com/trailwatch/trailwatch/remediate"
)

// Issue 15: SIGTERM (what CI runners and container stops send) behaves as
// Ctrl-C, and a write whose answer never comes (held at a proxy) does not
// hold the process: the step in flight is given remediate.InFlightGrace,
// then abandoned; exit 130, saying where it stopped.
func TestFixSIGTERMWriteNeverAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testaccount.Binary(t)
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	p := faultproxy.Start(t, srv.URL)
	var out bytes.Buffer
	cmd := exec.Command(bin, "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", p.URL)
	cmd.Stdout, cmd.Stderr = &out, &out
	var proc atomic.Pointer[os.Process]
	var sent atomic.Int64
	p.Add(faultproxy.On("logs:PutMetricFilter").Delay(time.Hour).Notify(func(faultproxy.Call) {
		sent.Store(time.Now().UnixNano())
		if err := proc.Load().Signal(syscall.SIGTERM); err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
	}))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc.Store(cmd.Process)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("fix did not end after SIGTERM:\n%s", out.String())
	}
	if took := time.Since(time.Unix(0, sent.Load())); took > remediate.InFlightGrace+10*time.Second {
		t.Errorf("ended %v after SIGTERM; the held write should be abandoned after %v", took, remediate.InFlightGrace)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130\n%s", err, out.String())
	}
	t.Logf("ended %v after SIGTERM:\n%s", time.Since(time.Unix(0, sent.Load())), out.String())
	if text := out.String(); !strings.Contains(text, "stopping after the AWS call in flight") || !strings.Contains(text, "not started") {
		t.Errorf("the output does not say it is stopping and what was not started:\n%s", text)
	}
}
