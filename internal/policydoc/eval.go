package policydoc

import (
	"fmt"
	"regexp"
	"strings"
)

// Request is the request a policy is judged for, as AWS's request context
// describes it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html#AccessPolicyLanguage_RequestContext
type Request struct {
	// Principal is who makes the request: a service principal
	// ("cloudwatch.amazonaws.com"), an account id ("123456789012", the
	// account's root), or the ARN of an IAM user, role or session.
	Principal string
	// Action is the action, "service:Name" ("sns:Publish").
	Action string
	// Resource is the ARN of the resource the request is for.
	Resource string
	// Context holds the condition keys the request carries, with their
	// values. Key names are not case sensitive.
	Context map[string][]string
	// Absent names condition keys known not to be in the request. A key in
	// neither Context nor Absent is unknown: a condition on it cannot be
	// decided, and the result says so rather than guess.
	Absent []string
}

// Decision is the outcome of judging a request.
type Decision uint8

const (
	// Undecided: the policy's answer depends on something the request does
	// not reveal (a condition key, an operator trailwatch does not
	// evaluate, a malformed statement). The zero value, so that a Result
	// nobody filled in never reads as allowed or denied.
	Undecided Decision = iota
	// Allowed: a statement allows the request and none denies it.
	Allowed
	// Denied: a statement denies the request (explicit), or none allows it
	// (implicit).
	Denied
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case Denied:
		return "denied"
	}
	return "undecided"
}

// Result is a judgement with the reason for it.
type Result struct {
	Decision Decision
	// Explicit is true when a Deny statement decided (Denied only).
	Explicit bool
	// Statement names the deciding statement by its Sid, or "#N" (its
	// position, from 1) when it has none. Empty for an implicit deny.
	Statement string
	// Key and Operator name what could not be decided (Undecided only);
	// either may be empty, for example for a malformed statement.
	Key      string
	Operator string
	// Reason says all of the above in one sentence.
	Reason string
}

func (r Result) String() string { return r.Decision.String() + ": " + r.Reason }

// Evaluate judges whether the resource policy allows req, as AWS's policy
// evaluation logic does for one policy: an explicit Deny in any statement
// wins; otherwise an Allow that applies allows; otherwise the request is
// implicitly denied. The order of statements does not matter.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-evaluation-logic.html
//
// It judges this one policy only. For a service principal, such as
// CloudWatch publishing to a topic or using a key, the resource policy is
// the only policy that can grant access, so that is the whole answer; for
// an IAM principal of the same account an identity policy could also
// allow, which Evaluate does not see.
//
// When a statement applies or not depending on something unknown, the
// answer is Undecided unless the outcome is the same either way: an
// undecidable Deny does not matter when nothing allows the request, and an
// undecidable Allow does not matter when a Deny applies.
func Evaluate(policy string, req Request) Result {
	if strings.TrimSpace(policy) == "" {
		return Result{Reason: "there is no policy document to judge"}
	}
	who, ok := classify(req.Principal)
	if !ok {
		return Result{Reason: fmt.Sprintf("the request's principal %q is not a service principal, an account id or an ARN", req.Principal)}
	}
	d, err := parse(policy)
	if err != nil {
		return Result{Reason: err.Error()}
	}
	e := evaluator{req: req, who: who, ctx: newContext(req.Context, req.Absent), vars: d.version == Version2012}

	type hit struct {
		label string
		why   unknownWhy
	}
	var denyYes, allowYes, denyUnknown, allowUnknown []hit
	for i, s := range d.stmts {
		effect, applies, label, why := e.statement(s.raw, i)
		h := hit{label, why}
		switch {
		case applies == yes && effect == "Deny":
			denyYes = append(denyYes, h)
		case applies == yes && effect == "Allow":
			allowYes = append(allowYes, h)
		case applies == unknown && effect == "Deny":
			denyUnknown = append(denyUnknown, h)
		case applies == unknown && effect == "Allow":
			allowUnknown = append(allowUnknown, h)
		case applies == unknown:
			// Unreadable: it might deny, and it might allow.
			denyUnknown = append(denyUnknown, h)
			allowUnknown = append(allowUnknown, h)
		}
	}
	what := fmt.Sprintf("%s for %s on %s", req.Action, req.Principal, req.Resource)
	undecided := func(h hit) Result {
		return Result{Statement: h.label, Key: h.why.key, Operator: h.why.op,
			Reason: fmt.Sprintf("whether statement %s applies to %s cannot be decided: %s", h.label, what, h.why.why)}
	}
	switch {
	case len(denyYes) > 0:
		return Result{Decision: Denied, Explicit: true, Statement: denyYes[0].label,
			Reason: fmt.Sprintf("statement %s denies %s", denyYes[0].label, what)}
	case len(allowYes) == 0 && len(allowUnknown) == 0:
		return Result{Decision: Denied, Reason: "no statement allows " + what}
	case len(denyUnknown) > 0:
		return undecided(denyUnknown[0])
	case len(allowYes) > 0:
		return Result{Decision: Allowed, Statement: allowYes[0].label,
			Reason: fmt.Sprintf("statement %s allows %s", allowYes[0].label, what)}
	default:
		return undecided(allowUnknown[0])
	}
}

