package pattern

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// Match reports whether p matches the log message, as TestMetricFilter
// would. A nil pattern matches nothing.
func Match(p *Pattern, message string) bool {
	if p == nil {
		return false
	}
	switch p.lang {
	case langEmpty:
		return true
	case langJSON:
		doc, ok := decodeJSON(message)
		if !ok {
			return false // a message that is not JSON never matches a JSON pattern
		}
		return evalJSON(p.expr, doc)
	case langRegex:
		return p.regex.re.MatchString(message)
	case langTerms:
		return matchTerms(p.terms, message)
	case langDelimited:
		return matchDelimited(p.fields, message)
	}
	return false
}

// decodeJSON decodes one JSON value, keeping numbers as written so a
// comparison with a string constant can see the text.
func decodeJSON(msg string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(msg))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing garbage: not a JSON message
	}
	return v, true
}

func evalJSON(e expr, doc any) bool {
	switch e := e.(type) {
	case orExpr:
		for _, c := range e.Any {
			if evalJSON(c, doc) {
				return true
			}
		}
		return false
	case andExpr:
		for _, c := range e.All {
			if !evalJSON(c, doc) {
				return false
			}
		}
		return true
	case cond:
		return evalCond(e, doc)
	}
	return false
}

// evalCond tests one condition. A selector with wildcards can reach several
// values; the condition holds when any of them satisfies it (and NOT EXISTS
// when none is reached). AWS does not document this; existential is the
// reading its array examples suggest.
func evalCond(c cond, doc any) bool {
	found := false
	hit := false
	walk(doc, c.Sel, func(v any) bool {
		found = true
		if testValue(c.Op, c.Val, v) {
			hit = true
			return false
		}
		return true
	})
	if c.Op == opNotExists {
		return !found
	}
	return hit
}

// walk calls f with each value sel reaches in v, stopping when f says so.
func walk(v any, sel selector, f func(any) bool) bool {
	if len(sel) == 0 {
		return f(v)
	}
	st := sel[0]
	switch st.Kind {
	case stepKey:
		if m, ok := v.(map[string]any); ok {
			if c, ok := m[st.Key]; ok {
				return walk(c, sel[1:], f)
			}
		}
	case stepIndex:
		if a, ok := v.([]any); ok && st.Index < len(a) {
			return walk(a[st.Index], sel[1:], f)
		}
	case stepAnyKey:
		// .* reaches every member of an object (and, leniently, every
		// element of an array).
		switch c := v.(type) {
		case map[string]any:
			for _, x := range c {
				if !walk(x, sel[1:], f) {
					return false
				}
			}
		case []any:
			for _, x := range c {
				if !walk(x, sel[1:], f) {
					return false
				}
			}
		}
	case stepAnyIndex:
		if a, ok := v.([]any); ok {
			for _, x := range a {
				if !walk(x, sel[1:], f) {
					return false
				}
			}
		}
	}
	return true
}

// testValue applies op to one present value v (string, json.Number, bool,
// nil, map or slice).
func testValue(o op, want value, v any) bool {
	switch o {
	case opIsNull:
		return v == nil
	case opIsTrue:
		b, ok := v.(bool)
		return ok && b
	case opIsFalse:
		b, ok := v.(bool)
		return ok && !b
	case opNotExists:
		return false
	}
	// Only strings and numbers compare. Objects, arrays, null and booleans
	// match neither = nor != (OLD, FPS; "= true" is undocumented and taken
	// as not matching a JSON boolean).
	var text string
	var num float64
	isNum := false
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = string(x)
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return false
		}
		num, isNum = f, true
	default:
		return false
	}
	switch o {
	case opEq:
		return equal(want, text, num, isNum)
	case opNe:
		return !equal(want, text, num, isNum)
	}
	// Relational operators need a JSON number on the left (strings that
	// look like numbers are not converted; AWS documents numeric
	// comparisons on numbers only).
	if !isNum || want.Kind != valNumber {
		return false
	}
	switch o {
	case opLt:
		return num < want.Num
	case opGt:
		return num > want.Num
	case opLe:
		return num <= want.Num
	case opGe:
		return num >= want.Num
	}
	return false
}

// equal is = for one scalar. Numbers compare numerically with a numeric
// constant; otherwise the value's text is compared with the constant.
func equal(want value, text string, num float64, isNum bool) bool {
	switch want.Kind {
	case valAny:
		return true
	case valNumber:
		if isNum {
			return num == want.Num
		}
		return text == want.Text
	case valRegex:
		return want.re.MatchString(text)
	}
	return wildcardMatch(want.Text, text)
}

