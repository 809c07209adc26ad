// Package patterncmd is "trailwatch pattern test": an offline check of a
// CloudWatch Logs filter pattern against the CloudTrail-configuration control,
// and of a log message against the pattern (like TestMetricFilter).
package patterncmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/internal/wrap"
)

// Command returns the "pattern" command with its "test" subcommand.
func Command(streams func() *term.IO) *cli.Command {
	return &cli.Command{
		Name:  "pattern",
		Usage: "work with CloudWatch Logs filter patterns offline",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowSubcommandHelp(c)
			}
			msg := fmt.Sprintf("unknown command %q for trailwatch pattern: the one command is test", c.Args().First())
			return cliflags.Usage(c.Command, errors.New(msg))
		},
		Subcommands: []*cli.Command{{
			Name:      "test",
			Usage:     "say whether a filter pattern catches every CloudTrail configuration change",
			ArgsUsage: "'PATTERN'",
			Description: "Parses PATTERN as CloudWatch Logs does and proves whether it matches every CloudTrail record of\n" +
				"CreateTrail, UpdateTrail, DeleteTrail, StartLogging and StopLogging, whoever calls and whether\n" +
				"the call succeeds. With --message, says whether that log message matches instead.\n\n" +
				"Exit status: 0 covers (or the message matches), 2 it does not, 1 the pattern is invalid.",
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "message", Aliases: []string{"m"}, Usage: "test the log message in `FILE` (- for stdin) against the pattern"},
				&cli.StringFlag{Name: "control", Usage: "judge the pattern for the CIS monitoring control `ID` (any of its numbers: 4.1, 3.1, 5.1, CloudWatch.2)", DefaultText: "4.5"},
			}, cliflags.OutputFlags()...),
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return cliflags.Usage(c.Command, fmt.Errorf("pattern test takes one PATTERN argument (quote it), got %d", c.NArg()))
				}
				format, err := cliflags.OutputFrom(c)
				if err != nil {
					return err
				}
				ctl := chain.CloudTrailChanges()
				if id := c.String("control"); id != "" {
					if ctl, err = chain.ControlFor(id); err != nil {
						return cliflags.Usage(c.Command, fmt.Errorf("--control %s: %w", id, err))
					}
					if ctl.Hub {
						return cliflags.Usage(c.Command, fmt.Errorf("--control %s: CIS %s (%s) has no filter pattern: %w", id, ctl.ID, ctl.Title, chain.ErrNoChain))
					}
				}
				s := streams()
				return run(options{
					Control:     ctl,
					IO:          s,
					Pattern:     c.Args().First(),
					MessageFile: c.String("message"),
					HasMessage:  c.IsSet("message"),
					JSON:        format == cliflags.JSON,
					Color:       cliflags.Color(c, s),
				})
			},
		}},
	}
}

// options is everything run needs, so tests can call it without flags.
type options struct {
	// Control is the control the pattern is judged for (the command line
	// gives CIS 4.5 without --control).
	Control     chain.Control
	IO          *term.IO
	Pattern     string
	MessageFile string
	HasMessage  bool
	JSON        bool
	Color       bool
}

// result is the --output json shape.
type result struct {
	Control     string     `json:"control"`
	Pattern     string     `json:"pattern"`
	Valid       bool       `json:"valid"`
	Canonical   string     `json:"canonical,omitempty"`
	Covers      bool       `json:"covers"`
	Literal     bool       `json:"literal"`
	Missed      []missJSON `json:"missed"`
	TooBroad    bool       `json:"too_broad"`
	BroadReason string     `json:"broad_reason,omitempty"`
	// Notes: what else is known of a pattern that covers (another tool's
	// text check, a trap in its text), as the audit warns.
	Notes   []pattern.Note `json:"notes,omitempty"`
	Matches *bool          `json:"matches,omitempty"`
	Error   *errorDetail   `json:"error,omitempty"`
}

type missJSON struct {
	Event  string `json:"event"`
	Reason string `json:"reason"`
}

type errorDetail struct {
	Message  string `json:"message"`
	Position int    `json:"position"`
}