type evaluator struct {
	req  Request
	who  principal
	ctx  context
	vars bool // the policy is 2012-10-17, so ${...} are variables
}

// statement reads one statement and decides whether it applies to the
// request: its principal, action and resource match and its conditions
// hold. An element trailwatch cannot read makes the answer unknown, never
// a guess.
func (e evaluator) statement(raw []byte, i int) (effect string, applies tri, label string, why unknownWhy) {
	label = fmt.Sprintf("#%d", i+1)
	v, err := decodeStrict(raw)
	if err != nil {
		return "", unknown, label, unknownWhy{why: "it is not valid JSON: " + err.Error()}
	}
	o, ok := v.(object)
	if !ok {
		return "", unknown, label, unknownWhy{why: "it is not a JSON object"}
	}
	if sid, ok := o.get("Sid"); ok {
		if s, isString := sid.(string); isString && s != "" {
			label = quote(s)
		}
	}
	applies = yes
	for _, part := range []func() (tri, unknownWhy){
		func() (tri, unknownWhy) { return e.either(o, "Principal", "NotPrincipal", e.principal) },
		func() (tri, unknownWhy) { return e.either(o, "Action", "NotAction", e.action) },
		func() (tri, unknownWhy) { return e.either(o, "Resource", "NotResource", e.resource) },
		func() (tri, unknownWhy) {
			c, ok := o.get("Condition")
			if !ok {
				return yes, unknownWhy{}
			}
			return e.condition(c)
		},
	} {
		t, w := part()
		if t == no {
			// One element that does not match settles it, whatever else
			// the statement holds.
			return "", no, label, unknownWhy{}
		}
		if t == unknown && applies == yes {
			applies, why = unknown, w
		}
	}
	for _, m := range o {
		switch m.key {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return "", unknown, label, unknownWhy{why: "it has the element " + quote(m.key) + ", which is not part of the policy grammar"}
		}
	}
	ef, _ := o.get("Effect")
	effect, _ = ef.(string)
	if effect != "Allow" && effect != "Deny" {
		return "", unknown, label, unknownWhy{why: fmt.Sprintf("its Effect is %v, not Allow or Deny", ef)}
	}
	return effect, applies, label, why
}

// either evaluates an element that comes as a pair, X or NotX (Principal,
// Action, Resource): exactly one of them must be there. NotX applies to
// everything X would not match.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
func (e evaluator) either(o object, name, notName string, match func(any) (tri, unknownWhy)) (tri, unknownWhy) {
	v, has := o.get(name)
	nv, hasNot := o.get(notName)
	switch {
	case has && hasNot:
		return unknown, unknownWhy{why: "it has both " + name + " and " + notName}
	case has:
		return match(v)
	case hasNot:
		t, why := match(nv)
		return not(t), why
	}
	return unknown, unknownWhy{why: "it has neither " + name + " nor " + notName}
}

