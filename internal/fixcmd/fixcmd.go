// Package fixcmd holds the commands that change an account: plan (audit and
// show the steps), fix (audit, plan, confirm, apply, audit again) and apply
// (a saved plan, only if the account has not changed since).
package fixcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/remediate"
)

// Options holds a command's inputs and dependencies; tests call RunPlan,
// RunFix and RunApply with it directly.
type Options struct {
	IO      *term.IO
	Choices plan.Choices
	Strict  bool
	Yes     bool
	DryRun  bool
	Format  cliflags.Format
	Color   bool
	Out     string // plan --out FILE
	File    string // apply FILE

	Connect  func(ctx context.Context) (*Env, error)
	Prompter prompt.Prompter
	Now      func() time.Time
	Apply    remediate.Options

	// doc collects fix's and apply's --output json, written once at the
	// end so stdout holds exactly one JSON document.
	doc *resultDoc
}

// resultDoc is `fix --output json` and `apply --output json`: the plan,
// what apply did (null when nothing was applied) and the verdict after.
type resultDoc struct {
	Plan  any               `json:"plan"` // plan.JSONView, as `plan --output json` shows it
	Apply *remediate.Result `json:"apply"`
	After *afterDoc         `json:"after"`
}

type afterDoc struct {
	Compliant *bool               `json:"compliant"`
	Gaps      []audit.Gap         `json:"gaps"`
	Unknown   []audit.UnknownRead `json:"unknown"`
}

// collectJSON makes o gather its JSON output into one document, written
// by the returned func (deferred by the caller) once a plan exists.
func (o *Options) collectJSON() func() {
	if o.Format != cliflags.JSON {
		return func() {}
	}
	o.doc = &resultDoc{}
	return func() {
		if o.doc.Plan != nil {
			_ = writeJSON(o.IO.Out, o.doc)
		}
	}
}

// Commands returns plan, fix and apply for internal/cli to register.
func Commands(streams func() *term.IO) []*cli.Command {
	return []*cli.Command{planCommand(streams), fixCommand(streams), applyCommand(streams)}
}

func choiceFlags() []cli.Flag {
	cat := "Choices"
	return []cli.Flag{
		&cli.StringFlag{Name: "email", Category: cat, Usage: "subscribe email `ADDR` to the alarm's topic (stays pending until someone clicks the link)"},
		&cli.StringFlag{Name: "subscribe", Category: cat, Usage: "subscribe `PROTOCOL:ENDPOINT` to the topic: https://..., sqs:ARN, lambda:ARN, email:ADDR, sms:+E164, ..."},
		&cli.StringFlag{Name: "topic-arn", Category: cat, Usage: "existing SNS topic `ARN` for the alarm to notify"},
		&cli.StringFlag{Name: "control", Category: cat, Usage: "the CIS monitoring control to plan for: `ID` is any of its numbers (4.1, 3.1, 5.1, CloudWatch.2); its filter text and names are the defaults", DefaultText: "4.5"},
		&cli.StringFlag{Name: "filter-name", Category: cat, Usage: "metric filter `NAME` (default for 4.5 " + plan.DefaultFilterName + "; each control has its own: trailwatch controls ID)"},
		&cli.StringFlag{Name: "metric-name", Category: cat, Usage: "metric `NAME` (default for 4.5 " + plan.DefaultMetricName + "; each control has its own: trailwatch controls ID)"},
		&cli.StringFlag{Name: "namespace", Category: cat, Usage: "metric `NAMESPACE` (default " + plan.DefaultNamespace + ")"},
		&cli.StringFlag{Name: "alarm-name", Category: cat, Usage: "alarm `NAME` (default for 4.5 " + plan.DefaultAlarmName + "; each control has its own: trailwatch controls ID)"},
		&cli.StringFlag{Name: "topic-name", Category: cat, Usage: "`NAME` of a topic trailwatch creates (default " + plan.DefaultTopicName + ")"},
		&cli.StringFlag{Name: "log-group-name", Category: cat, Usage: "`NAME` of a log group trailwatch creates for the trail (default " + plan.DefaultLogGroupName + ")"},
		&cli.StringFlag{Name: "role-name", Category: cat, Usage: "`NAME` of the role CloudTrail uses to deliver to the log group (default " + plan.DefaultRoleName + ")"},
		&cli.IntFlag{Name: "retention-days", Category: cat, Value: plan.DefaultRetentionDays, Usage: "`DAYS` a new log group keeps events"},
		&cli.StringFlag{Name: "kms-key", Category: cat, Usage: "customer managed KMS `KEY` (id, ARN or alias) to encrypt a new topic (and a new trail bucket); never alias/aws/sns"},
		&cli.StringFlag{Name: "trail-name", Category: cat, Usage: "`NAME` of the multi-region trail trailwatch creates when there is none (default " + plan.DefaultTrailName + ")"},
		&cli.StringFlag{Name: "trail-bucket", Category: cat, Usage: "existing S3 `BUCKET` for a new trail's logs (its policy is merged, never replaced); default: a new bucket trailwatch-cloudtrail-ACCOUNT-REGION"},
		&cli.BoolFlag{Name: "strict", Usage: "audit as Security Hub CloudWatch.5 does: require the literal CIS pattern"},
	}
}

