package hardening

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// Issue 6, faults: Ctrl-C during fix, with a real SIGINT to the real binary
// (TestFixInterrupted cancels the context in process; this proves main turns
// the signal into that cancellation). The signal is sent while the proxy
// holds logs:PutMetricFilter, a write in the middle of the plan: that call
// and its step finish, nothing after it starts, exit 130 (the shell's code
// for SIGINT; issue 15), and the output says where it stopped.
func TestFixSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := testaccount.Binary(t)
	const held = "logs:PutMetricFilter"
	fix := []string{"fix", "--yes", "--subscribe", subscribe}

	// The writes of an uninterrupted run, to know which come after held.
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	p := faultproxy.Start(t, srv.URL)
	if res := run(t, t.Context(), append(fix, "--endpoint-url", p.URL)...); res.code != 0 {
		t.Fatalf("clean fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	ops := writeOps(p.Calls())
	k := slices.Index(ops, held)
	if k < 0 || k == len(ops)-1 {
		t.Fatalf("%s is not a write in the middle of the plan: %v", held, ops)
	}

	srv = motoserver.Shared(t)
	brokenTrail(t, srv)
	p = faultproxy.Start(t, srv.URL)
	var out bytes.Buffer
	cmd := exec.Command(bin, append(fix, "--endpoint-url", p.URL)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	// The proxy's handler runs on its own goroutine; the process reaches it
	// through an atomic, not through cmd, which Start writes.
	var proc atomic.Pointer[os.Process]
	p.Add(faultproxy.On(held).Delay(time.Second).Notify(func(faultproxy.Call) {
		if err := proc.Load().Signal(os.Interrupt); err != nil {
			t.Errorf("SIGINT: %v", err)
		}
	}))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc.Store(cmd.Process)
	if code := testaccount.WaitExit(t, cmd, 2*time.Minute, out.String); code != 130 {
		t.Errorf("exit %d, want status 130\n%s", code, out.String())
	}
	if want, got := throughStep(ops, k), writeOps(p.Calls()); !slices.Equal(got, want) {
		t.Errorf("writes %v; want those through the interrupted step %v", got, want)
	}
	text := out.String()
	if !strings.Contains(text, "not started") || !strings.Contains(strings.ToLower(text), "stopped") {
		t.Errorf("the output does not say where it stopped and what was not started:\n%s", text)
	}

	// Running fix again finishes the job.
	if res := run(t, t.Context(), append(fix, "--endpoint-url", srv.URL)...); res.code != 0 {
		t.Errorf("fix after SIGINT: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}
