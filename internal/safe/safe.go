// Package safe runs goroutines that cannot crash the process. Go ends the
// whole program with exit status 2 — trailwatch's "gaps" — when a goroutine
// panics, and the top-level recover in package cli sees only the main
// goroutine's panics. A Group recovers a panic in its goroutines and raises
// it again in the goroutine that waits, where the command's recover turns it
// into an internal error, exit 1.
package safe

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Panic is a panic recovered in a Group's goroutine, raised again by Wait.
type Panic struct {
	Value any
	// Where is the function that panicked, with its file and line.
	Where string
}

func (p Panic) String() string {
	if p.Where == "" {
		return fmt.Sprint(p.Value)
	}
	return fmt.Sprintf("%v at %s", p.Value, p.Where)
}

// Group is a sync.WaitGroup whose goroutines' panics reach Wait.
type Group struct {
	wg sync.WaitGroup
	mu sync.Mutex
	p  *Panic
}

// Go runs f in a new goroutine.
func (g *Group) Go(f func()) {
	g.wg.Go(func() {
		if p := Capture(f); p != nil {
			g.mu.Lock()
			if g.p == nil {
				g.p = p
			}
			g.mu.Unlock()
		}
	})
}

// Capture runs f and returns its panic, nil when it returned: for a worker
// that must go on with its next item (and the caller raises the panic
// once all are done).
func Capture(f func()) (p *Panic) {
	defer func() {
		if r := recover(); r != nil {
			p = &Panic{Value: r, Where: where()}
		}
	}()
	f()
	return nil
}

// Wait waits for every goroutine, then panics with the first Panic if one
// of them panicked.
func (g *Group) Wait() {
	g.wg.Wait()
	g.mu.Lock()
	p := g.p
	g.mu.Unlock()
	if p != nil {
		panic(*p)
	}
}

// where is the first frame outside the runtime and this package, called
// from a deferred recover.
func where() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") && !strings.Contains(f.Function, "internal/safe.(*Group)") && !strings.HasSuffix(f.Function, "internal/safe.Capture") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}
