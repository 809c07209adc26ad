package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

func TestMain(m *testing.M) { motoserver.Main(m) }

// home is the region the tests configure by default.
const home = "us-east-1"

// env is one test's emulated AWS: a reset moto server with the SDK's default
// chain pointed at it.
type env struct {
	t   *testing.T
	srv *motoserver.Server
	// endpoint is what the CLI is given: moto itself, or a proxy in front.
	endpoint string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := motoserver.Shared(t)
	srv.SetEnv(t, home)
	return &env{t: t, srv: srv, endpoint: srv.URL}
}

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// run runs trailwatch in process with args (without the program name), its
// streams not a terminal.
func (e *env) run(args ...string) result {
	e.t.Helper()
	return e.runIO(false, args...)
}

// runIO is run with streams that say whether they are a terminal.
func (e *env) runIO(tty bool, args ...string) result {
	e.t.Helper()
	code, stdout, stderr := testaccount.Run(context.Background(), 2*time.Minute, tty, args...)
	return result{code: code, stdout: stdout, stderr: stderr}
}

// account builds account states in the emulator with moto's root test
// credentials.
func (e *env) account() *testaccount.Account {
	e.t.Helper()
	return e.accountFrom(awsx.FromConfig(e.srv.Config(e.t, home)))
}

// accountFrom builds account states with f's credentials.
func (e *env) accountFrom(f *awsx.Factory) *testaccount.Account {
	e.t.Helper()
	return testaccount.New(e.t, f)
}

// audit runs `trailwatch audit --output json` against the emulator and
// decodes the report.
func (e *env) audit(extra ...string) (result, jsonReport) {
	e.t.Helper()
	args := append([]string{"audit", "--output", "json", "--endpoint-url", e.endpoint}, extra...)
	res := e.run(args...)
	return res, decodeReport(e.t, res)
}

// jsonReport is the documented, stable part of `audit --output json`.
type jsonReport struct {
	Compliant *bool  `json:"compliant"`
	Account   string `json:"account"`
	Gaps      []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"gaps"`
	Warnings []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"warnings"`
	Unknown []map[string]any `json:"unknown"`
	Chain   []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"chain"`
}

func decodeReport(t *testing.T, res result) jsonReport {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(res.stdout), &keys); err != nil {
		t.Fatalf("audit output is not a JSON object: %v\nexit %d\nstdout:\n%s\nstderr:\n%s", err, res.code, res.stdout, res.stderr)
	}
	for _, k := range []string{"compliant", "account", "gaps", "warnings", "unknown", "chain", "facts"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("audit JSON lacks the documented key %q", k)
		}
	}
	var r jsonReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("decode report: %v", err)
	}
	return r
}

func (r jsonReport) codes() []string {
	var c []string
	for _, g := range r.Gaps {
		c = append(c, g.Code)
	}
	slices.Sort(c)
	return slices.Compact(c)
}

func (r jsonReport) verdict() string {
	switch {
	case r.Compliant == nil:
		return "unknown"
	case *r.Compliant:
		return "compliant"
	default:
		return "gaps"
	}
}

// pendingProxy stands in front of moto and makes every SNS subscription
// whose endpoint contains "pending" look unconfirmed, as AWS shows an email
// subscription nobody has confirmed: SubscriptionArn "PendingConfirmation".
// moto confirms every subscription at once, so this is the only way to get
// that state from it.
func pendingProxy(t *testing.T, backend string) string {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	member := regexp.MustCompile(`(?s)<member>.*?</member>`)
	arn := regexp.MustCompile(`<SubscriptionArn>[^<]*</SubscriptionArn>`)
	rp := httputil.NewSingleHostReverseProxy(u)
	director := rp.Director
	rp.Director = func(r *http.Request) {
		director(r)
		r.Header.Del("Accept-Encoding")
	}
	rp.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if bytes.Contains(body, []byte("<ListSubscriptionsByTopicResponse")) || bytes.Contains(body, []byte("<ListSubscriptionsResponse")) {
			body = member.ReplaceAllFunc(body, func(m []byte) []byte {
				if !regexp.MustCompile(`<Endpoint>[^<]*pending[^<]*</Endpoint>`).Match(m) {
					return m
				}
				return arn.ReplaceAll(m, []byte("<SubscriptionArn>PendingConfirmation</SubscriptionArn>"))
			})
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

func contains(s []string, v string) bool { return slices.Contains(s, v) }
