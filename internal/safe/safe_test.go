package safe

import (
	"strings"
	"sync/atomic"
	"testing"
)

func TestGroupRaisesInWaiter(t *testing.T) {
	var g Group
	var ran atomic.Int32
	for i := range 8 {
		g.Go(func() {
			ran.Add(1)
			if i == 3 {
				var m map[string]int
				m["x"] = 1 // a bug in one goroutine
			}
		})
	}
	defer func() {
		r := recover()
		p, ok := r.(Panic)
		if !ok {
			t.Fatalf("Wait raised %T %v, want a Panic", r, r)
		}
		if ran.Load() != 8 {
			t.Errorf("%d goroutines ran before Wait raised, want all 8", ran.Load())
		}
		if s := p.String(); !strings.Contains(s, "assignment to entry in nil map") || !strings.Contains(s, "safe_test.go") {
			t.Errorf("panic %q does not name the fault and where", s)
		}
	}()
	g.Wait()
	t.Fatal("Wait returned after a goroutine panicked")
}

func TestGroupWithoutPanic(t *testing.T) {
	var g Group
	var n atomic.Int32
	for range 4 {
		g.Go(func() { n.Add(1) })
	}
	g.Wait()
	if n.Load() != 4 {
		t.Errorf("%d ran", n.Load())
	}
}
