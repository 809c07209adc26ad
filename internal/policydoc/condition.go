package policydoc

import (
	"strconv"
	"strings"
)

// Conditions follow the IAM condition operator reference:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// and the rules for several keys and values:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
//
//   - Operators in a block, and keys under one operator, must all hold (AND).
//   - Several values for one key: any may match (OR); for a negated
//     operator (StringNotEquals...) the request value must match none.
//   - A key missing from the request: the condition is false, except for
//     negated operators (true), ...IfExists (true) and Null (which tests
//     exactly that).
//   - Key names are not case sensitive; values are compared as the
//     operator says (StringEquals exactly, StringEqualsIgnoreCase without
//     case, ARN operators part by part and case sensitive).
//   - ForAnyValue: some request value matches (false when the key is
//     missing). ForAllValues: every request value matches (true when the
//     key is missing). Without either, a key with several values in the
//     request cannot be judged.

type opKind uint8

const (
	opString opKind = iota
	opNumeric
	opBool
	opARN
	opNull
	opUnsupported // Date, IpAddress, Binary: only a missing key decides them
)

type opSpec struct {
	kind    opKind
	negated bool
	fold    bool // string operators: ignore case
	like    bool // string operators: * and ? are wildcards
	numeric func(req, pol float64) bool
}

var operators = map[string]opSpec{
	"StringEquals":              {kind: opString},
	"StringNotEquals":           {kind: opString, negated: true},
	"StringEqualsIgnoreCase":    {kind: opString, fold: true},
	"StringNotEqualsIgnoreCase": {kind: opString, fold: true, negated: true},
	"StringLike":                {kind: opString, like: true},
	"StringNotLike":             {kind: opString, like: true, negated: true},
	"NumericEquals":             {kind: opNumeric, numeric: func(r, p float64) bool { return r == p }},
	"NumericNotEquals":          {kind: opNumeric, numeric: func(r, p float64) bool { return r == p }, negated: true},
	"NumericLessThan":           {kind: opNumeric, numeric: func(r, p float64) bool { return r < p }},
	"NumericLessThanEquals":     {kind: opNumeric, numeric: func(r, p float64) bool { return r <= p }},
	"NumericGreaterThan":        {kind: opNumeric, numeric: func(r, p float64) bool { return r > p }},
	"NumericGreaterThanEquals":  {kind: opNumeric, numeric: func(r, p float64) bool { return r >= p }},
	"Bool":                      {kind: opBool},
	// ArnEquals and ArnLike behave identically, as do their negations.
	"ArnEquals":             {kind: opARN},
	"ArnLike":               {kind: opARN},
	"ArnNotEquals":          {kind: opARN, negated: true},
	"ArnNotLike":            {kind: opARN, negated: true},
	"Null":                  {kind: opNull},
	"DateEquals":            {kind: opUnsupported},
	"DateNotEquals":         {kind: opUnsupported, negated: true},
	"DateLessThan":          {kind: opUnsupported},
	"DateLessThanEquals":    {kind: opUnsupported},
	"DateGreaterThan":       {kind: opUnsupported},
	"DateGreaterThanEquals": {kind: opUnsupported},
	"IpAddress":             {kind: opUnsupported},
	"NotIpAddress":          {kind: opUnsupported, negated: true},
	"BinaryEquals":          {kind: opUnsupported},
}

// condition evaluates a Condition block.
func (e evaluator) condition(block any) (tri, unknownWhy) {
	ops, ok := block.(object)
	if !ok {
		return unknown, unknownWhy{why: "its Condition is not an object"}
	}
	result, why := yes, unknownWhy{}
	for _, op := range ops {
		keys, ok := op.val.(object)
		if !ok {
			return unknown, unknownWhy{op: op.key, why: "its condition " + quote(op.key) + " is not an object"}
		}
		for _, k := range keys {
			values, ok := scalarList(k.val)
			var t tri
			var w unknownWhy
			if !ok {
				t, w = unknown, unknownWhy{key: k.key, op: op.key, why: "the values of " + k.key + " under " + op.key + " are not strings"}
			} else {
				t, w = e.operator(op.key, k.key, values)
			}
			if t == no {
				return no, unknownWhy{}
			}
			if t == unknown && result == yes {
				result, why = unknown, w
			}
		}
	}
	return result, why
}

