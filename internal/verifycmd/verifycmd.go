// Package verifycmd is `trailwatch verify`: audit to find the chain, then
// prove with the verify package that its alarm really reaches someone, and
// with --fire (and a confirmation) fire the alarm once and set it back.
package verifycmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/verify"
)

// Bounds on --wait: long enough for CloudWatch to run an action, short
// enough that an alarm is never held in ALARM for long.
const (
	minTimeout = time.Second
	maxTimeout = 15 * time.Minute
)

// Options holds the command's inputs and dependencies; tests call Run with
// it directly.
type Options struct {
	IO             *term.IO
	Format         cliflags.Format
	Color          bool
	Fire           bool
	Yes            bool
	MaxDeliveryAge time.Duration
	Timeout        time.Duration
	// Examples supplies realistic CloudTrail records per event name for the
	// pattern check (pattern.ExampleRecords); nil leaves that check unable
	// to tell.
	Examples func(eventName string) []string

	Connect  func(ctx context.Context) (*Env, error)
	Prompter prompt.Prompter
	// Fire's knobs that tests shorten (zero: verify's defaults).
	PollInterval time.Duration
	ResetTimeout time.Duration
	// ResetArgs are added to the aws command printed when the reset fails.
	ResetArgs []string
}

// Env is what verify needs from AWS.
type Env struct {
	Audit  audit.Clients
	Verify verify.Clients
	// Caller is the ARN of whoever the credentials belong to ("" when
	// sts:GetCallerIdentity failed).
	Caller string
}

// Command is `trailwatch verify`. examples is the source of sample
// records for the pattern check (pattern.ExampleRecords).
func Command(streams func() *term.IO, examples func(eventName string) []string) *cli.Command {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "fire", Usage: "also fire the alarm: set it to ALARM (its subscribers get one test message), wait for CloudWatch to run the action, set it back to OK"},
		&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "with --fire, fire without asking"},
		&cli.DurationFlag{Name: "max-delivery-age", Value: verify.DefaultMaxDeliveryAge, Usage: "`AGE` beyond which the trail's last delivery to CloudWatch Logs counts as stale"},
		&cli.DurationFlag{Name: "wait", Value: verify.DefaultTimeout, Usage: fmt.Sprintf("with --fire, how long to wait for the alarm's history to show the action (`DURATION`, %s to %s; --timeout bounds the whole command)", minTimeout, maxTimeout)},
	}
	flags = append(flags, cliflags.OutputFlags()...)
	flags = append(flags, cliflags.AWSFlags()...)
	return &cli.Command{
		Name:  "verify",
		Usage: "prove that the alarm really reaches someone, end to end (read-only unless --fire)",
		Description: "Audits the account to find the chain, then checks what a configuration audit cannot see:\n" +
			"the trail delivers to CloudWatch Logs now; AWS's own pattern engine (TestMetricFilter) agrees\n" +
			"with trailwatch's on realistic records; the alarm can notify and its history shows no failed\n" +
			"action; SNS delivered every notification of the last day. --fire (after a confirmation on a\n" +
			"terminal, or with --yes) sets the alarm to ALARM, waits for its history to show that\n" +
			"CloudWatch published to the topic, and sets it back to OK, even after Ctrl-C or a timeout.\n" +
			"Never writes to a log group or changes a trail.\n\n" +
			"Exit status: 0 verified, 2 a broken link found, 1 could not tell (a permission or a wait\n" +
			"was missing) or an error, 130 interrupted (after the alarm is set back to OK).",
		ArgsUsage: " ",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			if err := cliflags.NoArgs(c); err != nil {
				return err
			}
			format, err := cliflags.OutputFrom(c)
			if err != nil {
				return err
			}
			io := streams()
			o := Options{
				IO: io, Format: format, Color: cliflags.Color(c, io),
				Fire: c.Bool("fire"), Yes: c.Bool("yes"),
				MaxDeliveryAge: c.Duration("max-delivery-age"), Timeout: c.Duration("wait"),
				Examples: examples, Prompter: prompt.New(io.In, io.Out),
			}
			settings := cliflags.SettingsFrom(c)
			o.Connect = connectAWS(settings)
			if settings.Profile != "" {
				o.ResetArgs = append(o.ResetArgs, "--profile", verify.ShellQuote(settings.Profile))
			}
			if settings.EndpointURL != "" {
				o.ResetArgs = append(o.ResetArgs, "--endpoint-url", verify.ShellQuote(settings.EndpointURL))
			}
			return Run(c.Context, o)
		},
	}
}

func (o Options) validate() error {
	if o.MaxDeliveryAge <= 0 {
		return fmt.Errorf("--max-delivery-age %s: want a positive duration such as 1h or 30m", o.MaxDeliveryAge)
	}
	if o.Timeout < minTimeout || o.Timeout > maxTimeout {
		return fmt.Errorf("--wait %s: want a duration from %s to %s, such as 2m", o.Timeout, minTimeout, maxTimeout)
	}
	if o.Yes && !o.Fire {
		return errors.New("--yes only confirms --fire; without --fire verify writes nothing and asks nothing")
	}
	return nil
}