func choicesFrom(c *cli.Context) plan.Choices {
	return plan.Choices{
		Control: c.String("control"),
		Email:   c.String("email"), Subscribe: c.String("subscribe"), TopicARN: c.String("topic-arn"),
		FilterName: c.String("filter-name"), MetricName: c.String("metric-name"), Namespace: c.String("namespace"),
		AlarmName: c.String("alarm-name"), TopicName: c.String("topic-name"), LogGroupName: c.String("log-group-name"),
		RoleName: c.String("role-name"), RetentionDays: int32(c.Int("retention-days")), KMSKeyID: c.String("kms-key"),
		TrailName: c.String("trail-name"), TrailBucket: c.String("trail-bucket"),
	}
}

// baseOptions reads what every command takes: --output, colour, AWS access
// and --strict.
func baseOptions(c *cli.Context, io *term.IO) (Options, error) {
	format, err := cliflags.OutputFrom(c)
	if err != nil {
		return Options{}, err
	}
	roles, err := cliflags.ChainRoles(c)
	if err != nil {
		return Options{}, cliflags.Usage(c.Command, err)
	}
	return Options{IO: io, Strict: c.Bool("strict"), Format: format, Color: cliflags.Color(c, io),
		Connect: connectAWS(cliflags.SettingsFrom(c), roles), Prompter: prompt.New(io.In, io.Out), Now: time.Now}, nil
}

// common is baseOptions plus the validated choices of plan and fix.
func common(c *cli.Context, io *term.IO) (Options, error) {
	o, err := baseOptions(c, io)
	if err != nil {
		return Options{}, err
	}
	if o.Choices, err = ChoicesFrom(c); err != nil {
		return Options{}, err
	}
	return o, nil
}

func flags(extra ...cli.Flag) []cli.Flag {
	out := append([]cli.Flag{}, extra...)
	out = append(out, choiceFlags()...)
	out = append(out, cliflags.OutputFlags()...)
	out = append(out, cliflags.AWSFlags()...)
	return append(out, cliflags.ChainRoleFlag())
}

