package pattern

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// treeOpts lets cmp see the unexported tree; compiled regexes compare by source.
var treeOpts = cmp.Options{
	cmp.AllowUnexported(Pattern{}, value{}),
	cmp.Comparer(func(a, b *regexp.Regexp) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.String() == b.String()
	}),
}

// rec is a compact CloudTrail record of a successful StopLogging call.
const rec = `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAX","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"},"eventTime":"2024-05-01T12:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.0","requestParameters":{"name":"main"},"responseElements":null,"requestID":"r-1","eventID":"e-1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","latency":250,"tags":["a","b"],"items":[{"id":1},{"id":2}],"key.with.dots":"dotted","nothing":null}`

func TestParseErrors(t *testing.T) {
	long := "{ $.eventName = " + strings.Repeat("a", MaxLen) + " }"
	tests := []struct {
		rule    string
		pattern string
		pos     int
		msg     string
	}{
		{"API: at most 1024 characters", long, MaxLen, "limit is 1024"},
		{"FPS: (and) not allowed inside a regex", `{ $.eventName = %Create(Trail)% }`, 23, "( and ) are not allowed"},
		{"FPS: (and) not allowed inside a regex", `%(Stop|Start)Logging%`, 1, "( and ) are not allowed"},
		{"FPS: at most two regexes per pattern", `{ $.a = %x% || $.b = %y% || $.c = %z% }`, 34, "at most 2 regexes"},
		{"FPS: regex characters are restricted", `%something!%`, 10, `'!' is not allowed`},
		{"FPS: multi-byte characters not allowed in a regex", `%caf` + "é" + `%`, 4, "multi-byte"},
		{"FPS: regex must be closed with %", `{ $.a = %abc }`, 8, "unterminated regex"},
		{"FPS: strings compare with = and != only", `{ $.eventName > CreateTrail }`, 16, "compares numbers only"},
		{"FPS: wildcards compare with = and != only", `{ $.latency >= * }`, 15, "compares numbers only"},
		{"JSON grammar: selector starts with $", `{ eventName = CreateTrail }`, 2, "selector starting with $"},
		{"JSON grammar: selector needs a step", `{ $ = 1 }`, 2, "at least one step"},
		{"JSON grammar: closing brace required", `{ $.eventName = CreateTrail`, 27, "closing }"},
		{"JSON grammar: balanced parentheses", `{ ($.eventName = CreateTrail }`, 29, "expected ) to close"},
		{"JSON grammar: operator required", `{ $.eventName CreateTrail }`, 14, "expected an operator"},
		{"JSON grammar: IS takes NULL, TRUE or FALSE", `{ $.a IS MAYBE }`, 9, "NULL, TRUE or FALSE"},
		{"JSON grammar: NOT takes EXISTS", `{ $.a NOT THERE }`, 10, "EXISTS after NOT"},
		{"JSON grammar: value required", `{ $.a = }`, 8, "expected a value"},
		{"JSON grammar: empty JSON pattern", `{ }`, 2, "empty JSON pattern"},
		{"JSON grammar: nothing after }", `{ $.a = 1 } x`, 12, "after the closing }"},
		{"JSON grammar: unterminated quoted string", `{ $.a = "abc }`, 8, "unterminated quoted string"},
		{"JSON grammar: [N] index", `{ $.a[x] = 1 }`, 6, "array index"},
		{"JSON grammar: .name after dot", `{ $.a. = 1 }`, 6, "property name"},
		{"JSON grammar: || needs an operand", `{ $.a = 1 || }`, 13, "selector starting with $"},
		{"Terms: a lone %regex% stands alone", `%Trail% StopLogging`, 0, "must stand alone"},
		{"Terms: ? needs a term", `? StopLogging`, 0, "expected a term"},
		{"Terms: empty phrase", `""`, 0, "empty quoted term"},
		{"Terms: unterminated phrase", `"Stop Logging`, 0, "unterminated"},
		{"Delimited: fields separated by commas", `[a b]`, 3, "expected an operator"},
		{"Delimited: closing ]", `[a, b`, 5, "expected , or ]"},
		{"Delimited: IS applies to JSON only", `[a IS NULL]`, 1, "JSON patterns only"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			_, err := Parse(tt.pattern)
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.pattern, err)
			}
			if diff := cmp.Diff(tt.pos, se.Pos); diff != "" {
				t.Errorf("Parse(%q) position (-want +got):\n%s\n%v", tt.pattern, diff, err)
			}
			if !strings.Contains(se.Error(), tt.msg) {
				t.Errorf("Parse(%q) error %q does not say %q", tt.pattern, se.Error(), tt.msg)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		rule    string
		pattern string
		message string
		want    bool
	}{
		{"CIS: the CIS pattern matches StopLogging", CIS, rec, true},
		{"CIS: the CIS pattern ignores other events", CIS, strings.Replace(rec, "StopLogging", "DescribeTrails", 1), false},
		{"FPS: empty pattern matches every event", ``, "anything at all", true},
		{"FPS: blank pattern is empty", "  \t", "anything", true},
		{"FPS: whitespace between tokens is optional", `{($.eventName=StopLogging)||($.eventName=StartLogging)}`, rec, true},
		{"FPS: quoted and bare values mean the same", `{ $.eventName = "StopLogging" }`, rec, true},
		{"FPS: bare values may contain . and -", `{ $.eventSource = cloudtrail.amazonaws.com }`, rec, true},
		{"FPS: bare values may contain :", `{ $.userIdentity.arn = arn:aws:iam::123456789012:user/alice }`, rec, true},
		{"FPS: filter patterns are case sensitive (values)", `{ $.eventName = stoplogging }`, rec, false},
		{"FPS: filter patterns are case sensitive (keys)", `{ $.EventName = StopLogging }`, rec, false},
		{"FPS: && binds tighter than ||", `{ $.eventName = StopLogging || $.eventName = X && $.readOnly IS TRUE }`, rec, true},
		{"FPS: && binds tighter than || (false side)", `{ $.eventName = X && $.readOnly IS FALSE || $.eventName = Y }`, rec, false},
		{"FPS: parentheses override precedence", `{ ($.eventName = StopLogging || $.eventName = X) && $.readOnly IS TRUE }`, rec, false},
		{"OLD: leading * is a wildcard", `{ $.eventName = *Logging }`, rec, true},
		{"OLD: trailing * is a wildcard", `{ $.eventName = Stop* }`, rec, true},
		{"OLD: leading and trailing * find a substring", `{ $.eventName = *opLog* }`, rec, true},
		{"OLD: a * in the middle is literal", `{ $.eventName = Stop*ing }`, rec, false},
		{"OLD: a * in the middle matches itself", `{ $.v = Ev*ent }`, `{"v":"Ev*ent"}`, true},
		{"FPS: = * means present with any value", `{ $.eventName = * }`, rec, true},
		{"FPS: = * is false for an absent field", `{ $.errorCode = * }`, rec, false},
		{"FPS: %regex% is an unanchored search", `{ $.eventName = %Logg% }`, rec, true},
		{"FPS: %regex% with alternation", `{ $.eventName = %^Start|^Stop% }`, rec, true},
		{"FPS: %regex% anchors work", `{ $.eventName = %^Logging% }`, rec, false},
		{"FPS: %regex% is case sensitive", `{ $.eventName = %stop% }`, rec, false},
		{"FPS: != with a regex", `{ $.eventName != %Trail% }`, rec, true},
		{"FPS: absent field: = is false", `{ $.errorCode = AccessDenied }`, rec, false},
		{"FPS: absent field: != is false too", `{ $.errorCode != AccessDenied }`, rec, false},
		{"FPS: absent field: NOT EXISTS is true", `{ $.errorCode NOT EXISTS }`, rec, true},
		{"FPS: present field: NOT EXISTS is false", `{ $.eventName NOT EXISTS }`, rec, false},
		{"FPS: IS NULL is true only for JSON null", `{ $.nothing IS NULL }`, rec, true},
		{"FPS: IS NULL is false for an absent field", `{ $.errorCode IS NULL }`, rec, false},
		{"FPS: IS TRUE tests a boolean", `{ $.managementEvent IS TRUE }`, rec, true},
		{"FPS: IS FALSE tests a boolean", `{ $.readOnly IS FALSE }`, rec, true},
		{"FPS: IS TRUE is false for the string true", `{ $.s IS TRUE }`, `{"s":"true"}`, false},
		{"FPS: = true does not match a JSON boolean", `{ $.managementEvent = true }`, rec, false},
		{"FPS: != true does not match a JSON boolean either", `{ $.managementEvent != true }`, rec, false},
		{"FPS: = true matches the string true", `{ $.s = true }`, `{"s":"true"}`, true},
		{"OLD: selector reaching an object matches neither = ", `{ $.userIdentity = x }`, rec, false},
		{"OLD: selector reaching an object matches neither !=", `{ $.userIdentity != x }`, rec, false},
		{"OLD: selector reaching an array matches neither !=", `{ $.tags != x }`, rec, false},
		{"OLD: [N] selects an array element", `{ $.tags[1] = b }`, rec, true},
		{"OLD: [N] past the end is absent", `{ $.tags[5] NOT EXISTS }`, rec, true},
		{"OLD: [N].name inside array objects", `{ $.items[1].id = 2 }`, rec, true},
		{"FPS: [*] reaches every element", `{ $.items[*].id = 2 }`, rec, true},
		{"FPS: .* reaches every member", `{ $.userIdentity.* = alice }`, rec, true},
		{"FPS: .['dotted.key'] selects a key with dots", `{ $.['key.with.dots'] = dotted }`, rec, true},
		{"OLD: numbers compare with <", `{ $.latency < 300 }`, rec, true},
		{"OLD: numbers compare with >=", `{ $.latency >= 250 }`, rec, true},
		{"OLD: numbers compare with >", `{ $.latency > 250 }`, rec, false},
		{"OLD: numbers compare with <=", `{ $.latency <= 249.5 }`, rec, false},
		{"OLD: number = compares numerically", `{ $.latency = 250.0 }`, rec, true},
		{"OLD: scientific notation", `{ $.latency < 1e3 }`, rec, true},
		{"OLD: signed numbers", `{ $.latency > +100 }`, rec, true},
		{"OLD: number != ", `{ $.latency != 250 }`, rec, false},
		{"Decision: relational operators need a JSON number", `{ $.eventVersion > 1 }`, rec, false},
		{"FPS: a non-JSON message never matches a JSON pattern", `{ $.eventName = * }`, "StopLogging at noon", false},
		{"FPS: trailing text after JSON is not JSON", `{ $.a = 1 }`, `{"a":1} extra`, false},
		{"Terms: a bare term is a substring test", `Exception`, "InvalidQueryException thrown", true},
		{"Terms: terms are case sensitive", `exception`, "InvalidQueryException", false},
		{"Terms: all bare terms must appear", `ERROR Exception`, "ERROR only", false},
		{"Terms: all bare terms appear", `ERROR Exception`, "[ERROR] Unhandled Exception", true},
		{"Terms: ?a ?b means any of them", `?ERROR ?WARN`, "WARN message", true},
		{"Terms: ?a ?b with neither", `?ERROR ?WARN`, "INFO message", false},
		{"Terms: ? terms are ignored beside plain terms", `ERROR ?WARN`, "ERROR message", true},
		{"Terms: -a excludes", `ERROR -WARN`, "ERROR WARN message", false},
		{"Terms: -a excludes (absent)", `ERROR -WARN`, "ERROR message", true},
		{"Terms: a quoted phrase must appear as written", `"Failed to process"`, "[WARN] Failed to process the request", true},
		{"Terms: a quoted phrase is not three terms", `"Failed to process"`, "process Failed to", false},
		{"Terms: a term matches inside JSON text", `StopLogging`, rec, true},
		{"Terms: a term matches an unrelated policy text", `StopLogging`, `{"eventName":"PutRolePolicy","requestParameters":{"policyDocument":"cloudtrail:StopLogging"}}`, true},
		{"FPS: a lone %regex% searches the text", `%Stop|Start%`, rec, true},
		{"FPS: a lone %regex% can fail", `%^Stop%`, rec, false},
		{"Delimited: fields by position", `[ip, user, status = 404]`, `127.0.0.1 frank 404`, true},
		{"Delimited: field count must fit", `[ip, user]`, `127.0.0.1 frank 404`, false},
		{"Delimited: ... skips fields", `[..., status = 4*, bytes > 1000]`, `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 1534`, true},
		{"Delimited: quoted and bracketed text are one field", `[ip, a, user, ts, request = *HTTP*, status, bytes]`, `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 1534`, true},
		{"Delimited: && inside a field", `[..., status = 4* && status != 403, bytes]`, `x 403 10`, false},
		{"Delimited: || inside a field", `[w1 = ERROR || w1 = WARN, w2]`, `WARN message`, true},
		{"Delimited: numeric comparison", `[..., bytes < 1000]`, `x 1534`, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			if diff := cmp.Diff(tt.want, Match(p, tt.message)); diff != "" {
				t.Errorf("Match(%q, %q) (-want +got):\n%s", tt.pattern, tt.message, diff)
			}
		})
	}
}

