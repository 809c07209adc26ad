package prompt

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/plan"
)

func TestTargetAnswers(t *testing.T) {
	cases := []struct {
		a    TargetAnswers
		want plan.Choices
	}{
		{TargetAnswers{TargetEmail, " a@example.com "}, plan.Choices{Email: "a@example.com"}},
		{TargetAnswers{TargetHTTPS, "https://h.example.com/x"}, plan.Choices{Subscribe: "https:https://h.example.com/x"}},
		{TargetAnswers{TargetSQS, "arn:aws:sqs:us-east-1:123456789012:q"}, plan.Choices{Subscribe: "sqs:arn:aws:sqs:us-east-1:123456789012:q"}},
		{TargetAnswers{TargetTopic, "arn:aws:sns:us-east-1:123456789012:t"}, plan.Choices{TopicARN: "arn:aws:sns:us-east-1:123456789012:t"}},
	}
	for _, c := range cases {
		got := c.a.Choices(plan.Choices{})
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", c.a, diff)
		}
		if err := ValidateTarget(c.a); err != nil {
			t.Errorf("%v: %v", c.a, err)
		}
		if e := got.Endpoints(); c.a.Kind == TargetHTTPS && (len(e) != 1 || e[0].Endpoint != "https://h.example.com/x") {
			t.Errorf("https endpoint = %v", e)
		}
	}
	for _, bad := range []TargetAnswers{{TargetEmail, ""}, {TargetEmail, "nope"}, {TargetSQS, "queue"}, {TargetTopic, "arn:aws:sqs:us-east-1:123456789012:q"}} {
		if ValidateTarget(bad) == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if ValidateName("alarm-name", "") == nil || ValidateName("topic-name", "bad name") == nil || ValidateName("role-name", "ok-name") != nil {
		t.Error("ValidateName")
	}
}

// The forms run line by line in accessible mode, which a test can feed.
func TestHuhAccessible(t *testing.T) {
	in := strings.NewReader(strings.Join([]string{
		"3", // SQS
		"arn:aws:sqs:us-east-1:123456789012:alerts",
		"n", // change the names
		"my-alarm",
		"y", // apply
	}, "\n") + "\n")
	// One byte per read, so each form's line reader takes only its line.
	h := &Huh{In: iotest.OneByteReader(in), Out: io.Discard, Accessible: true}
	c, err := h.AskChoices(context.Background(), Request{AskTarget: true,
		Names: []Name{{Key: "alarm-name", Label: "Alarm", Default: plan.DefaultAlarmName}}})
	if err != nil {
		t.Fatal(err)
	}
	want := plan.Choices{Subscribe: "sqs:arn:aws:sqs:us-east-1:123456789012:alerts", AlarmName: "my-alarm"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	ok, err := h.Confirm(context.Background(), "Apply?", "")
	if err != nil || !ok {
		t.Errorf("confirm = %v, %v", ok, err)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h := &Huh{In: strings.NewReader(""), Out: io.Discard}
	if _, err := h.Confirm(ctx, "Apply?", ""); !errors.Is(err, ErrCancelled) {
		t.Errorf("err = %v", err)
	}
}
