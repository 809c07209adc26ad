package policydoc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tri is a three-valued truth: a condition on a key whose value the
// request does not reveal is neither true nor false.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

// unknownWhy says what could not be decided: a condition key, an operator,
// or (with neither) a malformed element, in a sentence.
type unknownWhy struct {
	key, op, why string
}

// keyState is what the request says about a condition key.
type keyState uint8

const (
	keyUnknown keyState = iota // may be absent or have any value
	keyPresent
	keyAbsent
)

// context is a request's condition keys, by lower-cased name: key names
// are not case sensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
type context struct {
	values map[string][]string
	absent map[string]bool
}

func newContext(values map[string][]string, absent []string) context {
	c := context{values: map[string][]string{}, absent: map[string]bool{}}
	for k, v := range values {
		c.values[strings.ToLower(k)] = v
	}
	for _, k := range absent {
		c.absent[strings.ToLower(k)] = true
	}
	return c
}

func (c context) lookup(key string) ([]string, keyState) {
	k := strings.ToLower(key)
	if v, ok := c.values[k]; ok && len(v) > 0 {
		return v, keyPresent
	}
	if c.absent[k] {
		return nil, keyAbsent
	}
	return nil, keyUnknown
}

// A pattern is policy text compiled for matching: wildcards from the
// policy's own text are active; text a policy variable put in is literal.
type pattern struct {
	text string // the expanded text, every character literal
	toks []ptok
}

type ptok struct {
	r    rune
	kind uint8 // lit, star or one
}

const (
	lit uint8 = iota
	star
	one
)

// varResult is how expanding a value's policy variables went.
type varResult uint8

const (
	varOK      varResult = iota
	varNoValue           // a variable has no value: the value matches nothing
	varUnknown           // a variable's key is not known for this request
)

// compile expands the policy variables in s (only when vars is true: only
// Version 2012-10-17 has them) and marks its wildcards. A variable whose
// key is absent takes its default (${key, 'default'}) or leaves the value
// matching nothing; ${*}, ${?} and ${$} stand for those characters.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func compile(s string, vars bool, c context) (pattern, varResult, string) {
	var p pattern
	var text strings.Builder
	addLit := func(str string) {
		text.WriteString(str)
		for _, r := range str {
			p.toks = append(p.toks, ptok{r, lit})
		}
	}
	for i := 0; i < len(s); {
		if vars && strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 {
				inner := s[i+2 : i+2+end]
				i += 2 + end + 1
				switch inner {
				case "*", "?", "$":
					addLit(inner)
					continue
				}
				name, def, hasDef := inner, "", false
				if comma := strings.IndexByte(inner, ','); comma >= 0 {
					name = strings.TrimSpace(inner[:comma])
					d := strings.TrimSpace(inner[comma+1:])
					if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
						def, hasDef = d[1:len(d)-1], true
					}
				}
				values, state := c.lookup(name)
				switch {
				case state == keyPresent && len(values) == 1:
					addLit(values[0])
				case state == keyAbsent && hasDef:
					addLit(def)
				case state == keyAbsent:
					return p, varNoValue, name
				default: // unknown, or a multivalued key, which cannot be a variable
					return p, varUnknown, name
				}
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		text.WriteRune(r)
		kind := lit
		switch r {
		case '*':
			kind = star
		case '?':
			kind = one
		}
		p.toks = append(p.toks, ptok{r, kind})
		i += size
	}
	p.text = text.String()
	return p, varOK, ""
}

// match reports whether s matches the pattern: '*' any run of characters,
// '?' any one character, optionally ignoring case.
func (p pattern) match(s string, fold bool) bool {
	rs := []rune(s)
	toks := p.toks
	if fold {
		for i, r := range rs {
			rs[i] = unicode.ToLower(r)
		}
		toks = make([]ptok, len(p.toks))
		for i, t := range p.toks {
			toks[i] = t
			if t.kind == lit {
				toks[i].r = unicode.ToLower(t.r)
			}
		}
	}
	// Iterative wildcard matching with backtracking to the last star.
	ti, si, starT, starS := 0, 0, -1, 0
	for si < len(rs) {
		switch {
		case ti < len(toks) && (toks[ti].kind == one || toks[ti].kind == lit && toks[ti].r == rs[si]):
			ti++
			si++
		case ti < len(toks) && toks[ti].kind == star:
			starT, starS = ti, si
			ti++
		case starT >= 0:
			ti = starT + 1
			starS++
			si = starS
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].kind == star {
		ti++
	}
	return ti == len(toks)
}

// literal compiles s with no variables: for Action values and the like.
func literal(s string) pattern {
	p, _, _ := compile(s, false, context{})
	return p
}

// splitARN splits an ARN into its six parts: arn, partition, service,
// region, account, and the resource (which may itself hold colons). ok is
// false when s is not shaped like an ARN.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func splitARN(s string) ([]string, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return nil, false
	}
	return parts, true
}

// matchARN matches an ARN pattern from a policy against an ARN, part by
// part: a wildcard matches within its part and never across the colons
// between the first five. Case sensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func matchARN(pat, arn string, vars bool, c context) (tri, unknownWhy) {
	want, ok := splitPattern(pat, vars)
	if !ok {
		return unknown, unknownWhy{why: "the pattern " + quote(pat) + " is not an ARN"}
	}
	got, ok := splitARN(arn)
	if !ok {
		return no, unknownWhy{}
	}
	result, why := yes, unknownWhy{}
	for i := range want {
		p, res, key := compile(want[i], vars, c)
		switch {
		case res == varNoValue:
			return no, unknownWhy{}
		case res == varUnknown:
			result, why = unknown, unknownWhy{key: key, why: "the policy variable ${" + key + "} in " + quote(pat) + " has no known value"}
		case !p.match(got[i], false):
			return no, unknownWhy{}
		}
	}
	return result, why
}

// splitPattern is splitARN for an ARN pattern from a policy, whose policy
// variables (under 2012-10-17) may hold colons: ${aws:SourceAccount}.
func splitPattern(s string, vars bool) ([]string, bool) {
	if !vars {
		return splitARN(s)
	}
	var parts []string
	start, inVar := 0, false
	for i := 0; i < len(s) && len(parts) < 5; i++ {
		switch {
		case !inVar && strings.HasPrefix(s[i:], "${") && strings.IndexByte(s[i:], '}') > 0:
			inVar = true
		case inVar && s[i] == '}':
			inVar = false
		case !inVar && s[i] == ':':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	if len(parts) != 5 {
		return nil, false
	}
	return append(parts, s[start:]), true
}

func quote(s string) string { return `"` + s + `"` }
