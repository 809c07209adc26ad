// Package faultproxy is a test-only reverse proxy that sits between an AWS SDK
// client and a backend (usually moto_server) and injects faults into chosen
// operations: throttling, HTTP 429, 5xx, connection resets, delays and access
// denials, each in the wire shape of the request's protocol so the SDK
// decodes and classifies them as it would against AWS.
//
// It also records every operation that reached it, so a test can assert what
// was called ("a second fix makes no write call").
//
// Tests point the SDK at Proxy.URL (--endpoint-url) and add rules:
//
//	p := faultproxy.Start(t, moto.URL)
//	p.Add(faultproxy.On("logs:PutMetricFilter").First(2).Throttle())
//	p.Add(faultproxy.On("GetTrailStatus").Every().Deny())
package faultproxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Protocol is the wire protocol of a request, as far as the proxy can tell.
type Protocol string

const (
	ProtoJSON  Protocol = "json"  // awsJson1_0/1_1: X-Amz-Target names the operation
	ProtoQuery Protocol = "query" // awsQuery: Action= form field (SNS, IAM, STS, CloudWatch query)
	ProtoCBOR  Protocol = "cbor"  // smithy rpc-v2-cbor: the path names the operation
	ProtoREST  Protocol = "rest"  // REST (S3): method and path
)

// Call is one request that reached the proxy.
type Call struct {
	Service   string   // IAM service prefix: cloudtrail, logs, cloudwatch, sns, iam, sts, s3
	Operation string   // API operation, e.g. DescribeTrails; "" for REST requests
	Region    string   // from the SigV4 credential scope
	Method    string   // HTTP method
	Path      string   // URL path
	Protocol  Protocol //
	Fault     string   // the fault injected, "" when the call was forwarded untouched
}

// Action is the IAM action named after the call ("logs:PutMetricFilter"), or
// "" for a REST call.
func (c Call) Action() string {
	if c.Operation == "" {
		return ""
	}
	return c.Service + ":" + c.Operation
}

// Name is the operation, or "METHOD /path" for a REST call.
func (c Call) Name() string {
	if c.Operation != "" {
		return c.Operation
	}
	return c.Method + " " + c.Path
}

// IsWrite reports whether the call changes state: an operation whose name
// starts with a mutating verb, or a REST call with a mutating method.
func (c Call) IsWrite() bool {
	if c.Operation == "" {
		switch c.Method {
		case http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch:
			return true
		}
		return false
	}
	for _, p := range writePrefixes {
		if strings.HasPrefix(c.Operation, p) {
			return true
		}
	}
	return false
}

// Verbs that start the names of AWS operations that change state.
var writePrefixes = []string{
	"Put", "Create", "Update", "Start", "Stop", "Subscribe", "Unsubscribe",
	"Set", "Tag", "Untag", "Attach", "Detach", "Delete", "Add", "Remove",
	"Enable", "Disable", "Publish", "Confirm", "Associate", "Disassociate",
	"Register", "Deregister", "Modify", "Upload", "Change", "Reset",
}

// Proxy is a running fault-injecting reverse proxy on 127.0.0.1.
type Proxy struct {
	URL string // base URL to hand to the SDK as its endpoint

	srv     *httptest.Server
	backend *url.URL
	rp      *httputil.ReverseProxy

	mu        sync.Mutex
	rules     []*Rule
	calls     []Call
	alarmPage int // see PageAlarms
}

// Start runs a proxy in front of backend (a base URL such as moto's) on a
// free loopback port and stops it when the test ends.
func Start(tb testing.TB, backend string) *Proxy {
	tb.Helper()
	p, err := New(backend)
	if err != nil {
		tb.Fatalf("faultproxy: %v", err)
	}
	tb.Cleanup(p.Close)
	return p
}

// New runs a proxy in front of backend. Close stops it.
func New(backend string) (*Proxy, error) {
	u, err := url.Parse(backend)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, &url.Error{Op: "parse", URL: backend, Err: errNotBaseURL}
	}
	p := &Proxy{backend: u}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			// SigV4 signs the Host header: keep the one the client signed.
			r.Out.Host = r.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the client went away; nobody reads this
			}
			http.Error(w, "faultproxy: backend: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	return p, nil
}

type constErr string

func (e constErr) Error() string { return string(e) }

const errNotBaseURL = constErr("backend must be a base URL such as http://127.0.0.1:5000")

// Close stops the proxy. Requests in flight are cut off.
func (p *Proxy) Close() {
	p.srv.CloseClientConnections()
	p.srv.Close()
}

// Add appends rules. For each request the first rule whose operation matches
// and whose count says "now" decides the fault; every matching rule counts
// the request, whether or not it fires.
func (p *Proxy) Add(rules ...*Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, rules...)
}

