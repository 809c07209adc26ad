package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/evidence"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/formats"
	"github.com/trailwatch/trailwatch/findings/securityhub"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/term"
)

// auditOptions is everything the audit command needs; tests call runAudit
// with it directly.
type auditOptions struct {
	IO          *term.IO
	Strict      bool
	Format      cliflags.Format
	Color       bool
	Evidence    string // audit this file, no AWS access
	EvidenceOut string // save the responses the audit used here
	// NextFlags are the flags to repeat in the fix command suggested after
	// a text report with gaps.
	NextFlags []string
	// Clients connects to AWS; unused with Evidence.
	Clients func(ctx context.Context) (audit.Clients, error)
	// Reach reads other accounts (--chain-role); nil without. With
	// Evidence, the file's reached accounts answer instead.
	Reach func(ctx context.Context, account string) (audit.Clients, error)
	// SecurityHub imports the findings through HubClient (findings.go).
	SecurityHub bool
	HubClient   securityhub.ClientFor
	// Controls are the controls to audit (--control); none: CIS 4.5, with
	// the single-control report.
	Controls []chain.Control
}

func auditCommand(io *term.IO) *cli.Command {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "strict", Usage: "also require the literal CIS filter pattern, as Security Hub CloudWatch.5 does"},
		&cli.StringFlag{Name: "evidence", Usage: "audit a saved evidence `FILE` instead of AWS (no AWS access at all)", TakesFile: true},
		&cli.StringFlag{Name: "evidence-out", Usage: "save every AWS response the audit used to `FILE`", TakesFile: true},
		&cli.BoolFlag{Name: "security-hub", Usage: "also import the findings into AWS Security Hub (ASFF, BatchImportFindings) in the audited account and region"},
		&cli.StringSliceFlag{Name: "control", Usage: "audit this CIS monitoring control: `ID` is any of its numbers (4.1, 3.1, 5.1, CloudWatch.2) or all; " +
			"repeat for several (default: 4.5, CloudTrail configuration changes)"},
	}
	flags = append(flags, cliflags.OutputFlags(cliflags.FindingFormats...)...)
	flags = append(flags, cliflags.AWSFlags()...)
	flags = append(flags, cliflags.ChainRoleFlag())
	return &cli.Command{
		Name:  "audit",
		Usage: "check the account for the CloudTrail-changes alarm chain (read-only)",
		Description: "Reads the account and reports whether one complete chain exists: multi-region trail that\n" +
			"logs all management events to CloudWatch Logs, a metric filter covering CreateTrail,\n" +
			"UpdateTrail, DeleteTrail, StartLogging and StopLogging, an alarm on its metric that\n" +
			"notifies an SNS topic, and a confirmed subscription.\n\n" +
			"Exit status: 0 compliant, 2 gaps, 1 unknown (a read failed or was denied) or error, 130 interrupted.",
		ArgsUsage: " ",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			if err := cliflags.NoArgs(c); err != nil {
				return err
			}
			format, err := cliflags.OutputFrom(c, cliflags.FindingFormats...)
			if err != nil {
				return err
			}
			opts := auditOptions{
				IO:          io,
				Strict:      c.Bool("strict"),
				Format:      format,
				Color:       cliflags.Color(c, io),
				Evidence:    c.String("evidence"),
				EvidenceOut: c.String("evidence-out"),
				NextFlags:   accountFlags(c),
				SecurityHub: c.Bool("security-hub"),
			}
			if opts.Evidence != "" {
				if opts.SecurityHub {
					return fmt.Errorf("--evidence audits a file without AWS access; it cannot be combined with --security-hub")
				}
				if set := cliflags.AWSFlagsSet(c); len(set) > 0 {
					return fmt.Errorf("--evidence audits a file without AWS access; it cannot be combined with %s", strings.Join(set, ", "))
				}
			}
			settings := cliflags.SettingsFrom(c)
			roles, err := cliflags.ChainRoles(c)
			if err != nil {
				return cliflags.Usage(c.Command, err)
			}
			if opts.Controls, err = controlsFrom(c.StringSlice("control")); err != nil {
				return cliflags.Usage(c.Command, err)
			}
			var factory *awsx.Factory
			var reach func(context.Context, string) (audit.Clients, error)
			opts.Clients = func(ctx context.Context) (audit.Clients, error) {
				f, err := awsx.Connect(ctx, settings)
				if err != nil {
					return nil, err
				}
				factory = f
				reach = f.Reach(roles, settings.RoleSessionName)
				return f.AuditClients(), nil
			}
			if len(roles) > 0 {
				// Connected by then: Clients runs before the audit.
				opts.Reach = func(ctx context.Context, account string) (audit.Clients, error) { return reach(ctx, account) }
			}
			opts.HubClient = func(ctx context.Context, account, region string) (securityhub.API, error) {
				return hubClient(ctx, factory, account, region)
			}
			return runAudit(c.Context, opts)
		},
	}
}

