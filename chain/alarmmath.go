package chain

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Metric-math alarms (CloudWatch user guide, "Create a CloudWatch alarm based
// on a metric math expression" and "Metric math syntax and functions"): the
// alarm watches the one query with ReturnData true. It must depend on the
// filter's metric so that one event breaches it, which is decided by
// evaluating the expression for one period with one event and with none.
// What cannot be evaluated (another metric, a function not modelled here)
// is a doubt, never a pass on its own.

func (j *judge) math(m cwtypes.MetricAlarm, account string) {
	var ret *cwtypes.MetricDataQuery
	var unset []*cwtypes.MetricDataQuery // ReturnData omitted
	vals := map[string][2]outcome{}      // id → {one event, none}
	unknown := map[string]string{}
	for i := range m.Metrics {
		q := &m.Metrics[i]
		id := aws.ToString(q.Id)
		switch {
		case q.ReturnData != nil && *q.ReturnData:
			ret = q
		case q.ReturnData == nil:
			unset = append(unset, q)
		}
		ms := q.MetricStat
		if ms == nil || ms.Metric == nil {
			continue
		}
		if aws.ToString(ms.Metric.MetricName) != j.metric.Name || aws.ToString(ms.Metric.Namespace) != j.metric.Namespace {
			unknown[id] = fmt.Sprintf("%s reads %s/%s, which no filter of this chain publishes", id, aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName))
			continue
		}
		if acct := aws.ToString(q.AccountId); acct != "" && account != "" && acct != account {
			j.problem("Metrics", "query %s reads the metric of account %s, but the filter writes it in account %s", id, acct, account)
			return
		}
		j.series(ms.Metric.Dimensions, ms.Unit, "query "+id)
		one, none, ok := j.points(aws.ToString(ms.Stat))
		if !ok {
			return
		}
		vals[id] = [2]outcome{one, none}
	}
	if len(j.a.Problems) > 0 {
		return
	}
	if ret == nil && len(unset) == 1 {
		ret = unset[0]
	}
	if ret == nil {
		j.doubt("no query of its metric math returns data, so what it watches cannot be told")
		return
	}
	id := aws.ToString(ret.Id)
	if ret.MetricStat != nil {
		if v, ok := vals[id]; ok {
			j.threshold(v[0], v[1])
		} else {
			j.problem("Metrics", "the query it alarms on (%s) is not the filter's metric %s", id, j.metric.ID())
		}
		return
	}
	expr := aws.ToString(ret.Expression)
	var res [2]outcome
	for k := range 2 {
		env := map[string]outcome{}
		for name, v := range vals {
			env[name] = v[k]
		}
		r, err := evalMath(expr, env, unknown)
		if err != nil {
			j.doubt("its expression %q cannot be evaluated here (%v), so whether one event sets it off is not known", expr, err)
			return
		}
		res[k] = r
	}
	if res[0] == res[1] {
		j.problem("Metrics", "its expression %q gives the same value with one event as without, so it does not follow the filter's metric", expr)
		return
	}
	j.threshold(res[0], res[1])
}

// evalMath evaluates a metric math expression for one period. env holds
// the queries with known values; unknown names queries whose values are
// not known (with why).
func evalMath(expr string, env map[string]outcome, unknown map[string]string) (outcome, error) {
	p := &mathParser{src: expr, env: env, unknown: unknown}
	p.next()
	v, err := p.or()
	if err != nil {
		return outcome{}, err
	}
	if p.tok != "" {
		return outcome{}, fmt.Errorf("unexpected %q", p.tok)
	}
	if len(v) != 1 {
		return outcome{}, fmt.Errorf("an array is not a value")
	}
	return v[0], nil
}

type mathParser struct {
	src     string
	pos     int
	tok     string
	env     map[string]outcome
	unknown map[string]string
}

func (p *mathParser) next() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
	if p.pos >= len(p.src) {
		p.tok = ""
		return
	}
	start := p.pos
	c := rune(p.src[p.pos])
	switch {
	case unicode.IsLetter(c) || c == '_':
		for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos])) || p.src[p.pos] == '_') {
			p.pos++
		}
	case unicode.IsDigit(c) || c == '.':
		for p.pos < len(p.src) && (unicode.IsDigit(rune(p.src[p.pos])) || p.src[p.pos] == '.') {
			p.pos++
		}
	default:
		for _, op := range []string{"<=", ">=", "==", "!=", "&&", "||"} {
			if strings.HasPrefix(p.src[p.pos:], op) {
				p.pos += 2
				p.tok = op
				return
			}
		}
		p.pos++
	}
	p.tok = p.src[start:p.pos]
}

type mathVal = []outcome

func scalar(v outcome) mathVal { return mathVal{v} }

func (p *mathParser) binary(ops []string, sub func() (mathVal, error), apply func(op string, a, b float64) float64) (mathVal, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for slices.Contains(ops, strings.ToUpper(p.tok)) {
		op := strings.ToUpper(p.tok)
		p.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		if len(l) != 1 || len(r) != 1 {
			return nil, fmt.Errorf("operator %s on an array", op)
		}
		a, b := l[0], r[0]
		if !a.present || !b.present {
			l = scalar(outcome{})
			continue
		}
		l = scalar(outcome{apply(op, a.v, b.v), true})
	}
	return l, nil
}

