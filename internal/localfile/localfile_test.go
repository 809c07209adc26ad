package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Paths that are not a plain file of a sane size are refused at once, with
// the path and what it is; a plain file is read whole.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(good, []byte(`{"ok":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := sparse(t, dir, 1<<20+1)
	link := filepath.Join(dir, "zero-link")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       string // "" means the content of good
	}{
		{"plain file", good, ""},
		{"dev zero", "/dev/zero", "/dev/zero: is a character device, not a regular file"},
		{"link to dev zero", link, link + ": is a character device, not a regular file"},
		{"fifo", fifo, fifo + ": is a named pipe (FIFO), not a regular file"},
		{"directory", dir, dir + ": is a directory, not a regular file"},
		{"too large", big, big + ": is 1 MiB, larger than the 1 MiB any real file of this kind needs; check the path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var b []byte
			var err error
			go func() { defer close(done); b, err = Read(tc.path, 1<<20) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Read blocked")
			}
			if tc.want == "" {
				if err != nil || string(b) != `{"ok":true}` {
					t.Fatalf("Read = %q, %v", b, err)
				}
				return
			}
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Read(filepath.Join(dir, "missing"), 1<<20); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// A file that grows past the limit after it was checked is still cut off.
func TestReadStopsAtLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(strings.Repeat("x", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p, 99); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Read over the limit: %v", err)
	}
	if b, err := Read(p, 100); err != nil || len(b) != 100 {
		t.Errorf("Read at the limit: %d bytes, %v", len(b), err)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	if err := Check(filepath.Join(dir, "missing"), 10); err != nil {
		t.Errorf("missing: %v", err)
	}
	if err := Check(dir, 10); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	if err := Check("/dev/zero", 10); err == nil || !strings.Contains(err.Error(), "character device") {
		t.Errorf("/dev/zero: %v", err)
	}
	if err := Check(sparse(t, dir, 11), 10); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("too large: %v", err)
	}
}

// sparse makes a file of size bytes without writing them.
func sparse(t *testing.T, dir string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, "large")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}
