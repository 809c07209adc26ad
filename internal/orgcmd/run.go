package orgcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/formats"
	"github.com/trailwatch/trailwatch/findings/securityhub"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/progress"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/remediate"
)

// Options holds an --org command's inputs and dependencies; tests call
// RunAudit, RunPlan and RunFix with it directly.
type Options struct {
	IO          *term.IO
	Format      cliflags.Format
	Color       bool
	Strict      bool
	Control     chain.Control // audit's --control (plan's and fix's is in Choices)
	Concurrency int
	// Choices, Yes and DryRun are plan's and fix's.
	Choices plan.Choices
	Yes     bool
	DryRun  bool

	Connect  func(ctx context.Context) (*Estate, error)
	Prompter prompt.Prompter
	Apply    remediate.Options

	// SecurityHub (audit) imports each account's findings into Security
	// Hub in that account; Version stamps the findings.
	SecurityHub bool
	Version     string
}

// each runs fn for every account of e, at most o.Concurrency at once, with
// a live count on a terminal's stderr (nothing when it is not a terminal).
func (o Options) each(ctx context.Context, e *Estate, accounts []org.Account, label string, fn func(context.Context, org.Account) AccountResult) []AccountResult {
	var counter progress.Counter = progress.Nop{}
	if canShowProgress(o.IO) && len(accounts) > 0 {
		counter = progress.Start(ctx, o.IO.ErrOut, label, len(accounts))
	}
	rs := org.Each(ctx, accounts, o.Concurrency, fn,
		func(a org.Account) AccountResult {
			return failed(a, e.Region, errors.New("interrupted before it started"))
		},
		func(_ int, r AccountResult) { counter.Step(r.bad()) })
	counter.Stop()
	return rs
}

// canShowProgress: stderr is a terminal that can redraw a line (TERM=dumb
// cannot), so the live count goes there and nowhere else; piped or
// redirected output never carries it.
func canShowProgress(io *term.IO) bool { return io.IsErrTTY() && os.Getenv("TERM") != "dumb" }

func (o Options) connect(ctx context.Context) (*Estate, error) {
	e, err := o.Connect(ctx)
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	return e, nil
}

func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}

// RunAudit audits every account of the organization.
func RunAudit(ctx context.Context, o Options) error {
	e, err := o.connect(ctx)
	if err != nil {
		return err
	}
	at := time.Now()
	rs := AuditAccounts(ctx, e, o)
	sum := summarize(e.Caller, e.Region, rs)
	var fs []findings.Finding
	for _, r := range rs {
		if r.Verdict == Failed {
			// No audit to report: said on stderr, and the exit status is 1.
			if o.Format.IsFindings() {
				fmt.Fprintf(o.IO.ErrOut, "trailwatch: account %s (%s): %s\n", r.Account.ID, r.Account.Name, r.Error)
			}
			continue
		}
		fs = append(fs, findings.FromReport(r.Report, at, o.Version)...)
	}
	switch o.Format {
	case cliflags.JSON:
		if err := writeJSON(o.IO.Out, docOf(sum, rs)); err != nil {
			return err
		}
	case cliflags.Text:
		w := o.IO.Out
		writeHeading(w, "audit", len(rs), e.Caller, e.Region)
		writeTable(w, rs, baseColumns(), o.Color)
		writeProblems(w, rs)
		writeSummaryLine(w, sum)
	default:
		// One finding per control per account, in the accounts' order.
		if err := formats.Write(o.IO.Out, string(o.Format), fs); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	}
	if ctx.Err() != nil {
		return interrupted(ctx, ctx.Err())
	}
	if o.SecurityHub {
		// Each account's findings go in through that account's own role:
		// BatchImportFindings takes only the caller's account's findings.
		err := securityhub.ImportAndReport(ctx, o.IO.ErrOut, fs, e.hubClient)
		for _, a := range e.Accounts {
			e.forget(a.ID)
		}
		if err != nil {
			return interrupted(ctx, err)
		}
	}
	return status(rs, false)
}

// auditAccount reaches one account and audits it.
func auditAccount(ctx context.Context, e *Estate, a org.Account, o Options) AccountResult {
	env, bad := e.reach(ctx, a)
	if bad != nil {
		return *bad
	}
	if !o.SecurityHub {
		// With --security-hub the account's role is kept for the import
		// after the report (RunAudit forgets it then), not assumed again.
		defer e.forget(a.ID)
	}
	r, err := audit.Run(ctx, env.Audit, audit.Options{Strict: o.Strict, Control: o.Control, Reach: env.Reach, Owners: env.Owners})
	if err != nil {
		return failed(a, e.Region, fmt.Errorf("audit: %w", err))
	}
	return fromReport(a, r)
}

// AuditAccounts audits every account of e and returns the results in the
// accounts' order, printing nothing (RunAudit prints them). The benchmark
// measures it.
func AuditAccounts(ctx context.Context, e *Estate, o Options) []AccountResult {
	return o.each(ctx, e, e.Accounts, "Auditing accounts", func(ctx context.Context, a org.Account) AccountResult {
		return auditAccount(ctx, e, a, o)
	})
}