func planCommand(streams func() *term.IO) *cli.Command {
	return &cli.Command{
		Name:  "plan",
		Usage: "audit, then show the ordered changes that would close the gaps (writes nothing)",
		Description: "Prints each step like Terraform: + create, ~ update, with the resource and its key\n" +
			"parameters. --out saves the plan with a digest of the account state it was made from, for\n" +
			"'trailwatch apply FILE'.\n\nExit status: 0 nothing to do, 2 steps pending, 1 error or unknown, 130 interrupted.",
		ArgsUsage: " ",
		Flags:     flags(&cli.StringFlag{Name: "out", Usage: "save the plan to `FILE`", TakesFile: true}),
		Action: func(c *cli.Context) error {
			if err := cliflags.NoArgs(c); err != nil {
				return err
			}
			o, err := common(c, streams())
			if err != nil {
				return err
			}
			o.Out = c.String("out")
			return RunPlan(c.Context, o)
		},
	}
}

func fixCommand(streams func() *term.IO) *cli.Command {
	return &cli.Command{
		Name:  "fix",
		Usage: "audit, plan, confirm, apply and audit again",
		Description: "Shows the plan before writing anything. On a terminal it asks where notifications go\n" +
			"and whether the default names suit, then for a confirmation (Esc or Ctrl-C cancels with\n" +
			"nothing written). --yes asks nothing; a missing choice is then an error before any write.\n" +
			"Without a terminal and without --yes it refuses. Never deletes; never changes a resource\n" +
			"trailwatch did not make.\n\nExit status: 0 compliant afterwards, 2 gaps remain (or --dry-run with steps pending),\n1 error, refusal or cancellation, 130 interrupted (after the call in flight).",
		ArgsUsage: " ",
		Flags: flags(
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "apply without asking"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan and write nothing"},
		),
		Action: func(c *cli.Context) error {
			if err := cliflags.NoArgs(c); err != nil {
				return err
			}
			o, err := common(c, streams())
			if err != nil {
				return err
			}
			o.Yes, o.DryRun = c.Bool("yes"), c.Bool("dry-run")
			return RunFix(c.Context, o)
		},
	}
}

func applyCommand(streams func() *term.IO) *cli.Command {
	return &cli.Command{
		Name:  "apply",
		Usage: "apply a plan saved by 'plan --out', if the account has not changed since",
		Description: "Verifies the file's checksum, audits the account again and refuses (writing nothing) when\n" +
			"the state differs from the one the plan was made from, saying what changed. Confirms like\n" +
			"fix; --yes skips the question.\n\nExit status: 0 compliant afterwards, 2 gaps remain, 1 error, stale plan or refusal,\n130 interrupted (after the call in flight).",
		ArgsUsage: "FILE",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "apply without asking"},
			&cli.BoolFlag{Name: "strict", Usage: "audit as Security Hub CloudWatch.5 does (use the same setting as plan)"},
		}, append(cliflags.OutputFlags(), append(cliflags.AWSFlags(), cliflags.ChainRoleFlag())...)...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cliflags.Usage(c.Command, fmt.Errorf("apply takes one argument, the plan FILE written by 'trailwatch plan --out FILE'"))
			}
			o, err := baseOptions(c, streams())
			if err != nil {
				return err
			}
			o.File, o.Yes = c.Args().First(), c.Bool("yes")
			return RunApply(c.Context, o)
		},
	}
}

// ---- shared steps ----

func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}

// audited is the account as a command found it before deciding anything.
type audited struct {
	env    *Env
	report *audit.Report
}

// connectAndAudit connects and audits: how plan, fix and apply all begin.
// The audit knows the names the choices give trailwatch's resources, so it
// recognises trailwatch's own.
func (o Options) connectAndAudit(ctx context.Context) (audited, error) {
	env, err := o.Connect(ctx)
	if err != nil {
		return audited{}, interrupted(ctx, err)
	}
	r, err := auditNow(ctx, env, o.Strict, o.Choices)
	if err != nil {
		return audited{}, err
	}
	// What the plan cannot tell changes what it does: say so before it.
	for _, w := range r.Warnings {
		if w.Code == audit.WarnTagsUnread {
			fmt.Fprintf(o.IO.ErrOut, "Note: %s\n", w.Message)
		}
	}
	return audited{env: env, report: r}, nil
}

