package pattern

import (
	"fmt"
	"strings"
)

// Term, regex and space-delimited filters read a record's raw text. For
// them Implies builds a family of record texts per event and checks the
// filter on each (textFamily): that decides the question when the
// must-catch pattern pins nothing but the event name and members the facts
// fix, because then every record of the event is in the must-catch set and
// the family varies everything else. Otherwise it looks for a witness among
// the example records and says "not proven" when there is none.

// textWitness is one record text of an event and how it was made.
type textWitness struct {
	text string
	desc string
}

// proveText answers Implies for a term, regex or space-delimited filter.
func proveText(filter, mustCatch *Pattern, must expr) Implication {
	cases, casesWhy := casesFor(must, newProver(must).atoms)
	var misses []Miss
	for _, pc := range cases {
		if m, missed := textCase(filter, mustCatch, must, pc); missed {
			misses = append(misses, m)
		}
	}
	if casesWhy != "" && len(misses) == 0 {
		return notProven(casesWhy)
	}
	return verdictOf(misses)
}

// sourcesOf returns the event sources e can match (finite), like namesOf.
func sourcesOf(e expr) ([]string, bool) {
	return valuesOf(e, func(c cond) ([]string, bool) {
		if len(c.Sel) == 1 && c.Sel[0].Kind == stepKey && c.Sel[0].Key == "eventSource" && c.Op == opEq {
			if v := c.Val; v.Kind == valString && !isWildcard(v.Text) {
				return []string{v.Text}, true
			}
		}
		return nil, false
	})
}

