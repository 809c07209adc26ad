package faultproxy

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync/atomic"
	"time"
)

// Rule picks requests by operation and count and says what to do to them.
// Build one with On, choose when it fires (Every is the default), then the
// fault:
//
//	On("PutMetricAlarm").Nth(2).Status(503)
type Rule struct {
	ops    []string
	when   when
	n      int
	fault  fault
	notify func(Call)

	seen  int // guarded by Proxy.mu
	fired atomic.Int64
}

type when int

const (
	every when = iota
	first      // calls 1..n
	nth        // call n only
)

// On matches requests by operation. Each op is one of:
//   - an operation name, "PutMetricFilter" (any service);
//   - "service:Operation" with the IAM prefix, "logs:PutMetricFilter"
//     (CloudWatch is "cloudwatch", whatever it signs as);
//   - "service:*", every operation of one service;
//   - "METHOD /path-prefix" for REST calls, "PUT /bucket";
//   - "*", every request.
//
// With no fault chosen the rule forwards the request unchanged.
func On(ops ...string) *Rule {
	return &Rule{ops: ops}
}

// Every makes the rule fire on every matching call (the default).
func (r *Rule) Every() *Rule { r.when, r.n = every, 0; return r }

// First makes the rule fire on the first n matching calls only.
func (r *Rule) First(n int) *Rule { r.when, r.n = first, n; return r }

// Nth makes the rule fire on the k-th matching call only (1-based).
func (r *Rule) Nth(k int) *Rule { r.when, r.n = nth, k; return r }

// Notify calls f, from the proxy's handler goroutine, each time the rule
// fires, before the fault is applied. With Delay it tells a test that the
// request is in flight.
func (r *Rule) Notify(f func(Call)) *Rule { r.notify = f; return r }

// Throttle answers with the protocol's throttling error: HTTP 400 and
// ThrottlingException (JSON, REST-JSON) or Throttling (query), or 503
// SlowDown (S3).
// The SDK retries it.
func (r *Rule) Throttle() *Rule { r.fault = fault{kind: faultThrottle}; return r }

// TooManyRequests answers HTTP 429 with TooManyRequestsException.
func (r *Rule) TooManyRequests() *Rule { r.fault = fault{kind: fault429}; return r }

// Status answers with a 5xx server error of the given status (500, 502, 503,
// 504), coded InternalFailure or ServiceUnavailable.
func (r *Rule) Status(code int) *Rule {
	r.fault = fault{kind: fault5xx, status: code}
	return r
}

// Reset closes the connection without an answer (TCP RST via SO_LINGER 0);
// the backend never sees the request.
func (r *Rule) Reset() *Rule { r.fault = fault{kind: faultReset}; return r }

// LoseAnswer forwards the request (the backend acts on it) and then closes
// the connection without the answer, as a network can: the client does not
// know whether its write happened, and its retry meets the result.
func (r *Rule) LoseAnswer() *Rule { r.fault = fault{kind: faultLoseAnswer}; return r }

// Delay holds the request for d, then forwards it. If the client gives up
// first (its context is cancelled) the request is never forwarded.
func (r *Rule) Delay(d time.Duration) *Rule { r.fault = fault{kind: faultDelay, delay: d}; return r }

// Deny answers HTTP 403 with the protocol's access-denied error
// (AccessDeniedException for JSON, AccessDenied or SNS's AuthorizationError
// for query), whose message names the IAM action as AWS does.
func (r *Rule) Deny() *Rule { r.fault = fault{kind: faultDeny}; return r }

// DenyUndecodable answers as moto does when it enforces IAM: HTTP 403 with an
// <ErrorResponse><Errors><Error> XML body, whatever the protocol, which the
// SDK cannot decode into an error code.
func (r *Rule) DenyUndecodable() *Rule { r.fault = fault{kind: faultDenyMoto}; return r }

// Fired is how many times the rule has fired so far. Read it after the calls
// it counts have returned.
func (r *Rule) Fired() int { return int(r.fired.Load()) }

func (r *Rule) matches(c Call) bool {
	for _, op := range r.ops {
		if matchOp(op, c) {
			return true
		}
	}
	return false
}

