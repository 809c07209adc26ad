package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// Text writes the report for a human, piece by piece, so a command can
// print the checks, then each step of a firing as it ends, then the
// verdict; WriteText prints them all at once in the same form.
type Text struct {
	W     io.Writer
	Color bool
}

func (t Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + ansiReset
}

func (t Text) label(s Status) string {
	text := fmt.Sprintf("%-7s", strings.ToUpper(string(s)))
	switch s {
	case OK:
		return t.paint(ansiGreen, text)
	case Broken:
		return t.paint(ansiRed, text)
	case Unknown:
		return t.paint(ansiYellow, text)
	}
	return text
}

// Header names the account, region and caller.
func (t Text) Header(r *Report) {
	acct, caller := r.Account, r.Caller
	if acct == "" {
		acct = "(unknown)"
	}
	if caller == "" {
		caller = "(unknown caller)"
	}
	fmt.Fprintf(t.W, "trailwatch verify: account %s, region %s, run by %s\n", acct, r.Region, caller)
}

// Target writes one target's checks.
func (t Text) Target(tr TargetReport) {
	fmt.Fprintf(t.W, "\n%s (%s)", tr.Title, tr.Control)
	if tr.Alarm != "" {
		fmt.Fprintf(t.W, ", alarm %s", tr.Alarm)
	}
	fmt.Fprintln(t.W)
	for _, c := range tr.Checks {
		detail := c.Detail
		if c.Resource != "" {
			detail = c.Resource + ": " + detail
		}
		fmt.Fprintf(t.W, "  %s  %-8s  %s\n", t.label(c.Status), c.Name, indent(detail, checkIndent))
		for _, s := range c.Samples {
			if !s.Disagrees() {
				continue
			}
			fmt.Fprintf(t.W, "%*s%s: AWS says %s, trailwatch says %s, the control needs %s; the record:\n%*s%s\n",
				checkIndent+2, "", s.Event, matchWord(*s.AWS), matchWord(s.Trailwatch), matchWord(s.MustMatch), checkIndent+4, "", s.Message)
		}
	}
}

// FireStart announces a firing.
func (t Text) FireStart(alarm, region string) {
	fmt.Fprintf(t.W, "\n  Firing alarm %s in %s:\n", alarm, region)
}

// Step writes one step of a firing with its duration.
func (t Text) Step(s Step) {
	fmt.Fprintf(t.W, "  %s  %-8s  %5.1fs  %s\n", t.label(s.Status), s.Name, s.Duration.Seconds(), indent(s.Detail, stepIndent))
}

// Verdict sums the report up in one line.
func (t Text) Verdict(r *Report) {
	fired := false
	var broken, unknown []string
	for _, tr := range r.Targets {
		for _, c := range tr.Checks {
			switch c.Status {
			case Broken:
				broken = append(broken, string(c.Name))
			case Unknown:
				u := string(c.Name)
				if c.Action != "" {
					u += " (" + c.Action + ")"
				}
				unknown = append(unknown, u)
			}
		}
		if f := tr.Fire; f != nil {
			fired = fired || len(f.Steps) > 1
			for _, s := range f.Steps {
				switch s.Status {
				case Broken:
					broken = append(broken, "fire "+string(s.Name))
				case Unknown:
					u := "fire " + string(s.Name)
					if s.Action != "" {
						u += " (" + s.Action + ")"
					}
					unknown = append(unknown, u)
				}
			}
		}
	}
	head := t.paint(ansiBold, "Verdict:")
	fmt.Fprintln(t.W)
	switch r.Verdict() {
	case Broken:
		fmt.Fprintf(t.W, "%s %s: %d broken link(s): %s.\n", head, t.paint(ansiRed, "BROKEN"), len(broken), strings.Join(dedupe(broken), ", "))
	case Unknown:
		fmt.Fprintf(t.W, "%s %s: %d check(s) could not tell: %s.\n", head, t.paint(ansiYellow, "COULD NOT TELL"), len(unknown), strings.Join(dedupe(unknown), ", "))
	default:
		msg := "every check passed"
		if !fired {
			msg += "; the alarm was not fired (--fire sends a test notification through the whole path)"
		}
		fmt.Fprintf(t.W, "%s %s: %s.\n", head, t.paint(ansiGreen, "VERIFIED"), msg)
	}
	for _, tr := range r.Targets {
		if f := tr.Fire; f != nil && f.ResetCommand != "" {
			fmt.Fprintf(t.W, "%s alarm %s may still be in ALARM. Set it back to OK with:\n  %s\n", t.paint(ansiRed, "WARNING:"), f.Alarm, f.ResetCommand)
		}
	}
}

// WriteText writes the whole report.
func WriteText(w io.Writer, r *Report, color bool) error {
	ew := &errWriter{w: w}
	t := Text{W: ew, Color: color}
	t.Header(r)
	for _, tr := range r.Targets {
		t.Target(tr)
		if f := tr.Fire; f != nil {
			if len(f.Steps) == 0 {
				fmt.Fprintf(ew, "\n  %s  fire      %s\n", t.label(f.Status), f.Detail)
				continue
			}
			t.FireStart(f.Alarm, f.Region)
			for _, s := range f.Steps {
				t.Step(s)
			}
		}
	}
	t.Verdict(r)
	return ew.err
}

// errWriter keeps the first write error so the pieces need not check each.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// Where a check's and a step's detail start on their line: after the
// label, the name and (for a step) the duration.
const (
	checkIndent = 2 + 7 + 2 + 8 + 2
	stepIndent  = checkIndent + 6 + 2
)

// indent aligns the continuation lines of a detail with its first line.
func indent(s string, width int) string {
	return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", width))
}

// JSONReport is the report as `verify --output json` prints it: the
// verdict ("ok", "broken", "unknown") and verified (true, false, or null
// when it could not tell) ahead of the report's fields.
type JSONReport struct {
	Verdict  Status `json:"verdict"`
	Verified *bool  `json:"verified"`
	*Report
}

// WriteJSON writes the report as indented JSON. "targets", each target's
// "checks" and a firing's "steps" are always arrays; "fire" is null when
// firing was not asked for.
func WriteJSON(w io.Writer, r *Report) error {
	out := *r
	out.Targets = slices.Clone(r.Targets)
	if out.Targets == nil {
		out.Targets = []TargetReport{}
	}
	for i := range out.Targets {
		if out.Targets[i].Checks == nil {
			out.Targets[i].Checks = []Check{}
		}
		if f := out.Targets[i].Fire; f != nil && f.Steps == nil {
			cp := *f
			cp.Steps = []Step{}
			out.Targets[i].Fire = &cp
		}
	}
	v := JSONReport{Verdict: r.Verdict(), Report: &out}
	switch v.Verdict {
	case OK:
		v.Verified = new(true)
	case Broken:
		v.Verified = new(false)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
