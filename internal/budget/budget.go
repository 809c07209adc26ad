// Package budget is a command's time limit (--timeout) that does not run
// while the command waits for the user: a deadline on the AWS work of fix,
// say, must not cancel a confirmation the user is still reading.
//
// The budget lives in a context whose Err is context.DeadlineExceeded once
// it is spent. The prompt pauses it (Pause) for as long as a form is open.
package budget

import (
	"context"
	"sync"
	"time"
)

// Budget is the time left for a command's work.
type Budget struct {
	limit    time.Duration
	inner    context.Context // cancelled on expiry or with the parent
	cancel   context.CancelFunc
	onExpire func()

	mu      sync.Mutex
	left    time.Duration // time left as of since (or while paused)
	since   time.Time     // when the clock last started; zero while paused
	paused  int
	timer   *time.Timer
	expired bool
}

type key struct{}

// New returns a context that ends like parent, or with
// context.DeadlineExceeded once limit has run out, not counting paused time.
// onExpire (may be nil) runs once, when the limit runs out, before the
// context is cancelled: it sees the work that was still going on. A limit of
// zero or less never runs out. cancel releases the budget's resources.
func New(parent context.Context, limit time.Duration, onExpire func()) (ctx context.Context, b *Budget, cancel context.CancelFunc) {
	inner, innerCancel := context.WithCancel(parent)
	b = &Budget{limit: limit, inner: inner, cancel: innerCancel, onExpire: onExpire, left: limit}
	if limit > 0 {
		b.mu.Lock()
		b.start()
		b.mu.Unlock()
	}
	return &budgetCtx{Context: inner, b: b}, b, func() {
		b.mu.Lock()
		if b.timer != nil {
			b.timer.Stop()
		}
		b.mu.Unlock()
		innerCancel()
	}
}

// Limit is the budget's full length (zero: no limit).
func (b *Budget) Limit() time.Duration { return b.limit }

// Expired reports whether the limit ran out (and ended the context).
func (b *Budget) Expired() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.expired
}

// start runs the clock; b.mu is held.
func (b *Budget) start() {
	b.since = time.Now()
	b.timer = time.AfterFunc(b.left, b.expire)
}

func (b *Budget) expire() {
	b.mu.Lock()
	if b.expired || b.paused > 0 || b.inner.Err() != nil {
		b.mu.Unlock()
		return
	}
	if rem := b.left - time.Since(b.since); rem > 0 {
		// A timer that fired late after a pause and resume: not yet.
		b.mu.Unlock()
		return
	}
	b.expired = true
	b.mu.Unlock()
	if b.onExpire != nil {
		b.onExpire()
	}
	b.cancel()
}

// Pause stops the clock of the budget in ctx until the returned resume is
// called (pauses nest). Without a budget in ctx it does nothing.
func Pause(ctx context.Context) (resume func()) {
	b, _ := ctx.Value(key{}).(*Budget)
	if b == nil || b.limit <= 0 {
		return func() {}
	}
	b.mu.Lock()
	b.paused++
	if b.paused == 1 && !b.since.IsZero() {
		b.timer.Stop()
		b.left -= time.Since(b.since)
		b.since = time.Time{}
	}
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.paused--
			if b.paused == 0 && !b.expired {
				b.start()
			}
		})
	}
}

// budgetCtx is the context New returns: inner's cancellation, with
// DeadlineExceeded as its error once the budget is spent.
type budgetCtx struct {
	context.Context
	b *Budget
}

func (c *budgetCtx) Err() error {
	err := c.Context.Err()
	if err != nil && c.b.Expired() {
		return context.DeadlineExceeded
	}
	return err
}

// Deadline is when the budget runs out if the clock keeps running.
func (c *budgetCtx) Deadline() (time.Time, bool) {
	pd, pok := c.Context.Deadline()
	c.b.mu.Lock()
	running := c.b.limit > 0 && !c.b.since.IsZero()
	d := c.b.since.Add(c.b.left)
	c.b.mu.Unlock()
	if !running || (pok && pd.Before(d)) {
		return pd, pok
	}
	return d, true
}

func (c *budgetCtx) Value(k any) any {
	if k == (key{}) {
		return c.b
	}
	return c.Context.Value(k)
}