// wildcardMatch applies a string constant: a leading and/or trailing * is a
// wildcard; a * anywhere else is literal (OLD: Ev*ent matches only "Ev*ent").
func wildcardMatch(pat, s string) bool {
	pre := strings.HasPrefix(pat, "*")
	suf := len(pat) > 1 && strings.HasSuffix(pat, "*")
	core := pat
	if pre {
		core = core[1:]
	}
	if suf {
		core = core[:len(core)-1]
	}
	switch {
	case pre && suf:
		return strings.Contains(s, core)
	case pre:
		return strings.HasSuffix(s, core)
	case suf:
		return strings.HasPrefix(s, core)
	}
	return s == pat
}

// matchTerms: plain terms must all appear, ?terms (ignored when plain terms
// are present, FPS) need one to appear, -terms must not appear. Each is a
// case-sensitive substring test on the raw text (API: Exception matches
// InvalidQueryException).
func matchTerms(terms []term, msg string) bool {
	hasAll := false
	for _, t := range terms {
		if t.Kind == termAll {
			hasAll = true
		}
	}
	anyWanted, anySeen := false, false
	for _, t := range terms {
		in := strings.Contains(msg, t.Text)
		switch t.Kind {
		case termAll:
			if !in {
				return false
			}
		case termNot:
			if in {
				return false
			}
		case termAny:
			if !hasAll {
				anyWanted = true
				anySeen = anySeen || in
			}
		}
	}
	return !anyWanted || anySeen
}

// splitDelimited splits a message into space-delimited fields; text between
// double quotes or square brackets is one field, without its delimiters (OLD).
func splitDelimited(msg string) []string {
	var out []string
	b := []byte(msg)
	for i := 0; i < len(b); {
		if isSpace(b[i]) {
			i++
			continue
		}
		var close byte
		switch b[i] {
		case '"':
			close = '"'
		case '[':
			close = ']'
		}
		if close != 0 {
			if j := bytes.IndexByte(b[i+1:], close); j >= 0 {
				out = append(out, string(b[i+1:i+1+j]))
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		out = append(out, string(b[i:j]))
		i = j
	}
	return out
}

// delimitedBudget bounds the alignments tried for one message: ellipses
// make the search combinatorial, and a message that needs more is taken as
// not matching rather than stalling the caller.
const delimitedBudget = 1 << 20

func matchDelimited(slots []delimSlot, msg string) bool {
	toks := splitDelimited(msg)
	// Consecutive ellipses mean the same as one; dropping them keeps the
	// search small.
	var compact []delimSlot
	for i, s := range slots {
		if s.Ellipsis && i > 0 && slots[i-1].Ellipsis {
			continue
		}
		compact = append(compact, s)
	}
	slots = compact
	bound := map[string]string{}
	budget := delimitedBudget
	var try func(si, ti int) bool
	try = func(si, ti int) bool {
		if budget--; budget < 0 {
			return false
		}
		if si == len(slots) {
			return ti == len(toks) && checkSlots(slots, bound)
		}
		s := slots[si]
		if s.Ellipsis {
			for k := ti; k <= len(toks); k++ {
				if try(si+1, k) {
					return true
				}
			}
			return false
		}
		if ti >= len(toks) {
			return false
		}
		old, had := bound[s.Name]
		bound[s.Name] = toks[ti]
		if try(si+1, ti+1) {
			return true
		}
		if had {
			bound[s.Name] = old
		} else {
			delete(bound, s.Name)
		}
		return false
	}
	return try(0, 0) && budget >= 0
}

func checkSlots(slots []delimSlot, bound map[string]string) bool {
	for _, s := range slots {
		if s.Cond != nil && !evalDelim(s.Cond, bound) {
			return false
		}
	}
	return true
}

func evalDelim(e expr, bound map[string]string) bool {
	switch e := e.(type) {
	case orExpr:
		for _, c := range e.Any {
			if evalDelim(c, bound) {
				return true
			}
		}
		return false
	case andExpr:
		for _, c := range e.All {
			if !evalDelim(c, bound) {
				return false
			}
		}
		return true
	case cond:
		s, ok := bound[e.Field]
		if !ok {
			return false // a field the pattern never placed: absent
		}
		// A delimited field is text; it counts as a number when it reads as one.
		var v any = s
		if _, isNum := parseNumber(s); isNum {
			v = json.Number(s)
		}
		return testValue(e.Op, e.Val, v)
	}
	return false
}