func run(o options) error {
	var message string
	if o.HasMessage {
		m, err := readMessage(o.IO, o.MessageFile)
		if err != nil {
			return exitcode.New(exitcode.Error, err)
		}
		message = m
	}
	res := result{Control: o.Control.ID, Pattern: o.Pattern, Missed: []missJSON{}}
	p, err := pattern.Parse(o.Pattern)
	if err != nil {
		var se *pattern.SyntaxError
		if !errors.As(err, &se) {
			return exitcode.New(exitcode.Error, err)
		}
		res.Error = &errorDetail{Message: se.Msg, Position: se.Pos}
		if o.JSON {
			if err := writeJSON(o.IO.Out, res); err != nil {
				return err
			}
		} else {
			writeSyntaxError(o.IO.ErrOut, o.Pattern, se, o.Color)
		}
		return exitcode.Silent(exitcode.Error)
	}
	cov := o.Control.Covers(p)
	res.Valid = true
	res.Canonical = p.String()
	res.Covers = cov.Covers
	res.Literal = o.Control.Literal(p)
	res.TooBroad, res.BroadReason, res.Notes = cov.TooBroad, cov.BroadReason, cov.Notes
	for _, m := range cov.Missed {
		res.Missed = append(res.Missed, missJSON{Event: m.Event, Reason: m.Reason})
	}
	ok := cov.Covers
	if o.HasMessage {
		matches := pattern.Match(p, message)
		res.Matches = &matches
		ok = matches
	}
	if o.JSON {
		if err := writeJSON(o.IO.Out, res); err != nil {
			return err
		}
	} else {
		writeText(o.IO.Out, res, o.Control, o.Color)
	}
	if !ok {
		return exitcode.Silent(exitcode.Changes)
	}
	return nil
}

// readMessage reads the log message; one trailing newline is the file's,
// not the message's.
func readMessage(s *term.IO, name string) (string, error) {
	var (
		b   []byte
		err error
	)
	if name == "-" {
		b, err = io.ReadAll(s.In)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", fmt.Errorf("read --message: %w", err)
	}
	m := strings.TrimSuffix(string(b), "\n")
	return strings.TrimSuffix(m, "\r"), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + reset
}

func yesNo(color, v bool) string {
	if v {
		return paint(color, green, "yes")
	}
	return paint(color, red, "no")
}

func writeText(w io.Writer, r result, ctl chain.Control, color bool) {
	fmt.Fprintf(w, "pattern:   %s\n", r.Pattern)
	if r.Canonical != r.Pattern {
		fmt.Fprintf(w, "canonical: %s\n", r.Canonical)
	}
	fmt.Fprintf(w, "covers:    %s", yesNo(color, r.Covers))
	if r.Covers {
		if ctl.ID == "4.5" {
			fmt.Fprint(w, " (matches every CreateTrail, UpdateTrail, DeleteTrail, StartLogging and StopLogging record)")
		} else {
			fmt.Fprintf(w, " (matches every record CIS %s, %s, needs)", ctl.ID, ctl.Title)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "literal:   %s", yesNo(color, r.Literal))
	switch {
	case r.Literal:
	case ctl.ID == "4.5":
		fmt.Fprint(w, " (not the CIS text, which Security Hub CloudWatch.5 and --strict require)")
	default:
		fmt.Fprint(w, " (not a published text, which Security Hub and --strict require)")
	}
	fmt.Fprintln(w)
	if len(r.Missed) > 0 {
		fmt.Fprintln(w, paint(color, bold, "missed:"))
		for _, m := range r.Missed {
			fmt.Fprintf(w, "  %s %s: %s\n", paint(color, red, "-"), m.Event, m.Reason)
		}
	}
	if r.TooBroad {
		what := "the control's records"
		if ctl.ID == "4.5" {
			what = "the five events"
		}
		fmt.Fprintf(w, "%s     %s (informational: matching more than %s does not change whether it covers them)\n", paint(color, yellow, "broad:"), r.BroadReason, what)
	}
	for _, n := range r.Notes {
		// Wrapped at 80 columns under its first word, as the audit's text.
		fmt.Fprintf(w, "%s      %s\n", paint(color, yellow, "note:"), wrap.From(n.Code+": "+n.Message, 11, 11, 80))
	}
	if r.Matches != nil {
		if *r.Matches {
			fmt.Fprintf(w, "message:   %s\n", paint(color, green, "matches"))
		} else {
			fmt.Fprintf(w, "message:   %s\n", paint(color, red, "does not match"))
		}
	}
}

// writeSyntaxError prints the reason (as "trailwatch: ...", like every other
// error), the pattern and a caret under the offending character. Blanks
// become spaces so the caret lines up.
func writeSyntaxError(w io.Writer, src string, se *pattern.SyntaxError, color bool) {
	fmt.Fprintf(w, "trailwatch: %s %s\n", paint(color, red, "invalid filter pattern:"), se.Msg)
	line := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, src)
	pos := min(max(se.Pos, 0), len(src))
	col := utf8.RuneCountInString(src[:pos])
	fmt.Fprintf(w, "  %s\n  %s%s\n", line, strings.Repeat(" ", col), paint(color, red, "^"))
}
