//go:build unix

package interrupt

import (
	"bytes"
	"context"
	"sync"
	"syscall"
	"testing"
	"time"
)

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

// A real SIGTERM, then a real SIGINT, to this process: the first cancels
// the context and is recorded, the second exits 130 at once.
func TestNotify(t *testing.T) {
	var out syncBuffer
	exited := make(chan int, 1)
	ctx, stop := Notify(context.Background(), &out, func(code int) { exited <- code })
	defer stop()
	if Interrupted(ctx) {
		t.Fatal("interrupted before any signal")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	if !Interrupted(ctx) {
		t.Error("not recorded")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != ExitCode {
			t.Errorf("exit %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a second signal did not exit")
	}
	if s := out.String(); !bytes.Contains([]byte(s), []byte("Ctrl-C again to quit at once")) || !bytes.Contains([]byte(s), []byte("quitting without waiting")) {
		t.Errorf("stderr %q", s)
	}
}

func TestMark(t *testing.T) {
	ctx, stop := Notify(context.Background(), &bytes.Buffer{}, func(int) {})
	defer stop()
	child, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	Mark(child)
	if !Interrupted(ctx) || !Interrupted(child) {
		t.Error("Mark not seen")
	}
	Mark(context.Background()) // no state: no effect, no panic
	if Interrupted(context.Background()) {
		t.Error("interrupted without state")
	}
}
