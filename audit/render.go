package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/wrap"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// Width is the text report's width: it reads in an 80-column terminal.
const Width = 80

// resourceColumn is where a link's resource starts.
const resourceColumn = 2 + 7 + 2 + 18 + 2

// detailIndent is where a link's detail starts: under its title.
const detailIndent = "           "

// WriteText writes the report for a human, in Width columns: the chain
// link by link (status, resource, and why, said once: a gap's code stands
// at its link), warnings, the reads that could not be made with the
// permission each needs and who needs it, and the verdict. ANSI colour is
// used only when color is true.
func WriteText(w io.Writer, r *Report, color bool) error {
	bw := bufio.NewWriter(w)
	t := texter{w: bw, color: color}
	t.header(r.Account, r.Region, r.Strict)
	fmt.Fprintln(bw, controlsLine(r.Controls))
	t.covered(r.CoveredBy)
	fmt.Fprintln(bw, "\nChain:")
	t.links(r, r.Chain)
	t.warnings(r.Warnings)
	t.unknown(r)
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, t.paint(ansiBold, "Verdict:")+" "+t.verdict(r)+".")
	return bw.Flush()
}

// WriteMultiText writes the audit of several controls: the links they
// share once, then each control's own links, warnings and unknown reads,
// and the verdict over all of them, in Width columns.
func WriteMultiText(w io.Writer, m *Multi, color bool) error {
	bw := bufio.NewWriter(w)
	t := texter{w: bw, color: color}
	t.header(m.Account, m.Region, m.Strict)
	var ids []string
	for _, r := range m.Reports {
		ids = append(ids, r.Control)
	}
	fmt.Fprintln(bw, wrap.Hanging("Controls: ", fmt.Sprintf("%d CIS monitoring controls: %s", len(ids), strings.Join(ids, ", ")), Width))
	if len(m.Reports) > 0 {
		t.covered(m.Reports[0].CoveredBy)
	}
	if len(m.Shared) > 0 {
		fmt.Fprintln(bw, "\nShared by every control:")
		t.links(m.Reports[0], m.Shared)
	}
	var good, bad, unknown []string
	for _, r := range m.Reports {
		fmt.Fprintln(bw)
		head := "CIS " + r.Control
		fmt.Fprintln(bw, strings.Replace(wrap.Hanging("", head+" "+r.Title+" ("+otherNumbers(r)+")", Width), head, t.paint(ansiBold, head), 1))
		t.links(r, m.ownLinks(r))
		t.warnings(r.Warnings)
		t.unknown(r)
		fmt.Fprintln(bw, "  "+t.verdict(r))
		switch {
		case r.Compliant == nil:
			unknown = append(unknown, r.Control)
		case *r.Compliant:
			good = append(good, r.Control)
		default:
			bad = append(bad, r.Control)
		}
	}
	fmt.Fprintln(bw)
	v, code := "NOT COMPLIANT", ansiRed
	switch {
	case m.Compliant == nil:
		v, code = "UNKNOWN", ansiYellow
	case *m.Compliant:
		v, code = "COMPLIANT", ansiGreen
	}
	var parts []string
	for _, p := range []struct {
		label string
		ids   []string
	}{{"compliant", good}, {"with gaps", bad}, {"unknown", unknown}} {
		if len(p.ids) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s (%s)", len(p.ids), p.label, strings.Join(p.ids, ", ")))
		}
	}
	// Wrapped as plain text; the escapes take no columns.
	line := wrap.Hanging("", "Verdict: "+v+": "+strings.Join(parts, "; ")+".", Width)
	line = strings.Replace(line, "Verdict: "+v, t.paint(ansiBold, "Verdict:")+" "+t.paint(code, v), 1)
	fmt.Fprintln(bw, line)
	return bw.Flush()
}

// texter writes the parts of a text report.
type texter struct {
	w     io.Writer
	color bool
}

func (t texter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t texter) header(account, region string, strict bool) {
	if account == "" {
		account = "(unknown)"
	}
	head := fmt.Sprintf("trailwatch audit: account %s, region %s", account, region)
	if strict {
		head += ", strict"
	}
	fmt.Fprintln(t.w, head)
}

