package pattern

import (
	"strings"
	"sync"
)

// Miss is an event whose records a filter does not provably catch.
type Miss struct {
	Event  string
	Reason string // the excluding condition and the witness record's values
	// Witness is a record (JSON text) the filter does not match; "" when
	// not proven. Left out of encoding/json output, where Miss appears in
	// reports today: a record is long, and each report decides whether to
	// show it.
	Witness string `json:"-"`
}

// Coverage is the verdict of Covers.
type Coverage struct {
	Covers      bool
	Missed      []Miss
	TooBroad    bool   // also matches unrelated events: informational, not a gap
	BroadReason string // which unrelated records it matches
	// Notes are informational findings about a pattern that covers: a text
	// check another tool would fail it on, an exclusion that excludes
	// nothing, what a narrower accepted form misses.
	Notes []Note
}

// Note is one informational finding about a pattern.
type Note struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Tool    string `json:"tool,omitempty"` // the tool whose text check it is about
}

// Covers decides whether p matches every CloudTrail record of CreateTrail,
// UpdateTrail, DeleteTrail, StartLogging and StopLogging, whoever called and
// whether the call succeeded: Implies with the CIS pattern as the records
// that must be caught (its five names, and nothing else, say which).
func Covers(p *Pattern) Coverage {
	var cov Coverage
	if p == nil {
		return cov
	}
	im := Implies(p, cisPattern())
	cov.Missed = im.Misses
	cov.Covers = im.Verdict == Holds
	cov.TooBroad, cov.BroadReason = Unrelated(p, cisPattern(), nil)
	return cov
}

// cisPattern is CIS parsed once; the tree is never changed after.
var cisPattern = sync.OnceValue(func() *Pattern {
	p, err := Parse(CIS)
	if err != nil {
		panic("the CIS pattern does not parse: " + err.Error())
	}
	return p
})

// matchRecord is Match on the record's text, without writing and reading
// it back for a JSON pattern.
func matchRecord(p *Pattern, rec map[string]any) bool {
	if p.lang == langJSON {
		return evalJSON(p.expr, any(rec))
	}
	return Match(p, recordText(rec))
}

// unrelated is unrelatedRecords built once; evaluation never changes them.
var unrelated = sync.OnceValue(unrelatedRecords)

// Unrelated reports whether filter also matches records outside the
// must-catch set, naming them: four unrelated calls (two read-only
// CloudTrail calls, an EC2 call, an IAM call whose policy names
// cloudtrail:StopLogging) and the example records of events, each kept
// only when mustCatch does not match it. It is informational: a filter
// that matches more still catches what it must.
func Unrelated(filter, mustCatch *Pattern, events []string) (bool, string) {
	if filter == nil {
		return false, ""
	}
	if filter.lang == langEmpty {
		return true, "an empty pattern matches every log event"
	}
	var hits []string
	for _, u := range unrelated() {
		if mustCatch != nil && matchRecord(mustCatch, u.Rec) {
			continue
		}
		if matchRecord(filter, u.Rec) {
			hits = append(hits, u.Name+" ("+u.Why+")")
		}
	}
	for _, ev := range events {
		for _, text := range ExampleRecords(ev) {
			if (mustCatch == nil || !Match(mustCatch, text)) && Match(filter, text) {
				hits = append(hits, ev+" (a record the control does not need)")
				break
			}
		}
	}
	if len(hits) == 0 {
		return false, ""
	}
	return true, "also matches " + strings.Join(hits, ", ")
}

// Literal reports whether p is the CIS text modulo whitespace, quoting,
// parentheses and the order of the five terms (SameText with CIS): a JSON
// pattern that is the || of exactly the five $.eventName = Event
// comparisons, each once, with no wildcard. Security Hub and --strict
// require this form.
func Literal(p *Pattern) bool {
	return SameText(p, cisPattern())
}
