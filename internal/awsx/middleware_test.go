package awsx_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailwatch/trailwatch/internal/activity"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/awsx"
)

// Every call is reported to the tracker in its context while it is in
// flight, with the endpoint it went to.
func TestCallsTracked(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	tr := activity.New()
	seen := make(chan []activity.Call, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- tr.InFlight()
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>U</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	}))
	defer srv.Close()
	f, err := awsx.Load(context.Background(), awsx.Settings{Region: "eu-west-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.STS().GetCallerIdentity(activity.With(context.Background(), tr), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	want := []activity.Call{{Action: "sts:GetCallerIdentity", Region: "eu-west-1", Endpoint: srv.URL}}
	if diff := cmp.Diff(want, <-seen, cmpopts.IgnoreFields(activity.Call{}, "Start")); diff != "" {
		t.Errorf("in flight during the call (-want +got):\n%s", diff)
	}
	if n := len(tr.InFlight()); n != 0 {
		t.Errorf("%d calls still in flight after it returned", n)
	}
}

// An endpoint that accepts the connection and never answers: each attempt
// ends at the attempt timeout, and the call fails after its attempts
// instead of waiting forever.
func TestAttemptTimeout(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	ln := silentListener(t)
	start := time.Now()
	_, err := awsx.Connect(context.Background(), awsx.Settings{Region: "us-east-1", EndpointURL: "http://" + ln,
		AttemptTimeout: 300 * time.Millisecond, RetryMaxAttempts: 2})
	if err == nil {
		t.Fatal("Connect succeeded")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	msg := awserr.Explain(err)
	if !strings.Contains(msg, "sts:GetCallerIdentity: could not reach http://"+ln+": no answer in time (2 attempts)") {
		t.Errorf("message: %s", msg)
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
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