func (t texter) covered(cov *CoveredBy) {
	if cov == nil {
		return
	}
	kind := "trail"
	if cov.Organization {
		kind = "organization trail"
	}
	line := fmt.Sprintf("Covered by: %s %s of account %s; its chain lives in account %s", kind, chain.TrailName(cov.TrailARN), chain.AccountOf(cov.TrailARN), cov.Account)
	if cov.Via != "" {
		line += ", read there as " + grantee(cov.Via)
	} else {
		line += ", which this audit could not read"
	}
	fmt.Fprintln(t.w, wrap.Hanging("", line+".", Width))
}

// links writes links of r, one a line with its resource, and why under it.
func (t texter) links(r *Report, links []Link) {
	said := ""
	for _, l := range links {
		var label string
		switch l.Status {
		case Passed:
			label = t.paint(ansiGreen, fmt.Sprintf("%-7s", "PASS"))
		case Missing:
			label = t.paint(ansiRed, fmt.Sprintf("%-7s", "MISSING"))
		case Failed:
			label = t.paint(ansiRed, fmt.Sprintf("%-7s", "FAILED"))
		case Blocked:
			label = fmt.Sprintf("%-7s", "BLOCKED")
		default:
			label = t.paint(ansiYellow, fmt.Sprintf("%-7s", "UNKNOWN"))
		}
		line := fmt.Sprintf("  %s  %-18s", label, chain.InfoOf(l.Name).Title)
		if l.Resource != "" {
			// Columns are counted without the label's colour.
			line += "  " + wrap.From(shortName(l.Resource, r.Account, r.Region), resourceColumn, resourceColumn, Width)
		}
		fmt.Fprintln(t.w, strings.TrimRight(line, " "))
		// The gap's code stands first in the detail; colour goes on after
		// wrapping, since escapes take no columns.
		detail, code := l.Detail, string(chain.CodeFor(l.Name, l.Status))
		if code != "" {
			detail = code + ": " + detail
		}
		// Links blocked or unknown for one reason say it once, at the
		// first of them.
		if l.Status == Blocked || l.Status == Unknown {
			if detail == said {
				continue
			}
			said = detail
		} else {
			said = ""
		}
		if detail != "" {
			text := wrap.Hanging(detailIndent, detail, Width)
			if code != "" {
				text = strings.Replace(text, code, t.paint(ansiRed, code), 1)
			}
			fmt.Fprintln(t.w, text)
		}
	}
}

func (t texter) warnings(ws []Warning) {
	if len(ws) == 0 {
		return
	}
	fmt.Fprintln(t.w, "\nWarnings:")
	for _, wr := range ws {
		fmt.Fprintln(t.w, "  "+t.paint(ansiYellow, wr.Code))
		fmt.Fprintln(t.w, wrap.Hanging("    ", wr.Message, Width))
	}
}

func (t texter) unknown(r *Report) {
	if len(r.Unknown) == 0 {
		return
	}
	fmt.Fprintln(t.w, "\nCould not read:")
	for _, u := range r.Unknown {
		what := u.Action
		if u.Resource != "" {
			what += " on " + shortName(u.Resource, r.Account, r.Region)
		}
		title := chain.InfoOf(u.Link).Title + ":"
		text := wrap.Hanging("  ", title+" "+what, Width)
		fmt.Fprintln(t.w, strings.Replace(text, title, t.paint(ansiYellow, title), 1))
		msg := u.Message
		if who := whoGrants(r, u); who != "" && strings.HasPrefix(u.Message, "access denied") {
			msg += "; grant " + u.Action + " to " + who
		}
		fmt.Fprintln(t.w, wrap.Hanging("    ", msg, Width))
	}
}

// verdict says r's verdict: COMPLIANT, NOT COMPLIANT with the gap codes, or
// UNKNOWN with the count of reads it lacks.
func (t texter) verdict(r *Report) string {
	switch {
	case r.Compliant == nil:
		them := "them"
		if len(r.Unknown) == 1 {
			them = "it"
		}
		return t.paint(ansiYellow, "UNKNOWN") + ": " + count(len(r.Unknown), "read") + " could not be made, and the verdict needs " + them
	case *r.Compliant:
		return t.paint(ansiGreen, "COMPLIANT")
	}
	var codes []string
	for _, g := range r.Gaps {
		codes = append(codes, string(g.Code))
	}
	v := t.paint(ansiRed, "NOT COMPLIANT") + ": " + count(len(r.Gaps), "gap") + " (" + strings.Join(codes, ", ") + ")"
	if len(r.Unknown) > 0 {
		v += "; " + count(len(r.Unknown), "read") + " could not be made"
	}
	return v
}