// planAndShow connects, audits, builds the plan from o.Choices and prints
// it: what plan and fix do before they part ways.
func (o Options) planAndShow(ctx context.Context) (audited, *plan.Plan, error) {
	a, err := o.connectAndAudit(ctx)
	if err != nil {
		return audited{}, nil, err
	}
	p, err := buildPlan(ctx, a, o.Choices)
	if err != nil {
		return audited{}, nil, err
	}
	if err := o.printPlan(p); err != nil {
		return audited{}, nil, err
	}
	return a, p, nil
}

// auditNow audits.
func auditNow(ctx context.Context, env *Env, strict bool, c plan.Choices) (*audit.Report, error) {
	r, err := audit.Run(ctx, env.Audit, audit.Options{Strict: strict, Control: c.ChainControl(), Names: c.Names(), Reach: env.Reach, Owners: env.Owners})
	if err != nil {
		return nil, interrupted(ctx, fmt.Errorf("audit: %w", err))
	}
	return r, nil
}

// buildPlan plans from the report, probes the names the plan would create
// resources under (read-only), and plans again with what the probes found,
// so the plan shows create only for what does not exist.
func buildPlan(ctx context.Context, a audited, c plan.Choices) (*plan.Plan, error) {
	p, _, err := planWithLookups(ctx, a, c)
	return p, err
}

// planWithLookups is buildPlan, also returning the lookups.
func planWithLookups(ctx context.Context, a audited, c plan.Choices) (*plan.Plan, plan.Lookups, error) {
	p0, err := plan.Build(a.report, c, nil)
	if err != nil {
		var ue *plan.UnknownError
		if errors.As(err, &ue) {
			return nil, nil, exitcode.New(exitcode.Error, err)
		}
		return nil, nil, err
	}
	if len(p0.Probes()) == 0 {
		return p0, nil, nil
	}
	lk, err := remediate.Lookup(ctx, p0, a.env.Writers)
	if err != nil {
		return nil, nil, interrupted(ctx, fmt.Errorf("look up the names the plan uses: %w", err))
	}
	p, err := plan.Build(a.report, c, lk)
	return p, lk, err
}

func (o Options) printPlan(p *plan.Plan) error {
	if o.doc != nil {
		// fix/apply in JSON: the plan goes into the one document, and, as
		// text on stderr, before anything is written.
		o.doc.Plan = plan.JSONView(p)
		return plan.WriteText(o.IO.ErrOut, p, false)
	}
	if o.Format == cliflags.JSON {
		return plan.WriteJSON(o.IO.Out, p)
	}
	return plan.WriteText(o.IO.Out, p, o.Color)
}

// planOut is where the plan and words about it go: stdout, or stderr when
// stdout carries fix's or apply's JSON document.
func (o Options) planOut() io.Writer {
	if o.doc != nil {
		return o.IO.ErrOut
	}
	return o.IO.Out
}

// missingChoice fails when the plan still lacks a choice (such as where
// notifications go).
func missingChoice(p *plan.Plan) error {
	if m := p.Missing(); len(m) > 0 {
		return exitcode.New(exitcode.Error, fmt.Errorf("the plan needs %s; nothing was written", m[0]))
	}
	return nil
}

// planStatus: 0 nothing to do and compliant, 2 steps pending or gaps remain.
func planStatus(p *plan.Plan, r *audit.Report) error {
	if p.Empty() && r.Compliant != nil && *r.Compliant {
		return nil
	}
	return exitcode.Silent(exitcode.Changes)
}

// ---- plan ----

