package orgcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/wrap"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/remediate"
)

// Doc is the one JSON document an --org run prints.
type Doc struct {
	Compliant *bool         `json:"compliant"`
	Summary   Summary       `json:"summary"`
	Accounts  []AccountJSON `json:"accounts"`
}

// AccountJSON is one account in Doc: its report exactly as `audit --output
// json` prints it, plus the account's name, verdict and covered_by, and for
// plan and fix the plan and what was applied.
type AccountJSON struct {
	audit.Report
	Name      string            `json:"name"`
	Verdict   Verdict           `json:"verdict"`
	CoveredBy *CoveredBy        `json:"covered_by"`
	Error     string            `json:"error,omitempty"`
	Plan      any               `json:"plan,omitempty"` // plan.JSONView
	Apply     *remediate.Result `json:"apply,omitempty"`
}

func docOf(sum Summary, rs []AccountResult) Doc {
	d := Doc{Compliant: compliant(rs), Summary: sum, Accounts: make([]AccountJSON, 0, len(rs))}
	for _, r := range rs {
		a := AccountJSON{Report: *audit.Normalized(r.Report), Name: r.Account.Name, Verdict: r.Verdict,
			CoveredBy: r.CoveredBy, Error: r.Error, Apply: r.Applied}
		if r.Plan != nil {
			a.Plan = plan.JSONView(r.Plan)
		}
		d.Accounts = append(d.Accounts, a)
	}
	return d
}

func writeJSON(w io.Writer, d Doc) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// column is one column of the account table.
type column struct {
	title string
	cell  func(AccountResult) string
}

// coveredCell says whose chain the account is judged through.
func coveredCell(r AccountResult) string {
	switch {
	case r.CoveredBy != nil:
		return "org trail " + lastPart(r.CoveredBy.TrailARN) + " of " + r.CoveredBy.Account
	case r.Report != nil && trailName(r.Report) != "":
		return "own trail " + trailName(r.Report)
	}
	return "-"
}

func lastPart(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// detailCell: the gap codes, or what could not be read, or why it failed.
func detailCell(r AccountResult) string {
	switch r.Verdict {
	case Gaps:
		return strings.Join(gapCodes(r.Report), ",")
	case Unknown:
		return "needs " + strings.Join(unknownActions(r.Report), ",")
	case Failed:
		return "failed: see below"
	}
	return ""
}

func baseColumns() []column {
	return []column{
		{"ACCOUNT", func(r AccountResult) string { return r.Account.ID }},
		{"NAME", func(r AccountResult) string { return r.Account.Name }},
		{"VERDICT", func(r AccountResult) string { return strings.ToUpper(string(r.Verdict)) }},
		{"COVERED BY", coveredCell},
		{"GAPS", detailCell},
	}
}

// writeTable prints one line per account under a header, columns padded to
// their widest cell (counted in runes, before colour is added).
func writeTable(w io.Writer, rs []AccountResult, cols []column, color bool) {
	cells := make([][]string, len(rs))
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c.title)
	}
	for j, r := range rs {
		cells[j] = make([]string, len(cols))
		for i, c := range cols {
			cells[j][i] = c.cell(r)
			width[i] = max(width[i], utf8.RuneCountInString(cells[j][i]))
		}
	}
	line := func(row []string, paint func(i int, s string) string) {
		var b strings.Builder
		for i, s := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(s))
			if i == len(row)-1 {
				pad = ""
			}
			b.WriteString(paint(i, s) + pad)
			if i < len(row)-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	line(titles, func(_ int, s string) string { return s })
	for j, r := range rs {
		line(cells[j], func(i int, s string) string {
			if !color || cols[i].title != "VERDICT" {
				return s
			}
			code := map[Verdict]string{Compliant: ansiGreen, Gaps: ansiRed, Unknown: ansiYellow, Failed: ansiYellow}[r.Verdict]
			return code + s + ansiReset
		})
	}
}

// writeProblems lists, per account that is unknown or failed, what could not
// be read (and the permission it needs) or why the work stopped.
func writeProblems(w io.Writer, rs []AccountResult) {
	first := true
	for _, r := range rs {
		if !r.bad() {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nUnknown or failed:")
			first = false
		}
		if r.Error != "" {
			line(w, fmt.Sprintf("  %s %s: %s", r.Account.ID, r.Account.Name, r.Error))
		}
		for _, u := range r.Report.Unknown {
			s := fmt.Sprintf("  %s %s: %s needs %s", r.Account.ID, r.Account.Name, u.API, u.Action)
			if u.Resource != "" {
				s += " on " + u.Resource
			}
			line(w, s+": "+u.Message)
		}
	}
}

// line prints s broken at spaces into lines of audit.Width columns, the
// following ones indented by four.
func line(w io.Writer, s string) {
	lead := len(s) - len(strings.TrimLeft(s, " "))
	fmt.Fprintln(w, strings.Repeat(" ", lead)+wrap.From(s[lead:], lead, 4, audit.Width))
}

// writeHeading names the run, the organization's size and where it was
// listed from.
func writeHeading(w io.Writer, cmd string, n int, caller, region string) {
	line(w, fmt.Sprintf("trailwatch %s --org: %d account(s) of the organization, listed from account %s, region %s", cmd, n, caller, region))
	fmt.Fprintln(w)
}

func writeSummaryLine(w io.Writer, s Summary) {
	fmt.Fprintf(w, "\n%d account(s): %d compliant, %d with gaps, %d unknown, %d failed.\n",
		s.Accounts, s.Compliant, s.Gaps, s.Unknown, s.Failed)
}
