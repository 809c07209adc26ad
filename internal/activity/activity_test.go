package activity

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestInFlight(t *testing.T) {
	c := &clock{time.Unix(1000, 0)}
	tr := New()
	tr.now = c.now
	a := tr.Begin("sts:GetCallerIdentity", "us-east-1")
	c.t = c.t.Add(time.Second)
	b := tr.Begin("logs:DescribeMetricFilters", "eu-west-1")
	tr.Sent(b, "https://logs.eu-west-1.amazonaws.com")
	want := []Call{
		{Action: "sts:GetCallerIdentity", Region: "us-east-1", Start: time.Unix(1000, 0)},
		{Action: "logs:DescribeMetricFilters", Region: "eu-west-1", Endpoint: "https://logs.eu-west-1.amazonaws.com", Start: time.Unix(1001, 0)},
	}
	if diff := cmp.Diff(want, tr.InFlight()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := want[0].String(); got != "sts:GetCallerIdentity (us-east-1), not yet sent (credentials or endpoint still being resolved)" {
		t.Errorf("String = %q", got)
	}
	if got := want[1].String(); got != "logs:DescribeMetricFilters to https://logs.eu-west-1.amazonaws.com" {
		t.Errorf("String = %q", got)
	}
	tr.End(a)
	tr.End(b)
	if n := len(tr.InFlight()); n != 0 {
		t.Errorf("%d calls left", n)
	}
	if From(With(context.Background(), tr)) != tr || From(context.Background()) != nil {
		t.Error("With/From")
	}
}

// The status line appears only once a call has waited past the delay, is
// redrawn in place, and is erased when the last call ends, before End
// returns; nothing at all is written for quick calls.
func TestStatusLine(t *testing.T) {
	c := &clock{time.Unix(1000, 0)}
	tr := New()
	tr.now = c.now
	var out bytes.Buffer
	stop := tr.Show(&out, time.Second, time.Hour) // ticks driven by hand
	quick := tr.Begin("sts:GetCallerIdentity", "us-east-1")
	c.t = c.t.Add(500 * time.Millisecond)
	tr.Refresh()
	tr.End(quick)
	if out.Len() != 0 {
		t.Fatalf("a quick call wrote %q", out.String())
	}
	slow := tr.Begin("cloudtrail:DescribeTrails", "us-east-1")
	other := tr.Begin("sts:GetCallerIdentity", "us-east-1")
	c.t = c.t.Add(3 * time.Second)
	tr.Refresh()
	tr.End(other)
	want := "\r\x1b[KWaiting for AWS: cloudtrail:DescribeTrails (us-east-1) and 1 more, 3s"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%q", diff)
	}
	tr.End(slow)
	if diff := cmp.Diff(want+"\r\x1b[K", out.String()); diff != "" {
		t.Errorf("not erased at the end (-want +got):\n%s", diff)
	}
	stop()
	tr.Begin("sns:ListTopics", "us-east-1")
	c.t = c.t.Add(time.Minute)
	tr.Refresh()
	if diff := cmp.Diff(want+"\r\x1b[K", out.String()); diff != "" {
		t.Errorf("wrote after stop (-want +got):\n%s", diff)
	}
}
