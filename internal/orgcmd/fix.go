package orgcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/remediate"
)

// planAccount reaches one account, audits it and plans its repair with the
// single-account flow. keep says whether to hold on to the account's
// clients for applying afterwards.
func planAccount(ctx context.Context, e *Estate, a org.Account, o Options, keep bool) AccountResult {
	env, bad := e.reach(ctx, a)
	if bad != nil {
		return *bad
	}
	r, p, err := fixcmd.PlanAccount(ctx, env, o.Strict, o.Choices)
	if !keep || err != nil || p == nil || p.Empty() {
		e.forget(a.ID)
	}
	if r == nil {
		return failed(a, e.Region, err)
	}
	res := fromReport(a, r)
	var ue *plan.UnknownError
	switch {
	case errors.As(err, &ue):
		// The report already lists the unknown reads; its verdict is unknown.
	case err != nil:
		res.Verdict, res.Error = Failed, "plan: "+err.Error()
	default:
		res.Plan = p
	}
	return res
}

// group is a heading of the grouped plan view and who falls under it.
type group struct {
	title    string
	accounts []AccountResult
}

// groups sorts the planned accounts by what they need.
func groups(rs []AccountResult) []group {
	gs := []group{
		{title: "Need their own chain (no multi-region trail: trailwatch creates the trail and everything after it)"},
		{title: "Need repairs to their chain"},
		{title: "Need nothing: covered by another account's organization trail"},
		{title: "Need nothing"},
		{title: "Gaps no step can close now"},
		{title: "Could not be planned"},
	}
	for _, r := range rs {
		i := 5
		switch {
		case r.Plan == nil:
		case !r.Plan.Empty() && slices.ContainsFunc(r.Plan.Steps, func(s plan.Step) bool {
			return s.Address.Kind == plan.KindTrail && s.Action == plan.Create
		}):
			i = 0
		case !r.Plan.Empty():
			i = 1
		case r.Verdict == Compliant && r.CoveredBy != nil:
			i = 2
		case r.Verdict == Compliant:
			i = 3
		default:
			i = 4
		}
		gs[i].accounts = append(gs[i].accounts, r)
	}
	return slices.DeleteFunc(gs, func(g group) bool { return len(g.accounts) == 0 })
}

// writePlans prints the accounts grouped by what they need, then each
// account's plan.
func writePlans(w io.Writer, rs []AccountResult, color bool) {
	for _, g := range groups(rs) {
		fmt.Fprintf(w, "%s: %d\n", g.title, len(g.accounts))
		for _, r := range g.accounts {
			s := fmt.Sprintf("  %s %s", r.Account.ID, r.Account.Name)
			if r.CoveredBy != nil {
				s += fmt.Sprintf(" (organization trail %s of account %s)", r.CoveredBy.TrailARN, r.CoveredBy.Account)
			}
			line(w, s)
		}
	}
	for _, r := range rs {
		if r.Plan == nil || (r.Plan.Empty() && len(r.Plan.Remaining) == 0 && len(r.Plan.Notes) == 0) {
			continue
		}
		fmt.Fprintf(w, "\n== account %s (%s) ==\n", r.Account.ID, r.Account.Name)
		_ = plan.WriteText(w, r.Plan, color)
	}
}

func changesCell(r AccountResult) string {
	if r.Plan == nil {
		return "-"
	}
	if r.Plan.Empty() {
		return "none"
	}
	c, u := r.Plan.Counts()
	return fmt.Sprintf("%d to create, %d to change", c, u)
}

func withChanges(rs []AccountResult) (n int) {
	for _, r := range rs {
		if r.Plan != nil && !r.Plan.Empty() {
			n++
		}
	}
	return n
}

// planAll plans every account; keep holds the clients of those with steps.
func (o Options) planAll(ctx context.Context, e *Estate, keep bool) []AccountResult {
	return o.each(ctx, e, e.Accounts, "Planning accounts", func(ctx context.Context, a org.Account) AccountResult {
		return planAccount(ctx, e, a, o, keep)
	})
}

// showPlans prints the plans as text on w, with the table and summary.
func (o Options) showPlans(w io.Writer, cmd string, e *Estate, rs []AccountResult, color bool) {
	writeHeading(w, cmd, len(rs), e.Caller, e.Region)
	writePlans(w, rs, color)
	fmt.Fprintln(w)
	writeTable(w, rs, append(baseColumns(), column{"CHANGES", changesCell}), color)
	writeProblems(w, rs)
	sum := summarize(e.Caller, e.Region, rs)
	writeSummaryLine(w, sum)
	fmt.Fprintf(w, "%d account(s) with changes to make.\n", withChanges(rs))
}

// RunPlan plans every account and shows the plans together.
func RunPlan(ctx context.Context, o Options) error {
	e, err := o.connect(ctx)
	if err != nil {
		return err
	}
	rs := o.planAll(ctx, e, false)
	if o.Format == cliflags.JSON {
		sum := summarize(e.Caller, e.Region, rs)
		n := withChanges(rs)
		sum.WithChanges = &n
		if err := writeJSON(o.IO.Out, docOf(sum, rs)); err != nil {
			return err
		}
	} else {
		o.showPlans(o.IO.Out, "plan", e, rs, o.Color)
	}
	if ctx.Err() != nil {
		return interrupted(ctx, ctx.Err())
	}
	return status(rs, withChanges(rs) > 0)
}

var errCancelled = exitcode.New(exitcode.Error, errors.New("cancelled; nothing was written"))