func runAudit(ctx context.Context, o auditOptions) error {
	var clients audit.Clients
	if o.Evidence != "" {
		c, err := evidence.Load(o.Evidence)
		if err != nil {
			return err // it names the file already
		}
		clients = c
		o.Reach = c.Reacher()
	} else {
		c, err := o.Clients(ctx)
		if err != nil {
			return interrupted(ctx, err)
		}
		clients = c
	}
	var rec *evidence.Recorder
	if o.EvidenceOut != "" {
		rec = evidence.NewRecorder(clients)
		clients = rec
		o.Reach = rec.Reach(o.Reach)
	}

	at := time.Now()
	if len(o.Controls) > 1 {
		m, err := audit.RunControls(ctx, clients, o.Controls, audit.Options{Strict: o.Strict, Reach: o.Reach})
		if err != nil {
			return interrupted(ctx, fmt.Errorf("audit: %w", err))
		}
		return o.finish(ctx, rec, m.Reports, at, func() error { return audit.WriteMultiJSON(o.IO.Out, m) }, func() error {
			if err := audit.WriteMultiText(o.IO.Out, m, o.Color); err != nil {
				return err
			}
			nextStepControls(o.IO.Out, m, o.NextFlags, o.Evidence != "")
			return nil
		})
	}
	aopts := audit.Options{Strict: o.Strict, Reach: o.Reach}
	if len(o.Controls) == 1 {
		aopts.Control = o.Controls[0]
	}
	report, err := audit.Run(ctx, clients, aopts)
	if err != nil {
		return interrupted(ctx, fmt.Errorf("audit: %w", err))
	}
	return o.finish(ctx, rec, []*audit.Report{report}, at, func() error { return audit.WriteJSON(o.IO.Out, report) }, func() error {
		if err := audit.WriteText(o.IO.Out, report, o.Color); err != nil {
			return err
		}
		nextStep(o.IO.Out, report, o.NextFlags, o.Evidence != "")
		return nil
	})
}

// finish is what every audit does after reading: save the evidence, write
// the report (writeJSON, writeText) or its findings, import them into
// Security Hub when asked, and end with the exit status over the reports:
// 1 when any is unknown, else 2 when any has a gap.
func (o auditOptions) finish(ctx context.Context, rec *evidence.Recorder, reports []*audit.Report, at time.Time, writeJSON, writeText func() error) error {
	var saveErr error
	if rec != nil {
		if err := rec.Save(o.EvidenceOut); err != nil {
			saveErr = fmt.Errorf("save evidence to %s: %w", o.EvidenceOut, err)
		}
	}
	var fs []findings.Finding
	for _, r := range reports {
		fs = append(fs, findings.FromReport(r, at, Version)...)
	}
	var err error
	switch o.Format {
	case cliflags.JSON:
		err = writeJSON()
	case cliflags.Text:
		err = writeText()
	default:
		err = formats.Write(o.IO.Out, string(o.Format), fs)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if saveErr != nil {
		return saveErr
	}
	if o.SecurityHub {
		if err := securityhub.ImportAndReport(ctx, o.IO.ErrOut, fs, o.HubClient); err != nil {
			return interrupted(ctx, err)
		}
	}
	status := error(nil)
	for _, r := range reports {
		if err := verdictStatus(r); exitcode.Of(err) == exitcode.Error {
			return err
		} else if err != nil {
			status = err
		}
	}
	return status
}

// verdictStatus: 0 compliant, 2 gaps, 1 unknown. The report already said why.
func verdictStatus(r *audit.Report) error {
	switch {
	case r.Compliant == nil:
		return exitcode.Silent(exitcode.Error)
	case *r.Compliant:
		return nil
	default:
		return exitcode.Silent(exitcode.Changes)
	}
}

// controlsFrom reads --control: each control once, in the order given;
// "all" is every control, 4.1–4.16.
func controlsFrom(ids []string) ([]chain.Control, error) {
	var out []chain.Control
	seen := map[string]bool{}
	for _, id := range ids {
		var cs []chain.Control
		if strings.EqualFold(strings.TrimSpace(id), "all") {
			cs = chain.Controls()
		} else {
			c, err := chain.ControlFor(id)
			if err != nil {
				return nil, fmt.Errorf("--control %s: %w", id, err)
			}
			cs = []chain.Control{c}
		}
		for _, c := range cs {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}
