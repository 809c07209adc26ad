package faultproxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// backend is a fake AWS endpoint that answers 200 and remembers what reached it.
type backend struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // operation or METHOD path
	host []string // Host header as received
}

func newBackend(t *testing.T) *backend {
	t.Helper()
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := identify(r)
		if err != nil {
			t.Errorf("backend: %v", err)
		}
		b.mu.Lock()
		b.seen = append(b.seen, c.Name())
		b.host = append(b.host, r.Host)
		b.mu.Unlock()
		switch c.Protocol {
		case ProtoJSON:
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			io.WriteString(w, `{"trailList":[]}`)
		case ProtoQuery:
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics/></ListTopicsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListTopicsResponse>`)
		default:
			io.WriteString(w, "ok")
		}
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) Seen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.seen...)
}

const authLogs = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/logs/aws4_request, SignedHeaders=host, Signature=x"

func jsonReq(t *testing.T, base, target, auth string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", target)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

func queryReq(t *testing.T, base, service, action string) *http.Request {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2010-03-31"}}
	r, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=x")
	return r
}

func do(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s: %v", r.Header.Get("X-Amz-Target"), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestIdentify(t *testing.T) {
	b := newBackend(t)
	p := Start(t, b.URL)

	do(t, jsonReq(t, p.URL, "Logs_20140328.PutMetricFilter", authLogs))
	do(t, jsonReq(t, p.URL, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails", ""))
	do(t, jsonReq(t, p.URL, "GraniteServiceVersion20100801.DescribeAlarms",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x"))
	do(t, queryReq(t, p.URL, "sns", "Subscribe"))
	do(t, queryReq(t, p.URL, "iam", "GetRole"))
	r, _ := http.NewRequest(http.MethodPut, p.URL+"/bucket/key", strings.NewReader("x"))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	do(t, r)
	r, _ = http.NewRequest(http.MethodPost, p.URL+"/service/GraniteServiceVersion20100801/operation/PutMetricAlarm", strings.NewReader(""))
	r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	do(t, r)
	r, _ = http.NewRequest(http.MethodPost, p.URL+"/moto-api/reset", nil)
	do(t, r)

	want := []Call{
		{Service: "logs", Operation: "PutMetricFilter", Region: "eu-west-1", Method: "POST", Path: "/", Protocol: ProtoJSON},
		{Service: "cloudtrail", Operation: "DescribeTrails", Method: "POST", Path: "/", Protocol: ProtoJSON},
		{Service: "cloudwatch", Operation: "DescribeAlarms", Region: "us-east-1", Method: "POST", Path: "/", Protocol: ProtoJSON},
		{Service: "sns", Operation: "Subscribe", Region: "us-east-1", Method: "POST", Path: "/", Protocol: ProtoQuery},
		{Service: "iam", Operation: "GetRole", Region: "us-east-1", Method: "POST", Path: "/", Protocol: ProtoQuery},
		{Service: "s3", Region: "us-east-1", Method: "PUT", Path: "/bucket/key", Protocol: ProtoREST},
		{Operation: "PutMetricAlarm", Method: "POST", Path: "/service/GraniteServiceVersion20100801/operation/PutMetricAlarm", Protocol: ProtoCBOR},
	}
	if diff := cmp.Diff(want, p.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
	// The query body reaches the backend intact, and so does the Host the
	// client signed.
	if diff := cmp.Diff([]string{"PutMetricFilter", "DescribeTrails", "DescribeAlarms", "Subscribe", "GetRole", "PUT /bucket/key", "PutMetricAlarm", "POST /moto-api/reset"}, b.Seen()); diff != "" {
		t.Errorf("backend saw (-want +got):\n%s", diff)
	}
	proxyHost := strings.TrimPrefix(p.URL, "http://")
	for _, h := range b.host {
		if h != proxyHost {
			t.Errorf("backend got Host %q, want the signed %q", h, proxyHost)
		}
	}

	var writes []string
	for _, c := range p.Writes() {
		writes = append(writes, c.Name())
	}
	if diff := cmp.Diff([]string{"PutMetricFilter", "Subscribe", "PUT /bucket/key", "PutMetricAlarm"}, writes); diff != "" {
		t.Errorf("Writes() (-want +got):\n%s", diff)
	}
	if got := p.Calls()[2].Action(); got != "cloudwatch:DescribeAlarms" {
		t.Errorf("Action() = %q, want cloudwatch:DescribeAlarms", got)
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		name string
		rule *Rule
		want []int // status of calls 1..5
	}{
		{"every", On("DescribeTrails").Throttle(), []int{400, 400, 400, 400, 400}},
		{"first 2", On("DescribeTrails").First(2).Throttle(), []int{400, 400, 200, 200, 200}},
		{"3rd", On("DescribeTrails").Nth(3).Status(503), []int{200, 200, 503, 200, 200}},
		{"service wildcard", On("cloudtrail:*").Nth(1).TooManyRequests(), []int{429, 200, 200, 200, 200}},
		{"other operation", On("GetTrailStatus").Throttle(), []int{200, 200, 200, 200, 200}},
		{"other service", On("logs:DescribeTrails").Throttle(), []int{200, 200, 200, 200, 200}},
		{"no fault passes", On("*"), []int{200, 200, 200, 200, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t)
			p := Start(t, b.URL)
			p.Add(tt.rule)
			var got []int
			for range 5 {
				status, _ := do(t, jsonReq(t, p.URL, "CloudTrail_20131101.DescribeTrails",
					"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=x"))
				got = append(got, status)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			forwarded := 0
			for _, s := range got {
				if s == 200 {
					forwarded++
				}
			}
			if n := len(b.Seen()); n != forwarded {
				t.Errorf("backend saw %d calls, want %d", n, forwarded)
			}
			if n := len(p.Forwarded()); n != forwarded {
				t.Errorf("Forwarded() has %d calls, want %d", n, forwarded)
			}
		})
	}
}

func TestFirstMatchingRuleWinsAndAllCount(t *testing.T) {
	p := Start(t, newBackend(t).URL)
	a := On("DescribeTrails").Nth(2).Status(500)
	b := On("DescribeTrails").Throttle()
	p.Add(a, b)
	var got []int
	for range 3 {
		s, _ := do(t, jsonReq(t, p.URL, "CloudTrail_20131101.DescribeTrails", ""))
		got = append(got, s)
	}
	if diff := cmp.Diff([]int{400, 500, 400}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if a.Fired() != 1 || b.Fired() != 2 {
		t.Errorf("Fired() = %d, %d; want 1, 2", a.Fired(), b.Fired())
	}
	p.ClearRules()
	if s, _ := do(t, jsonReq(t, p.URL, "CloudTrail_20131101.DescribeTrails", "")); s != 200 {
		t.Errorf("after ClearRules: status %d, want 200", s)
	}
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name       string
		rule       *Rule
		req        func(t *testing.T, base string) *http.Request
		wantStatus int
		wantBody   []string
	}{
		{"json throttle", On("*").Throttle(), func(t *testing.T, u string) *http.Request {
			return jsonReq(t, u, "Logs_20140328.PutMetricFilter", authLogs)
		},
			400, []string{`{"__type":"ThrottlingException","message":"Rate exceeded"}`}},
		{"query throttle", On("*").Throttle(), func(t *testing.T, u string) *http.Request { return queryReq(t, u, "sns", "Subscribe") },
			400, []string{`<ErrorResponse`, `<Code>Throttling</Code><Message>Rate exceeded</Message>`}},
		{"json deny", On("*").Deny(), func(t *testing.T, u string) *http.Request {
			return jsonReq(t, u, "Logs_20140328.PutMetricFilter", authLogs)
		},
			403, []string{`"__type":"AccessDeniedException"`, `not authorized to perform: logs:PutMetricFilter`}},
		{"sns deny", On("*").Deny(), func(t *testing.T, u string) *http.Request { return queryReq(t, u, "sns", "Subscribe") },
			403, []string{`<Code>AuthorizationError</Code>`, `sns:Subscribe`}},
		{"iam deny", On("*").Deny(), func(t *testing.T, u string) *http.Request { return queryReq(t, u, "iam", "CreateRole") },
			403, []string{`<Code>AccessDenied</Code>`, `iam:CreateRole`}},
		{"moto deny", On("*").DenyUndecodable(), func(t *testing.T, u string) *http.Request {
			return jsonReq(t, u, "Logs_20140328.PutMetricFilter", authLogs)
		},
			403, []string{`<ErrorResponse><Errors><Error><Code>AccessDenied</Code>`}},
		{"json 503", On("*").Status(503), func(t *testing.T, u string) *http.Request {
			return jsonReq(t, u, "Logs_20140328.PutMetricFilter", authLogs)
		},
			503, []string{`"__type":"ServiceUnavailable"`}},
		{"query 500", On("*").Status(500), func(t *testing.T, u string) *http.Request { return queryReq(t, u, "sns", "Subscribe") },
			500, []string{`<Type>Receiver</Type><Code>InternalFailure</Code>`}},
		{"429", On("*").TooManyRequests(), func(t *testing.T, u string) *http.Request { return queryReq(t, u, "sns", "Subscribe") },
			429, []string{`<Code>TooManyRequestsException</Code>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t)
			p := Start(t, b.URL)
			p.Add(tt.rule)
			status, body := do(t, tt.req(t, p.URL))
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("body %s\nlacks %s", body, w)
				}
			}
			if n := len(b.Seen()); n != 0 {
				t.Errorf("backend saw %d calls, want none", n)
			}
		})
	}
}

