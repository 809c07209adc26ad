package iampolicy

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Command is `trailwatch iam-policy --for audit|fix|verify`: it prints the minimal
// policy as JSON on standard output. streams may be nil; the app's writer is
// used then.
func Command(streams func() *term.IO) *cli.Command {
	return &cli.Command{
		Name:  "iam-policy",
		Usage: "print the minimal IAM policy that audit, fix or verify needs",
		Description: "Prints an IAM policy document (JSON) allowing exactly the calls the mode makes:\n" +
			"--for audit: the read-only calls of `trailwatch audit`;\n" +
			"--for fix: those plus the writes and re-checks of `trailwatch fix` and `apply`;\n" +
			"--for verify: the audit's reads plus those of `trailwatch verify`, and\n" +
			"cloudwatch:SetAlarmState, which only --fire uses.\n\n" +
			"--org prints the policy of the account that runs `audit|plan|fix --org` (the\n" +
			"management account or a delegated administrator): the mode's policy, because that\n" +
			"account is worked on too, plus organizations:ListAccounts and sts:AssumeRole on\n" +
			"--org-role in every account. The role in each member needs the policy without --org.",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			// Not Required: urfave/cli would print the help on stdout, which
			// `iam-policy > policy.json` would then save as the policy.
			&cli.StringFlag{Name: "for", Usage: "`MODE` the policy is for: audit|fix|verify (required)"},
			&cli.BoolFlag{Name: "org", Usage: "the policy of the account that runs --org: the mode's, plus listing the accounts and assuming --org-role"},
			&cli.StringFlag{Name: "org-role", Value: org.DefaultRole, Usage: "`NAME` of the role --org assumes in each account (with --org)"},
		},
		Action: func(c *cli.Context) error {
			if err := cliflags.NoArgs(c); err != nil {
				return err
			}
			if !c.IsSet("for") {
				return fmt.Errorf("--for is required: pass --for audit, --for fix or --for verify")
			}
			var out io.Writer = c.App.Writer
			if streams != nil {
				out = streams().Out
			}
			if c.Bool("org") {
				return PrintOrg(out, c.String("for"), c.String("org-role"))
			}
			if c.IsSet("org-role") {
				return fmt.Errorf("--org-role only works with --org")
			}
			return Print(out, c.String("for"))
		},
	}
}

// PrintOrg writes ForOrg(mode, roleName) to w as indented JSON.
func PrintOrg(w io.Writer, mode, roleName string) error {
	if err := org.ValidateRoleName(roleName); err != nil {
		return err // it names --org-role
	}
	p, err := ForOrg(mode, roleName)
	return write(w, p, err)
}

// Print writes the policy for mode to w as indented JSON.
func Print(w io.Writer, mode string) error {
	p, err := For(mode)
	return write(w, p, err)
}

// write writes p, or says which --for value err is about.
func write(w io.Writer, p Policy, err error) error {
	if err != nil {
		return fmt.Errorf("--for: %w", err)
	}
	b, err := p.JSON()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
