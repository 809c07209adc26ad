package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// Defaults for FireOptions.
const (
	DefaultTimeout      = 2 * time.Minute
	DefaultPollInterval = 5 * time.Second
	DefaultResetTimeout = 30 * time.Second
)

// historySkew is how far before the local clock's start of the test the
// history is searched, so a clock a little ahead of AWS's does not hide the
// action. An action of the same alarm on the same topic in that margin is
// as good a proof as the test's own.
const historySkew = time.Minute

// maxReason is SetAlarmState's limit on StateReason (CloudWatch API
// reference, SetAlarmState: 0 to 1023 characters).
const maxReason = 1023

// FireOptions tunes Fire.
type FireOptions struct {
	// Caller is who runs the test (the caller's ARN); the reason set on the
	// alarm names them.
	Caller string
	// Timeout bounds the wait for the history to show the action
	// (DefaultTimeout when zero).
	Timeout time.Duration
	// PollInterval is the pause between history reads while waiting
	// (DefaultPollInterval when zero).
	PollInterval time.Duration
	// ResetTimeout bounds the reset to OK, which runs on a context of its
	// own so that it still runs after ctx ends (DefaultResetTimeout when
	// zero).
	ResetTimeout time.Duration
	// ResetArgs are added to the aws command printed when the reset fails
	// (such as --profile NAME), already quoted for a shell.
	ResetArgs []string
	// Progress, when set, is called as each step ends.
	Progress func(Step)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (o FireOptions) withDefaults() FireOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.ResetTimeout <= 0 {
		o.ResetTimeout = DefaultResetTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Fire tests the alarm's notifications end to end, the way AWS documents
// for SetAlarmState ("temporarily sets the state of an alarm for testing
// purposes"; when the state changes, the actions for the new state run):
//
//  1. check: read the alarm again just before writing. It is not fired
//     when it is gone, its actions are disabled (nobody would be notified;
//     t.Alarm.ActionsEnabled false stops Fire before any call), it names no
//     SNS topic, or it is already in ALARM (setting ALARM again is not a
//     change, so no action would run);
//  2. alarm: SetAlarmState ALARM, with a reason saying this is a trailwatch
//     test and who ran it;
//  3. wait: read the alarm's Action history until it shows, for each of its
//     topics, that the action executed or failed, bounded by Timeout;
//  4. reset: SetAlarmState OK. This runs whenever step 2 may have changed
//     the state, on a context of its own (ResetTimeout), so neither an
//     ended ctx (Ctrl-C) nor the wait's timeout leaves the alarm in ALARM.
//     When it fails, ResetCommand is the command to run by hand.
//
// Only targets with Fire set are fired; for others Fire returns nil.
func Fire(ctx context.Context, c Clients, t Target, o FireOptions) *FireResult {
	if !t.Fire {
		return nil
	}
	o = o.withDefaults()
	if t.Alarm == nil {
		return &FireResult{Status: Skipped, Detail: "not fired: there is no alarm"}
	}
	a := t.Alarm
	res := &FireResult{Alarm: a.Name, Region: a.Region}
	if !a.ActionsEnabled {
		res.Status = Skipped
		res.Detail = "not fired: its actions are disabled (ActionsEnabled false), so setting ALARM would notify nobody; enable them first"
		return res
	}
	f := &firing{o: o, res: res, cw: c.CloudWatch(a.Region), alarm: a}

	// 1. check.
	start := o.Now()
	alarms, err := readAlarms(ctx, f.cw, []string{a.Name})
	step := Step{Name: StepCheck}
	cur, found := alarms[a.Name]
	switch {
	case err != nil:
		step.Status = Unknown
		step.Action, step.Detail = failure("cloudwatch", "DescribeAlarms", err)
		step.Detail = "not fired: " + strings.TrimPrefix(step.Detail, "could not tell: ")
	default:
		step.Status, step.Detail = alarmReadiness(a.Name, a.Region, cur, found)
		if step.Status != OK {
			step.Detail = "not fired: " + step.Detail
		} else {
			step.Detail = "the alarm can be fired: " + step.Detail
		}
	}
	f.done(step, start)
	if step.Status != OK {
		return f.finish()
	}
	topics := chain.SNSTopics(cur.AlarmActions)

	// 2. alarm.
	start = o.Now()
	_, err = f.cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{
		AlarmName:   aws.String(a.Name),
		StateValue:  cwtypes.StateValueAlarm,
		StateReason: aws.String(testReason(o.Caller, start)),
	})
	step = Step{Name: StepAlarm}
	switch {
	case err == nil:
		step.Status, step.Detail = OK, fmt.Sprintf("set %s to ALARM (was %s)", a.Name, cur.StateValue)
	case answered(err):
		// AWS refused: the state did not change, so there is nothing to
		// reset.
		step.Status = Unknown
		step.Action, step.Detail = failure("cloudwatch", "SetAlarmState", err)
		if awserr.IsNotFound(err) {
			step.Status, step.Detail = Broken, fmt.Sprintf("alarm %s no longer exists", a.Name)
		}
		f.done(step, start)
		return f.finish()
	default:
		// No answer (Ctrl-C, a lost connection): the request may have
		// reached AWS, so reset as if it had.
		step.Status = Unknown
		step.Action, step.Detail = failure("cloudwatch", "SetAlarmState", err)
		f.done(step, start)
		f.reset(ctx)
		return f.finish()
	}
	f.done(step, start)

	// 3. wait, then 4. reset whatever happened.
	f.waitThenReset(ctx, topics, start.Add(-historySkew))
	return f.finish()
}

// waitThenReset waits, then resets; the reset is deferred so that it runs
// even if the wait panics.
func (f *firing) waitThenReset(ctx context.Context, topics []string, since time.Time) {
	defer f.reset(ctx)
	f.wait(ctx, topics, since)
}

// firing is one Fire in progress.
type firing struct {
	o     FireOptions
	res   *FireResult
	cw    CloudWatchAPI
	alarm *Alarm
}

func (f *firing) done(s Step, start time.Time) {
	s.Duration = f.o.Now().Sub(start)
	f.res.Steps = append(f.res.Steps, s)
	if f.o.Progress != nil {
		f.o.Progress(s)
	}
}

// wait polls the alarm's Action history until every topic has an item
// from since on, ctx ends, or the timeout passes.
func (f *firing) wait(ctx context.Context, topics []string, since time.Time) {
	start := f.o.Now()
	step := Step{Name: StepWait}
	wctx, cancel := context.WithTimeout(ctx, f.o.Timeout)
	defer cancel()
	var got map[string]ActionResult
	for {
		var err error
		got, err = latestActions(wctx, f.cw, f.alarm.Name, topics, since)
		if err == nil && len(got) == len(topics) {
			break
		}
		if err != nil && wctx.Err() == nil {
			step.Status = Unknown
			step.Action, step.Detail = failure("cloudwatch", "DescribeAlarmHistory", err)
			step.Detail += "; whether CloudWatch published to the topic cannot be seen"
			f.done(step, start)
			return
		}
		if wctx.Err() == nil {
			t := time.NewTimer(f.o.PollInterval)
			select {
			case <-wctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		if wctx.Err() != nil {
			step.Status = Unknown
			if ctx.Err() != nil {
				f.res.Interrupted = true
				step.Detail = "interrupted before the history showed the action"
			} else {
				step.Detail = fmt.Sprintf("the history did not show the action within %s (--wait); CloudWatch may still run it: look at the alarm's history", f.o.Timeout)
			}
			step.Detail += waitingFor(topics, got)
			f.done(step, start)
			return
		}
	}
	var failed, fine []string
	for _, tp := range topics {
		ar := got[tp]
		f.res.Actions = append(f.res.Actions, ar)
		if ar.Succeeded {
			fine = append(fine, tp)
		} else {
			failed = append(failed, ar.Summary)
		}
	}
	if len(failed) > 0 {
		step.Status = Broken
		step.Detail = "CloudWatch could not publish: " + strings.Join(failed, "; ")
	} else {
		step.Status = OK
		step.Detail = "CloudWatch published to " + strings.Join(fine, ", ") + "; each confirmed subscriber should now have the test message"
	}
	f.done(step, start)
}

func waitingFor(topics []string, got map[string]ActionResult) string {
	var missing []string
	for _, t := range topics {
		if _, ok := got[t]; !ok {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return " (no action yet on " + strings.Join(missing, ", ") + ")"
}

// reset sets the alarm back to OK on a context that ctx's end does not
// cancel, with its own deadline.
func (f *firing) reset(ctx context.Context) {
	start := f.o.Now()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.o.ResetTimeout)
	defer cancel()
	_, err := f.cw.SetAlarmState(rctx, &cloudwatch.SetAlarmStateInput{
		AlarmName:   aws.String(f.alarm.Name),
		StateValue:  cwtypes.StateValueOk,
		StateReason: aws.String(resetReason(f.o.Caller)),
	})
	step := Step{Name: StepReset}
	if err != nil {
		step.Status = Unknown
		step.Action, _ = failure("cloudwatch", "SetAlarmState", err)
		f.res.ResetCommand = resetCommand(f.alarm.Region, f.alarm.Name, f.o.ResetArgs)
		step.Detail = fmt.Sprintf("could not set %s back to OK (%s); it may still be in ALARM until its next evaluation. Set it back now with:\n  %s",
			f.alarm.Name, awserr.Message(err), f.res.ResetCommand)
	} else {
		step.Status = OK
		step.Detail = fmt.Sprintf("set %s back to OK; its next evaluation sets its real state", f.alarm.Name)
	}
	f.done(step, start)
}

// finish sums the steps up: Broken if one found a broken link, else
// Unknown if one could not tell, else OK.
func (f *firing) finish() *FireResult {
	f.res.Status = OK
	for _, s := range f.res.Steps {
		switch {
		case s.Status == Broken:
			f.res.Status = Broken
		case s.Status == Unknown && f.res.Status == OK:
			f.res.Status = Unknown
		}
	}
	switch f.res.Status {
	case OK:
		f.res.Detail = "the alarm fired, CloudWatch published to every topic, and the alarm is back to OK"
	case Broken:
		f.res.Detail = "firing the alarm found a broken link"
	default:
		f.res.Detail = "firing the alarm could not show whether the notification goes out"
	}
	if f.res.ResetCommand != "" {
		f.res.Detail += "; the alarm could NOT be set back to OK: run " + f.res.ResetCommand
	}
	return f.res
}

// answered reports whether err is AWS refusing the request (a 4xx answer:
// denied, not found, invalid), so the state did not change. A server error
// or no answer at all (Ctrl-C, a lost connection) leaves that open.
func answered(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	status := awserr.HTTPStatus(err)
	return status >= 400 && status < 500 || status == 0 && ae.ErrorFault() == smithy.FaultClient
}

func testReason(caller string, at time.Time) string {
	if caller == "" {
		caller = "an unknown caller"
	}
	return clip(fmt.Sprintf("trailwatch verify: a TEST of this alarm's notifications, started by %s at %s. This is not a real event; trailwatch sets the alarm back to OK right after.",
		caller, at.UTC().Format(time.RFC3339)), maxReason)
}

func resetReason(caller string) string {
	if caller == "" {
		caller = "an unknown caller"
	}
	return clip("trailwatch verify: test by "+caller+" finished; back to OK until the alarm's next evaluation sets its real state.", maxReason)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// resetCommand is the AWS CLI command that sets the alarm back to OK.
func resetCommand(region, alarm string, extra []string) string {
	args := []string{"aws", "cloudwatch", "set-alarm-state", "--region", ShellQuote(region),
		"--alarm-name", ShellQuote(alarm), "--state-value", "OK",
		"--state-reason", ShellQuote("trailwatch verify: reset after test")}
	return strings.Join(append(args, extra...), " ")
}

// ShellQuote quotes s for a POSIX shell when it needs it (for the reset
// command, and for callers building FireOptions.ResetArgs).
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