// operator evaluates one operator for one key against the policy's values.
func (e evaluator) operator(name, key string, policy []string) (tri, unknownWhy) {
	base, set := name, ""
	for _, prefix := range []string{"ForAllValues:", "ForAnyValue:"} {
		if strings.HasPrefix(base, prefix) {
			base, set = strings.TrimPrefix(base, prefix), strings.TrimSuffix(prefix, ":")
		}
	}
	ifExists := false
	if b, found := strings.CutSuffix(base, "IfExists"); found && b != "Null" {
		base, ifExists = b, true
	}
	spec, known := operators[base]
	if !known {
		return unknown, unknownWhy{key: key, op: name, why: "the condition operator " + name + " is not one AWS documents"}
	}
	values, state := e.ctx.lookup(key)

	if spec.kind == opNull {
		if set != "" {
			return unknown, unknownWhy{key: key, op: name, why: name + " is not a documented use of Null"}
		}
		if state == keyUnknown {
			return unknown, unknownWhy{key: key, op: name, why: "whether the request carries " + key + " is not known"}
		}
		result := no
		for _, p := range policy {
			switch strings.ToLower(p) {
			case "true": // the key must be missing
				result = or(result, triOf(state == keyAbsent))
			case "false": // the key must be there
				result = or(result, triOf(state == keyPresent))
			default:
				return unknown, unknownWhy{key: key, op: name, why: "Null takes true or false, not " + quote(p)}
			}
		}
		return result, unknownWhy{}
	}

	switch state {
	case keyUnknown:
		return unknown, unknownWhy{key: key, op: name, why: "the request's value of " + key + " is not known, so " + name + " cannot be judged"}
	case keyAbsent:
		switch {
		case set == "ForAllValues":
			return yes, unknownWhy{}
		case ifExists:
			return yes, unknownWhy{}
		case set == "ForAnyValue":
			return no, unknownWhy{}
		}
		return triOf(spec.negated), unknownWhy{}
	}

	if spec.kind == opUnsupported {
		return unknown, unknownWhy{key: key, op: name, why: "trailwatch does not evaluate the " + name + " operator"}
	}
	one := func(v string) (tri, unknownWhy) {
		result, why := no, unknownWhy{}
		for _, p := range policy {
			t, w := e.compare(spec, v, p)
			if t == yes {
				result, why = yes, unknownWhy{}
				break
			}
			if t == unknown {
				result, why = unknown, w
			}
		}
		if spec.negated {
			result = not(result)
		}
		if why.why != "" {
			if why.key == "" {
				why.key = key
			}
			why.op = name
		}
		return result, why
	}
	switch set {
	case "":
		if len(values) > 1 {
			return unknown, unknownWhy{key: key, op: name, why: key + " has several values in the request and " + name + " has no ForAnyValue or ForAllValues"}
		}
		return one(values[0])
	case "ForAnyValue":
		result, why := no, unknownWhy{}
		for _, v := range values {
			t, w := one(v)
			if t == yes {
				return yes, unknownWhy{}
			}
			if t == unknown {
				result, why = unknown, w
			}
		}
		return result, why
	default: // ForAllValues
		result, why := yes, unknownWhy{}
		for _, v := range values {
			t, w := one(v)
			if t == no {
				return no, unknownWhy{}
			}
			if t == unknown {
				result, why = unknown, w
			}
		}
		return result, why
	}
}

// compare is the positive form of an operator for one request value and
// one policy value (negation is applied by the caller, over all values).
// Policy variables are read in string, ARN and Bool values only, as AWS
// documents for each operator.
func (e evaluator) compare(spec opSpec, v, p string) (tri, unknownWhy) {
	switch spec.kind {
	case opString, opBool:
		pat, res, key := compile(p, e.vars, e.ctx)
		switch res {
		case varNoValue:
			return no, unknownWhy{} // a variable with no value matches nothing
		case varUnknown:
			return unknown, unknownWhy{key: key, why: "the policy variable ${" + key + "} has no known value"}
		}
		if spec.kind == opBool {
			pb, rb := strings.ToLower(pat.text), strings.ToLower(v)
			if pb != "true" && pb != "false" {
				return unknown, unknownWhy{why: "Bool takes true or false, not " + quote(p)}
			}
			return triOf(pb == rb), unknownWhy{}
		}
		switch {
		case spec.like:
			return triOf(pat.match(v, spec.fold)), unknownWhy{}
		case spec.fold:
			return triOf(strings.EqualFold(v, pat.text)), unknownWhy{}
		}
		return triOf(v == pat.text), unknownWhy{}
	case opARN:
		return matchARN(p, v, e.vars, e.ctx)
	case opNumeric:
		pn, err1 := strconv.ParseFloat(p, 64)
		rn, err2 := strconv.ParseFloat(v, 64)
		if err1 != nil || err2 != nil {
			return unknown, unknownWhy{why: "numeric comparison of " + quote(v) + " with " + quote(p)}
		}
		return triOf(spec.numeric(rn, pn)), unknownWhy{}
	}
	return unknown, unknownWhy{why: "operator not evaluated"}
}

func or(a, b tri) tri {
	switch {
	case a == yes || b == yes:
		return yes
	case a == unknown || b == unknown:
		return unknown
	}
	return no
}
