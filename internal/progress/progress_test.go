package progress

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the test read what the display wrote while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var modeResets = regexp.MustCompile(`(\x1b\[\?[0-9]+[hl])+$`)

func TestDisplayCountsAndErasesItself(t *testing.T) {
	var out syncBuffer
	d := Start(context.Background(), &out, "Auditing accounts", 3)
	d.Step(false)
	d.Step(true)
	// Frames are drawn at the renderer's pace; wait for the count.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "2/3 done, 1 failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no frame with the count after 5s; output %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.Step(false)
	d.Stop()
	s := out.String()
	if !strings.Contains(s, "Auditing accounts") {
		t.Errorf("output %q lacks the label", s)
	}
	// The display ends by erasing its line and returning to its start, so
	// what is printed next starts on a clean line; after that come only
	// mode resets (show the cursor, paste and mouse modes off), which
	// print nothing.
	s = modeResets.ReplaceAllString(s, "")
	if !strings.HasSuffix(s, "\x1b[2K\r") {
		t.Errorf("output ends %q, want the line erased (ESC[2K CR)", s[max(0, len(s)-40):])
	}
}

func TestModelView(t *testing.T) {
	m := model{label: "Fixing accounts", total: 5}
	var tm interface{ View() string } = m
	if got := tm.View(); !strings.HasPrefix(got, "Fixing accounts ") || !strings.HasSuffix(got, "0/5 done, 0 failed") {
		t.Errorf("View = %q", got)
	}
	next, _ := m.Update(stepMsg{failed: true})
	if got := next.View(); !strings.HasSuffix(got, "1/5 done, 1 failed") {
		t.Errorf("after a failed step View = %q", got)
	}
	stopped, cmd := next.Update(stopMsg{})
	if stopped.View() != "" || cmd == nil {
		t.Errorf("after stop View = %q, cmd %v; want empty and quit", stopped.View(), cmd)
	}
}
