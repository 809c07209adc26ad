package policydoc

import "testing"

// The wildcard matcher behind Action, Resource, StringLike and ARN
// patterns: '*' any run of characters (none included), '?' exactly one.
func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"?", "", false, false},
		{"a*b*c", "axxbyybzc", false, true}, // backtracking past an early 'b'
		{"a*b*c", "axxbyybz", false, false},
		{"*.amazonaws.com", "cloudwatch.amazonaws.com", false, true},
		{"Sns:PUB*", "sns:Publish", true, true},
		{"Sns:PUB*", "sns:Publish", false, false},
		{"é?", "éx", false, true}, // runes, not bytes
	}
	for _, tc := range tests {
		if got := literal(tc.pattern).match(tc.s, tc.fold); got != tc.want {
			t.Errorf("%q matches %q (fold %v) = %v, want %v", tc.pattern, tc.s, tc.fold, got, tc.want)
		}
	}
}

// Variables expand into literal text: a '*' a variable brings in is not a
// wildcard, and a variable's colon does not split an ARN pattern.
func TestCompileVariables(t *testing.T) {
	c := newContext(map[string][]string{"aws:username": {"a*"}, "aws:SourceAccount": {"123456789012"}}, []string{"aws:CalledVia"})
	p, res, _ := compile("home/${aws:username}/*", true, c)
	if res != varOK || !p.match("home/a*/x", false) || p.match("home/ab/x", false) {
		t.Errorf("variable value treated as a wildcard: %+v", p)
	}
	if _, res, _ := compile("${aws:CalledVia}", true, c); res != varNoValue {
		t.Errorf("absent variable: %v, want no value", res)
	}
	if _, res, key := compile("${aws:userid}", true, c); res != varUnknown || key != "aws:userid" {
		t.Errorf("unknown variable: %v %q", res, key)
	}
	if p, _, _ := compile("${aws:username}", false, c); p.text != "${aws:username}" {
		t.Errorf("without 2012-10-17 the text is literal, got %q", p.text)
	}
	if got, _ := matchARN("arn:aws:sns:*:${aws:SourceAccount}:t", "arn:aws:sns:us-east-1:123456789012:t", true, c); got != yes {
		t.Errorf("variable in an ARN pattern: %v", got)
	}
}
