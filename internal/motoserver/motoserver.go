// Package motoserver runs moto_server, the AWS emulator, for tests: on a free
// loopback port, reset between cases, stopped when the tests end.
//
// Starting moto takes a second or two, so a test package normally shares one
// server: its TestMain calls Main, and each test calls Shared and resets it.
// Start gives a test a server of its own.
//
// When moto_server is not on PATH the test fails if the CI environment
// variable is set and is skipped otherwise, with the command that installs it.
package motoserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// InstallHint is the command that installs the pinned moto server.
const InstallHint = "pip install 'moto[server]==5.2.1'"

// Account is the account id moto gives resources made with the Config
// credentials.
const Account = "123456789012"

// Static credentials moto accepts; any value works while IAM authorization is
// off.
const (
	AccessKeyID     = "testing"
	SecretAccessKey = "testing"
)

const (
	startTimeout = 30 * time.Second
	startTries   = 3
)

// Server is a running moto_server.
type Server struct {
	// URL is the base endpoint, such as http://127.0.0.1:41234.
	URL string

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	output *lockedBuffer // the server's stdout and stderr, for failures
	stop   sync.Once
}

// Start starts a server of the test's own and stops it when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	path := lookPath(tb)
	s, err := start(path)
	if err != nil {
		tb.Fatalf("motoserver: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// The package's shared server: started by the first Shared call, stopped by
// Main. A value, not global mutable state of the tested code.
var shared struct {
	mu  sync.Mutex
	srv *Server
	err error
}

// Shared returns the test binary's shared server, starting it on first use,
// and resets it so the test starts from an empty account. Call Main from the
// package's TestMain so the server is stopped at the end; the server also dies
// with the test binary (Linux parent-death signal) if Main is not used.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	path := lookPath(tb)
	shared.mu.Lock()
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = start(path)
	}
	s, err := shared.srv, shared.err
	shared.mu.Unlock()
	if err != nil {
		tb.Fatalf("motoserver: %v", err)
	}
	s.Reset(tb)
	return s
}

// Main runs the tests and stops the shared server, if one was started:
//
//	func TestMain(m *testing.M) { motoserver.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	if shared.srv != nil {
		shared.srv.Stop()
	}
	shared.mu.Unlock()
	os.Exit(code)
}

// Available reports whether moto_server is on PATH.
func Available() bool {
	_, err := exec.LookPath("moto_server")
	return err == nil
}

func lookPath(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("moto_server")
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("motoserver: moto_server is not on PATH (CI is set, so this is a failure); install it with: %s", InstallHint)
	}
	tb.Skipf("motoserver: moto_server is not on PATH; install it with: %s", InstallHint)
	return ""
}

// start launches the server, retrying on a new port when another process took
// the chosen one between choosing and binding.
func start(path string) (*Server, error) {
	var errs []error
	for range startTries {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(path, port)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("moto_server did not start after %d tries: %w", startTries, errors.Join(errs...))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	return port, nil
}

func launch(path string, port int) (*Server, error) {
	out := &lockedBuffer{}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	s := &Server{
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		exited: make(chan struct{}),
		output: out,
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(startTimeout); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w; server output:\n%s", err, tail(out.String(), 2000))
	}
	return s, nil
}

// serverEnv keeps the caller's environment (PATH, pyenv) but drops AWS
// settings that would change what moto does.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "MOTO_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("moto_server on %s exited before it answered", s.URL)
		default:
		}
		resp, err := client.Get(s.URL + "/moto-api/data.json")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server on %s did not answer within %s (last error: %v)", s.URL, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the server and its process group. It is safe to call twice.
func (s *Server) Stop() {
	s.stop.Do(func() {
		kill(s.cmd)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
		}
	})
}

// Reset empties every emulated service, so the next test starts from a new
// account. It also turns IAM authorization off again.
func (s *Server) Reset(tb testing.TB) {
	tb.Helper()
	s.post(tb, "/moto-api/reset", "")
	s.post(tb, "/moto-api/reset-auth", "inf")
}

// EnforceIAM makes moto authorize every request against IAM from now on (until
// Reset). Create the users and keys first: after this, only requests signed
// with real moto access keys succeed.
func (s *Server) EnforceIAM(tb testing.TB) {
	tb.Helper()
	s.post(tb, "/moto-api/reset-auth", "0")
}

func (s *Server) post(tb testing.TB, path, body string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("motoserver: POST %s: %v", path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("motoserver: POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("motoserver: POST %s: %s: %s", path, resp.Status, tail(string(b), 500))
	}
}

// Config returns an SDK configuration for region that talks to this server
// with static test credentials (account Account).
//
// It sets only what the SDK reads from aws.Config: an S3 client also needs
// UsePathStyle, and a CloudWatch client the JSON protocol. awsx.FromConfig
// builds a client factory that does both.
func (s *Server) Config(tb testing.TB, region string) aws.Config {
	tb.Helper()
	return s.ConfigWithKeys(tb, region, AccessKeyID, SecretAccessKey)
}

// ConfigWithKeys is Config with other access keys, such as an IAM user's keys
// created in moto (used when IAM authorization is enforced).
func (s *Server) ConfigWithKeys(tb testing.TB, region, accessKeyID, secretAccessKey string) aws.Config {
	tb.Helper()
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 3,
		RetryMode:        aws.RetryModeStandard,
	}
}

// SetEnv points the SDK's default chain at this server for the rest of the
// test: test credentials, region, AWS_ENDPOINT_URL, and shared config files
// that do not exist, so nothing from the machine's ~/.aws leaks in. Tests that
// call it cannot run in parallel.
func (s *Server) SetEnv(tb testing.TB, region string) {
	tb.Helper()
	type setenver interface{ Setenv(key, value string) }
	t, ok := tb.(setenver)
	if !ok {
		tb.Fatalf("motoserver: SetEnv needs a *testing.T or *testing.B")
	}
	dir := tb.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  region,
		"AWS_DEFAULT_REGION":          "",
		"AWS_PROFILE":                 "",
		"AWS_DEFAULT_PROFILE":         "",
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_CONFIG_FILE":             filepath.Join(dir, "aws-config-absent"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "aws-credentials-absent"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

// Output returns what the server has printed so far (its request log).
func (s *Server) Output() string { return s.output.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Keep the last 64 KiB: moto logs every request.
	if l.b.Len() > 64<<10 {
		rest := l.b.Bytes()[l.b.Len()-32<<10:]
		var nb bytes.Buffer
		nb.Write(rest)
		l.b = nb
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
