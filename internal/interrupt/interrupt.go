// Package interrupt turns Ctrl-C and SIGTERM into the cancellation of the
// command's context and remembers that it happened, so the command line can
// exit 130 (128 + SIGINT, the shell's convention) after the command's own
// cleanup. A second signal does not wait for that cleanup.
package interrupt

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// ExitCode is the status of a run stopped by Ctrl-C or SIGTERM.
const ExitCode = 130

type state struct{ hit atomic.Bool }

type key struct{}

// Notify returns a context that is cancelled at the first SIGINT or SIGTERM
// (what CI runners and container stops send), which it records. The command
// then stops after the AWS call in flight. At a second signal it writes a
// line to errOut and calls exit(ExitCode) at once. stop restores the
// default handling.
func Notify(parent context.Context, errOut io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	st := &state{}
	ctx, cancel := context.WithCancel(context.WithValue(parent, key{}, st))
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case <-ch:
				n++
				st.hit.Store(true)
				if n == 1 {
					fmt.Fprintln(errOut, "\ntrailwatch: stopping after the AWS call in flight (Ctrl-C again to quit at once)")
					cancel()
					continue
				}
				fmt.Fprintln(errOut, "trailwatch: quitting without waiting; a write in flight may or may not have been made: run the command again to see")
				exit(ExitCode)
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}

// Mark records an interrupt that came as a key press (Ctrl-C in a form,
// which a terminal in raw mode delivers as a key, not a signal).
func Mark(ctx context.Context) {
	if st, ok := ctx.Value(key{}).(*state); ok {
		st.hit.Store(true)
	}
}

// Interrupted reports whether a signal or a marked key press interrupted
// the run that ctx belongs to.
func Interrupted(ctx context.Context) bool {
	st, ok := ctx.Value(key{}).(*state)
	return ok && st.hit.Load()
}
