package remediate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText prints each step's outcome and a summary line, saying plainly
// what was done, what failed and what was not started.
func WriteText(w io.Writer, r *Result) error {
	for _, s := range r.Steps {
		if s.Status == NotStarted {
			continue // listed by WriteSummary
		}
		if err := WriteStep(w, s); err != nil {
			return err
		}
	}
	return WriteSummary(w, r)
}

// WriteStep prints one step's outcome on a line (for live progress).
func WriteStep(w io.Writer, s StepResult) error {
	var b strings.Builder
	mark := map[Status]string{Done: "✓", NoChange: "=", Failed: "✗", NotStarted: "·"}[s.Status]
	fmt.Fprintf(&b, "%s %s %s: %s", mark, string(s.Action), s.Address, s.Status)
	if s.Resource != "" && s.Resource != s.Address.Name {
		fmt.Fprintf(&b, " [%s]", s.Resource)
	}
	if s.Detail != "" {
		fmt.Fprintf(&b, " (%s)", s.Detail)
	}
	if s.Error != "" {
		fmt.Fprintf(&b, "\n    error: %s", s.Error)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteSummary prints the counts and, after a stop, what to do next; the
// steps that were not started are listed by name.
func WriteSummary(w io.Writer, r *Result) error {
	var err error
	pr := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	for _, s := range r.Steps {
		if s.Status == NotStarted && (r.Cancelled || r.Count(Failed) > 0) {
			pr("· %s %s: not started\n", string(s.Action), s.Address)
		}
	}
	pr("Apply: %d done, %d already in place, %d failed, %d not started.\n",
		r.Count(Done), r.Count(NoChange), r.Count(Failed), r.Count(NotStarted))
	if r.Cancelled {
		pr("Stopped by request after the step in flight; run fix again to finish.\n")
	} else if r.Count(Failed) > 0 {
		pr("Stopped at the failed step; nothing after it was attempted. Fix the cause and run fix again: it picks up where this run stopped.\n")
	}
	return err
}

// WriteJSON writes the result as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
