package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/localfile"
)

// Issue 15: a plan or evidence path that is /dev/zero, a FIFO or a huge
// file is refused at once with exit 1 and a message saying what the path is,
// instead of running out of memory or waiting forever.
func TestLocalFilesRefused(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing may be called
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := func(limit int64) string {
		p := filepath.Join(dir, "huge-"+time.Now().Format("150405.000000000"))
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, limit+1); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bigPlan, bigEvidence := huge(localfile.PlanLimit), huge(localfile.EvidenceLimit)
	for _, tc := range []struct {
		name string
		args []string
		want string
		env  string // VAR=VALUE to set, for the shared AWS files
	}{
		{"evidence /dev/zero", []string{"audit", "--evidence", "/dev/zero"}, "/dev/zero: is a character device, not a regular file", ""},
		{"evidence FIFO", []string{"audit", "--evidence", fifo}, fifo + ": is a named pipe (FIFO), not a regular file", ""},
		{"evidence directory", []string{"audit", "--evidence", dir}, dir + ": is a directory", ""},
		{"evidence too large", []string{"audit", "--evidence", bigEvidence}, bigEvidence + ": is 128 MiB, larger than", ""},
		{"plan /dev/zero", []string{"apply", "/dev/zero", "--yes"}, "/dev/zero: is a character device, not a regular file", ""},
		{"plan FIFO", []string{"apply", fifo, "--yes"}, fifo + ": is a named pipe (FIFO), not a regular file", ""},
		{"plan too large", []string{"apply", bigPlan, "--yes"}, bigPlan + ": is 16 MiB, larger than", ""},
		{"config /dev/zero", []string{"audit", "--region", "us-east-1"}, "/dev/zero: is a character device", "AWS_CONFIG_FILE=/dev/zero"},
		{"credentials FIFO", []string{"audit", "--region", "us-east-1"}, fifo + ": is a named pipe", "AWS_SHARED_CREDENTIALS_FILE=" + fifo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if k, v, ok := strings.Cut(tc.env, "="); ok {
				t.Setenv(k, v)
			}
			type res struct {
				code     int
				out, err string
			}
			done := make(chan res, 1)
			go func() {
				code, out, errOut := run(t, tc.args...)
				done <- res{code, out, errOut}
			}()
			select {
			case r := <-done:
				if r.code != 1 || !strings.Contains(r.err, tc.want) || r.out != "" {
					t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", r.code, r.out, r.err, tc.want)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("blocked")
			}
		})
	}
}
