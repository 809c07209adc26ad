// Package cli is trailwatch's command line: it builds the urfave/cli app,
// lets flags follow arguments, runs the command and turns its error into an
// exit status. main only calls Run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/orgcmd"
	"github.com/trailwatch/trailwatch/internal/patterncmd"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/internal/verifycmd"
)

// Version is the program's version, set at build time with
// -ldflags "-X github.com/trailwatch/trailwatch/internal/cli.Version=v1.2.3".
var Version = "dev"

// Run runs the command line args (args[0] is the program name) and returns
// the exit status: 0 success or compliant, 2 gaps or pending changes, 1 an
// error or an unknown verdict. Errors are printed to io.ErrOut as
// "trailwatch: <message>"; a command that already said everything returns a
// silent status.
func Run(ctx context.Context, args []string, io *term.IO) int {
	app := NewApp(io)
	err := app.RunContext(ctx, reorder(app, args))
	if err != nil {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(io.ErrOut, "trailwatch: %s\n", msg)
		}
	}
	return exitcode.Of(err)
}

// NewApp builds the app with every command, writing to io.
func NewApp(io *term.IO) *cli.App {
	app := &cli.App{
		Name:    "trailwatch",
		Usage:   "audit and fix the alarm on CloudTrail configuration changes (CIS 4.5, Security Hub CloudWatch.5)",
		Version: Version,
		Description: "trailwatch checks that changes to CloudTrail's own configuration (CreateTrail, UpdateTrail,\n" +
			"DeleteTrail, StartLogging, StopLogging) reach a person: a multi-region trail that logs to\n" +
			"CloudWatch Logs, a metric filter that catches those events, an alarm on its metric, and an\n" +
			"SNS topic with a confirmed subscription.\n\n" +
			"Exit status: 0 compliant / nothing to do, 2 gaps / changes pending, 1 error or unknown.",
		Reader:               io.In,
		Writer:               io.Out,
		ErrWriter:            io.ErrOut,
		EnableBashCompletion: false,
		HideHelpCommand:      false,
		// Errors go back to Run, never to os.Exit.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("unknown command %q: run 'trailwatch --help' for the list", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: commands(io),
	}
	app.OnUsageError = usageError("trailwatch")
	for _, c := range app.Commands {
		setUsageErrors(c, "trailwatch")
	}
	return app
}

func commands(io *term.IO) []*cli.Command {
	streams := func() *term.IO { return io }
	cmds := []*cli.Command{
		auditCommand(io),
		patterncmd.Command(streams),
	}
	cmds = append(cmds, fixcmd.Commands(streams)...)
	cmds = append(cmds, iampolicy.Command(streams))
	cmds = append(cmds, verifycmd.Command(streams, nil)) // TODO(integrator): pass pattern.ExampleRecords for the sample records
	// audit, plan and fix also work over a whole organization (--org).
	orgcmd.Extend(cmds, streams)
	return cmds
}

// usageError turns a flag parsing error into an ordinary error (printed once
// by Run, exit 1) instead of urfave/cli's "Incorrect Usage" on stdout. Go's
// flag package names a flag with one dash ("-dry-run"); trailwatch's help
// and README write long flags with two, so the message says "--dry-run".
// A pattern that starts with '-' (a term pattern excluding a word) reads as
// an unknown flag, so pattern test's message says how to pass one.
func usageError(path string) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := flagDashes.ReplaceAllString(err.Error(), "$1 --$2")
		hint := fmt.Sprintf("see '%s --help'", path)
		if path == "trailwatch pattern test" && strings.HasPrefix(msg, "flag provided but not defined") {
			hint += "; a PATTERN that starts with '-' goes after --, as in: trailwatch pattern test -- '-DescribeTrails'"
		}
		return fmt.Errorf("%s (%s)", msg, hint)
	}
}

// flagDashes finds a multi-letter flag named with one dash in the flag
// package's messages ("flag provided but not defined: -nope", "invalid value
// "x" for flag -retention-days: ...").
var flagDashes = regexp.MustCompile(`(:| flag| for) -([A-Za-z0-9][A-Za-z0-9-]+)`)

func setUsageErrors(c *cli.Command, parent string) {
	path := parent + " " + c.Name
	if c.OnUsageError == nil {
		c.OnUsageError = usageError(path)
	}
	for _, sub := range c.Subcommands {
		setUsageErrors(sub, path)
	}
}

// errInterrupted replaces a bare context error when the user pressed Ctrl-C.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}
