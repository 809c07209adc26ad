package hardening

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

// stepTail maps a write that finishes a step to the write that starts it.
var stepTail = map[string]string{
	"logs:PutRetentionPolicy": "logs:CreateLogGroup",
	"iam:PutRolePolicy":       "iam:CreateRole",
	"sns:SetTopicAttributes":  "sns:CreateTopic",
}

// throughStep is ops up to the end of the step that write k belongs to.
func throughStep(ops []string, k int) []string {
	end := k + 1
	for end < len(ops) && stepTail[ops[end]] != "" {
		end++
	}
	return ops[:end]
}

// Issue 6, faults: Ctrl-C during fix. The context is cancelled while write k
// is in flight (the proxy holds it and cancels on its arrival, which is
// deterministic). As issue 4 asks, the call in flight completes, and so does
// its step; no later step starts, exit 1, and the output says where it
// stopped. Then fix finishes the job.
func TestFixInterrupted(t *testing.T) {
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	p := faultproxy.Start(t, srv.URL)
	fix := []string{"fix", "--yes", "--subscribe", subscribe}
	if res := run(t, t.Context(), append(fix, "--endpoint-url", p.URL)...); res.code != 0 {
		t.Fatalf("clean fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	ops := writeOps(p.Calls())

	for k, op := range ops {
		t.Run(op, func(t *testing.T) {
			srv := motoserver.Shared(t)
			brokenTrail(t, srv)
			p := faultproxy.Start(t, srv.URL)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			p.Add(faultproxy.On(op).Delay(200 * time.Millisecond).Notify(func(faultproxy.Call) { cancel() }))
			res := run(t, ctx, append(fix, "--endpoint-url", p.URL)...)
			if res.code != 1 {
				t.Errorf("exit %d, want 1", res.code)
			}
			want := throughStep(ops, k)
			if got := writeOps(p.Calls()); !slices.Equal(got, want) {
				t.Errorf("writes %v; want those through the interrupted step %v", got, want)
			}
			out := res.stdout + res.stderr
			if len(want) < len(ops) && !strings.Contains(out, "not started") {
				t.Errorf("the output does not say which steps were not started:\n%s", out)
			}
			if lo := strings.ToLower(out); !strings.Contains(lo, "stopped") && !strings.Contains(lo, "cancelled") && !strings.Contains(lo, "interrupted") {
				t.Errorf("the output does not say where it stopped:\n%s", out)
			}
			if testing.Verbose() {
				t.Logf("output:\n%s%s", res.stdout, res.stderr)
			}

			if res := run(t, t.Context(), append(fix, "--endpoint-url", srv.URL)...); res.code != 0 {
				t.Errorf("fix after the interruption: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
			}
		})
	}
}