func TestReset(t *testing.T) {
	b := newBackend(t)
	p := Start(t, b.URL)
	p.Add(On("PutMetricFilter").Reset())
	_, err := http.DefaultClient.Do(jsonReq(t, p.URL, "Logs_20140328.PutMetricFilter", authLogs))
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v, want a connection reset", err)
	}
	if n := len(b.Seen()); n != 0 {
		t.Errorf("backend saw %d calls, want none", n)
	}
	if c := p.Calls(); len(c) != 1 || c[0].Fault != "reset" {
		t.Errorf("Calls() = %+v, want one reset call", c)
	}
}

func TestDelay(t *testing.T) {
	b := newBackend(t)
	p := Start(t, b.URL)
	p.Add(On("PutMetricFilter").Delay(50 * time.Millisecond))
	start := time.Now()
	if s, _ := do(t, jsonReq(t, p.URL, "Logs_20140328.PutMetricFilter", authLogs)); s != 200 {
		t.Errorf("status %d, want 200", s)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %v, want at least 50ms", d)
	}
	if diff := cmp.Diff([]string{"PutMetricFilter"}, b.Seen()); diff != "" {
		t.Errorf("backend saw (-want +got):\n%s", diff)
	}
}

func TestDelayCancelledNeverForwards(t *testing.T) {
	b := newBackend(t)
	p := Start(t, b.URL)
	ctx, cancel := context.WithCancel(context.Background())
	inFlight := make(chan Call, 1)
	p.Add(On("PutMetricFilter").Delay(time.Minute).Notify(func(c Call) { inFlight <- c }))
	go func() {
		<-inFlight
		cancel()
	}()
	r := jsonReq(t, p.URL, "Logs_20140328.PutMetricFilter", authLogs).WithContext(ctx)
	_, err := http.DefaultClient.Do(r)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// Give the handler a moment to notice the cancellation.
	time.Sleep(50 * time.Millisecond)
	if n := len(b.Seen()); n != 0 {
		t.Errorf("backend saw %d calls, want none", n)
	}
}

func TestNewRejectsBadBackend(t *testing.T) {
	for _, in := range []string{"", "127.0.0.1:5000", "://x"} {
		if p, err := New(in); err == nil {
			p.Close()
			t.Errorf("New(%q) succeeded, want an error", in)
		}
	}
}
