package pattern

import (
	"sort"
	"strings"
)

// SameText reports whether p and q are the same text modulo whitespace,
// quoting, redundant parentheses and the order of || operands: what a check
// that compares a filter with a published pattern accepts at most. The
// order of && operands counts, and so does every condition: a repeated or
// missing one makes the texts differ.
func SameText(p, q *Pattern) bool {
	if p == nil || q == nil {
		return p == q
	}
	return p.lang == q.lang && canonicalText(p) == canonicalText(q)
}

// canonicalText is p printed with every || list sorted.
func canonicalText(p *Pattern) string {
	switch p.lang {
	case langJSON:
		return "{" + canonExpr(p.expr, false) + "}"
	case langDelimited:
		var b strings.Builder
		for _, f := range p.fields {
			switch {
			case f.Ellipsis:
				b.WriteString("...,")
			case f.Cond != nil:
				b.WriteString(canonExpr(f.Cond, false) + ",")
			default:
				b.WriteString(f.Name + ",")
			}
		}
		return "[" + b.String() + "]"
	}
	return p.String()
}

func canonExpr(e expr, inAnd bool) string {
	switch e := e.(type) {
	case orExpr:
		parts := make([]string, len(e.Any))
		for i, k := range e.Any {
			parts[i] = canonExpr(k, false)
		}
		sort.Strings(parts)
		s := strings.Join(parts, "||")
		if inAnd {
			s = "(" + s + ")"
		}
		return s
	case andExpr:
		parts := make([]string, len(e.All))
		for i, k := range e.All {
			parts[i] = canonExpr(k, true)
		}
		return strings.Join(parts, "&&")
	case cond:
		return e.format("")
	}
	return ""
}

// Condition is one comparison of a JSON or space-delimited pattern.
type Condition struct {
	Selector string // $.eventName (JSON) or the field name (space-delimited)
	Op       string // = != < > <= >= IS NULL IS TRUE IS FALSE NOT EXISTS
	Value    string // the constant without quotes; a regex as %body%; "" for IS and NOT EXISTS
}

// Conditions lists p's comparisons in the order they are written.
func (p *Pattern) Conditions() []Condition {
	var conds []cond
	switch p.lang {
	case langJSON:
		collect(p.expr, &conds)
	case langDelimited:
		for _, f := range p.fields {
			if f.Cond != nil {
				collect(f.Cond, &conds)
			}
		}
	}
	out := make([]Condition, len(conds))
	for i, c := range conds {
		sel := c.Field
		if c.Sel != nil {
			sel = c.Sel.String()
		}
		v := ""
		if !c.Op.unary() {
			v = c.Val.Text
			switch c.Val.Kind {
			case valRegex:
				v = "%" + v + "%"
			case valAny:
				v = "*"
			}
		}
		out[i] = Condition{Selector: sel, Op: c.Op.String(), Value: v}
	}
	return out
}
