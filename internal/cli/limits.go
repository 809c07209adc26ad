package cli

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/activity"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/budget"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Status line timing: nothing for calls that answer within statusDelay.
const (
	statusDelay    = time.Second
	statusInterval = 250 * time.Millisecond
)

// setTimeouts gives each command that talks to AWS its --timeout default and
// runs its action under that limit, with the AWS calls tracked: on a
// terminal a status line shows a call that keeps the user waiting, and when
// the limit runs out the error names the call that was still waiting.
func setTimeouts(c *cli.Command, io *term.IO) {
	var flag *cli.DurationFlag
	for _, f := range c.Flags {
		if d, ok := f.(*cli.DurationFlag); ok && d.Name == cliflags.Timeout {
			flag = d
		}
	}
	if flag == nil || c.Action == nil {
		return
	}
	flag.Value = cliflags.DefaultTimeout(c.Name)
	action := c.Action
	c.Action = func(ctx *cli.Context) error {
		tracker := activity.New()
		var stuck atomic.Pointer[[]activity.Call]
		limit := ctx.Duration(cliflags.Timeout)
		bctx, b, cancel := budget.New(ctx.Context, limit, func() {
			calls := tracker.InFlight()
			stuck.Store(&calls)
		})
		defer cancel()
		if io.IsErrTTY() {
			defer tracker.Show(io.ErrOut, statusDelay, statusInterval)()
		}
		ctx.Context = activity.With(bctx, tracker)
		err := action(ctx)
		if err != nil && b.Expired() {
			var calls []activity.Call
			if p := stuck.Load(); p != nil {
				calls = *p
			}
			return &timeoutError{limit: limit, stuck: calls, err: err}
		}
		return err
	}
}

// timeoutError is a command stopped by its --timeout.
type timeoutError struct {
	limit time.Duration
	stuck []activity.Call // in flight when the limit ran out, oldest first
	err   error           // what the command returned
}

func (e *timeoutError) Error() string {
	var b strings.Builder
	if len(e.stuck) > 0 {
		fmt.Fprintf(&b, "no answer from AWS within %s (--timeout): %s was still waiting", duration(e.limit), e.stuck[0])
		if n := len(e.stuck) - 1; n > 0 {
			fmt.Fprintf(&b, " (and %d more)", n)
		}
		fmt.Fprintf(&b, "; %s, or allow more time with --timeout", awserr.ReachHint)
	} else {
		fmt.Fprintf(&b, "did not finish within %s (--timeout; time at prompts is not counted); allow more time with --timeout", duration(e.limit))
	}
	// What the command said as it stopped, unless it only echoes the
	// deadline (fix's "n of m steps done" is worth keeping).
	if msg := awserr.Explain(e.err); msg != "" && !strings.Contains(msg, "deadline") && !strings.Contains(msg, "context canceled") {
		b.WriteString(". " + msg)
	}
	return b.String()
}

func (e *timeoutError) Unwrap() error { return e.err }

// duration writes d the way --timeout takes it, without zero units: 2m, 90s,
// 1h30m.
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
