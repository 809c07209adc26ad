package budget

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestExpires(t *testing.T) {
	var calls atomic.Int32
	ctx, b, cancel := New(context.Background(), 50*time.Millisecond, func() { calls.Add(1) })
	defer cancel()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("never expired")
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !b.Expired() || calls.Load() != 1 {
		t.Errorf("Err %v, Expired %v, onExpire ran %d times", ctx.Err(), b.Expired(), calls.Load())
	}
	// A child context sees the end too.
	child, stop := context.WithCancel(ctx)
	defer stop()
	if child.Err() == nil {
		t.Error("child not done")
	}
}

// Paused time does not count: a 100 ms budget paused for 300 ms is still
// alive afterwards, and ends about 100 ms of running time later.
func TestPause(t *testing.T) {
	ctx, b, cancel := New(context.Background(), 100*time.Millisecond, nil)
	defer cancel()
	resume := Pause(ctx)
	inner := Pause(ctx) // nested
	time.Sleep(300 * time.Millisecond)
	inner()
	if ctx.Err() != nil {
		t.Fatal("expired while paused")
	}
	if _, ok := ctx.Deadline(); ok {
		t.Error("a paused budget reports a deadline")
	}
	resume()
	resume() // a second call is a no-op
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > 150*time.Millisecond {
		t.Errorf("deadline %v, %v", d, ok)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("never expired after resuming")
	}
	if !b.Expired() {
		t.Error("not expired")
	}
}

// Cancelling the parent (Ctrl-C) ends the context with Canceled, not as an
// expiry; no limit never expires.
func TestParentAndNoLimit(t *testing.T) {
	parent, stop := context.WithCancel(context.Background())
	ctx, b, cancel := New(parent, time.Hour, func() { t.Error("onExpire ran") })
	defer cancel()
	stop()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || b.Expired() {
		t.Errorf("Err %v, Expired %v", ctx.Err(), b.Expired())
	}
	ctx, b, cancel = New(context.Background(), 0, nil)
	defer cancel()
	defer Pause(ctx)()
	if _, ok := ctx.Deadline(); ok || ctx.Err() != nil || b.Expired() {
		t.Error("a zero limit is a limit")
	}
	if Pause(context.Background()) == nil {
		t.Error("Pause without a budget")
	}
}
