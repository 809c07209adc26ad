package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trailwatch/trailwatch/chain"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// WriteText writes the report for a human: the chain link by link (passed,
// missing or unknown, with the resource and the reason), the gaps with their
// codes, warnings, unknown reads with the API call and IAM action, and the
// verdict naming the control in each catalogue. ANSI colour is used only
// when color is true.
func WriteText(w io.Writer, r *Report, color bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	acct := r.Account
	if acct == "" {
		acct = "(unknown)"
	}
	fmt.Fprintf(bw, "trailwatch audit: account %s, region %s", acct, r.Region)
	if r.Strict {
		fmt.Fprint(bw, ", strict")
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "Control: %s\n", strings.Join(r.Controls, " | "))

	fmt.Fprintln(bw, "\nChain:")
	for _, l := range r.Chain {
		var label string
		switch l.Status {
		case Passed:
			label = paint(ansiGreen, fmt.Sprintf("%-7s", "PASS"))
		case Missing:
			label = paint(ansiRed, fmt.Sprintf("%-7s", "MISSING"))
		case Failed:
			label = paint(ansiRed, fmt.Sprintf("%-7s", "FAILED"))
		case Blocked:
			label = fmt.Sprintf("%-7s", "BLOCKED")
		default:
			label = paint(ansiYellow, fmt.Sprintf("%-7s", "UNKNOWN"))
		}
		line := fmt.Sprintf("  %s  %-18s", label, chain.InfoOf(l.Name).Title)
		if l.Resource != "" {
			line += "  " + l.Resource
		}
		fmt.Fprintln(bw, strings.TrimRight(line, " "))
		if l.Detail != "" {
			fmt.Fprintf(bw, "  %7s  %-18s  %s\n", "", "", l.Detail)
		}
	}

	// Codes are padded to the longest in their list, so the messages line
	// up as the chain's details do.
	if len(r.Gaps) > 0 {
		fmt.Fprintln(bw, "\nGaps:")
		width := 0
		for _, g := range r.Gaps {
			width = max(width, len(g.Code))
		}
		for _, g := range r.Gaps {
			fmt.Fprintf(bw, "  %s  %s\n", paint(ansiRed, fmt.Sprintf("%-*s", width, g.Code)), g.Message)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintln(bw, "\nWarnings:")
		width := 0
		for _, wr := range r.Warnings {
			width = max(width, len(wr.Code))
		}
		for _, wr := range r.Warnings {
			fmt.Fprintf(bw, "  %s  %s\n", paint(ansiYellow, fmt.Sprintf("%-*s", width, wr.Code)), wr.Message)
		}
	}
	if len(r.Unknown) > 0 {
		fmt.Fprintln(bw, "\nUnknown (denied or failed reads):")
		for _, u := range r.Unknown {
			fmt.Fprintf(bw, "  %s  %s needs %s", paint(ansiYellow, fmt.Sprintf("%-18s", chain.InfoOf(u.Link).Title)), u.API, u.Action)
			if u.Resource != "" {
				fmt.Fprintf(bw, " on %s", u.Resource)
			}
			if u.Account != "" {
				fmt.Fprintf(bw, " (account %s)", u.Account)
			}
			fmt.Fprintf(bw, ": %s\n", u.Message)
		}
	}

	names := strings.Join(r.Controls, ", ")
	fmt.Fprintln(bw)
	switch {
	case r.Compliant == nil:
		fmt.Fprintf(bw, "%s %s: %d read(s) could not be made; the verdict for %s needs them.\n",
			paint(ansiBold, "Verdict:"), paint(ansiYellow, "UNKNOWN"), len(r.Unknown), names)
	case *r.Compliant:
		fmt.Fprintf(bw, "%s %s with %s.\n", paint(ansiBold, "Verdict:"), paint(ansiGreen, "COMPLIANT"), names)
	default:
		fmt.Fprintf(bw, "%s %s with %s: %d gap(s).\n", paint(ansiBold, "Verdict:"), paint(ansiRed, "NOT COMPLIANT"), names, len(r.Gaps))
	}
	return bw.Flush()
}

// WriteJSON writes the report as indented JSON. The keys "compliant" (true,
// false or null when unknown), "account", "gaps" (objects with "code" and
// "message"), "warnings" and "unknown" are stable; the last three and
// "chain" are always arrays, never null.
func WriteJSON(w io.Writer, r *Report) error {
	out := *r
	if out.Chain == nil {
		out.Chain = []Link{}
	}
	if out.Gaps == nil {
		out.Gaps = []Gap{}
	}
	if out.Warnings == nil {
		out.Warnings = []Warning{}
	}
	if out.Unknown == nil {
		out.Unknown = []UnknownRead{}
	}
	if out.Controls == nil {
		out.Controls = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}
