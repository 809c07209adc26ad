package fixcmd_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/plan"
)

// fakePrompter answers with fixed values and records what it was asked.
type fakePrompter struct {
	answer    func(prompt.Request) (plan.Choices, error)
	confirm   bool
	cancelAt  string // "choices" or "confirm"
	asked     []prompt.Request
	confirmed int
}

func (f *fakePrompter) AskChoices(_ context.Context, req prompt.Request) (plan.Choices, error) {
	f.asked = append(f.asked, req)
	if f.cancelAt == "choices" {
		return req.Current, prompt.ErrCancelled
	}
	if f.answer != nil {
		return f.answer(req)
	}
	return req.Current, nil
}

func (f *fakePrompter) Confirm(context.Context, string, string) (bool, error) {
	f.confirmed++
	if f.cancelAt == "confirm" {
		return false, prompt.ErrCancelled
	}
	return f.confirm, nil
}

// opts runs commands through the recording proxy with streams that say
// they are a terminal.
func (w *world) opts(p prompt.Prompter) (fixcmd.Options, *term.IO) {
	cfg := w.srv.Config(w.t, region)
	cfg.BaseEndpoint = aws.String(w.proxy)
	f := awsx.FromConfig(cfg)
	io, _, _, _ := term.Test(true)
	return fixcmd.Options{IO: io, Format: cliflags.Text, Prompter: p,
		Connect: func(context.Context) (*fixcmd.Env, error) { return fixcmd.EnvFromFactory(f), nil }}, io
}

func TestInteractive(t *testing.T) {
	sqsAnswer := func(req prompt.Request) (plan.Choices, error) {
		c := prompt.TargetAnswers{Kind: prompt.TargetSQS, Value: queueARN}.Choices(req.Current)
		c.AlarmName = "renamed-alarm"
		return c, nil
	}
	for _, tc := range []struct {
		name     string
		p        *fakePrompter
		wantCode int
		writes   bool
	}{
		{"cancel at the choices", &fakePrompter{cancelAt: "choices"}, 1, false},
		{"cancel at the confirmation", &fakePrompter{answer: sqsAnswer, cancelAt: "confirm"}, 1, false},
		{"decline", &fakePrompter{answer: sqsAnswer, confirm: false}, 1, false},
		{"answer and confirm", &fakePrompter{answer: sqsAnswer, confirm: true}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.build(state{noAlarm: true})
			o, _ := w.opts(tc.p)
			w.resetOps()
			err := fixcmd.RunFix(context.Background(), o)
			if got := exitcode.Of(err); got != tc.wantCode {
				t.Fatalf("exit %d (%v), want %d", got, err, tc.wantCode)
			}
			if (len(w.writes()) > 0) != tc.writes {
				t.Errorf("writes = %v", w.writes())
			}
			if len(tc.p.asked) != 1 || !tc.p.asked[0].AskTarget {
				t.Fatalf("asked = %+v", tc.p.asked)
			}
			if !tc.writes && err != nil && !strings.Contains(err.Error(), "nothing was written") {
				t.Errorf("err = %v", err)
			}
			if tc.writes {
				out, err := w.f.CloudWatch(region).DescribeAlarms(w.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"renamed-alarm"}})
				if err != nil || len(out.MetricAlarms) != 1 {
					t.Errorf("the name from the form was not used: %v %v", out, err)
				}
			}
		})
	}
}

func TestInteractiveNothingToDoAsksNothing(t *testing.T) {
	w := newWorld(t)
	w.build(state{})
	p := &fakePrompter{confirm: true}
	o, _ := w.opts(p)
	if err := fixcmd.RunFix(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if len(p.asked) != 0 || p.confirmed != 0 {
		t.Errorf("prompted for a no-op: %d forms, %d confirmations", len(p.asked), p.confirmed)
	}
}

func TestInteractiveFlagsSkipTheTargetQuestion(t *testing.T) {
	w := newWorld(t)
	w.build(state{notLogging: true, noAlarm: true})
	p := &fakePrompter{confirm: true}
	o, _ := w.opts(p)
	o.Choices = plan.Choices{Subscribe: "sqs:" + queueARN}
	if err := fixcmd.RunFix(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if len(p.asked) != 1 || p.asked[0].AskTarget || len(p.asked[0].Names) == 0 || p.confirmed != 1 {
		t.Errorf("asked = %+v, confirmed %d", p.asked, p.confirmed)
	}
}
