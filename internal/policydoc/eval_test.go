package policydoc

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	acct  = "123456789012"
	topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	alarm = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cloudtrail-changes"
)

// doc builds a policy document; version "" leaves Version out.
func doc(version string, stmts ...string) string {
	v := ""
	if version != "" {
		v = `"Version":"` + version + `",`
	}
	return `{` + v + `"Statement":[` + strings.Join(stmts, ",") + `]}`
}

// stmt builds a statement from its elements (JSON members without braces).
func stmt(members ...string) string { return "{" + strings.Join(members, ",") + "}" }

const (
	allowCW   = `"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `"`
	denyAll   = `"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"` + topic + `"`
	anyAction = `"Action":"sns:Publish","Resource":"` + topic + `"`
)

// publish is CloudWatch publishing for the alarm, with what AWS documents
// about that request (see cloudWatchContext).
func publish() Request {
	ctx, absent := cloudWatchContext(alarm, acct)
	return Request{Principal: CloudWatchPrincipal, Action: "sns:Publish", Resource: topic, Context: ctx, Absent: absent}
}

// outcome is the part of a Result the table compares; Reason is checked
// for being there, not word for word.
type outcome struct {
	Decision  Decision
	Explicit  bool
	Statement string
	Key       string
	Operator  string
}

func TestEvaluate(t *testing.T) {
	allowed := func(s string) outcome { return outcome{Decision: Allowed, Statement: s} }
	denied := func(s string) outcome { return outcome{Decision: Denied, Explicit: true, Statement: s} }
	implicit := outcome{Decision: Denied}
	undecided := func(s, key, op string) outcome {
		return outcome{Decision: Undecided, Statement: s, Key: key, Operator: op}
	}
	withCtx := func(extra map[string][]string, absent ...string) Request {
		r := publish()
		for k, v := range extra {
			r.Context[k] = v
		}
		r.Absent = append(r.Absent, absent...)
		return r
	}
	as := func(principal string) Request {
		r := publish()
		r.Principal = principal
		return r
	}
	tests := []struct {
		name   string
		why    string // the AWS rule the row checks
		policy string
		req    Request // zero: publish()
		want   outcome
	}{
		// Evaluation logic.
		{"an allow that applies", "a request is allowed when a statement allows it and none denies it (IAM evaluation logic)",
			doc("2012-10-17", stmt(`"Sid":"A"`, allowCW)), Request{}, allowed(`"A"`)},
		{"explicit deny wins", "an explicit deny overrides any allow, whatever the order of statements",
			doc("2012-10-17", stmt(`"Sid":"D"`, denyAll), stmt(`"Sid":"A"`, allowCW)), Request{}, denied(`"D"`)},
		{"no statements", "by default every request is implicitly denied",
			doc("2012-10-17"), Request{}, implicit},
		{"allow for another action", "an allow that does not match the action does not apply",
			doc("2012-10-17", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Subscribe","Resource":"*"`)), Request{}, implicit},
		{"undecidable deny beside an allow", "if the deny might apply, the allow might be overridden: no guess",
			doc("2012-10-17", stmt(`"Sid":"A"`, allowCW), stmt(`"Sid":"TLS"`, denyAll, `"Condition":{"Bool":{"aws:SecureTransport":"false"}}`)),
			Request{}, undecided(`"TLS"`, "aws:SecureTransport", "Bool")},
		{"undecidable deny and no allow", "with nothing allowing, the request is denied whether the deny applies or not",
			doc("2012-10-17", stmt(`"Sid":"TLS"`, denyAll, `"Condition":{"Bool":{"aws:SecureTransport":"false"}}`)), Request{}, implicit},
		{"undecidable allow beside an applying deny", "an explicit deny decides whatever the allow does",
			doc("2012-10-17", stmt(`"Sid":"A"`, `"Effect":"Allow","Principal":"*",`+anyAction, `"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), stmt(`"Sid":"D"`, denyAll)),
			Request{}, denied(`"D"`)},
		{"only an undecidable allow", "whether anything allows cannot be known",
			doc("2012-10-17", stmt(`"Sid":"Org"`, `"Effect":"Allow","Principal":"*",`+anyAction, `"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`)),
			Request{}, undecided(`"Org"`, "aws:PrincipalOrgID", "StringEquals")},
		{"a statement without Sid is named by position", "the result names the deciding statement",
			doc("2012-10-17", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Subscribe","Resource":"*"`), stmt(allowCW)), Request{}, allowed("#2")},
		{"a single statement object", "Statement may be one object instead of a list (policy grammar)",
			`{"Statement":` + stmt(`"Sid":"A"`, allowCW) + `}`, Request{}, allowed(`"A"`)},

		// Principal.
		{`Principal "*"`, `"*" is all principals, service principals included`,
			doc("", stmt(`"Effect":"Allow","Principal":"*",`+anyAction)), Request{}, allowed("#1")},
		{`Principal {"AWS":"*"}`, `{"AWS":"*"} is equivalent to "*"; the default SNS policy uses it to grant AWS services`,
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"*"},`+anyAction)), Request{}, allowed("#1")},
		{"an account id is not a service", "an account principal delegates to the account's identities; a service principal is not one",
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"123456789012"},`+anyAction)), Request{}, implicit},
		{"an account's root ARN is the account", "arn:aws:iam::ACCOUNT:root and the bare id behave the same",
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},`+anyAction)), as(acct), allowed("#1")},
		{"an account covers its roles", "an account principal grants the account, which delegates to its identities",
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"123456789012"},`+anyAction)), as("arn:aws:iam::123456789012:role/ops"), allowed("#1")},
		{"another account does not", "an account principal covers only that account",
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},`+anyAction)), as("arn:aws:iam::123456789012:role/ops"), implicit},
		{"a role ARN is that role only", "a role principal names one role; no wildcards in principals",
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/ops"},`+anyAction)), as("arn:aws:iam::123456789012:role/dev"), implicit},
		{"a deleted principal's unique id", "a unique id (AROA...) left in a policy refers to a deleted principal",
			doc("", stmt(`"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID"},`+anyAction)), as("arn:aws:iam::123456789012:role/ops"), implicit},
		{"a list of services", "several values in Principal are a logical OR",
			doc("", stmt(`"Effect":"Allow","Principal":{"Service":["s3.amazonaws.com","cloudwatch.amazonaws.com"]},`+anyAction)), Request{}, allowed("#1")},
		{"a service name in other case", "service principal names are written in lower case; another spelling is not documented",
			doc("", stmt(`"Effect":"Allow","Principal":{"Service":"CloudWatch.amazonaws.com"},`+anyAction)), Request{}, undecided("#1", "", "")},
		{"a federated principal", "an identity provider session is not a service principal",
			doc("", stmt(`"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},`+anyAction)), Request{}, implicit},
		{"NotPrincipal exempts CloudWatch from a deny", "Deny with NotPrincipal denies everyone except the principals it names",
			doc("", stmt(`"Sid":"A"`, allowCW), stmt(`"Effect":"Deny","NotPrincipal":{"Service":"cloudwatch.amazonaws.com"},`+anyAction)), Request{}, allowed(`"A"`)},
		{"NotPrincipal naming only the account denies CloudWatch", "a service principal is not the account NotPrincipal exempts",
			doc("", stmt(`"Sid":"A"`, allowCW), stmt(`"Sid":"N"`, `"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},`+anyAction)), Request{}, denied(`"N"`)},

		// Action.
		{"action case", "the service prefix and the action name are not case sensitive",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"SNS:publish","Resource":"`+topic+`"`)), Request{}, allowed("#1")},
		{"action wildcards", "* and ? match within an action name",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":["sns:Pub*","sns:Publis?"],"Resource":"`+topic+`"`)), Request{}, allowed("#1")},
		{"NotAction deny for other actions", "NotAction applies to every action it does not list",
			doc("", stmt(`"Sid":"A"`, allowCW), stmt(`"Effect":"Deny","Principal":"*","NotAction":"sns:Publish","Resource":"*"`)), Request{}, allowed(`"A"`)},
		{"NotAction allow", "an Allow with NotAction allows every other action",
			doc("", stmt(`"Effect":"Allow","Principal":"*","NotAction":"sns:Subscribe","Resource":"*"`)), Request{}, allowed("#1")},

		// Resource.
		{"resource wildcards within parts", "* and ? match within an ARN part",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-*:123456789012:al?rts"`)), Request{}, allowed("#1")},
		{"resource of another account", "the account part must match",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:*:111122223333:*"`)), Request{}, implicit},
		{"resource case", "ARNs are compared case sensitively",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:Alerts"`)), Request{}, implicit},
		{"NotResource", "NotResource applies to every resource it does not list",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","NotResource":"arn:aws:sns:*:*:other"`)), Request{}, allowed("#1")},
		{"a resource that is not an ARN", "how AWS matches a malformed pattern is not documented",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:*"`)), Request{}, undecided("#1", "", "")},
		{"no Resource", "a statement needs Resource or NotResource",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish"`)), Request{}, undecided("#1", "", "")},

		// Conditions.
		{"StringEquals holds", "the request value equals the policy value",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}`)), Request{}, allowed("#1")},
		{"StringEquals fails", "another account's value does not match",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}`)), Request{}, implicit},
		{"key names ignore case", "condition key names are not case sensitive",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"AWS:sourceowner":"123456789012"}}`)), Request{}, allowed("#1")},
		{"StringEquals is case sensitive", "StringEquals is exact matching, case sensitive",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:PrincipalServiceName":"CloudWatch.amazonaws.com"}}`)), Request{}, implicit},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase ignores case",
			doc("", stmt(allowCW, `"Condition":{"StringEqualsIgnoreCase":{"aws:PrincipalServiceName":"CloudWatch.amazonaws.com"}}`)), Request{}, allowed("#1")},
		{"StringLike", "StringLike takes * and ? anywhere",
			doc("", stmt(allowCW, `"Condition":{"StringLike":{"aws:SourceArn":"arn:aws:cloudwatch:*:alarm:cloudtrail-*"}}`)), Request{}, allowed("#1")},
		{"ArnLike does not cross parts", "ARN operators match each of the six parts separately: the same pattern fails with ArnLike",
			doc("", stmt(allowCW, `"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:*:alarm:cloudtrail-*"}}`)), Request{}, implicit},
		{"ArnLike", "the alarm ARN matches part by part",
			doc("", stmt(allowCW, `"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}}`)), Request{}, allowed("#1")},
		{"ArnNotLike deny of other alarms", "a negated operator holds when the value matches none of the patterns",
			doc("", stmt(`"Sid":"A"`, allowCW), stmt(denyAll, `"Condition":{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudwatch:*:123456789012:alarm:*"}}`)), Request{}, allowed(`"A"`)},
		{"several values: any", "several values for one key are a logical OR",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceAccount":["111122223333","123456789012"]}}`)), Request{}, allowed("#1")},
		{"several values, negated: none", "for a negated operator the request value must match none of the values",
			doc("", stmt(`"Sid":"A"`, allowCW), stmt(denyAll, `"Condition":{"StringNotEquals":{"aws:SourceAccount":["111122223333","123456789012"]}}`)), Request{}, allowed(`"A"`)},
		{"several keys: all", "several keys under an operator, and several operators, are a logical AND",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012","aws:SourceOwner":"111122223333"}}`)), Request{}, implicit},
		{"missing key, positive operator", "a key missing from the request does not match",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:CalledVia":"x"}}`)), Request{}, implicit},
		{"missing key, negated operator", "a negated operator on a missing key is true",
			doc("", stmt(`"Sid":"D"`, denyAll, `"Condition":{"StringNotEquals":{"aws:CalledVia":"x"}}`)), Request{}, denied(`"D"`)},
		{"IfExists on a missing key", "...IfExists is true when the key is missing",
			doc("", stmt(allowCW, `"Condition":{"StringEqualsIfExists":{"aws:CalledVia":"x"}}`)), Request{}, allowed("#1")},
		{"IfExists on a present key", "...IfExists checks the value when the key is there",
			doc("", stmt(allowCW, `"Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"111122223333"}}`)), Request{}, implicit},
		{"IfExists on an unknown key", "whether the key is there is not known",
			doc("", stmt(allowCW, `"Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`)), Request{}, undecided("#1", "aws:SourceVpce", "StringEqualsIfExists")},
		{"Bool", "Bool compares true or false; a JSON boolean reads the same",
			doc("", stmt(allowCW, `"Condition":{"Bool":{"aws:PrincipalIsAWSService":true}}`)), Request{}, allowed("#1")},
		{"Bool on an unknown key", "aws:SecureTransport is always in the request, but its value for this request is not documented",
			doc("", stmt(allowCW, `"Condition":{"Bool":{"aws:SecureTransport":"true"}}`)), Request{}, undecided("#1", "aws:SecureTransport", "Bool")},
		{"Null true on a missing key", "Null true holds when the key is missing",
			doc("", stmt(allowCW, `"Condition":{"Null":{"aws:CalledVia":"true"}}`)), Request{}, allowed("#1")},
		{"Null false on a present key", "Null false holds when the key is there",
			doc("", stmt(allowCW, `"Condition":{"Null":{"aws:SourceArn":"false"}}`)), Request{}, allowed("#1")},
		{"Null on an unknown key", "whether the key is there is not known",
			doc("", stmt(allowCW, `"Condition":{"Null":{"aws:SourceVpce":"true"}}`)), Request{}, undecided("#1", "aws:SourceVpce", "Null")},
		{"Numeric", "numeric operators compare numbers",
			doc("", stmt(allowCW, `"Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}`)), withCtx(map[string][]string{"s3:max-keys": {"7.0"}}), allowed("#1")},
		{"Numeric fails", "11 is not at most 10",
			doc("", stmt(allowCW, `"Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}`)), withCtx(map[string][]string{"s3:max-keys": {"11"}}), implicit},
		{"ForAnyValue on a missing key", "ForAnyValue is false when the key is missing",
			doc("", stmt(allowCW, `"Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":"x"}}`)), Request{}, implicit},
		{"ForAllValues on a missing key", "ForAllValues is true when the key is missing",
			doc("", stmt(allowCW, `"Condition":{"ForAllValues:StringEquals":{"aws:CalledVia":"x"}}`)), Request{}, allowed("#1")},
		{"ForAnyValue", "ForAnyValue holds when one request value matches one policy value",
			doc("", stmt(allowCW, `"Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["b","z"]}}`)), withCtx(map[string][]string{"aws:TagKeys": {"a", "b"}}), allowed("#1")},
		{"ForAllValues", "ForAllValues fails when one request value matches no policy value",
			doc("", stmt(allowCW, `"Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["b","z"]}}`)), withCtx(map[string][]string{"aws:TagKeys": {"a", "b"}}), implicit},
		{"a multivalued key without a set operator", "AWS requires ForAnyValue or ForAllValues for keys with several values",
			doc("", stmt(allowCW, `"Condition":{"StringEquals":{"aws:TagKeys":"a"}}`)), withCtx(map[string][]string{"aws:TagKeys": {"a", "b"}}), undecided("#1", "aws:TagKeys", "StringEquals")},
		{"an unknown operator", "only documented operators can be judged",
			doc("", stmt(allowCW, `"Condition":{"StringSimilar":{"aws:SourceAccount":"1"}}`)), Request{}, undecided("#1", "aws:SourceAccount", "StringSimilar")},
		{"a Date operator on a present key", "trailwatch does not evaluate dates; it says so",
			doc("", stmt(allowCW, `"Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`)), withCtx(map[string][]string{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}), undecided("#1", "aws:CurrentTime", "DateLessThan")},
		{"a Date operator IfExists on a missing key", "a missing key decides ...IfExists whatever the operator",
			doc("", stmt(allowCW, `"Condition":{"DateLessThanIfExists":{"aws:TokenIssueTime":"2030-01-01T00:00:00Z"}}`)), withCtx(nil, "aws:TokenIssueTime"), allowed("#1")},

		// Policy variables and the Version.
		{"a variable under 2012-10-17", "2012-10-17 reads ${key} as the request's value",
			doc("2012-10-17", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts"`)), Request{}, allowed("#1")},
		{"the same under 2008-10-17", "before 2012-10-17, ${aws:SourceAccount} is literal text",
			doc("2008-10-17", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts"`)), Request{}, implicit},
		{"the same with no Version", "no Version means 2008-10-17",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts"`)), Request{}, implicit},
		{"a variable in a condition", "string operators read variables",
			doc("2012-10-17", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceOwner":"${aws:SourceAccount}"}}`)), Request{}, allowed("#1")},
		{"a variable whose key is unknown", "its value is not known",
			doc("2012-10-17", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceOwner":"${aws:PrincipalAccount}"}}`)), Request{}, undecided("#1", "aws:PrincipalAccount", "StringEquals")},
		{"a variable with no value", "a variable whose key is missing matches nothing",
			doc("2012-10-17", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceOwner":"${aws:CalledVia}"}}`)), Request{}, implicit},
		{"a variable's default", "${key, 'default'} takes the default when the key is missing",
			doc("2012-10-17", stmt(allowCW, `"Condition":{"StringEquals":{"aws:SourceOwner":"${aws:CalledVia, '123456789012'}"}}`)), Request{}, allowed("#1")},
		{"${*} is a literal star", "${*} stands for the character *, not a wildcard",
			doc("2012-10-17", stmt(allowCW, `"Condition":{"StringLike":{"aws:SourceOwner":"${*}"}}`)), Request{}, implicit},

		// What cannot be read.
		{"an element outside the grammar", "an element AWS does not document could change the meaning",
			doc("", stmt(allowCW, `"Principals":"*"`)), Request{}, undecided("#1", "", "")},
		{"an element outside the grammar in a statement that does not match", "a statement whose action does not match cannot apply",
			doc("", stmt(`"Effect":"Allow","Principal":"*","Action":"sns:Subscribe","Resource":"*","Extra":1`)), Request{}, implicit},
		{"an Effect in other case", "Effect is Allow or Deny",
			doc("", stmt(`"Effect":"allow","Principal":"*",`+anyAction)), Request{}, undecided("#1", "", "")},
		{"an unreadable statement might deny", "an unreadable statement beside an allow leaves the answer open",
			doc("", stmt(`"Sid":"A"`, allowCW), stmt(`"Effect":"Deny","Effect":"Allow","Principal":"*",`+anyAction)), Request{}, undecided("#2", "", "")},
		{"not JSON", "nothing can be judged", "{", Request{}, undecided("", "", "")},
		{"no policy", "nothing can be judged", "", Request{}, undecided("", "", "")},
		{"URL-encoded", "IAM returns policies URL-encoded",
			url.PathEscape(doc("", stmt(`"Sid":"A"`, allowCW))), Request{}, allowed(`"A"`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			if req.Principal == "" {
				req = publish()
			}
			r := Evaluate(tc.policy, req)
			got := outcome{r.Decision, r.Explicit, r.Statement, r.Key, r.Operator}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s\nreason: %s\n(-want +got):\n%s", tc.why, tc.policy, r.Reason, diff)
			}
			if r.Reason == "" {
				t.Errorf("no reason given")
			}
		})
	}
}

func TestEvaluateBadRequest(t *testing.T) {
	r := Evaluate(doc("", stmt(allowCW)), Request{Principal: "someone", Action: "sns:Publish", Resource: topic})
	if r.Decision != Undecided || !strings.Contains(r.Reason, `"someone"`) {
		t.Errorf("got %v", r)
	}
}
