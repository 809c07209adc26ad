package catalog

import (
	"errors"
	"strings"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// Judgement is a filter pattern judged against a control.
type Judgement struct {
	// Implication is the prover's answer to "does the filter catch every
	// record of MustCatch?", with the witnesses.
	Implication pattern.Implication
	// Covers is Implication.Verdict == Holds; Missed its misses.
	Covers bool
	Missed []pattern.Miss
	// Literals says, for each published text, whether the filter is that
	// text (SameText); Literal whether it is any of them.
	Literals []LiteralMatch
	Literal  bool
	// TooBroad: the filter also matches records the control does not need
	// (informational).
	TooBroad    bool
	BroadReason string
	// Warnings never change the verdict: another tool's text check the
	// filter would fail, an exclusion that does not apply.
	Warnings []Finding
	// Notes are informational: what a filter that passes still misses of a
	// broader reading.
	Notes []Finding
}

// LiteralMatch is one published text and whether the filter is it.
type LiteralMatch struct {
	Source string
	Same   bool
}

// Finding is one warning or note.
type Finding struct {
	Code    string
	Message string
	Tool    string // the tool whose text check it is about (OTHER_TOOL_TEXT_CHECK)
}

// Codes of findings.
const (
	CodeToolText  = "OTHER_TOOL_TEXT_CHECK"
	CodeTrap      = "EXCLUSION_DOES_NOT_APPLY"
	CodeNarrower  = "NARROWER_THAN_CIS_BASIC_FORM"
	CodeNotProven = "COVERAGE_NOT_PROVEN"
)

// ErrNoPattern is Judge's error for a control without a metric filter.
var ErrNoPattern = errors.New("this control is not checked with a metric filter")

// MustCatchPattern parses MustCatch.
func (c Control) MustCatchPattern() (*pattern.Pattern, error) {
	if !c.HasPattern() {
		return nil, ErrNoPattern
	}
	return pattern.Parse(c.MustCatch)
}

// Judge judges a filter pattern against the control.
func (c Control) Judge(filter *pattern.Pattern) (Judgement, error) {
	must, err := c.MustCatchPattern()
	if err != nil {
		return Judgement{}, err
	}
	var j Judgement
	j.Implication = pattern.Implies(filter, must)
	j.Covers = j.Implication.Verdict == pattern.Holds
	j.Missed = j.Implication.Misses
	for _, t := range c.Published {
		p, err := pattern.Parse(t.Pattern)
		same := err == nil && pattern.SameText(filter, p)
		j.Literals = append(j.Literals, LiteralMatch{Source: t.Source, Same: same})
		j.Literal = j.Literal || same
	}
	j.TooBroad, j.BroadReason = pattern.Unrelated(filter, must, c.Neighbours)
	if j.Implication.Verdict == pattern.NotProven {
		j.Warnings = append(j.Warnings, Finding{Code: CodeNotProven, Message: "trailwatch could not prove the filter catches every record of CIS " + c.CIS + ": " + j.Implication.Reason})
	}
	if j.Covers {
		for _, tc := range c.ToolChecks {
			if !passesToolCheck(filter, tc) {
				j.Warnings = append(j.Warnings, Finding{CodeToolText, "the filter catches every record it must, but " + tc.Tool + " would fail it: " + tc.Why, tc.Tool})
			}
		}
	}
	have := filter.Conditions()
	for _, tr := range c.Traps {
		if hasAll(have, tr.Conditions) && pattern.Match(filter, tr.Record) {
			j.Warnings = append(j.Warnings, Finding{Code: CodeTrap, Message: tr.Warning})
		}
	}
	if c.Broader != nil && j.Covers {
		if b, err := pattern.Parse(c.Broader.Pattern); err == nil {
			if im := pattern.Implies(filter, b); im.Verdict != pattern.Holds {
				msg := "the filter passes (CIS accepts this narrower form), but it does not catch " + c.Broader.Misses
				if len(im.Misses) > 0 {
					msg += "; for example " + im.Misses[0].Reason
				}
				j.Notes = append(j.Notes, Finding{Code: CodeNarrower, Message: msg})
			}
		}
	}
	return j, nil
}

func passesToolCheck(filter *pattern.Pattern, tc ToolCheck) bool {
	switch tc.Kind {
	case ExactText:
		for _, t := range tc.Texts {
			if p, err := pattern.Parse(t); err == nil && pattern.SameText(filter, p) {
				return true
			}
		}
		return false
	case RequiresConditions:
		return hasAll(filter.Conditions(), tc.Conditions)
	}
	return false
}

// hasAll reports whether every condition of want is written in have.
func hasAll(have, want []pattern.Condition) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// Summary is one line saying what the judgement means.
func (j Judgement) Summary() string {
	switch {
	case j.Covers && len(j.Warnings) == 0:
		return "catches every record the control needs"
	case j.Covers:
		return "catches every record the control needs (" + strings.Join(codes(j.Warnings), ", ") + ")"
	case j.Implication.Verdict == pattern.NotProven:
		return "not proven to catch every record the control needs"
	}
	return "misses records the control needs"
}

func codes(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}