// Run audits, checks, fires when asked and confirmed, and prints the report.
func Run(ctx context.Context, o Options) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.Fire && !o.Yes && !o.IO.CanPrompt() {
		return exitcode.New(exitcode.Error, errors.New("refusing to fire the alarm without a confirmation: there is no terminal to ask on; pass --yes to fire it (its subscribers get one test message); nothing was checked or fired"))
	}
	env, err := o.Connect(ctx)
	if err != nil {
		return interrupted(ctx, err)
	}
	ar, err := audit.Run(ctx, env.Audit, audit.Options{})
	if err != nil {
		return interrupted(ctx, fmt.Errorf("audit: %w", err))
	}
	targets, err := Targets(ar, o.Examples)
	if err != nil {
		return err
	}
	if o.Fire {
		if err := verify.ChooseFire(targets, nil); err != nil {
			return err
		}
	}
	trs, err := verify.Run(ctx, env.Verify, targets, verify.Options{MaxDeliveryAge: o.MaxDeliveryAge, Account: ar.Account})
	if err != nil {
		return interrupted(ctx, fmt.Errorf("verify: %w", err))
	}
	r := &verify.Report{Account: ar.Account, Region: ar.Region, Caller: env.Caller, Targets: trs}

	text := o.Format != cliflags.JSON
	out := verify.Text{W: o.IO.Out, Color: o.Color}
	if !text {
		// stdout carries one JSON document; the firing's steps, which can
		// take a while, show on stderr as they happen.
		out = verify.Text{W: o.IO.ErrOut}
	}
	if text {
		out.Header(r)
		for _, tr := range trs {
			out.Target(tr)
		}
	}
	var cancelled bool
	for i, t := range targets {
		if !t.Fire || ctx.Err() != nil {
			continue
		}
		if !o.Yes {
			ok, err := o.confirm(ctx, t)
			if err != nil {
				return err
			}
			if !ok {
				cancelled = true
				continue
			}
		}
		if t.Alarm != nil && t.Alarm.ActionsEnabled {
			out.FireStart(t.Alarm.Name, t.Alarm.Region)
		}
		trs[i].Fire = verify.Fire(ctx, env.Verify, t, verify.FireOptions{
			Caller: env.Caller, Timeout: o.Timeout, PollInterval: o.PollInterval, ResetTimeout: o.ResetTimeout,
			ResetArgs: o.ResetArgs, Progress: out.Step,
		})
		if f := trs[i].Fire; f != nil && len(f.Steps) == 0 {
			fmt.Fprintf(out.W, "\n  %s\n", f.Detail)
		}
	}
	if text {
		out.Verdict(r)
	} else if err := verify.WriteJSON(o.IO.Out, r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return status(ctx, r, cancelled)
}

// status is the exit status: 0 verified, 2 a broken link, 1 could not
// tell. A failed reset, a declined firing and an interruption are said on
// stderr and make the status at least 1; an interruption makes it 1.
func status(ctx context.Context, r *verify.Report, cancelled bool) error {
	code := exitcode.OK
	switch r.Verdict() {
	case verify.Broken:
		code = exitcode.Changes
	case verify.Unknown:
		code = exitcode.Error
	}
	var msgs []string
	for _, t := range r.Targets {
		if f := t.Fire; f != nil && f.ResetCommand != "" {
			msgs = append(msgs, fmt.Sprintf("alarm %s may still be in ALARM: set it back to OK with: %s", f.Alarm, f.ResetCommand))
		}
	}
	if cancelled {
		msgs = append(msgs, "cancelled; the alarm was not fired")
	}
	if ctx.Err() != nil {
		code = exitcode.Error
		msgs = append(msgs, "interrupted: the report above is incomplete")
	}
	if len(msgs) > 0 {
		return exitcode.New(max(code, exitcode.Error), errors.New(strings.Join(msgs, "; ")))
	}
	return exitcode.Silent(code)
}

func (o Options) confirm(ctx context.Context, t verify.Target) (bool, error) {
	a := t.Alarm
	if a == nil || !a.ActionsEnabled {
		return true, nil // Fire refuses these without a call; nothing to ask
	}
	ok, err := o.Prompter.Confirm(ctx, fmt.Sprintf("Fire alarm %s in %s?", a.Name, a.Region),
		fmt.Sprintf("It is set to ALARM for a test and back to OK right after. Subscribers of %s get one test message (and an OK message if the alarm notifies on OK).",
			strings.Join(a.Topics, ", ")))
	if errors.Is(err, prompt.ErrCancelled) {
		return false, nil
	}
	return ok, err
}

func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}

// connectAWS loads the AWS configuration, checks that AWS answers the
// caller (awsx.Connect) and names them.
func connectAWS(s awsx.Settings) func(ctx context.Context) (*Env, error) {
	return func(ctx context.Context) (*Env, error) {
		f, err := awsx.Connect(ctx, s)
		if err != nil {
			return nil, err
		}
		return EnvFromFactory(ctx, f), nil
	}
}

// EnvFromFactory wraps a factory; the caller's ARN comes from its memoized
// identity ("" when it could not be read).
func EnvFromFactory(ctx context.Context, f *awsx.Factory) *Env {
	id, _ := f.Identity(ctx)
	return &Env{Audit: f.AuditClients(), Verify: clients{f}, Caller: id.ARN}
}

// clients adapts the factory's SDK clients to verify.Clients.
type clients struct{ f *awsx.Factory }

func (c clients) CloudTrail(r string) verify.CloudTrailAPI { return c.f.CloudTrail(r) }
func (c clients) Logs(r string) verify.LogsAPI             { return c.f.Logs(r) }
func (c clients) CloudWatch(r string) verify.CloudWatchAPI { return c.f.CloudWatch(r) }
