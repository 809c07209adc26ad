package cli

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Issue 15: an endpoint that accepts the connection and never answers. The
// audit ends within its --timeout, exit 1, saying which call was waiting, at
// which endpoint, and what to check.
func TestAuditTimeoutSilentEndpoint(t *testing.T) {
	isolateAWS(t)
	addr := silentListener(t)
	start := time.Now()
	code, out, errOut := run(t, "audit", "--region", "us-east-1", "--endpoint-url", "http://"+addr, "--timeout", "2s")
	took := time.Since(start)
	if took > 6*time.Second {
		t.Errorf("took %v with --timeout 2s", took)
	}
	want := "trailwatch: no answer from AWS within 2s (--timeout): sts:GetCallerIdentity to http://" + addr +
		" was still waiting; " + awserr.ReachHint + ", or allow more time with --timeout\n"
	if code != 1 || errOut != want || out != "" {
		t.Errorf("exit %d, stdout %q\nstderr %q\n  want %q", code, out, errOut, want)
	}
}

// isolateAWS hides the machine's AWS settings and gives the SDK dummy keys.
func isolateAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "",
	} {
		t.Setenv(k, v)
	}
}

// silentListener accepts connections and never answers; it returns its
// host:port.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(conns)
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{2 * time.Minute: "2m", 90 * time.Second: "1m30s", 2 * time.Second: "2s",
		time.Hour: "1h", 10 * time.Minute: "10m", 1500 * time.Millisecond: "1.5s"} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// On a terminal, a call that keeps the user waiting shows a status line on
// stderr, erased before the error is printed; piped, nothing (above).
func TestStatusLineOnTerminal(t *testing.T) {
	isolateAWS(t)
	addr := silentListener(t)
	io, _, out, errOut := term.Test(false)
	io.SetErrTTY(true)
	code := Run(context.Background(), []string{"trailwatch", "audit", "--region", "us-east-1", "--endpoint-url", "http://" + addr, "--timeout", "2s"}, io)
	got := errOut.String()
	status := "\r\x1b[KWaiting for AWS: sts:GetCallerIdentity (us-east-1), 1s"
	if code != 1 || out.Len() != 0 || !strings.HasPrefix(got, status) || !strings.Contains(got, "\r\x1b[Ktrailwatch: no answer from AWS within 2s") {
		t.Errorf("exit %d, stderr %q", code, got)
	}
}
