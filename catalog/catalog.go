// Package catalog is the table of the CIS monitoring controls: each
// control's number in every catalogue, its title, the texts published for
// it, the records its metric filter must catch, its default names, and the
// readings trailwatch enforces where the sources disagree. It is the only
// place a control is described; audit, plan and fix consult it.
//
// Sources (see /work/shared/CATALOG.md for the comparison): the AWS Security
// Hub user guide's CloudWatch controls page (SH); two transcriptions of the
// CIS benchmark's text, Prowler's compliance JSON (P-CIS) and Steampipe's
// compliance mod (S-CIS); the checks those tools run (P-chk, S-chk); the
// CloudTrail user guide's "Creating CloudWatch alarms for CloudTrail
// events: examples" (CTCW); the terraform-aws-modules cis-alarms module
// (TFM). The CIS PDFs were not available: every CIS cell rests on the two
// transcriptions.
package catalog

import (
	"fmt"
	"strings"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// Control is one CIS monitoring control.
type Control struct {
	CIS         string // CIS v1.4–v5 number, e.g. "4.5" (v1.3 uses it too)
	CISv12      string // CIS v1.2.0 number ("" when v1.2 has none)
	CISv6       string // CIS v6 and v7 number
	SecurityHub string // Security Hub control id ("" when there is none)
	Title       string

	// Published lists the texts published for the control, CIS's and
	// Security Hub's (which differ for some controls).
	Published []Text
	// MustCatch is the set of records a filter must catch, as a pattern the
	// prover reads; "" for a control without a metric filter (4.16).
	MustCatch string
	// MustCatchWhy says why the set is what it is.
	MustCatchWhy string
	// Broader is a larger set CIS also accepts as the control's meaning; a
	// filter that catches MustCatch but not Broader passes with a note.
	Broader *Broader
	// Neighbours are events whose records a filter of this control need not
	// catch: matching them is reported as broader than needed.
	Neighbours []string
	// ToolChecks are other tools' text checks, which a filter that is right
	// by meaning may still fail.
	ToolChecks []ToolCheck
	// Traps are records a filter that writes certain conditions probably
	// meant to exclude, but does not (operator precedence).
	Traps []Trap
	// Readings are the points where the sources disagree: what trailwatch
	// enforces, and why.
	Readings []Reading
	Defaults Defaults
}

// Text is one published pattern and where it is published.
type Text struct {
	Source  string
	Pattern string
}

// Broader is a larger must-catch set and what a filter that does not catch
// it misses.
type Broader struct {
	Pattern string
	Misses  string
}

// CheckKind is how another tool checks a filter's text.
type CheckKind int

const (
	// ExactText: the filter must be one of Texts (as SameText compares).
	ExactText CheckKind = iota
	// RequiresConditions: each of Conditions must be written in the filter.
	RequiresConditions
)

// ToolCheck is another tool's text check.
type ToolCheck struct {
	Tool       string
	Kind       CheckKind
	Texts      []string
	Conditions []pattern.Condition
	Why        string
}

// Trap is a record a filter writing all of Conditions meant to exclude;
// matching it means the conditions do not apply where they seem to.
type Trap struct {
	Conditions []pattern.Condition
	Record     string
	Warning    string
}

// Reading is one disagreement between sources and trailwatch's choice.
type Reading struct {
	Topic    string
	Enforced string
	Why      string
	Sources  []string
}

// Defaults are the names trailwatch gives what it creates for the control.
type Defaults struct {
	MetricName string
	Namespace  string
	FilterName string
	AlarmName  string
}

// HasPattern reports whether the control is checked with a metric filter.
func (c Control) HasPattern() bool { return c.MustCatch != "" }

// IDs lists every id the control answers to, CIS v1.4–v5 first.
func (c Control) IDs() []string {
	var out []string
	for _, id := range []string{c.CIS, c.CISv12, c.CISv6, c.SecurityHub} {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// String names the control in every catalogue.
func (c Control) String() string {
	s := "CIS " + c.CIS
	var also []string
	if c.CISv12 != "" {
		also = append(also, "v1.2 "+c.CISv12)
	}
	if c.CISv6 != "" {
		also = append(also, "v6 "+c.CISv6)
	}
	if c.SecurityHub != "" {
		also = append(also, "Security Hub "+c.SecurityHub)
	}
	if len(also) > 0 {
		s += " (" + strings.Join(also, ", ") + ")"
	}
	return s + " " + c.Title
}

// All returns every control, in CIS order.
func All() []Control { return controls() }

// Lookup finds a control by its CIS v1.4–v5 number ("4.5"), its v6+ number
// ("5.5"), its v1.2 number ("3.5") or its Security Hub id ("CloudWatch.5");
// a number may carry a version ("v1.2 3.5", "v6:5.5") and "CIS" before it.
// An id that names no control, or more than one, is an error that lists the
// choices.
func Lookup(id string) (Control, error) {
	return lookupIn(controls(), id)
}

func lookupIn(all []Control, id string) (Control, error) {
	s := strings.ToLower(strings.TrimSpace(id))
	s = strings.TrimSpace(strings.TrimPrefix(s, "cis"))
	s = strings.TrimLeft(s, " -:")
	version := ""
	if strings.HasPrefix(s, "v") {
		if i := strings.IndexAny(s, " :/"); i > 0 {
			version, s = s[1:i], strings.TrimSpace(s[i+1:])
		}
	}
	if strings.HasPrefix(s, "cw.") {
		s = "cloudwatch." + strings.TrimPrefix(s, "cw.")
	}
	var found []Control
	for _, c := range all {
		var ids []string
		switch {
		case version == "":
			ids = c.IDs()
		case version == "1.2" || version == "1.2.0":
			ids = []string{c.CISv12}
		case strings.HasPrefix(version, "6") || strings.HasPrefix(version, "7"):
			ids = []string{c.CISv6}
		case strings.HasPrefix(version, "1.") || strings.HasPrefix(version, "2") || strings.HasPrefix(version, "3") ||
			strings.HasPrefix(version, "4") || strings.HasPrefix(version, "5"):
			ids = []string{c.CIS}
		}
		for _, x := range ids {
			if x != "" && strings.ToLower(x) == s {
				found = append(found, c)
				break
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Control{}, fmt.Errorf("unknown control %q: use one of\n%s", id, choices(all))
	}
	return Control{}, fmt.Errorf("control %q is ambiguous: it names\n%s", id, choices(found))
}

// choices lists controls one a line with every id they answer to.
func choices(cs []Control) string {
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = "  " + strings.Join(c.IDs(), ", ") + "  " + c.Title
	}
	return strings.Join(lines, "\n")
}