// narrow wraps a condition around the five event names.
func narrow(extra string) string {
	return `{ ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) && ` + extra + ` }`
}

func TestCovers(t *testing.T) {
	all := Events()
	tests := []struct {
		rule    string
		pattern string
		missed  []string // events missed; nil when it covers
		reason  string   // a piece of the first miss's reason
		broad   bool
	}{
		{"CIS: the CIS pattern covers", CIS, nil, "", false},
		{"CIS: without parentheses", `{$.eventName=CreateTrail||$.eventName=UpdateTrail||$.eventName=DeleteTrail||$.eventName=StartLogging||$.eventName=StopLogging}`, nil, "", false},
		{"CIS: a missing event is a gap", `{ $.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging }`, []string{"StopLogging"}, `no condition in the pattern matches $.eventName = "StopLogging"`, false},
		{"CIS: case matters in event names", `{ $.eventName = createtrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging }`, []string{"CreateTrail"}, "CreateTrail", false},
		{"Covers: failed calls count", narrow(`$.errorCode NOT EXISTS`), all, "a failed call ($.errorCode = \"AccessDenied\") is excluded by `$.errorCode NOT EXISTS`", false},
		{"Covers: successful calls count", narrow(`$.errorCode = *`), all, "a successful call ($.errorCode absent) is excluded by `$.errorCode = *`", false},
		{"Covers: every caller counts", narrow(`$.userIdentity.type != Root`), all, "a call by Root", false},
		{"Covers: every caller counts (allow-list)", narrow(`($.userIdentity.type = IAMUser || $.userIdentity.type = AssumedRole)`), all, "$.userIdentity.type", false},
		{"Covers: unknown field, != number", narrow(`$.foo.bar != 7`), all, "$.foo.bar", false},
		{"Covers: unknown nested field, = true", narrow(`$.userIdentity.sessionContext.attributes.mfaAuthenticated = true`), all, "mfaAuthenticated", false},
		{"Covers: prefix wildcard on a known field", narrow(`$.sourceIPAddress = 10.*`), all, "$.sourceIPAddress = \"198.51.100.7\"", false},
		{"Covers: region restriction", narrow(`$.awsRegion = us-east-1`), all, "$.awsRegion", false},
		{"Covers: numeric comparison on unknown field", narrow(`$.x.y > 3`), all, "$.x.y", false},
		{"Covers: coupled fields need the cross product", narrow(`($.a = x || $.b = y)`), all, "$.a", false},
		{"Covers: a tautology on a field does not narrow", narrow(`($.errorCode NOT EXISTS || $.errorCode = *)`), nil, "", false},
		{"Covers: prefix and suffix together", narrow(`($.userAgent != Create* || $.userAgent != *Trail)`), all, `$.userAgent = "CreateTrail"`, false},
		{"Covers: regex narrowing", narrow(`$.userAgent = %aws-cli%`), all, "$.userAgent", false},
		{"Covers: != regex narrowing needs a matching witness", narrow(`$.userAgent != %console%`), all, "$.userAgent", false},
		{"Covers: IS FALSE on a fixed field does not narrow", narrow(`$.readOnly IS FALSE`), nil, "", false},
		{"Covers: eventSource is fixed for the five calls", narrow(`$.eventSource = cloudtrail.amazonaws.com`), nil, "", false},
		{"FPS: = false never matches the boolean readOnly", narrow(`$.readOnly = false`), all, "never match a JSON boolean", false},
		{"OLD: = on an object field never matches", narrow(`$.requestParameters = x`), all, "never match an object or array", false},
		{"Covers: a wildcard member that some field always satisfies", narrow(`$.* != zzz`), nil, "", false},
		{"Covers: array wildcard on an unknown field", narrow(`$.tags[*] != secret`), all, "$.tags[*]", false},
		// A wildcard sees every member of the container, also those the
		// pattern does not name, whose values vary from record to record.
		{"Covers: .* on userIdentity sees members that vary (a caller's ARN)", narrow(`$.userIdentity.* = "arn:aws:iam::123456789012:user/alice"`), all, "$.userIdentity.*", false},
		{"Covers: $.* sees top-level members that vary (eventVersion)", narrow(`$.* = "1.09"`), all, "$.*", false},
		{"Covers: $.* sees top-level members that vary (source IP)", narrow(`$.* = 203.0.113.10`), all, "$.*", false},
		{"Covers: .* on requestParameters sees the trail name, which varies", narrow(`$.requestParameters.* = management-trail`), all, "$.requestParameters.*", false},
		{"Covers: .* on responseElements sees the trail name, which varies", narrow(`($.responseElements.* = management-trail || $.responseElements IS NULL)`), all, "$.responseElements", false},
		{"Covers: $.*.name is requestParameters.name, not proven present", narrow(`$.*.name = *`), all, "$.*.name", false},
		{"Covers: readOnly IS TRUE excludes everything", narrow(`$.readOnly IS TRUE`), all, "$.readOnly", false},
		{"Covers: wildcards on event names", `{ $.eventName = *Trail || $.eventName = *Logging }`, nil, "", true},
		{"Covers: regex on event names", `{ $.eventName = %Trail$|Logging$% }`, nil, "", true},
		{"TooBroad: all CloudTrail events", `{ $.eventSource = cloudtrail.amazonaws.com }`, nil, "", true},
		{"TooBroad: every event", `{ $.eventName = * }`, nil, "", true},
		{"TooBroad: empty pattern", ``, nil, "", true},
		{"Terms: each event name as an optional term covers", `?CreateTrail ?UpdateTrail ?DeleteTrail ?StartLogging ?StopLogging`, nil, "", true},
		{"Terms: cloudtrail appears in every record", `cloudtrail`, nil, "", true},
		{"Terms: Root does not appear in every record", `Root`, all, "does not contain the term `Root`", false},
		{"Terms: one event name covers only that event", `StopLogging`, []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging"}, "StopLogging", true},
		{"Terms: an excluded term can appear in any record", `cloudtrail -foo`, all, "-foo", true},
		{"Terms: a variable value is not shared text", `us-east-1`, all, "us-east-1", true},
		{"FPS: a lone regex over the text", `%Trail|Logging%`, nil, "", true},
		// Real records carry members the family does not (tlsDetails after
		// eventCategory, sessionContext inside userIdentity): a term that
		// spans two members, or the end of the record, is not in every record.
		{"Terms: text spanning the end of the record is not shared", `"\"Management\"}"`, all, "Management", true},
		{"Terms: text spanning two members is not shared", `"\"readOnly\":false,\"eventType\""`, all, "readOnly", true},
		{"FPS: a lone regex anchored at the record's end", `%Management.\}$%`, all, "Management", true},
		{"Terms: text inside one fixed member is shared", `"\"eventSource\":\"cloudtrail.amazonaws.com\""`, nil, "", true},
		{"Delimited: compact JSON is one field", `[a, b]`, all, "space-delimited", false},
		{"Delimited: ... matches anything", `[...]`, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			got := Covers(p)
			checkWitnesses(t, p, cisPattern(), Implication{Misses: got.Missed})
			for _, m := range got.Missed {
				if m.Witness == "" {
					t.Errorf("Covers(%q): no witness for %s (%s)", tt.pattern, m.Event, m.Reason)
				}
			}
			var missed []string
			for _, m := range got.Missed {
				missed = append(missed, m.Event)
			}
			if diff := cmp.Diff(tt.missed, missed); diff != "" {
				t.Errorf("Covers(%q) missed (-want +got):\n%s\n%+v", tt.pattern, diff, got.Missed)
			}
			if diff := cmp.Diff(tt.missed == nil, got.Covers); diff != "" {
				t.Errorf("Covers(%q).Covers (-want +got):\n%s", tt.pattern, diff)
			}
			if tt.reason != "" && len(got.Missed) > 0 && !strings.Contains(got.Missed[0].Reason, tt.reason) {
				t.Errorf("Covers(%q) reason %q does not contain %q", tt.pattern, got.Missed[0].Reason, tt.reason)
			}
			if diff := cmp.Diff(tt.broad, got.TooBroad); diff != "" {
				t.Errorf("Covers(%q).TooBroad (-want +got):\n%s%s", tt.pattern, diff, got.BroadReason)
			}
		})
	}
}

