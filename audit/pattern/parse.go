package pattern

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parse parses a filter pattern in any of its three languages. The first
// non-blank character decides which (FPS): '{' JSON, '[' space-delimited,
// anything else terms or a lone %regex%. Errors are *SyntaxError.
func Parse(s string) (*Pattern, error) {
	if n := utf8.RuneCountInString(s); n > MaxLen {
		// Point at the first character past the limit.
		pos, i := 0, 0
		for pos = range s {
			if i == MaxLen {
				break
			}
			i++
		}
		return nil, &SyntaxError{Pos: pos, Msg: "pattern is " + strconv.Itoa(n) + " characters long; the limit is " + strconv.Itoa(MaxLen)}
	}
	p := &parser{src: s}
	p.skipSpace()
	if p.eof() {
		return &Pattern{lang: langEmpty}, nil
	}
	var (
		pat *Pattern
		err error
	)
	switch p.src[p.pos] {
	case '{':
		pat, err = p.parseJSON()
	case '[':
		pat, err = p.parseDelimited()
	default:
		pat, err = p.parseTerms()
	}
	if err != nil {
		return nil, err
	}
	return pat, nil
}

type parser struct {
	src     string
	pos     int
	regexes int
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (p *parser) skipSpace() {
	for !p.eof() && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func (p *parser) errf(pos int, msg string) error { return &SyntaxError{Pos: pos, Msg: msg} }

// describe names what sits at pos, for error messages.
func (p *parser) describe(pos int) string {
	if pos >= len(p.src) {
		return "end of pattern"
	}
	r, _ := utf8.DecodeRuneInString(p.src[pos:])
	return strconv.QuoteRune(r)
}

func (p *parser) has(s string) bool { return strings.HasPrefix(p.src[p.pos:], s) }

// ---- JSON ----

func (p *parser) parseJSON() (*Pattern, error) {
	p.pos++ // {
	p.skipSpace()
	if p.peek() == '}' {
		return nil, p.errf(p.pos, "empty JSON pattern: expected a condition such as $.eventName = CreateTrail")
	}
	e, err := p.parseOr(false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != '}' {
		return nil, p.errf(p.pos, "expected && or || or the closing } but found "+p.describe(p.pos))
	}
	p.pos++
	p.skipSpace()
	if !p.eof() {
		return nil, p.errf(p.pos, "unexpected "+p.describe(p.pos)+" after the closing }")
	}
	return &Pattern{lang: langJSON, expr: e}, nil
}

// parseOr reads and ("||" and)*. delimited says whether operands are
// space-delimited field conditions rather than JSON selectors.
func (p *parser) parseOr(delimited bool) (expr, error) {
	var any []expr
	for {
		e, err := p.parseAnd(delimited)
		if err != nil {
			return nil, err
		}
		if o, ok := e.(orExpr); ok {
			any = append(any, o.Any...) // (a || b) || c is a || b || c
		} else {
			any = append(any, e)
		}
		p.skipSpace()
		if !p.has("||") {
			break
		}
		p.pos += 2
	}
	if len(any) == 1 {
		return any[0], nil
	}
	return orExpr{Any: any}, nil
}

func (p *parser) parseAnd(delimited bool) (expr, error) {
	var all []expr
	for {
		e, err := p.parseUnary(delimited)
		if err != nil {
			return nil, err
		}
		if a, ok := e.(andExpr); ok {
			all = append(all, a.All...)
		} else {
			all = append(all, e)
		}
		p.skipSpace()
		if !p.has("&&") {
			break
		}
		p.pos += 2
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return andExpr{All: all}, nil
}

func (p *parser) parseUnary(delimited bool) (expr, error) {
	p.skipSpace()
	if p.peek() == '(' {
		open := p.pos
		p.pos++
		e, err := p.parseOr(delimited)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errf(p.pos, "expected ) to close the ( at offset "+strconv.Itoa(open)+" but found "+p.describe(p.pos))
		}
		p.pos++
		return e, nil
	}
	if delimited {
		return p.parseDelimCond()
	}
	return p.parseCond()
}

func (p *parser) parseCond() (expr, error) {
	if p.peek() != '$' {
		return nil, p.errf(p.pos, "expected a selector starting with $ but found "+p.describe(p.pos))
	}
	sel, err := p.parseSelector()
	if err != nil {
		return nil, err
	}
	c := cond{Sel: sel}
	return p.parseOpValue(c)
}

// parseOpValue reads the operator and value of c, whose left side is done.
func (p *parser) parseOpValue(c cond) (expr, error) {
	p.skipSpace()
	opPos := p.pos
	word := p.word()
	switch strings.ToUpper(word) {
	case "IS":
		p.skipSpace()
		argPos := p.pos
		switch strings.ToUpper(p.word()) {
		case "NULL":
			c.Op = opIsNull
		case "TRUE":
			c.Op = opIsTrue
		case "FALSE":
			c.Op = opIsFalse
		default:
			return nil, p.errf(argPos, "expected NULL, TRUE or FALSE after IS")
		}
		return c, nil
	case "NOT":
		p.skipSpace()
		argPos := p.pos
		if strings.ToUpper(p.word()) != "EXISTS" {
			return nil, p.errf(argPos, "expected EXISTS after NOT")
		}
		c.Op = opNotExists
		return c, nil
	case "":
	default:
		return nil, p.errf(opPos, "expected an operator (= != < > <= >= IS NOT) but found "+strconv.Quote(word))
	}
	switch {
	case p.has("!="):
		c.Op, p.pos = opNe, p.pos+2
	case p.has("<="):
		c.Op, p.pos = opLe, p.pos+2
	case p.has(">="):
		c.Op, p.pos = opGe, p.pos+2
	case p.has("="):
		c.Op, p.pos = opEq, p.pos+1
	case p.has("<"):
		c.Op, p.pos = opLt, p.pos+1
	case p.has(">"):
		c.Op, p.pos = opGt, p.pos+1
	default:
		return nil, p.errf(opPos, "expected an operator (= != < > <= >= IS NOT) but found "+p.describe(opPos))
	}
	p.skipSpace()
	valPos := p.pos
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if c.Op != opEq && c.Op != opNe && v.Kind != valNumber {
		return nil, p.errf(valPos, "operator "+c.Op.String()+" compares numbers only; strings, wildcards and regexes take = or !=")
	}
	c.Val = v
	return c, nil
}

// word reads a run of letters (IS, NOT, NULL, ...).
func (p *parser) word() string {
	start := p.pos
	for !p.eof() && (p.src[p.pos] >= 'a' && p.src[p.pos] <= 'z' || p.src[p.pos] >= 'A' && p.src[p.pos] <= 'Z') {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) parseSelector() (selector, error) {
	start := p.pos
	p.pos++ // $
	var sel selector
	for {
		switch {
		case p.has(".['"):
			p.pos += 3
			key, err := p.readQuoted('\'', p.pos-1)
			if err != nil {
				return nil, err
			}
			if p.peek() != ']' {
				return nil, p.errf(p.pos, "expected ] after the quoted key")
			}
			p.pos++
			sel = append(sel, step{Kind: stepKey, Key: key})
		case p.has(".*"):
			p.pos += 2
			sel = append(sel, step{Kind: stepAnyKey})
		case p.has("."):
			p.pos++
			ks := p.pos
			for !p.eof() && isKeyByte(p.src[p.pos]) {
				p.pos++
			}
			if ks == p.pos {
				return nil, p.errf(ks, "expected a property name after . but found "+p.describe(ks)+" (quote unusual keys as .['key'])")
			}
			sel = append(sel, step{Kind: stepKey, Key: p.src[ks:p.pos]})
		case p.has("[*]"):
			p.pos += 3
			sel = append(sel, step{Kind: stepAnyIndex})
		case p.has("["):
			p.pos++
			ns := p.pos
			for !p.eof() && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
				p.pos++
			}
			if ns == p.pos || p.peek() != ']' {
				return nil, p.errf(ns, "expected an array index [N] or [*]")
			}
			n, err := strconv.Atoi(p.src[ns:p.pos])
			if err != nil {
				return nil, p.errf(ns, "array index out of range")
			}
			p.pos++
			sel = append(sel, step{Kind: stepIndex, Index: n})
		default:
			if len(sel) == 0 {
				return nil, p.errf(start, "a selector needs at least one step after $, such as $.eventName")
			}
			return sel, nil
		}
	}
}

// readQuoted reads up to the closing quote q; the opening quote is before
// p.pos (at open). Backslash escapes the next character.
func (p *parser) readQuoted(q byte, open int) (string, error) {
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errf(open, "unterminated quoted string")
		}
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// parseValue reads a quoted string, a %regex%, or a bare word. Quoted and
// bare values mean the same (FPS), so numbers and a lone * are recognised by
// content, not by how they were written.
func (p *parser) parseValue() (value, error) {
	start := p.pos
	switch c := p.peek(); {
	case c == '"':
		p.pos++
		s, err := p.readQuoted('"', start)
		if err != nil {
			return value{}, err
		}
		return classify(s), nil
	case c == '%':
		return p.parseRegex()
	}
	for !p.eof() && bareValueByte(p.src[p.pos]) {
		p.pos++
	}
	if start == p.pos {
		return value{}, p.errf(start, "expected a value but found "+p.describe(start))
	}
	return classify(p.src[start:p.pos]), nil
}

func classify(s string) value {
	if s == "*" {
		return value{Kind: valAny}
	}
	if n, ok := parseNumber(s); ok {
		return value{Kind: valNumber, Text: s, Num: n}
	}
	return value{Kind: valString, Text: s}
}

// parseNumber accepts the numbers OLD documents: optional sign, integer or
// decimal, optional exponent. Hex, Inf and NaN are strings.
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ed := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, ed = i+1, ed+1
		}
		if ed == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// regexAllowed is FPS's list of what a %regex% may contain: letters, digits,
// the symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + .
// Anything else, notably ( ) and multi-byte characters, AWS rejects.
func regexAllowed(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte(":_#=@/;,-^$?[]{}|\\*+.", c) >= 0
}

func (p *parser) parseRegex() (value, error) {
	open := p.pos
	p.pos++
	end := strings.IndexByte(p.src[p.pos:], '%')
	if end < 0 {
		return value{}, p.errf(open, "unterminated regex: expected a closing %")
	}
	body := p.src[p.pos : p.pos+end]
	if body == "" {
		return value{}, p.errf(open, "empty regex %%")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '(' || c == ')':
			return value{}, p.errf(p.pos+i, "( and ) are not allowed in a filter-pattern regex")
		case c >= utf8.RuneSelf:
			return value{}, p.errf(p.pos+i, "multi-byte characters are not allowed in a filter-pattern regex")
		case !regexAllowed(c):
			return value{}, p.errf(p.pos+i, strconv.QuoteRune(rune(c))+" is not allowed in a filter-pattern regex")
		}
	}
	// Go's RE2 stands in for AWS's engine; the allowed subset above (no
	// groups, no lookaround) reads the same in both.
	re, err := regexp.Compile(body)
	if err != nil {
		return value{}, p.errf(p.pos, "invalid regex: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	p.regexes++
	if p.regexes > MaxRegex {
		return value{}, p.errf(open, "a filter pattern may contain at most "+strconv.Itoa(MaxRegex)+" regexes")
	}
	p.pos += end + 1
	return value{Kind: valRegex, Text: body, re: re}, nil
}

// ---- terms ----

func (p *parser) parseTerms() (*Pattern, error) {
	if p.peek() == '%' {
		open := p.pos
		v, err := p.parseRegex()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.eof() {
			return nil, p.errf(open, "a %regex% term pattern must stand alone; found more after it at offset "+strconv.Itoa(p.pos))
		}
		return &Pattern{lang: langRegex, regex: v}, nil
	}
	var terms []term
	for p.skipSpace(); !p.eof(); p.skipSpace() {
		start := p.pos
		t := term{Kind: termAll}
		switch p.peek() {
		case '?':
			t.Kind = termAny
			p.pos++
		case '-':
			t.Kind = termNot
			p.pos++
		}
		switch c := p.peek(); {
		case c == '"':
			p.pos++
			s, err := p.readQuoted('"', p.pos-1)
			if err != nil {
				return nil, err
			}
			if s == "" {
				return nil, p.errf(start, "empty quoted term")
			}
			if !p.eof() && !isSpace(p.peek()) {
				return nil, p.errf(p.pos, "expected a blank after the quoted term but found "+p.describe(p.pos))
			}
			t.Text = s
		case c == '%':
			return nil, p.errf(p.pos, "a %regex% term pattern must stand alone")
		case p.eof() || isSpace(c):
			return nil, p.errf(start, "expected a term after "+strconv.Quote(p.src[start:p.pos]))
		default:
			ws := p.pos
			for !p.eof() && !isSpace(p.peek()) {
				if p.peek() == '"' {
					return nil, p.errf(p.pos, "a quote inside a bare term; quote the whole term instead")
				}
				p.pos++
			}
			t.Text = p.src[ws:p.pos]
		}
		terms = append(terms, t)
	}
	return &Pattern{lang: langTerms, terms: terms}, nil
}

// ---- space-delimited ----

func (p *parser) parseDelimited() (*Pattern, error) {
	p.pos++ // [
	var fields []delimSlot
	for {
		p.skipSpace()
		if p.peek() == ']' && len(fields) > 0 {
			// OLD prints a trailing comma before ]; AWS accepts it.
			break
		}
		fs := p.pos
		switch {
		case p.has("..."):
			p.pos += 3
			fields = append(fields, delimSlot{Ellipsis: true})
		default:
			if p.peek() != '(' && !isKeyByte(p.peek()) {
				return nil, p.errf(fs, "expected a field name or ... but found "+p.describe(fs))
			}
			// A name alone only names the field; otherwise it is a condition.
			for !p.eof() && isKeyByte(p.peek()) {
				p.pos++
			}
			name := p.src[fs:p.pos]
			p.skipSpace()
			if p.eof() {
				return nil, p.errf(p.pos, "expected , or ] but found end of pattern")
			}
			if name != "" && (p.peek() == ',' || p.peek() == ']') {
				fields = append(fields, delimSlot{Name: name})
				break
			}
			p.pos = fs
			e, err := p.parseOr(true)
			if err != nil {
				return nil, err
			}
			fields = append(fields, delimSlot{Name: firstField(e), Cond: e})
		}
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
			continue
		case ']':
		default:
			return nil, p.errf(p.pos, "expected , or ] but found "+p.describe(p.pos))
		}
		break
	}
	p.pos++ // ]
	p.skipSpace()
	if !p.eof() {
		return nil, p.errf(p.pos, "unexpected "+p.describe(p.pos)+" after the closing ]")
	}
	return &Pattern{lang: langDelimited, fields: fields}, nil
}

// firstField names a condition slot after the field its first condition tests.
func firstField(e expr) string {
	switch e := e.(type) {
	case orExpr:
		return firstField(e.Any[0])
	case andExpr:
		return firstField(e.All[0])
	case cond:
		return e.Field
	}
	return ""
}

// parseDelimCond reads name op value inside a [ ... ] slot.
func (p *parser) parseDelimCond() (expr, error) {
	ns := p.pos
	for !p.eof() && isKeyByte(p.peek()) {
		p.pos++
	}
	if ns == p.pos {
		return nil, p.errf(ns, "expected a field name but found "+p.describe(ns))
	}
	c := cond{Field: p.src[ns:p.pos]}
	e, err := p.parseOpValue(c)
	if err != nil {
		return nil, err
	}
	if c2 := e.(cond); c2.Op.unary() {
		return nil, p.errf(ns, "IS and NOT EXISTS apply to JSON patterns only")
	}
	return e, nil
}