// RunPlan audits, builds the plan, prints it and saves it with --out.
func RunPlan(ctx context.Context, o Options) error {
	a, p, err := o.planAndShow(ctx)
	if err != nil {
		return err
	}
	if o.Out != "" {
		if p.Empty() {
			fmt.Fprintf(o.IO.ErrOut, "Nothing to do, so no plan was saved to %s.\n", o.Out)
		} else {
			if err := plan.Save(o.Out, p, o.Now()); err != nil {
				return err
			}
			fmt.Fprintf(o.IO.ErrOut, "Saved the plan to %s. Apply it with: trailwatch apply %s\n", o.Out, o.Out)
		}
	} else if !p.Empty() && o.Format != cliflags.JSON {
		fmt.Fprintln(o.IO.ErrOut, "This plan was not saved. To apply exactly these steps, run plan again with --out FILE, then\n"+
			"trailwatch apply FILE; or run trailwatch fix with the same flags, which plans again and asks before writing.")
	}
	return planStatus(p, a.report)
}

// ---- fix ----

// errCancelled is what a cancelled prompt returns: exit 1, nothing written.
var errCancelled = exitcode.New(exitcode.Error, errors.New("cancelled; nothing was written"))

// RunFix audits, plans, prints the plan, asks (or refuses), applies and
// audits again.
func RunFix(ctx context.Context, o Options) error {
	defer o.collectJSON()()
	a, p, err := o.planAndShow(ctx)
	if err != nil {
		return err
	}
	if p.Empty() {
		return planStatus(p, a.report)
	}
	if o.DryRun {
		fmt.Fprintln(o.IO.ErrOut, "Dry run: nothing was written.")
		return exitcode.Silent(exitcode.Changes)
	}
	if !o.Yes {
		if !o.IO.CanPrompt() {
			msg := "refusing to change the account without a confirmation: there is no terminal to ask on. Review the plan above and pass --yes to apply it"
			if m := p.Missing(); len(m) > 0 {
				// Say it now, not after the user comes back with --yes.
				msg += "; the plan also needs " + m[0]
			}
			return exitcode.New(exitcode.Error, errors.New(msg+" (nothing was written)"))
		}
		p, err = o.ask(ctx, a, p)
		if err != nil {
			return err
		}
	}
	if err := missingChoice(p); err != nil {
		return err
	}
	return o.applyAndVerify(ctx, a.env, p)
}

// ask runs the choice form (when the plan needs one) and the confirmation.
func (o Options) ask(ctx context.Context, a audited, p *plan.Plan) (*plan.Plan, error) {
	r := a.report
	req := prompt.Request{Account: r.Account, Region: r.Region, Current: o.Choices,
		AskTarget: p.NeedsTarget() && len(o.Choices.Endpoints()) == 0 && o.Choices.TopicARN == "",
		Names:     names(p)}
	if req.AskTarget || len(req.Names) > 0 {
		ch, err := o.Prompter.AskChoices(ctx, req)
		if errors.Is(err, prompt.ErrCancelled) {
			return nil, errCancelled
		}
		if err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(ch, o.Choices) {
			if !reflect.DeepEqual(ch.Names(), o.Choices.Names()) {
				// Other names: the audit recognises trailwatch's own by
				// them, so it looks again.
				if a.report, err = auditNow(ctx, a.env, o.Strict, ch); err != nil {
					return nil, err
				}
			}
			np, err := buildPlan(ctx, a, ch)
			if err != nil {
				return nil, err
			}
			fmt.Fprintln(o.planOut(), "\nWith your answers, the plan is:")
			if err := o.printPlan(np); err != nil {
				return nil, err
			}
			p = np
		}
	}
	if err := missingChoice(p); err != nil {
		return nil, err
	}
	if p.Empty() {
		return p, nil
	}
	return o.confirm(ctx, p)
}

