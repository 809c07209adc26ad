package prompt

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

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
	for _, bad := range []TargetAnswers{{TargetEmail, ""}, {TargetEmail, "nope"}, {TargetHTTPS, "http://h.example.com/x"}, {TargetSQS, "queue"},
		{TargetLambda, "arn:aws:lambda:us-east-1:123456789012:page"}, {TargetTopic, "arn:aws:sqs:us-east-1:123456789012:q"}} {
		err := ValidateTarget(bad)
		if err == nil {
			t.Errorf("%v accepted", bad)
			continue
		}
		// The form shows this under what the user typed: no flag syntax.
		if msg := err.Error(); strings.Contains(msg, "--") || strings.Contains(msg, string(bad.Kind)+":"+bad.Value) {
			t.Errorf("%v: message %q speaks of a flag", bad, msg)
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

// Every notification choice works through the form itself, and every name
// fix may ask for is taken from the names form.
func TestHuhAccessibleEveryTarget(t *testing.T) {
	names := []Name{
		{Key: "log-group-name", Label: "Log group", Default: plan.DefaultLogGroupName},
		{Key: "role-name", Label: "IAM role for CloudTrail", Default: plan.DefaultRoleName},
		{Key: "filter-name", Label: "Metric filter", Default: plan.DefaultFilterName},
		{Key: "namespace", Label: "Metric namespace", Default: plan.DefaultNamespace},
		{Key: "metric-name", Label: "Metric name", Default: plan.DefaultMetricName},
		{Key: "topic-name", Label: "SNS topic", Default: plan.DefaultTopicName},
		{Key: "alarm-name", Label: "Alarm", Default: plan.DefaultAlarmName},
	}
	newNames := []string{"lg", "role", "filter", "NS", "Metric", "topic", "alarm"}
	renamed := plan.Choices{LogGroupName: "lg", RoleName: "role", FilterName: "filter", Namespace: "NS", MetricName: "Metric", TopicName: "topic", AlarmName: "alarm"}
	for _, tc := range []struct {
		choice, value string
		want          plan.Choices
	}{
		{"1", "secops@example.com", plan.Choices{Email: "secops@example.com"}},
		{"2", "https://hooks.example.com/x", plan.Choices{Subscribe: "https:https://hooks.example.com/x"}},
		{"3", "arn:aws:sqs:us-east-1:123456789012:alerts", plan.Choices{Subscribe: "sqs:arn:aws:sqs:us-east-1:123456789012:alerts"}},
		{"4", "arn:aws:lambda:us-east-1:123456789012:function:page", plan.Choices{Subscribe: "lambda:arn:aws:lambda:us-east-1:123456789012:function:page"}},
		{"5", "arn:aws:sns:us-east-1:123456789012:secops", plan.Choices{TopicARN: "arn:aws:sns:us-east-1:123456789012:secops"}},
	} {
		for _, rename := range []bool{false, true} {
			lines := []string{tc.choice, tc.value}
			want := tc.want
			if rename {
				lines = append(lines, "n")
				want.LogGroupName, want.RoleName, want.FilterName, want.Namespace = renamed.LogGroupName, renamed.RoleName, renamed.FilterName, renamed.Namespace
				want.MetricName, want.TopicName, want.AlarmName = renamed.MetricName, renamed.TopicName, renamed.AlarmName
				if tc.want.TopicARN != "" {
					// An existing topic: no topic is created, so its name is not asked.
					lines = append(lines, slices.DeleteFunc(slices.Clone(newNames), func(n string) bool { return n == "topic" })...)
					want.TopicName = ""
				} else {
					lines = append(lines, newNames...)
				}
			} else {
				lines = append(lines, "y")
			}
			in := strings.NewReader(strings.Join(lines, "\n") + "\n")
			h := &Huh{In: iotest.OneByteReader(in), Out: io.Discard, Accessible: true}
			c, err := h.AskChoices(context.Background(), Request{AskTarget: true, Names: names})
			if err != nil {
				t.Fatalf("choice %s, rename %v: %v", tc.choice, rename, err)
			}
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("choice %s, rename %v (-want +got):\n%s", tc.choice, rename, diff)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("choice %s: the answers do not validate: %v", tc.choice, err)
			}
		}
	}
}

// Esc leaves every kind of form at once, as Ctrl-C does: huh binds only
// Ctrl-C unless told otherwise. The deadline is far beyond what a key takes;
// reaching it would also read as cancelled, so the test checks it was not.
func TestEscCancels(t *testing.T) {
	forms := map[string]func(h *Huh, ctx context.Context) error{
		"confirm": func(h *Huh, ctx context.Context) error {
			_, err := h.Confirm(ctx, "Apply?", "")
			return err
		},
		"target kind": func(h *Huh, ctx context.Context) error {
			_, err := h.AskChoices(ctx, Request{AskTarget: true})
			return err
		},
		"names": func(h *Huh, ctx context.Context) error {
			_, err := h.AskChoices(ctx, Request{Names: []Name{{Key: "alarm-name", Label: "Alarm", Default: plan.DefaultAlarmName}}})
			return err
		},
	}
	for name, ask := range forms {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h := &Huh{In: strings.NewReader("\x1b"), Out: io.Discard}
		err := ask(h, ctx)
		if !errors.Is(err, ErrCancelled) || ctx.Err() != nil {
			t.Errorf("%s: Esc gave err = %v (context: %v), want cancelled before the deadline", name, err, ctx.Err())
		}
		cancel()
	}
}
