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

	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/controlscmd"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/orgcmd"
	"github.com/trailwatch/trailwatch/internal/patterncmd"
	"github.com/trailwatch/trailwatch/internal/suggest"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/internal/verifycmd"
)

// Run runs the command line args (args[0] is the program name) and returns
// the exit status: 0 success or compliant, 2 gaps or pending changes, 1 an
// error or an unknown verdict, 130 interrupted (Ctrl-C, SIGTERM). Errors are
// printed to io.ErrOut as "trailwatch: <message>"; with --output json an
// error also becomes a JSON document on stdout when the command wrote
// nothing there. A command that already said everything returns a silent
// status. A panic becomes an internal error, exit 1.
func Run(ctx context.Context, args []string, io *term.IO) int {
	return runApp(ctx, args, io, NewApp)
}

// runApp is Run with the app's constructor as a parameter, for tests.
func runApp(ctx context.Context, args []string, io *term.IO, newApp func(*term.IO) *cli.App) (code int) {
	jsonOut := jsonRequested(args)
	streams := io
	var out *watchedWriter
	if jsonOut {
		cp := *io
		cp.Out, out = watch(io.Out)
		streams = &cp
	}
	stdoutUsed := func() bool { return out != nil && out.wrote }
	defer func() {
		if r := recover(); r != nil {
			code = finish(ctx, streams, jsonOut, stdoutUsed(), recovered(r))
		}
	}()
	app := newApp(streams)
	err := app.RunContext(ctx, reorder(app, args))
	return finish(ctx, streams, jsonOut, stdoutUsed(), err)
}

// NewApp builds the app with every command, writing to io.
func NewApp(io *term.IO) *cli.App {
	app := &cli.App{
		Name:    "trailwatch",
		Usage:   "audit and fix the alarm on CloudTrail configuration changes (CIS 4.5, Security Hub CloudWatch.5)",
		Version: buildVersion(),
		Description: "trailwatch checks that changes to CloudTrail's own configuration (CreateTrail, UpdateTrail,\n" +
			"DeleteTrail, StartLogging, StopLogging) reach a person: a multi-region trail that logs to\n" +
			"CloudWatch Logs, a metric filter that catches those events, an alarm on its metric, and an\n" +
			"SNS topic with a confirmed subscription.\n\n" +
			"Exit status: 0 compliant / nothing to do, 2 gaps / changes pending, 1 error or unknown, 130 interrupted\n" +
			"(Ctrl-C or SIGTERM).",
		Reader:               io.In,
		Writer:               io.Out,
		ErrWriter:            io.ErrOut,
		EnableBashCompletion: false,
		HideHelpCommand:      false,
		// Errors go back to Run, never to os.Exit.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cliflags.Usage(nil, fmt.Errorf("unknown command %q%s", c.Args().First(), didYouMean(c.Args().First(), commandNames(c.App.Commands), "")))
			}
			return cli.ShowAppHelp(c)
		},
		Commands: commands(io),
	}
	app.OnUsageError = usageError("trailwatch", nil)
	for _, c := range app.Commands {
		setUsageErrors(c, "trailwatch")
		setTimeouts(c, io)
	}
	setHelp(app)
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
	cmds = append(cmds, verifycmd.Command(streams, pattern.ExampleRecords))
	cmds = append(cmds, controlscmd.Command(streams))
	// audit, plan and fix also work over a whole organization (--org).
	orgcmd.Extend(cmds, streams, Version)
	return cmds
}

// usageError turns a flag parsing error into a usage error (printed once
// by Run with the command's usage line, exit 1) instead of urfave/cli's
// "Incorrect Usage" and help on stdout. Go's flag package names a flag with
// one dash ("-dry-run"); trailwatch's help and README write long flags with
// two, so the message says "--dry-run", and a mistyped flag gets the closest
// real one. A pattern that starts with '-' (a term pattern excluding a word)
// reads as an unknown flag, so pattern test's message says how to pass one.
func usageError(path string, cmd *cli.Command) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := flagDashes.ReplaceAllString(err.Error(), "$1 --$2")
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
			var names []string
			if cmd != nil {
				for _, f := range cmd.Flags {
					names = append(names, f.Names()...)
				}
			}
			msg += didYouMean(strings.TrimLeft(name, "-"), append(names, "help"), "--")
			if path == "trailwatch pattern test" {
				msg += "; a PATTERN that starts with '-' goes after --, as in: trailwatch pattern test -- '-DescribeTrails'"
			}
		}
		return cliflags.Usage(cmd, errors.New(msg))
	}
}

// didYouMean is " (did you mean PREFIX+X?)" for the candidate word was most
// likely meant to be, or "".
func didYouMean(word string, candidates []string, prefix string) string {
	var long []string
	for _, c := range candidates {
		if len(c) > 1 {
			long = append(long, c)
		}
	}
	if s := suggest.Typo(word, long); s != "" {
		return fmt.Sprintf(" (did you mean %s%s?)", prefix, s)
	}
	return ""
}

func commandNames(cmds []*cli.Command) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Names()...)
	}
	return append(names, "help")
}

// flagDashes finds a multi-letter flag named with one dash in the flag
// package's messages ("flag provided but not defined: -nope", "invalid value
// "x" for flag -retention-days: ...").
var flagDashes = regexp.MustCompile(`(:| flag| for) -([A-Za-z0-9][A-Za-z0-9-]+)`)

func setUsageErrors(c *cli.Command, parent string) {
	path := parent + " " + c.Name
	if c.OnUsageError == nil {
		c.OnUsageError = usageError(path, c)
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
