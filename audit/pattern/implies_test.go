package pattern

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkWitnesses fails the test unless every witness is a record the
// must-catch pattern matches and the filter does not.
func checkWitnesses(t *testing.T, filter, must *Pattern, im Implication) {
	t.Helper()
	for _, m := range im.Misses {
		if m.Witness == "" {
			continue
		}
		if !Match(must, m.Witness) || Match(filter, m.Witness) {
			t.Errorf("Implies(%s, %s): witness for %s does not check out (must %v, filter %v):\n%s", filter, must, m.Event, Match(must, m.Witness), Match(filter, m.Witness), m.Witness)
		}
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(m.Witness))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Errorf("witness is not a JSON object: %v", err)
		} else if f := conforms(rec); f != "" {
			t.Errorf("Implies(%s, %s): witness breaks the fact about %s:\n%s", filter, must, f, m.Witness)
		}
	}
}

const (
	unauthA        = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`
	unauthB        = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }`
	unauthC        = `{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }`
	unauthIntended = `{(($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && (($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket"))}`
	mfaBasic       = `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`
	mfaSSO         = `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`
	routesSH       = `{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`
	routesEC2      = `{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }`
)

func TestImplies(t *testing.T) {
	tests := []struct {
		rule         string
		filter, must string
		want         Verdict
		missed       []string // events with a miss
		reason       string   // a piece of the first miss's reason
		witnessHolds string   // a piece of the first witness
	}{
		{"identical patterns", CIS, CIS, Holds, nil, "", ""},
		{"an empty filter catches everything", ``, unauthA, Holds, nil, "", ""},
		{"a superset catches a subset", `{ $.eventSource = cloudtrail.amazonaws.com }`, CIS, Holds, nil, "", ""},
		{"a subset misses the rest", `{ $.eventName = StopLogging }`, CIS, DoesNotHold,
			[]string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging"}, `$.eventName = "CreateTrail"`, `"eventName":"CreateTrail"`},
		// 4.1: the three published forms all catch the intended set.
		{"4.1: the 2-clause form catches the intended set", unauthA, unauthIntended, Holds, nil, "", ""},
		{"4.1: the all-|| form catches it", unauthB, unauthIntended, Holds, nil, "", ""},
		{"4.1: the precedence-trap form catches it", unauthC, unauthIntended, Holds, nil, "", ""},
		{"4.1: the intended set misses HeadBucket or log delivery", unauthIntended, unauthA, DoesNotHold, nil, "", `"errorCode":`},
		{"4.1: the trap form misses AccessDenied from log delivery", unauthC, unauthA, DoesNotHold, nil, "AccessDenied", `AccessDenied`},
		// 4.2: the basic form catches the SSO form's records; not back.
		{"4.2: basic catches the SSO form", mfaBasic, mfaSSO, Holds, nil, "", ""},
		{"4.2: the SSO form misses some sign-ins without MFA", mfaSSO, mfaBasic, DoesNotHold, []string{"ConsoleLogin"}, "", `"eventName":"ConsoleLogin"`},
		// 4.13: CreateRoute is also an API Gateway call; the control means EC2's.
		{"4.13: the EC2-scoped filter catches EC2's route calls", routesEC2, routesEC2, Holds, nil, "", ""},
		{"4.13: the unscoped text catches them", routesSH, routesEC2, Holds, nil, "", ""},
		{"4.13: the EC2-scoped filter misses API Gateway's CreateRoute", routesEC2, routesSH, DoesNotHold,
			[]string{"CreateRoute", "DeleteRoute"}, "$.eventSource", `"eventName":"CreateRoute"`},
		// Facts: the name fixes the source where one service has the call.
		{"facts: CreateTrail comes only from CloudTrail", `{ $.eventSource = cloudtrail.amazonaws.com && $.eventName = CreateTrail }`, `{ $.eventName = CreateTrail }`, Holds, nil, "", ""},
		{"facts: CreatePolicy is also an Organizations call", `{ $.eventSource = iam.amazonaws.com && $.eventName = CreatePolicy }`, `{ $.eventName = CreatePolicy }`, DoesNotHold, []string{"CreatePolicy"}, "$.eventSource", `"eventName":"CreatePolicy"`},
		{"facts: != is false on an absent field", `{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed != Yes }`, `{ $.eventName = ConsoleLogin }`, DoesNotHold, []string{"ConsoleLogin"}, "MFAUsed", ""},
		// Wildcards in the must-catch pattern: each needs a member of its own.
		{"two wildcard conditions need two members", `{ $.x = 1 }`, `{ $.* = "a" && $.* = "b" }`, DoesNotHold, nil, "", `"a"`},
		{"a wildcard filter sees the members every record has", `{ $.* = * }`, CIS, Holds, nil, "", ""},
		{"[*] needs an element", `{ $.tags[0] = a }`, `{ $.tags[*] = a }`, DoesNotHold, nil, "", `"tags":[`},
		// Any event name.
		{"root usage: the published text", `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
			`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`, Holds, nil, "", ""},
		{"root usage: without the service exclusion it catches more", `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }`,
			`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`, Holds, nil, "", ""},
		{"root usage: an event-name filter misses other calls", CIS, `{ $.userIdentity.type = "Root" }`, DoesNotHold, nil, "", `"type":"Root"`},
		// Text filters.
		{"terms: a fixed member's text is in every record", `cloudtrail`, CIS, Holds, nil, "", ""},
		{"terms: an event's name is in its records", `?CreateRoute ?CreateRouteTable ?ReplaceRoute ?ReplaceRouteTableAssociation ?DeleteRouteTable ?DeleteRoute ?DisassociateRouteTable`, routesEC2, Holds, nil, "", ""},
		{"terms: a term outside the fixed members is not", `alice`, CIS, DoesNotHold, Events(), "alice", ""},
		{"terms: a must-catch set on other members is refuted by an example", `AccessDenied`, unauthA, DoesNotHold, nil, "", `"errorCode":"Client.UnauthorizedOperation"`},
		{"terms: a must-catch set on other members is not proven", `?UnauthorizedOperation ?AccessDenied`, unauthA, NotProven, nil, "not proven", ""},
		{"a non-JSON must-catch set is refuted by an example", `{ $.eventName = StopLogging }`, `StartLogging`, DoesNotHold, nil, "", `StartLogging`},
		{"an empty filter holds even for a non-JSON must-catch set", ``, `StartLogging`, Holds, nil, "", ""},
		{"a non-JSON must-catch set without a counterexample", `{ $.eventSource = * }`, `StartLogging`, NotProven, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			f, err := Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(tt.must)
			if err != nil {
				t.Fatal(err)
			}
			im := Implies(f, m)
			if diff := cmp.Diff(tt.want, im.Verdict); diff != "" {
				t.Fatalf("Implies(%s, %s) (-want +got):\n%s%+v", tt.filter, tt.must, diff, im)
			}
			checkWitnesses(t, f, m, im)
			if tt.missed != nil {
				var got []string
				for _, m := range im.Misses {
					got = append(got, m.Event)
				}
				if diff := cmp.Diff(tt.missed, got); diff != "" {
					t.Errorf("missed (-want +got):\n%s", diff)
				}
			}
			if tt.reason != "" && (len(im.Misses) == 0 || !strings.Contains(im.Reason, tt.reason)) {
				t.Errorf("reason %q does not contain %q", im.Reason, tt.reason)
			}
			if tt.witnessHolds != "" && !strings.Contains(im.Witness(), tt.witnessHolds) {
				t.Errorf("witness %s does not contain %s", im.Witness(), tt.witnessHolds)
			}
			if tt.want == DoesNotHold && im.Witness() == "" {
				t.Error("no witness")
			}
			if tt.want != Holds && im.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}

// TestProverUsesFacts: each fact about records changes what the prover
// concludes, in the direction the fact says, so a fact dropped or changed
// shows here (and a wrong one in TestExampleRecordsFollowTheFacts).
func TestProverUsesFacts(t *testing.T) {
	for _, fact := range Facts() {
		if fact.Field == "" || fact.Shape == MatchingRule {
			continue
		}
		event := "RunInstances" // no facts of its own
		if len(fact.Events) > 0 {
			event = fact.Events[0]
		}
		must := `{ $.eventName = "` + event + `" }`
		f := "$." + fact.Field
		var holds, fails []string
		switch fact.Shape {
		case PresentString:
			holds = []string{f + ` = *`}
			fails = []string{f + ` NOT EXISTS`, f + ` = "zz-not-this"`}
		case OptionalString:
			holds = []string{f + ` = * || ` + f + ` NOT EXISTS`}
			fails = []string{f + ` = *`, f + ` NOT EXISTS`}
		case PresentObject:
			fails = []string{f + ` NOT EXISTS`, f + ` IS NULL`, f + ` = zz || ` + f + ` != zz`}
		case ObjectOrNull:
			fails = []string{f + ` NOT EXISTS`, f + ` IS NULL`}
		case OptionalBool:
			holds = []string{f + ` IS TRUE || ` + f + ` IS FALSE || ` + f + ` NOT EXISTS`}
			fails = []string{f + ` IS TRUE || ` + f + ` IS FALSE`}
		case Fixed:
			switch v := fact.Value.(type) {
			case bool:
				holds = []string{f + map[bool]string{true: ` IS TRUE`, false: ` IS FALSE`}[v]}
				fails = []string{f + map[bool]string{true: ` IS FALSE`, false: ` IS TRUE`}[v]}
			case string:
				holds = []string{f + ` = "` + v + `"`}
				fails = []string{f + ` != "` + v + `"`}
			}
		}
		for _, c := range holds {
			if got := implies(t, `{ `+c+` }`, must); got != Holds {
				t.Errorf("fact %s: Implies({ %s }, %s) = %v, want holds", fact.ID, c, must, got)
			}
		}
		for _, c := range fails {
			if got := implies(t, `{ `+c+` }`, must); got != DoesNotHold {
				t.Errorf("fact %s: Implies({ %s }, %s) = %v, want does not hold", fact.ID, c, must, got)
			}
		}
	}
}

func implies(t *testing.T, filter, must string) Verdict {
	t.Helper()
	f, err := Parse(filter)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(must)
	if err != nil {
		t.Fatal(err)
	}
	im := Implies(f, m)
	checkWitnesses(t, f, m, im)
	return im.Verdict
}
