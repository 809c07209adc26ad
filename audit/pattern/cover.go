package pattern

import (
	"strings"
	"sync"
)

// Miss is an event whose records a filter does not provably catch.
type Miss struct {
	Event   string
	Reason  string // the excluding condition and the witness record's values
	Witness string // a record (JSON text) the filter does not match; "" when not proven
}

// Coverage is the verdict of Covers.
type Coverage struct {
	Covers      bool
	Missed      []Miss
	TooBroad    bool   // also matches unrelated events: informational, not a gap
	BroadReason string // which unrelated records it matches
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
	cov.TooBroad, cov.BroadReason = tooBroad(p)
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

// unrelated is unrelatedRecords built once; evaluation never changes them.
var unrelated = sync.OnceValue(unrelatedRecords)

func tooBroad(p *Pattern) (bool, string) {
	if p.lang == langEmpty {
		return true, "an empty pattern matches every log event"
	}
	var hits []string
	for _, u := range unrelated() {
		var m bool
		if p.lang == langJSON {
			m = evalJSON(p.expr, any(u.Rec))
		} else {
			m = Match(p, recordText(u.Rec))
		}
		if m {
			hits = append(hits, u.Name+" ("+u.Why+")")
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
