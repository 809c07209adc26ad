package awsx_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/localfile"
)

// A shared config or credentials file that is not a plain file of a sane
// size is refused before the SDK reads it (it would read /dev/zero until
// memory ran out, and wait on a FIFO forever), and a file that makes the
// SDK's parser panic is an error naming the file, not a crash.
func TestLoadRefusesBadSharedFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, localfile.ConfigLimit+1); err != nil {
		t.Fatal(err)
	}
	malformed := filepath.Join(dir, "malformed")
	if err := os.WriteFile(malformed, []byte("[default]\nregion = \""), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, env, path string
		want            []string
	}{
		{"config is /dev/zero", "AWS_CONFIG_FILE", "/dev/zero", []string{"/dev/zero: is a character device, not a regular file", "AWS_CONFIG_FILE"}},
		{"credentials is a FIFO", "AWS_SHARED_CREDENTIALS_FILE", fifo, []string{fifo + ": is a named pipe (FIFO)"}},
		{"config is a directory", "AWS_CONFIG_FILE", dir, []string{dir + ": is a directory"}},
		{"config too large", "AWS_CONFIG_FILE", big, []string{big + ": is 64 MiB, larger than"}},
		{"config makes the parser panic", "AWS_CONFIG_FILE", malformed, []string{"shared AWS config file " + malformed + " is malformed", "unclosed quote"}},
		{"credentials make the parser panic", "AWS_SHARED_CREDENTIALS_FILE", malformed, []string{"shared AWS config file " + malformed + " is malformed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv(tc.env, tc.path)
			done := make(chan error, 1)
			go func() {
				_, err := awsx.Load(context.Background(), awsx.Settings{Region: "us-east-1"})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("Load accepted it")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Load blocked")
			}
		})
	}
}
