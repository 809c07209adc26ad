// Package pattern parses CloudWatch Logs filter patterns, matches them
// against log messages, and proves whether one pattern catches every
// CloudTrail record another does (Implies), reading records as Facts
// describes them; Covers is that question for the five trail-configuration
// calls (CIS 4.5, Security Hub CloudWatch.5).
//
// The rules implemented are those of FILTER-PATTERNS.md; where AWS leaves a
// case undocumented the choice made is written next to the code that makes it.
// The main ones:
//
//   - "= *" matches a present string or number; booleans, null, objects and
//     arrays compare with nothing (they match neither = nor !=).
//   - Relational operators (< > <= >=) need a JSON number; a string that
//     looks like a number does not count. = and != with a numeric constant
//     compare a JSON number numerically and a JSON string by its text.
//   - Selectors with .* or [*] hold when any value they reach satisfies the
//     condition; NOT EXISTS when they reach none.
//   - Regexes run on Go's RE2. FPS's allowed subset (no groups, no
//     lookaround, no back-references) reads the same in both; known edge
//     differences: $ matches only at the very end (not before a final
//     newline) and {,n} is literal text in RE2.
//   - Quotas enforced: 1024 characters (API), two regexes per pattern and
//     FPS's regex character set (no ( or ), no multi-byte characters). No
//     quota on wildcards in selectors was found in the documentation
//     available here, so none is enforced: these patterns come from AWS,
//     which has already accepted them, and rejecting one AWS accepts would
//     report a working filter as broken.
//   - A %regex% term pattern stands alone; mixing it with terms is refused.
package pattern

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// CIS is the filter pattern the CIS benchmark prints for the control.
const CIS = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`

// MaxLen is the longest pattern PutMetricFilter accepts, in characters (API).
const MaxLen = 1024

// MaxRegex is how many %regex% a single pattern may hold (FPS quotas).
const MaxRegex = 2

// Events returns the five CloudTrail calls the control is about, in CIS order.
// A function rather than a var so no caller can change what another sees.
func Events() []string {
	return []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}
}

// SyntaxError says where (byte offset into the pattern) and why AWS would
// reject a pattern.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid filter pattern at offset %d: %s", e.Pos, e.Msg)
}

// lang is which of the three pattern languages a pattern is written in.
type lang int

const (
	langEmpty     lang = iota // matches every event
	langJSON                  // { ... }
	langTerms                 // words, "phrases", ?any, -not
	langRegex                 // a lone %regex%
	langDelimited             // [ ... ]
)

// Pattern is a parsed filter pattern. Parentheses and quoting are not kept:
// two patterns that differ only in them parse to the same tree.
type Pattern struct {
	lang   lang
	expr   expr        // langJSON
	terms  []term      // langTerms
	regex  value       // langRegex
	fields []delimSlot // langDelimited
}

// expr is a JSON (or space-delimited) condition tree.
type expr interface{ isExpr() }

// orExpr and andExpr are flattened: the parser never nests an or directly in
// an or (nor and in and), so printing and re-parsing gives the same tree.
type orExpr struct{ Any []expr }
type andExpr struct{ All []expr }

func (orExpr) isExpr()  {}
func (andExpr) isExpr() {}
func (cond) isExpr()    {}

type op int

const (
	opEq op = iota
	opNe
	opLt
	opGt
	opLe
	opGe
	opIsNull
	opIsTrue
	opIsFalse
	opNotExists
)

var opText = [...]string{"=", "!=", "<", ">", "<=", ">=", "IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"}

func (o op) String() string { return opText[o] }

// unary ops take no value.
func (o op) unary() bool { return o >= opIsNull }

// cond is one comparison. JSON patterns address the value with Sel;
// space-delimited patterns with the field name in Field.
type cond struct {
	Sel   selector
	Field string
	Op    op
	Val   value
}

type stepKind int

const (
	stepKey      stepKind = iota // .name or .['name']
	stepIndex                    // [N]
	stepAnyKey                   // .*
	stepAnyIndex                 // [*]
)

type step struct {
	Kind  stepKind
	Key   string
	Index int
}

// selector is the path after "$".
type selector []step

type valueKind int

const (
	valString valueKind = iota // may have a leading/trailing * wildcard
	valNumber
	valRegex // %body%
	valAny   // a lone *: present with a string or number value
)

type value struct {
	Kind valueKind
	Text string  // string without quotes, number as written, regex body
	Num  float64 // valNumber
	re   *regexp.Regexp
}

type termKind int

const (
	termAll termKind = iota // must appear
	termAny                 // ?term: one of them must appear
	termNot                 // -term: must not appear
)

type term struct {
	Kind termKind
	Text string
}

// delimSlot is one comma-separated field of a [ ... ] pattern.
type delimSlot struct {
	Ellipsis bool
	Name     string
	Cond     expr // nil when the slot only names the field
}

// String prints p in a canonical form that Parse accepts and that parses to
// the same tree. When the spaced form would pass the length limit the
// compact form (no optional blanks) is used, which is never longer than the
// text p was parsed from.
func (p *Pattern) String() string {
	if s := p.format(false); utf8.RuneCountInString(s) <= MaxLen {
		return s
	}
	return p.format(true)
}

func (p *Pattern) format(compact bool) string {
	sp := " "
	if compact {
		sp = ""
	}
	var b strings.Builder
	switch p.lang {
	case langEmpty:
	case langJSON:
		b.WriteString("{" + sp)
		writeExpr(&b, p.expr, false, sp)
		b.WriteString(sp + "}")
	case langRegex:
		b.WriteString("%" + p.regex.Text + "%")
	case langTerms:
		for i, t := range p.terms {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch t.Kind {
			case termAny:
				b.WriteByte('?')
			case termNot:
				b.WriteByte('-')
			}
			if bareTerm(t.Text) {
				b.WriteString(t.Text)
			} else {
				b.WriteString(quote(t.Text))
			}
		}
	case langDelimited:
		b.WriteByte('[')
		for i, f := range p.fields {
			if i > 0 {
				b.WriteString("," + sp)
			}
			switch {
			case f.Ellipsis:
				b.WriteString("...")
			case f.Cond != nil:
				writeExpr(&b, f.Cond, false, sp)
			default:
				b.WriteString(f.Name)
			}
		}
		b.WriteByte(']')
	}
	return b.String()
}

func writeExpr(b *strings.Builder, e expr, inAnd bool, sp string) {
	switch e := e.(type) {
	case orExpr:
		if inAnd {
			b.WriteByte('(')
		}
		for i, c := range e.Any {
			if i > 0 {
				b.WriteString(sp + "||" + sp)
			}
			writeExpr(b, c, false, sp)
		}
		if inAnd {
			b.WriteByte(')')
		}
	case andExpr:
		for i, c := range e.All {
			if i > 0 {
				b.WriteString(sp + "&&" + sp)
			}
			writeExpr(b, c, true, sp)
		}
	case cond:
		b.WriteString(e.format(sp))
	}
}

func (c cond) String() string { return c.format(" ") }

func (c cond) format(sp string) string {
	lhs := c.Field
	if c.Sel != nil {
		lhs = c.Sel.String()
	}
	if c.Op.unary() {
		return lhs + " " + c.Op.String() // the words need their blank
	}
	return lhs + sp + c.Op.String() + sp + c.Val.String()
}

func (s selector) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range s {
		switch st.Kind {
		case stepKey:
			if bareKey(st.Key) {
				b.WriteString("." + st.Key)
			} else {
				b.WriteString(".['" + strings.ReplaceAll(strings.ReplaceAll(st.Key, `\`, `\\`), `'`, `\'`) + "']")
			}
		case stepIndex:
			fmt.Fprintf(&b, "[%d]", st.Index)
		case stepAnyKey:
			b.WriteString(".*")
		case stepAnyIndex:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

func (v value) String() string {
	switch v.Kind {
	case valNumber:
		return v.Text
	case valRegex:
		return "%" + v.Text + "%"
	case valAny:
		return "*"
	}
	if bareValue(v.Text) {
		return v.Text
	}
	return quote(v.Text)
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func bareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isKeyByte(s[i]) {
			return false
		}
	}
	return true
}

// bareValueByte is what a bare (unquoted) value may contain. AWS's own
// examples use '.', '*', '-', ':' unquoted; the rest are delimiters.
func bareValueByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return !strings.ContainsRune(`(){}[]"'|&=!<>%,\`, rune(c))
}

// bareValue reports whether s prints without quotes and reads back as the
// same string (not as a number, a lone * or a regex).
func bareValue(s string) bool {
	if s == "" || s == "*" {
		return false
	}
	if _, ok := parseNumber(s); ok {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !bareValueByte(s[i]) {
			return false
		}
	}
	return true
}

// bareTerm reports whether a term prints unquoted without changing meaning:
// no blanks or quotes, and no leading character with its own meaning.
func bareTerm(s string) bool {
	if s == "" || strings.ContainsAny(s[:1], `?-%{["`) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) || s[i] == '"' {
			return false
		}
	}
	return true
}
