package remediate

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteText prints each step's outcome and a summary line, saying plainly
// what was done, what failed and what was not started.
func WriteText(w io.Writer, r *Result) error {
	var err error
	pr := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	for _, s := range r.Steps {
		mark := map[Status]string{Done: "✓", NoChange: "=", Failed: "✗", NotStarted: "·"}[s.Status]
		pr("%s %s %s: %s", mark, string(s.Action), s.Address, s.Status)
		if s.Resource != "" && s.Resource != s.Address.Name {
			pr(" [%s]", s.Resource)
		}
		if s.Detail != "" {
			pr(" (%s)", s.Detail)
		}
		if s.Error != "" {
			pr("\n    error: %s", s.Error)
		}
		pr("\n")
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
