package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/wrap"
	"github.com/trailwatch/trailwatch/verify"
)

// This file is the one place the audit command reads *audit.Report to say
// what to do next; it adapts to the report's shape.

// nextStep is what the text report ends with when the audit found gaps: the
// command that previews the fix and the one that applies it, with the flags
// that chose the account, so they can be pasted as they are.
func nextStep(w io.Writer, r *audit.Report, flags []string, fromEvidence bool) {
	if r.Compliant == nil || *r.Compliant {
		return
	}
	if cov := r.CoveredBy; cov != nil {
		// Nothing in this account closes them: fix never changes an
		// organization trail or another account's resources from here.
		fmt.Fprintln(w)
		fmt.Fprintln(w, wrap.Hanging("", fmt.Sprintf("The chain lives in account %s: to close these gaps, run trailwatch fix there, with credentials for account %s.", cov.Account, cov.Account), audit.Width))
		return
	}
	if r.Control != "" && r.Control != "4.5" {
		flags = append([]string{"--control", r.Control}, flags...)
	}
	if fromEvidence {
		// The file stands for an account this run did not reach.
		flags = append([]string{"--region", r.Region}, flags...)
	}
	args := strings.Join(flags, " ")
	if args != "" {
		args = " " + args
	}
	fmt.Fprintln(w)
	who := ""
	if fromEvidence && r.Account != "" {
		who = fmt.Sprintf(" in account %s, with credentials for it", r.Account)
	}
	// The commands stand alone on their lines so they can be copied; what
	// each does is said above them, so the lines fit 80 columns.
	fmt.Fprintln(w, wrap.Hanging("", "To close these gaps"+who+", preview the changes (this writes nothing), then apply them after a confirmation:", audit.Width))
	fmt.Fprintf(w, "  trailwatch fix --dry-run%s\n", args)
	fmt.Fprintf(w, "  trailwatch fix%s\n", args)
}

// accountFlags are the flags of c that chose the account and how it was
// audited, shell-quoted, for nextStep: fix takes them all.
func accountFlags(c *cli.Context) []string {
	var out []string
	for _, name := range cliflags.AccountFlags {
		if c.IsSet(name) {
			out = append(out, "--"+name, verify.ShellQuote(c.String(name)))
		}
	}
	for _, role := range c.StringSlice(cliflags.ChainRole) {
		out = append(out, "--"+cliflags.ChainRole, verify.ShellQuote(role))
	}
	if c.Bool("strict") {
		out = append(out, "--strict")
	}
	return out
}

// nextStepControls is nextStep for several controls: fix closes CIS 4.5's
// gaps today; the other controls are audited, and their gaps named.
func nextStepControls(w io.Writer, m *audit.Multi, flags []string, fromEvidence bool) {
	var others []string
	for _, r := range m.Reports {
		if r.Compliant == nil || *r.Compliant {
			continue
		}
		if r.Control == "4.5" {
			nextStep(w, r, flags, fromEvidence)
			continue
		}
		others = append(others, r.Control)
	}
	if len(others) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, wrap.Hanging("", "trailwatch fix creates and repairs the chain of CIS 4.5 only: the gaps of "+strings.Join(others, ", ")+
			" are to be closed with the filter text and names trailwatch controls shows for each.", audit.Width))
	}
}