func (o Options) confirm(ctx context.Context, p *plan.Plan) (*plan.Plan, error) {
	c, u := p.Counts()
	ok, err := o.Prompter.Confirm(ctx, fmt.Sprintf("Apply these changes to account %s?", p.Account),
		fmt.Sprintf("%d to create, %d to change. Nothing is deleted.", c, u))
	if errors.Is(err, prompt.ErrCancelled) || (err == nil && !ok) {
		return nil, errCancelled
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// names lists the names of resources the plan creates.
func names(p *plan.Plan) []prompt.Name {
	var out []prompt.Name
	for _, s := range p.Steps {
		if s.Action != plan.Create {
			continue
		}
		switch s.Address.Kind {
		case plan.KindLogGroup:
			out = append(out, prompt.Name{Key: "log-group-name", Label: "Log group", Default: s.Params.LogGroup.Name})
		case plan.KindLogsRole:
			out = append(out, prompt.Name{Key: "role-name", Label: "IAM role for CloudTrail", Default: s.Params.LogsRole.Name})
		case plan.KindMetricFilter:
			m := s.Params.MetricFilter
			out = append(out, prompt.Name{Key: "filter-name", Label: "Metric filter", Default: m.Name},
				prompt.Name{Key: "namespace", Label: "Metric namespace", Default: m.Namespace},
				prompt.Name{Key: "metric-name", Label: "Metric name", Default: m.MetricName})
		case plan.KindTopic:
			out = append(out, prompt.Name{Key: "topic-name", Label: "SNS topic", Default: s.Params.Topic.Name})
		case plan.KindAlarm:
			out = append(out, prompt.Name{Key: "alarm-name", Label: "Alarm", Default: s.Params.Alarm.Name})
		}
	}
	return out
}

// applyAndVerify applies p, prints what happened, audits again and prints
// the verdict.
func (o Options) applyAndVerify(ctx context.Context, env *Env, p *plan.Plan) error {
	opts := o.Apply
	text := o.Format != cliflags.JSON
	if text {
		fmt.Fprintln(o.IO.Out, "\nApplying:")
		opts.Progress = func(s remediate.StepResult) { _ = remediate.WriteStep(o.IO.Out, s) }
	}
	res, applyErr := remediate.Apply(ctx, p, env.Writers, opts)
	if res == nil {
		return applyErr
	}
	if text {
		_ = remediate.WriteSummary(o.IO.Out, res)
		for _, s := range res.Pending() {
			fmt.Fprintf(o.IO.Out, "Pending: %s\n", s.Detail)
		}
	}
	if o.doc != nil {
		o.doc.Apply = res
	}
	if applyErr != nil {
		return exitcode.New(exitcode.Error, applyErr)
	}
	after, err := auditNow(ctx, env, o.Strict, p.Choices)
	if err != nil {
		return err
	}
	if o.doc != nil {
		o.doc.After = &afterDoc{Compliant: after.Compliant,
			Gaps: append([]audit.Gap{}, after.Gaps...), Unknown: append([]audit.UnknownRead{}, after.Unknown...)}
	} else {
		writeVerdict(o.IO.Out, after, res)
	}
	switch {
	case after.Compliant == nil:
		return exitcode.Silent(exitcode.Error)
	case *after.Compliant:
		return nil
	}
	return exitcode.Silent(exitcode.Changes)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeVerdict(w io.Writer, r *audit.Report, res *remediate.Result) {
	switch {
	case r.Compliant == nil:
		fmt.Fprintln(w, "\nAfter: unknown: the audit could not read everything:")
		for _, u := range r.Unknown {
			fmt.Fprintf(w, "  %s: %s\n", u.Action, u.Message)
		}
	case *r.Compliant:
		fmt.Fprintln(w, "\nAfter: compliant. CloudTrail configuration changes now reach a confirmed subscriber.")
	default:
		fmt.Fprintln(w, "\nAfter: gaps remain:")
		pending := false
		for _, g := range r.Gaps {
			fmt.Fprintf(w, "  %s: %s\n", g.Code, g.Message)
			pending = pending || g.Code == audit.NoConfirmedSubscription
		}
		if pending {
			msg := "A subscription is waiting for its confirmation. For email, someone must click the link in the message AWS sent; the audit keeps reporting NO_CONFIRMED_SUBSCRIPTION until then."
			if len(res.Pending()) == 0 {
				msg = "The topic has no confirmed subscriber yet; for email, someone must click the link in the message AWS sent, and the audit keeps reporting NO_CONFIRMED_SUBSCRIPTION until then."
			}
			fmt.Fprintln(w, msg)
		}
	}
}

// ---- apply ----

// sameSteps reports the steps of the saved plan p that differ from want,
// the plan made now from the same state, choices and lookups.
func sameSteps(p, want *plan.Plan) error {
	// Apply acts on the action and parameters; a reason's wording may come
	// from an audit message that is not part of the recorded state.
	enc := func(s plan.Step) string {
		s.Reason.Message = ""
		b, _ := json.Marshal(s)
		return string(b)
	}
	var diff []string
	for i := 0; i < max(len(want.Steps), len(p.Steps)); i++ {
		switch {
		case i >= len(p.Steps):
			diff = append(diff, want.Steps[i].ID+" (missing from the file)")
		case i >= len(want.Steps):
			diff = append(diff, p.Steps[i].ID+" (not a step trailwatch would plan)")
		case enc(p.Steps[i]) != enc(want.Steps[i]):
			diff = append(diff, p.Steps[i].ID)
		}
	}
	if len(diff) > 0 {
		return fmt.Errorf("its steps are not the ones trailwatch plans from the state and choices it records (edited by hand?): %s differ", strings.Join(diff, ", "))
	}
	return nil
}

// RunApply applies a saved plan if it is intact and still matches the account.
func RunApply(ctx context.Context, o Options) error {
	defer o.collectJSON()()
	saved, err := plan.Load(o.File)
	if err != nil {
		return err
	}
	p := saved.Plan
	o.Choices = p.Choices
	a, err := o.connectAndAudit(ctx)
	if err != nil {
		return err
	}
	r := a.report
	if len(r.Unknown) > 0 {
		return exitcode.New(exitcode.Error, &plan.UnknownError{Reads: r.Unknown})
	}
	if r.Account != saved.Account {
		return exitcode.New(exitcode.Error, fmt.Errorf("plan %s was made for account %s, but these credentials reach account %s; nothing was written", o.File, saved.Account, r.Account))
	}
	if r.Region != saved.Region {
		return exitcode.New(exitcode.Error, fmt.Errorf("plan %s was made for region %s, but this run works in region %s (--region or the configured region); nothing was written", o.File, saved.Region, r.Region))
	}
	// The plan made now, from the fresh audit and lookups: what the saved
	// one must equal.
	want, lk, err := planWithLookups(ctx, a, p.Choices)
	if err != nil {
		return err
	}
	if err := plan.CheckFresh(p, r, lk); err != nil {
		return exitcode.New(exitcode.Error, err)
	}
	// The checksum finds damage, not intent: anyone can edit a step and
	// recompute it. So the steps must be exactly what trailwatch plans from
	// the state and choices the file records, which the fresh audit has just
	// matched. What was reviewed is what runs.
	if err := sameSteps(p, want); err != nil {
		return exitcode.New(exitcode.Error, fmt.Errorf("plan %s: %w; nothing was written", o.File, err))
	}
	fmt.Fprintf(o.IO.ErrOut, "Plan %s (made %s) matches the account.\n", o.File, saved.Created.Format(time.RFC3339))
	if err := o.printPlan(p); err != nil {
		return err
	}
	if !o.Yes {
		if !o.IO.CanPrompt() {
			return exitcode.New(exitcode.Error, errors.New("refusing to change the account without a confirmation: there is no terminal to ask on. Pass --yes to apply the plan above (nothing was written)"))
		}
		if _, err := o.confirm(ctx, p); err != nil {
			return err
		}
	}
	return o.applyAndVerify(ctx, a.env, p)
}