// controlsLine names the control in each catalogue, breaking lines only
// between names.
func controlsLine(names []string) string {
	const head = "Control: "
	var b strings.Builder
	b.WriteString(head)
	n := len(head)
	for i, name := range names {
		w := utf8.RuneCountInString(name)
		switch {
		case i == 0:
		case n+3+w > Width:
			b.WriteString(" |\n" + strings.Repeat(" ", len(head)))
			n = len(head)
		default:
			b.WriteString(" | ")
			n += 3
		}
		b.WriteString(name)
		n += w
	}
	return b.String()
}

// otherNumbers names r's control in the catalogues other than CIS
// v1.4–v5, briefly: "v1.2 3.1, v6+ 5.1, CloudWatch.2".
func otherNumbers(r *Report) string {
	var out []string
	for _, n := range r.Controls {
		switch {
		case strings.HasSuffix(n, " "+r.Control) && strings.Contains(n, "v1.4"):
		case strings.HasPrefix(n, "CIS AWS Foundations "):
			out = append(out, strings.TrimPrefix(n, "CIS AWS Foundations "))
		case strings.HasPrefix(n, "CIS "):
			out = append(out, strings.TrimPrefix(n, "CIS "))
		default:
			out = append(out, strings.TrimPrefix(n, "AWS Security Hub "))
		}
	}
	return strings.Join(out, ", ")
}

// count says "1 gap", "2 gaps".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// shortName is how the text report names a resource: an ARN becomes the
// resource's name, with its account and region only when they are not
// the audited ones (the JSON keeps the ARN).
func shortName(res, account, region string) string {
	a, err := chain.ParseARN(res)
	if err != nil {
		return res
	}
	name := a.Resource
	if lg, err := chain.ParseLogGroupARN(res); err == nil {
		name = lg.Name
	} else if i := strings.LastIndexAny(name, "/:"); i >= 0 && a.Service != "logs" {
		name = name[i+1:]
	}
	var where []string
	if a.Account != "" && a.Account != account {
		where = append(where, "account "+a.Account)
	}
	if a.Region != "" && a.Region != region {
		where = append(where, a.Region)
	}
	if len(where) > 0 {
		name += " (" + strings.Join(where, ", ") + ")"
	}
	return name
}

// whoGrants is who needs the permission an unknown read lacked: the
// audit's caller for this account's reads, the identity the owner account
// was read as for a covered account's chain; "" for another account's
// resource, whose message says what to do.
func whoGrants(r *Report, u UnknownRead) string {
	switch {
	case u.Account == "":
		return grantee(r.Caller)
	case r.CoveredBy != nil && u.Account == r.CoveredBy.Account && r.CoveredBy.Via != "":
		return grantee(r.CoveredBy.Via) + " in account " + u.Account
	}
	return ""
}

// grantee names who needs a missing permission: the IAM role behind an
// assumed-role session (a policy is attached to the role, not to the
// session), the user, or, when the caller is unknown, the credentials used.
func grantee(caller string) string {
	a, err := chain.ParseARN(caller)
	if err != nil {
		return "the identity trailwatch ran as"
	}
	if a.Service == "sts" {
		if rest, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
			role, _, _ := strings.Cut(rest, "/")
			return "role " + role + " (" + chain.RoleARN(a.Partition, a.Account, role) + ")"
		}
	}
	return caller
}

// WriteMultiJSON writes the audit of several controls as one JSON
// document: the overall verdict, the shared links and each control's report
// (as WriteJSON writes it).
func WriteMultiJSON(w io.Writer, m *Multi) error {
	out := *m
	out.Reports = make([]*Report, len(m.Reports))
	for i, r := range m.Reports {
		out.Reports[i] = Normalized(r)
	}
	if out.Shared == nil {
		out.Shared = []Link{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}

// WriteJSON writes the report as indented JSON. The keys "compliant" (true,
// false or null when unknown), "account", "gaps" (objects with "code" and
// "message"), "warnings" and "unknown" are stable; the last three and
// "chain" are always arrays, never null.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(Normalized(r))
}

// Normalized is a copy of r as `audit --output json` prints it: the lists
// are arrays, never null.
func Normalized(r *Report) *Report {
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
	return &out
}