func TestLiteral(t *testing.T) {
	tests := []struct {
		rule    string
		pattern string
		want    bool
	}{
		{"CIS: the text itself", CIS, true},
		{"CIS: modulo whitespace", `{($.eventName=CreateTrail)||($.eventName=UpdateTrail)||($.eventName=DeleteTrail)||($.eventName=StartLogging)||($.eventName=StopLogging)}`, true},
		{"CIS: modulo quoting", `{ ($.eventName = "CreateTrail") || ($.eventName = "UpdateTrail") || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = "StopLogging") }`, true},
		{"CIS: modulo order", `{ $.eventName = StopLogging || $.eventName = StartLogging || $.eventName = DeleteTrail || $.eventName = UpdateTrail || $.eventName = CreateTrail }`, true},
		{"CIS: modulo parentheses", `{ ($.eventName = CreateTrail || $.eventName = UpdateTrail) || ($.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) }`, true},
		{"CIS: a missing term is not literal", `{ $.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging }`, false},
		{"CIS: a repeated term is not literal", `{ $.eventName = CreateTrail || $.eventName = CreateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging }`, false},
		{"CIS: an extra condition is not literal", narrow(`$.errorCode NOT EXISTS`), false},
		{"CIS: wildcards are not literal", `{ $.eventName = *Trail || $.eventName = *Logging }`, false},
		{"CIS: terms are not literal", `?CreateTrail ?UpdateTrail ?DeleteTrail ?StartLogging ?StopLogging`, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, Literal(p)); diff != "" {
				t.Errorf("Literal(%q) (-want +got):\n%s", tt.pattern, diff)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range []string{
		CIS, ``, `{ $.a = "x y" }`, `{ $.a = "4" }`, `{ $.['a.b'][0].* = "q\"uote" }`, `{ $.a[*] != %x|y% }`,
		`{ ($.a = 1 || $.b = 2) && $.c IS NULL }`, `{ $.a = 1 || ($.b = 2 && ($.c = 3 || $.d = 4)) }`,
		`?"a b" -c d`, `"?x"`, `%^a$%`, `[..., s = 4* && s != 403, b > 10]`, `[a, b]`,
	} {
		p, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(String()=%q): %v", p.String(), err)
		}
		if diff := cmp.Diff(p, q, treeOpts); diff != "" {
			t.Errorf("round trip of %q via %q (-want +got):\n%s", s, p.String(), diff)
		}
	}
}

func TestMetricValueCanBePositive(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{{"1", true}, {"5", true}, {"0.5", true}, {"0", false}, {"-1", false}, {"$.latency", false}, {"", false}, {"one", false}}
	for _, tt := range tests {
		got, reason := MetricValueCanBePositive(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("MetricValueCanBePositive(%q) (-want +got):\n%s", tt.in, diff)
		}
		if !got && reason == "" {
			t.Errorf("MetricValueCanBePositive(%q) gave no reason", tt.in)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{CIS, ``, `{ $.a = 1 || $.b != "x" && $.c IS NULL }`, `?a -b "c d"`, `%a|b%`, `[a, ..., c = 4* && c != 403]`, `{ $.a[*].* = %x% }`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			return
		}
		out := p.String()
		q, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String() %q does not parse: %v", s, out, err)
		}
		if diff := cmp.Diff(p, q, treeOpts); diff != "" {
			t.Fatalf("round trip of %q via %q (-want +got):\n%s", s, out, diff)
		}
		Match(p, rec)
	})
}