func matchOp(op string, c Call) bool {
	switch {
	case op == "*":
		return true
	case strings.Contains(op, " "):
		method, prefix, _ := strings.Cut(op, " ")
		return c.Protocol == ProtoREST && strings.EqualFold(method, c.Method) && strings.HasPrefix(c.Path, prefix)
	case strings.Contains(op, ":"):
		svc, name, _ := strings.Cut(op, ":")
		return svc == c.Service && (name == "*" || name == c.Operation)
	default:
		return op == c.Operation
	}
}

// due reports whether the rule fires for the call just counted in seen.
func (r *Rule) due() bool {
	switch r.when {
	case first:
		return r.seen <= r.n
	case nth:
		return r.seen == r.n
	default:
		return true
	}
}

type faultKind string

const (
	faultThrottle faultKind = "throttle"
	fault429      faultKind = "429"
	fault5xx      faultKind = "5xx"
	faultReset    faultKind = "reset"
	faultDelay    faultKind = "delay"
	faultDeny     faultKind = "deny"
	faultDenyMoto faultKind = "deny-undecodable"
	// faultLoseAnswer reaches the backend: Forwarded lists it.
	faultLoseAnswer faultKind = "lose-answer"
)

type fault struct {
	kind   faultKind
	status int
	delay  time.Duration
}

func (f fault) apply(w http.ResponseWriter, r *http.Request, c Call, rp *httputil.ReverseProxy) {
	switch f.kind {
	case faultThrottle:
		if c.Protocol == ProtoREST && c.Service == "s3" {
			writeError(w, c, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
			return
		}
		code := "ThrottlingException"
		if c.Protocol == ProtoQuery {
			code = "Throttling"
		}
		writeError(w, c, http.StatusBadRequest, code, "Rate exceeded")
	case fault429:
		writeError(w, c, http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests")
	case fault5xx:
		status := f.status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		code := "InternalFailure"
		if status == http.StatusServiceUnavailable {
			code = "ServiceUnavailable"
		}
		writeError(w, c, status, code, "We encountered an internal error. Please try again.")
	case faultReset:
		reset(w)
	case faultLoseAnswer:
		rp.ServeHTTP(httptest.NewRecorder(), r)
		reset(w)
	case faultDelay:
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-t.C:
			rp.ServeHTTP(w, r)
		case <-r.Context().Done():
			// The client gave up: the request never reaches the backend.
		}
	case faultDeny:
		code := "AccessDenied"
		switch {
		case c.Protocol == ProtoJSON || c.Protocol == ProtoCBOR:
			code = "AccessDeniedException"
		case c.Service == "sns":
			code = "AuthorizationError"
		}
		writeError(w, c, http.StatusForbidden, code, deniedMessage(c))
	case faultDenyMoto:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+
			`<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>%s</Message><Type>Sender</Type></Error></Errors></ErrorResponse>`,
			xmlEscape(deniedMessage(c)))
	default:
		rp.ServeHTTP(w, r)
	}
}

// DeniedPrincipal is the user every Deny message names.
const DeniedPrincipal = "arn:aws:iam::123456789012:user/faultproxy"

func deniedMessage(c Call) string {
	a := c.Action()
	if a == "" {
		a = c.Service + ":" + c.Name()
	}
	return fmt.Sprintf("User: %s is not authorized to perform: %s because no identity-based policy allows the %s action", DeniedPrincipal, a, a)
}

const requestID = "faultproxy-0000-0000-0000-000000000000"

// writeError writes an error in the wire shape of the call's protocol.
func writeError(w http.ResponseWriter, c Call, status int, code, msg string) {
	h := w.Header()
	h.Set("X-Amzn-RequestId", requestID)
	switch c.Protocol {
	case ProtoJSON:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
	case ProtoQuery:
		h.Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		typ := "Sender"
		if status >= 500 {
			typ = "Receiver"
		}
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://%s.amazonaws.com/doc/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			c.Service, typ, code, xmlEscape(msg), requestID)
	case ProtoREST:
		if c.Service != "s3" {
			// REST-JSON (Security Hub): the code in X-Amzn-ErrorType, the
			// message in a JSON body.
			h.Set("Content-Type", "application/json")
			h.Set("X-Amzn-ErrorType", code)
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":%q}`, msg)
			return
		}
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>`,
			code, xmlEscape(msg), requestID)
	default:
		// rpc-v2-cbor: the proxy does not encode CBOR; the SDK sees the
		// status and the error type header only.
		h.Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// reset hijacks the connection and closes it with SO_LINGER 0, so the client
// reads a TCP RST ("connection reset by peer") instead of a response.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("faultproxy: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