// ClearRules removes every rule; later requests pass through untouched.
func (p *Proxy) ClearRules() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Calls returns every request that reached the proxy, in arrival order,
// including those that got a fault (see Call.Fault). Requests to moto's own
// /moto-api/ are not recorded.
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Writes returns the calls that change state (see Call.IsWrite).
func (p *Proxy) Writes() []Call {
	var out []Call
	for _, c := range p.Calls() {
		if c.IsWrite() {
			out = append(out, c)
		}
	}
	return out
}

// Forwarded returns the calls that reached the backend unchanged or delayed.
func (p *Proxy) Forwarded() []Call {
	var out []Call
	for _, c := range p.Calls() {
		if c.Fault == "" || c.Fault == string(faultDelay) || c.Fault == string(faultLoseAnswer) {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the recorded calls.
func (p *Proxy) ResetCalls() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = nil
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/moto-api/") {
		p.rp.ServeHTTP(w, r)
		return
	}
	call, err := identify(r)
	if err != nil {
		http.Error(w, "faultproxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}

	p.mu.Lock()
	var fire *Rule
	for _, rule := range p.rules {
		if !rule.matches(call) {
			continue
		}
		rule.seen++
		if fire == nil && rule.due() {
			fire = rule
			rule.fired.Add(1)
		}
	}
	if fire != nil {
		call.Fault = string(fire.fault.kind)
	}
	p.calls = append(p.calls, call)
	page := p.alarmPage
	p.mu.Unlock()

	if fire == nil {
		if page > 0 && call.Protocol == ProtoJSON && call.Action() == "cloudwatch:DescribeAlarms" {
			p.servePage(w, r, page)
			return
		}
		p.rp.ServeHTTP(w, r)
		return
	}
	if fire.notify != nil {
		fire.notify(call)
	}
	fire.fault.apply(w, r, call, p.rp)
}

// identify reads what the proxy needs from r and leaves r.Body readable again.
func identify(r *http.Request) (Call, error) {
	c := Call{Method: r.Method, Path: r.URL.Path}
	// Read the whole body first: the query protocol names the operation in
	// it, and a fully read body lets the server notice a client that hangs up
	// (which cancels r.Context() during a Delay).
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return c, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	c.Service, c.Region = credentialScope(r.Header.Get("Authorization"))

	switch {
	case r.Header.Get("X-Amz-Target") != "":
		target := r.Header.Get("X-Amz-Target")
		c.Protocol = ProtoJSON
		c.Operation = target[strings.LastIndex(target, ".")+1:]
		if c.Service == "" {
			c.Service = serviceFromTarget(target)
		}
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		c.Protocol = ProtoCBOR
		c.Operation = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	case r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return c, err
		}
		c.Protocol = ProtoQuery
		c.Operation = form.Get("Action")
	default:
		if a := r.URL.Query().Get("Action"); a != "" {
			c.Protocol = ProtoQuery
			c.Operation = a
		} else {
			c.Protocol = ProtoREST
			c.Operation = restOperations[c.Service+" "+c.Method+" "+c.Path]
		}
	}
	return c, nil
}

// restOperations name the REST-JSON calls trailwatch makes besides S3's (whose
// actions the tests read from the request): Security Hub's, from its API
// reference's request syntax.
var restOperations = map[string]string{
	"securityhub GET /accounts":         "DescribeHub",
	"securityhub POST /accounts":        "EnableSecurityHub",
	"securityhub POST /findings/import": "BatchImportFindings",
	"securityhub POST /findings":        "GetFindings",
}

// credentialScope returns the IAM service prefix and region from a SigV4
// Authorization header ("... Credential=AKID/20250101/us-east-1/logs/aws4_request, ...").
func credentialScope(auth string) (service, region string) {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "", ""
	}
	scope := auth[i+len("Credential="):]
	if j := strings.IndexAny(scope, ", "); j >= 0 {
		scope = scope[:j]
	}
	parts := strings.Split(scope, "/")
	if len(parts) < 5 {
		return "", ""
	}
	return iamPrefix(parts[3]), parts[2]
}

// iamPrefix maps a SigV4 signing name to the IAM action prefix: CloudWatch
// signs as "monitoring" but its actions are "cloudwatch:...".
func iamPrefix(signingName string) string {
	if signingName == "monitoring" {
		return "cloudwatch"
	}
	return signingName
}

func serviceFromTarget(target string) string {
	prefix := strings.ToLower(target[:max(strings.LastIndex(target, "."), 0)])
	switch {
	case strings.HasPrefix(prefix, "logs_"):
		return "logs"
	case strings.Contains(prefix, "cloudtrail"):
		return "cloudtrail"
	case strings.Contains(prefix, "graniteservice"):
		return "cloudwatch"
	}
	return ""
}