// FuzzImplies checks Implies against Match: a witness must be a record the
// must-catch pattern matches and the filter does not, and "holds" must
// agree with every example record.
func FuzzImplies(f *testing.F) {
	for _, s := range [][2]string{
		{CIS, CIS}, {`{ $.eventName = StopLogging }`, CIS}, {narrow(`$.eventTime = %^[0-9a-z-]*$%`), CIS},
		{`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, `{ $.errorCode = "AccessDenied*" && $.eventName != HeadBucket }`},
		{`{ $.* = x }`, `{ $.* = x && $.* = y }`}, {`cloudtrail`, CIS}, {`{ $.a[*] = 1 }`, `{ $.a[0] = 1 }`},
		{`{ $.eventSource = ec2.amazonaws.com && $.eventName = CreateRoute }`, `{ $.eventName = CreateRoute }`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, filterSrc, mustSrc string) {
		filter, err := Parse(filterSrc)
		if err != nil {
			return
		}
		must, err := Parse(mustSrc)
		if err != nil {
			return
		}
		im := Implies(filter, must)
		for _, m := range im.Misses {
			if m.Witness != "" && (!Match(must, m.Witness) || Match(filter, m.Witness)) {
				t.Fatalf("Implies(%s, %s): witness does not check out:\n%s", filterSrc, mustSrc, m.Witness)
			}
		}
		switch im.Verdict {
		case Holds:
			if len(im.Misses) > 0 {
				t.Fatalf("holds with misses %v", im.Misses)
			}
			for _, ev := range knownEventNames() {
				for _, text := range ExampleRecords(ev) {
					if Match(must, text) && !Match(filter, text) {
						t.Fatalf("Implies(%s, %s) holds, but this record is matched by the second only:\n%s", filterSrc, mustSrc, text)
					}
				}
			}
		case DoesNotHold:
			if im.Witness() == "" {
				t.Fatal("does not hold without a witness")
			}
		case NotProven:
			if im.Reason == "" {
				t.Fatal("not proven without a reason")
			}
		}
	})
}

func BenchmarkParseCovers(b *testing.B) {
	for b.Loop() {
		p, err := Parse(CIS)
		if err != nil {
			b.Fatal(err)
		}
		if !Covers(p).Covers {
			b.Fatal("CIS does not cover")
		}
	}
}