// RunFix plans every account, shows the plans together, asks once (or
// takes --yes), applies each account's plan with bounded concurrency and
// audits it again. A failure in one account is reported and the others go
// on; running fix again finishes the job.
func RunFix(ctx context.Context, o Options) error {
	e, err := o.connect(ctx)
	if err != nil {
		return err
	}
	rs := o.planAll(ctx, e, !o.DryRun)
	// With JSON on stdout, the plans go to stderr as text before anything
	// is written.
	planOut := o.IO.Out
	if o.Format == cliflags.JSON {
		planOut = o.IO.ErrOut
	}
	o.showPlans(planOut, "fix", e, rs, o.Color && o.Format != cliflags.JSON)
	if ctx.Err() != nil {
		return interrupted(ctx, ctx.Err())
	}
	var todo []int
	var missing []string
	for i, r := range rs {
		if r.Plan == nil || r.Plan.Empty() {
			continue
		}
		todo = append(todo, i)
		if m := r.Plan.Missing(); len(m) > 0 {
			missing = append(missing, fmt.Sprintf("%s needs %s", r.Account.ID, m[0]))
		}
	}
	finish := func(rs []AccountResult, changed *int, pending bool) error {
		if o.Format == cliflags.JSON {
			sum := summarize(e.Caller, e.Region, rs)
			n := len(todo)
			sum.WithChanges, sum.Changed = &n, changed
			if err := writeJSON(o.IO.Out, docOf(sum, rs)); err != nil {
				return err
			}
		}
		return status(rs, pending)
	}
	if len(todo) == 0 {
		fmt.Fprintln(planOut, "Nothing to do in any account.")
		return finish(rs, nil, false)
	}
	if o.DryRun {
		fmt.Fprintln(o.IO.ErrOut, "Dry run: nothing was written.")
		return finish(rs, nil, true)
	}
	if len(missing) > 0 {
		return exitcode.New(exitcode.Error, fmt.Errorf("the plans are missing a choice (%s): pass it as a flag, it applies to every account; nothing was written", strings.Join(missing, "; ")))
	}
	if !o.Yes {
		if !o.IO.CanPrompt() {
			return exitcode.New(exitcode.Error, errors.New("refusing to change the accounts without a confirmation: there is no terminal to ask on. Review the plans above and pass --yes to apply them (nothing was written)"))
		}
		c, u := 0, 0
		for _, i := range todo {
			ci, ui := rs[i].Plan.Counts()
			c, u = c+ci, u+ui
		}
		ok, err := o.Prompter.Confirm(ctx, fmt.Sprintf("Apply these changes to %d account(s)?", len(todo)),
			fmt.Sprintf("%d to create, %d to change across %d account(s). Nothing is deleted.", c, u, len(todo)))
		if errors.Is(err, prompt.ErrCancelled) || (err == nil && !ok) {
			return errCancelled
		}
		if err != nil {
			return err
		}
	}

	accounts := make([]org.Account, len(todo))
	for k, i := range todo {
		accounts[k] = rs[i].Account
	}
	applied := o.each(ctx, e, accounts, "Fixing accounts", func(ctx context.Context, a org.Account) AccountResult {
		i := slices.IndexFunc(rs, func(r AccountResult) bool { return r.Account.ID == a.ID })
		return applyAccount(ctx, e, rs[i], o)
	})
	changed := 0
	for k, i := range todo {
		rs[i] = applied[k]
		if applied[k].Applied != nil && applied[k].Applied.Count(remediate.Done) > 0 {
			changed++
		}
	}
	if o.Format != cliflags.JSON {
		w := o.IO.Out
		fmt.Fprintln(w, "\nApplied:")
		for _, i := range todo {
			r := rs[i]
			fmt.Fprintf(w, "\n== account %s (%s) ==\n", r.Account.ID, r.Account.Name)
			if r.Applied != nil {
				_ = remediate.WriteText(w, r.Applied)
			}
			if r.Error != "" {
				fmt.Fprintf(w, "Error: %s\n", r.Error)
			}
		}
		fmt.Fprintln(w, "\nAfter:")
		writeTable(w, rs, baseColumns(), o.Color)
		writeProblems(w, rs)
		writeSummaryLine(w, summarize(e.Caller, e.Region, rs))
		fmt.Fprintf(w, "Changed %d account(s); %d needed nothing.\n", changed, len(rs)-len(todo))
		if slices.ContainsFunc(rs, func(r AccountResult) bool { return r.bad() }) {
			fmt.Fprintln(w, "Run fix --org again to finish: it plans each account afresh and picks up where this run stopped.")
		}
	}
	if ctx.Err() != nil {
		return interrupted(ctx, ctx.Err())
	}
	return finish(rs, &changed, false)
}

// applyAccount applies one account's plan and audits it again.
func applyAccount(ctx context.Context, e *Estate, before AccountResult, o Options) AccountResult {
	env, bad := e.reach(ctx, before.Account)
	if bad != nil {
		bad.Plan = before.Plan
		return *bad
	}
	defer e.forget(before.Account.ID)
	res, after, err := fixcmd.ApplyAccount(ctx, env, before.Plan, o.Strict, o.Apply)
	out := before
	out.Applied = res
	if err != nil {
		out.Verdict, out.Error = Failed, err.Error()
		return out
	}
	r := fromReport(before.Account, after)
	r.Plan, r.Applied = before.Plan, res
	return r
}