// evalFixed evaluates e on a record of which only the top-level members in
// fixed are known; a condition on anything else is unknown.
func evalFixed(e expr, fixed map[string]any) int {
	switch e := e.(type) {
	case nil:
		return tTrue
	case cond:
		if len(e.Sel) == 0 || e.Sel[0].Kind != stepKey {
			return tUnknown
		}
		if _, ok := fixed[e.Sel[0].Key]; !ok {
			return tUnknown
		}
		if evalCond(e, any(fixed)) {
			return tTrue
		}
		return tFalse
	case andExpr:
		r := tTrue
		for _, k := range e.All {
			switch evalFixed(k, fixed) {
			case tFalse:
				return tFalse
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	case orExpr:
		r := tFalse
		for _, k := range e.Any {
			switch evalFixed(k, fixed) {
			case tTrue:
				return tTrue
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	}
	return tUnknown
}

// textCase decides one case for a text filter.
func textCase(filter, mustCatch *Pattern, must expr, pc proofCase) (Miss, bool) {
	srcs := []string{""}
	if s, ok := EventSource(pc.factsEvent); ok {
		srcs = []string{s}
	} else if ss, ok := sourcesOf(must); ok && must != nil {
		srcs = ss
	}
	undecided := false
	for _, src := range srcs {
		fixed := fixedFor(pc.factsEvent)
		if pc.factsEvent != "" {
			fixed["eventName"] = pc.name
		}
		if src != "" {
			fixed["eventSource"] = src
		}
		if evalFixed(must, fixed) != tTrue {
			undecided = true
			continue
		}
		if reason, w, ok := textFamilyMiss(filter, mustCatch, pc, src, fixed); ok {
			return Miss{Event: pc.name, Reason: reason, Witness: w}, true
		}
	}
	if !undecided {
		return Miss{}, false
	}
	// The must-catch pattern constrains members the family would vary:
	// look for a counterexample among the examples.
	names := []string{pc.name}
	if pc.factsEvent == "" {
		names = knownEventNames()
	}
	for _, ev := range names {
		for _, text := range ExampleRecords(ev) {
			if Match(mustCatch, text) && !Match(filter, text) {
				return Miss{Event: ev, Reason: "this " + ev + " record is matched by the must-catch pattern and not by the filter", Witness: text}, true
			}
		}
	}
	return Miss{Event: pc.name, Reason: "not proven: the filter reads the record's text, and the must-catch pattern constrains members other than the event name, which trailwatch cannot yet reason about in text"}, true
}

// textFamilyMiss checks filter on the family of pc's records and returns
// the reason and text of the first it does not match.
func textFamilyMiss(filter, mustCatch *Pattern, pc proofCase, src string, fixed map[string]any) (string, string, bool) {
	for _, w := range textFamily(pc, src, fixed, filter) {
		if !Match(mustCatch, w.text) {
			continue // cannot happen when the case is decided; never counted
		}
		if !Match(filter, w.text) {
			return textReason(filter, w), w.text, true
		}
	}
	if filter.lang == langTerms {
		// Any text can appear in a variable value such as userAgent, so an
		// excluded term excludes some record of every event.
		for _, t := range filter.terms {
			if t.Kind != termNot {
				continue
			}
			r := familyBase(pc, src, "IAMUser", false)
			r["userAgent"] = "tool/" + t.Text
			text := recordText(r)
			if Match(mustCatch, text) && !Match(filter, text) {
				return fmt.Sprintf("a call to %s whose userAgent contains %q is excluded by `-%s`", pc.name, t.Text, termString(t.Text)), text, true
			}
		}
	}
	return "", "", false
}

// familyBase is a realistic record of the case by a caller of type typ.
func familyBase(pc proofCase, src, typ string, failed bool) map[string]any {
	if src == "" {
		if ss := exampleSources(pc.name); len(ss) > 0 {
			src = ss[0]
		} else {
			src = "ec2.amazonaws.com"
		}
	}
	r := exampleRecord(src, pc.name, "IAMUser", failed)
	r["userIdentity"] = identity(typ)
	return r
}

// textFamily writes the case's records for every caller type, success and
// failure, with variable values realistic, or one of two fresh characters
// absent from the pattern (also with a fresh member before and after every
// member), and with only the members every record has. A piece of text
// present in all of them lies inside one member every record has with the
// same value (a key with its fixed value), because a fresh character
// cannot be part of a term, and members that may be missing are missing
// from one of them.
func textFamily(pc proofCase, src string, fixed map[string]any, p *Pattern) []textWitness {
	fresh := freshChars(p)
	var out []textWitness
	for _, typ := range IdentityTypes() {
		for _, failed := range []bool{false, true} {
			how := "successful"
			if failed {
				how = "failed"
			}
			for fill := 0; fill <= len(fresh); fill++ {
				r := familyBase(pc, src, typ, failed)
				desc := fmt.Sprintf("a %s %s call by %s", how, pc.name, typ)
				if fill > 0 {
					fillStrings(r, fresh[fill-1], fixed)
					desc += fmt.Sprintf(" with every variable value set to %q", fresh[fill-1])
				}
				out = append(out, textWitness{text: recordText(r), desc: desc})
				if fill > 0 {
					out = append(out, textWitness{text: paddedText(r, fresh[fill-1]),
						desc: desc + fmt.Sprintf(" and a member %q:%q before and after each member", fresh[fill-1], fresh[fill-1])})
				}
			}
			r := familyBase(pc, src, typ, failed)
			minimal(r, pc.factsEvent)
			out = append(out, textWitness{text: recordText(r), desc: fmt.Sprintf("a %s %s call by %s with only the members every record has", how, pc.name, typ)})
		}
	}
	return out
}

// minimal removes every member the facts do not say every record of the
// event has, and sets those that may be null to null.
func minimal(r map[string]any, event string) {
	var prune func(m map[string]any, prefix string)
	prune = func(m map[string]any, prefix string) {
		for k, v := range m {
			field := k
			if prefix != "" {
				field = prefix + "." + k
			}
			shape, _ := shapeOf(event, field)
			switch shape {
			case PresentString, Fixed:
			case PresentObject:
				if sub, ok := v.(map[string]any); ok {
					prune(sub, field)
				}
			case ObjectOrNull:
				m[k] = nil
			default:
				if !(prefix == "" && k == "eventName") {
					delete(m, k)
				}
			}
		}
	}
	prune(r, "")
}

// fillStrings replaces every string in r with s, except the members fixed
// holds.
func fillStrings(r map[string]any, s string, fixed map[string]any) {
	var fill func(v any) any
	fill = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fill(e)
			}
			return x
		case []any:
			for i, e := range x {
				x[i] = fill(e)
			}
			return x
		case string:
			return s
		}
		return v
	}
	for k, v := range r {
		if _, ok := fixed[k]; ok {
			continue
		}
		r[k] = fill(v)
	}
}

// freshChars picks the empty string and two characters that occur nowhere
// in the pattern's terms or regexes.
func freshChars(p *Pattern) []string {
	var text strings.Builder
	text.WriteString(p.regex.Text)
	for _, t := range p.terms {
		text.WriteString(t.Text)
	}
	text.WriteString(p.String())
	out := []string{""}
	for _, r := range "QZXJqzxj#~" {
		if !strings.ContainsRune(text.String(), r) {
			out = append(out, string(r))
			if len(out) == 3 {
				break
			}
		}
	}
	return out
}

func termString(s string) string {
	if bareTerm(s) {
		return s
	}
	return quote(s)
}

func textReason(p *Pattern, w textWitness) string {
	switch p.lang {
	case langTerms:
		hasAll := false
		for _, t := range p.terms {
			hasAll = hasAll || t.Kind == termAll
		}
		var missing []string
		for _, t := range p.terms {
			in := strings.Contains(w.text, t.Text)
			switch {
			case t.Kind == termAll && !in:
				return fmt.Sprintf("%s does not contain the term `%s`", w.desc, termString(t.Text))
			case t.Kind == termNot && in:
				return fmt.Sprintf("%s contains the excluded term `-%s`", w.desc, termString(t.Text))
			case t.Kind == termAny && !hasAll:
				missing = append(missing, "?"+termString(t.Text))
			}
		}
		return fmt.Sprintf("%s contains none of `%s`", w.desc, strings.Join(missing, " "))
	case langRegex:
		return fmt.Sprintf("%s is not matched by `%%%s%%`", w.desc, p.regex.Text)
	}
	return fmt.Sprintf("%s is not matched by the space-delimited pattern (its text is compact JSON)", w.desc)
}