func not(t tri) tri {
	switch t {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

// principal is the request's principal, classified.
type principal struct {
	service string // a service principal, or ""
	account string // the account it belongs to, or "" (a service principal has none)
	arn     string // an IAM ARN, or ""
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

func classify(p string) (principal, bool) {
	switch {
	case accountID.MatchString(p):
		return principal{account: p}, true
	case strings.HasPrefix(p, "arn:"):
		parts, ok := splitARN(p)
		if !ok || !accountID.MatchString(parts[4]) {
			return principal{}, false
		}
		if parts[2] == "iam" && parts[5] == "root" {
			return principal{account: parts[4]}, true
		}
		return principal{account: parts[4], arn: p}, true
	case strings.Contains(p, ".") && !strings.ContainsAny(p, ":/* "):
		return principal{service: p}, true
	}
	return principal{}, false
}

// principal matches the Principal element.
//   - "*" and {"AWS": "*"} are everyone, services included: AWS documents
//     the two as equivalent, and the default SNS topic policy, which names
//     {"AWS": "*"}, "grants access to your topic to all other AWS
//     services".
//   - {"AWS": account id or arn:...:iam::ACCOUNT:root} is every principal of
//     that account; a service principal belongs to no account.
//   - {"AWS": ARN} is that user, role or session, exactly (no wildcards in
//     principals). An id such as AROA... stands for a deleted principal
//     and matches nobody.
//   - {"Service": name} is that service principal.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
func (e evaluator) principal(v any) (tri, unknownWhy) {
	if s, ok := v.(string); ok {
		if s == "*" {
			return yes, unknownWhy{}
		}
		return unknown, unknownWhy{why: "its principal " + quote(s) + " is neither \"*\" nor an object"}
	}
	o, ok := v.(object)
	if !ok {
		return unknown, unknownWhy{why: "its principal is neither \"*\" nor an object"}
	}
	result, why := no, unknownWhy{}
	for _, m := range o {
		values, ok := stringList(m.val)
		if !ok {
			return unknown, unknownWhy{why: "its principal " + quote(m.key) + " is not a string or a list of strings"}
		}
		for _, val := range values {
			t, w := e.principalValue(m.key, val)
			if t == yes {
				return yes, unknownWhy{}
			}
			if t == unknown && result == no {
				result, why = unknown, w
			}
		}
	}
	return result, why
}

func (e evaluator) principalValue(kind, val string) (tri, unknownWhy) {
	who := e.who
	switch kind {
	case "AWS":
		switch {
		case val == "*":
			return yes, unknownWhy{}
		case accountID.MatchString(val):
			return triOf(who.account == val), unknownWhy{}
		case strings.HasPrefix(val, "arn:"):
			if parts, ok := splitARN(val); ok && parts[2] == "iam" && parts[5] == "root" {
				return triOf(who.account == parts[4]), unknownWhy{}
			}
			return triOf(who.arn != "" && who.arn == val), unknownWhy{}
		}
		return no, unknownWhy{}
	case "Service":
		if who.service == val {
			return yes, unknownWhy{}
		}
		if who.service != "" && strings.EqualFold(who.service, val) {
			return unknown, unknownWhy{why: fmt.Sprintf("its service principal %q differs from %q only in letter case", val, who.service)}
		}
		return no, unknownWhy{}
	case "Federated", "CanonicalUser":
		// Identity-provider sessions and S3 canonical users: never a
		// service principal, an account or an IAM ARN as Request names them.
		return no, unknownWhy{}
	}
	return unknown, unknownWhy{why: "its principal type " + quote(kind) + " is not one AWS documents"}
}

// action matches the Action element: "service:Name" with * and ?
// wildcards; the prefix and the name are not case sensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func (e evaluator) action(v any) (tri, unknownWhy) {
	values, ok := stringList(v)
	if !ok {
		return unknown, unknownWhy{why: "its Action is not a string or a list of strings"}
	}
	for _, a := range values {
		if literal(a).match(e.req.Action, true) {
			return yes, unknownWhy{}
		}
	}
	return no, unknownWhy{}
}

// resource matches the Resource element: "*", or an ARN with * and ?
// wildcards within its parts, and policy variables under 2012-10-17 (a
// variable with no value matches no resource).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func (e evaluator) resource(v any) (tri, unknownWhy) {
	values, ok := stringList(v)
	if !ok {
		return unknown, unknownWhy{why: "its Resource is not a string or a list of strings"}
	}
	result, why := no, unknownWhy{}
	for _, r := range values {
		if r == "*" {
			return yes, unknownWhy{}
		}
		t, w := matchARN(r, e.req.Resource, e.vars, e.ctx)
		if t == yes {
			return yes, unknownWhy{}
		}
		if t == unknown && result == no {
			result, why = unknown, w
		}
	}
	return result, why
}
