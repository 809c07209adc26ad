// Package activity keeps track of the AWS calls in flight during a command,
// so that a terminal can show that AWS is being waited on, and a timeout can
// say which call, to which endpoint, was still waiting.
//
// The tracker travels in the context; awsx's middleware reports each call to
// the tracker it finds there.
package activity

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Call is one AWS call in flight.
type Call struct {
	Action   string // IAM-style name, such as sts:GetCallerIdentity
	Region   string
	Endpoint string // scheme://host of the last attempt; "" before the request is sent
	Start    time.Time
}

// String names the call and where it went.
func (c Call) String() string {
	s := c.Action
	if c.Endpoint != "" {
		return s + " to " + c.Endpoint
	}
	if c.Region != "" {
		s += " (" + c.Region + ")"
	}
	return s + ", not yet sent (credentials or endpoint still being resolved)"
}

// Tracker records the calls in flight. The zero value is not usable; use New.
type Tracker struct {
	now func() time.Time

	mu    sync.Mutex
	next  uint64
	calls map[uint64]*Call

	// The status line, when shown on a terminal.
	w     io.Writer
	delay time.Duration
	shown bool
}

// New returns an empty tracker.
func New() *Tracker { return &Tracker{now: time.Now, calls: map[uint64]*Call{}} }

type key struct{}

// With returns ctx carrying t.
func With(ctx context.Context, t *Tracker) context.Context { return context.WithValue(ctx, key{}, t) }

// From returns the tracker in ctx, or nil.
func From(ctx context.Context) *Tracker {
	t, _ := ctx.Value(key{}).(*Tracker)
	return t
}

// Begin records a call and returns its id for Sent and End.
func (t *Tracker) Begin(action, region string) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.calls[t.next] = &Call{Action: action, Region: region, Start: t.now()}
	return t.next
}

// Sent records the endpoint an attempt of call id went to.
func (t *Tracker) Sent(id uint64, endpoint string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.calls[id]; ok {
		c.Endpoint = endpoint
	}
}

// End forgets call id. When it was the last call in flight, the status line
// is cleared before End returns, so what the caller prints next starts on a
// clean line.
func (t *Tracker) End(id uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.calls, id)
	if len(t.calls) == 0 {
		t.clear()
	}
}

// InFlight returns the calls in flight, oldest first.
func (t *Tracker) InFlight() []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.inFlight()
}

func (t *Tracker) inFlight() []Call {
	out := make([]Call, 0, len(t.calls))
	ids := make([]uint64, 0, len(t.calls))
	for id := range t.calls {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		out = append(out, *t.calls[id])
	}
	return out
}

// Show writes a status line to w (a terminal) while a call has been in
// flight for longer than delay, refreshed every interval, until the returned
// stop is called. Nothing is written when no call takes that long.
func (t *Tracker) Show(w io.Writer, delay, interval time.Duration) (stop func()) {
	t.mu.Lock()
	t.w, t.delay = w, delay
	t.mu.Unlock()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				t.Refresh()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		t.mu.Lock()
		defer t.mu.Unlock()
		t.clear()
		t.w = nil
	}
}

// Refresh redraws the status line (Show calls it on every tick).
func (t *Tracker) Refresh() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return
	}
	calls := t.inFlight()
	if len(calls) == 0 {
		t.clear()
		return
	}
	oldest := calls[0]
	waited := t.now().Sub(oldest.Start)
	if waited < t.delay {
		return
	}
	line := fmt.Sprintf("Waiting for AWS: %s", oldest.Action)
	if oldest.Region != "" {
		line += " (" + oldest.Region + ")"
	}
	if n := len(calls) - 1; n > 0 {
		line += fmt.Sprintf(" and %d more", n)
	}
	line += fmt.Sprintf(", %ds", int(waited.Seconds()))
	// \r and erase-line keep it to one line that the next refresh replaces.
	fmt.Fprintf(t.w, "\r\x1b[K%s", truncate(line, 79))
	t.shown = true
}

func (t *Tracker) clear() {
	if t.shown && t.w != nil {
		fmt.Fprint(t.w, "\r\x1b[K")
	}
	t.shown = false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n-1]) + "…"
}
