package iampolicy

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/cliflags"
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
			"cloudwatch:SetAlarmState, which only --fire uses.",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			// Not Required: urfave/cli would print the help on stdout, which
			// `iam-policy > policy.json` would then save as the policy.
			&cli.StringFlag{Name: "for", Usage: "`MODE` the policy is for: audit|fix|verify (required)"},
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
			return Print(out, c.String("for"))
		},
	}
}

// Print writes the policy for mode to w as indented JSON.
func Print(w io.Writer, mode string) error {
	p, err := For(mode)
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