func truth(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (p *mathParser) or() (mathVal, error) {
	return p.binary([]string{"||", "OR"}, p.and, func(_ string, a, b float64) float64 { return truth(a != 0 || b != 0) })
}

func (p *mathParser) and() (mathVal, error) {
	return p.binary([]string{"&&", "AND"}, p.cmp, func(_ string, a, b float64) float64 { return truth(a != 0 && b != 0) })
}

func (p *mathParser) cmp() (mathVal, error) {
	return p.binary([]string{"<", ">", "<=", ">=", "==", "!="}, p.add, func(op string, a, b float64) float64 {
		switch op {
		case "<":
			return truth(a < b)
		case ">":
			return truth(a > b)
		case "<=":
			return truth(a <= b)
		case ">=":
			return truth(a >= b)
		case "==":
			return truth(a == b)
		}
		return truth(a != b)
	})
}

func (p *mathParser) add() (mathVal, error) {
	return p.binary([]string{"+", "-"}, p.mul, func(op string, a, b float64) float64 {
		if op == "+" {
			return a + b
		}
		return a - b
	})
}

func (p *mathParser) mul() (mathVal, error) {
	return p.binary([]string{"*", "/"}, p.pow, func(op string, a, b float64) float64 {
		if op == "*" {
			return a * b
		}
		return a / b
	})
}

func (p *mathParser) pow() (mathVal, error) {
	return p.binary([]string{"^"}, p.unary, func(_ string, a, b float64) float64 { return math.Pow(a, b) })
}

func (p *mathParser) unary() (mathVal, error) {
	switch strings.ToUpper(p.tok) {
	case "-":
		p.next()
		v, err := p.unary()
		if err != nil || len(v) != 1 || !v[0].present {
			return v, err
		}
		return scalar(outcome{-v[0].v, true}), nil
	case "NOT", "!":
		p.next()
		v, err := p.unary()
		if err != nil || len(v) != 1 || !v[0].present {
			return v, err
		}
		return scalar(outcome{truth(v[0].v == 0), true}), nil
	}
	return p.primary()
}

func (p *mathParser) primary() (mathVal, error) {
	tok := p.tok
	switch {
	case tok == "":
		return nil, fmt.Errorf("unexpected end")
	case tok == "(":
		p.next()
		v, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.next()
		return v, nil
	case tok == "[":
		p.next()
		var out mathVal
		for p.tok != "]" {
			v, err := p.or()
			if err != nil {
				return nil, err
			}
			out = append(out, v...)
			if p.tok == "," {
				p.next()
			} else if p.tok != "]" {
				return nil, fmt.Errorf("want , or ] in an array")
			}
		}
		p.next()
		return out, nil
	case unicode.IsDigit(rune(tok[0])) || tok[0] == '.':
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", tok)
		}
		p.next()
		return scalar(outcome{f, true}), nil
	}
	p.next()
	if p.tok == "(" {
		return p.call(strings.ToUpper(tok))
	}
	if v, ok := p.env[tok]; ok {
		return scalar(v), nil
	}
	if why, ok := p.unknown[tok]; ok {
		return nil, fmt.Errorf("%s", why)
	}
	return nil, fmt.Errorf("unknown name %q", tok)
}

func (p *mathParser) call(fn string) (mathVal, error) {
	p.next() // (
	var args []mathVal
	for p.tok != ")" {
		v, err := p.or()
		if err != nil {
			return nil, err
		}
		args = append(args, v)
		if p.tok == "," {
			p.next()
		} else if p.tok != ")" {
			return nil, fmt.Errorf("want , or ) in %s()", fn)
		}
	}
	p.next()
	one := func() (outcome, error) {
		if len(args) != 1 || len(args[0]) != 1 {
			return outcome{}, fmt.Errorf("%s() takes one value here", fn)
		}
		return args[0][0], nil
	}
	switch fn {
	case "FILL":
		if len(args) != 2 || len(args[0]) != 1 || len(args[1]) != 1 || !args[1][0].present {
			return nil, fmt.Errorf("FILL() is modelled only with a number to fill with")
		}
		if args[0][0].present {
			return scalar(args[0][0]), nil
		}
		return scalar(args[1][0]), nil
	case "IF":
		if len(args) < 2 || len(args) > 3 || len(args[0]) != 1 {
			return nil, fmt.Errorf("IF() takes a condition and 2 or 3 arguments")
		}
		c := args[0][0]
		switch {
		case !c.present:
			return scalar(outcome{}), nil
		case c.v != 0:
			return args[1], nil
		case len(args) == 3:
			return args[2], nil
		}
		return scalar(outcome{}), nil
	case "ABS", "CEIL", "FLOOR":
		v, err := one()
		if err != nil || !v.present {
			return scalar(v), err
		}
		f := map[string]func(float64) float64{"ABS": math.Abs, "CEIL": math.Ceil, "FLOOR": math.Floor}[fn]
		return scalar(outcome{f(v.v), true}), nil
	case "SUM", "MAX", "MIN", "AVG":
		var xs []float64
		for _, a := range args {
			for _, v := range a {
				if v.present {
					xs = append(xs, v.v)
				}
			}
		}
		if len(xs) == 0 {
			return scalar(outcome{}), nil
		}
		r := xs[0]
		switch fn {
		case "SUM", "AVG":
			r = 0
			for _, x := range xs {
				r += x
			}
			if fn == "AVG" {
				r /= float64(len(xs))
			}
		case "MAX":
			for _, x := range xs {
				r = max(r, x)
			}
		case "MIN":
			for _, x := range xs {
				r = min(r, x)
			}
		}
		return scalar(outcome{r, true}), nil
	}
	return nil, fmt.Errorf("function %s() is not modelled", fn)
}
