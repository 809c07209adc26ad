package pattern

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// operations is testdata/operations.json: for each event name the facts or
// the examples mention, the botocore services whose API has an operation of
// that name. It was made from botocore's service models with (python 3):
//
//	s = botocore.session.get_session(); loader = s.get_component('data_loader')
//	for svc in s.get_available_services():
//	    ops = loader.load_service_model(svc, 'service-2')['operations']
//	    ... record svc for each name in ops
//
// Refresh it the same way when AWS adds services, and re-run this test: a
// name that gains a second service loses its eventSource fact.
func operations(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/operations.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Operations map[string][]string `json:"operations"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("testdata/operations.json: %v", err)
	}
	return doc.Operations
}

func TestFactsHaveSources(t *testing.T) {
	ids := map[string]bool{}
	for _, f := range Facts() {
		if ids[f.ID] {
			t.Errorf("fact %s listed twice", f.ID)
		}
		ids[f.ID] = true
		if f.Claim == "" || f.Source == "" {
			t.Errorf("fact %s has no claim or no source", f.ID)
		}
		if f.Shape == Fixed && f.Value == nil {
			t.Errorf("fact %s fixes no value", f.ID)
		}
	}
}

// TestEventSourceFacts: an event name determines its event source only when
// one AWS service has an operation of that name; every other name of the
// catalog is listed as ambiguous, with sources among the services defining it.
func TestEventSourceFacts(t *testing.T) {
	ops := operations(t)
	for _, f := range Facts() {
		if f.Field != "eventSource" || f.Shape != Fixed {
			continue
		}
		for _, e := range f.Events {
			if e == "ConsoleLogin" {
				continue // not an API operation; sign-in events are documented on their own page
			}
			svcs, ok := ops[e]
			if !ok {
				t.Errorf("%s (fact %s) is not in testdata/operations.json; refresh it", e, f.ID)
				continue
			}
			if len(svcs) != 1 {
				t.Errorf("fact %s: %s is an operation of %v, so its name does not determine its event source", f.ID, e, svcs)
				continue
			}
			if want := svcs[0] + ".amazonaws.com"; f.Value != want {
				t.Errorf("fact %s: %s is a %s operation, want event source %s, got %v", f.ID, e, svcs[0], want, f.Value)
			}
		}
	}
	for e, sources := range AmbiguousEvents() {
		svcs := ops[e]
		if len(svcs) < 2 {
			t.Errorf("%s is listed as ambiguous but botocore has it in %v", e, svcs)
		}
		for _, s := range sources {
			found := false
			for _, svc := range svcs {
				found = found || svc+".amazonaws.com" == s
			}
			if !found {
				t.Errorf("%s: example source %s is not one of %v", e, s, svcs)
			}
		}
		if _, ok := EventSource(e); ok {
			t.Errorf("%s is ambiguous but has an eventSource fact", e)
		}
	}
}

// conforms reports the first fact a record breaks.
func conforms(rec map[string]any) string {
	event, _ := rec["eventName"].(string)
	var fields []string
	for ev, m := range facts() {
		if ev == "" || ev == event {
			for field := range m {
				fields = append(fields, field)
			}
		}
	}
	sort.Strings(fields)
	for _, field := range fields {
		shape, want := shapeOf(event, field)
		var v any = rec
		present := true
		for _, k := range strings.Split(field, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				present = false
				break
			}
			v, present = m[k]
			if !present {
				break
			}
		}
		_, isStr := v.(string)
		_, isObj := v.(map[string]any)
		_, isBool := v.(bool)
		ok := true
		switch shape {
		case PresentString:
			ok = present && isStr
		case OptionalString:
			ok = !present || isStr
		case PresentObject:
			ok = present && isObj
		case ObjectOrNull:
			ok = present && (isObj || v == nil)
		case OptionalBool:
			ok = !present || isBool
		case Fixed:
			ok = present && v == want
		}
		if !ok {
			return field
		}
	}
	return ""
}

// TestExampleRecordsFollowTheFacts: the examples are what the facts say
// records are, so facts and examples cannot drift apart.
func TestExampleRecordsFollowTheFacts(t *testing.T) {
	for _, e := range knownEventNames() {
		for i, m := range exampleMaps(e) {
			if f := conforms(m); f != "" {
				t.Errorf("ExampleRecords(%q)[%d] breaks the fact about %s: %s", e, i, f, recordText(m))
			}
		}
	}
}

// TestMatchingRuleFacts checks each matching rule the facts state against
// Match, the evaluator the prover shares.
func TestMatchingRuleFacts(t *testing.T) {
	checks := map[string][]struct {
		pattern, message string
		want             bool
	}{
		"rule-ne-absent": {{`{ $.errorCode != AccessDenied }`, `{"eventName":"StopLogging"}`, false},
			{`{ $.errorCode = AccessDenied }`, `{"eventName":"StopLogging"}`, false},
			{`{ $.errorCode NOT EXISTS }`, `{"eventName":"StopLogging"}`, true}},
		"rule-container": {{`{ $.userIdentity = x }`, `{"userIdentity":{"type":"Root"}}`, false},
			{`{ $.userIdentity != x }`, `{"userIdentity":{"type":"Root"}}`, false},
			{`{ $.tags != x }`, `{"tags":["a"]}`, false}},
		"rule-boolean": {{`{ $.readOnly = false }`, `{"readOnly":false}`, false},
			{`{ $.readOnly != true }`, `{"readOnly":false}`, false},
			{`{ $.readOnly IS FALSE }`, `{"readOnly":false}`, true}},
		"rule-case": {{`{ $.eventName = stoplogging }`, `{"eventName":"StopLogging"}`, false},
			{`{ $.EventName = StopLogging }`, `{"eventName":"StopLogging"}`, false}},
		"rule-not-json": {{`{ $.eventName = * }`, `StopLogging at noon`, false}},
	}
	for _, f := range Facts() {
		if f.Shape != MatchingRule {
			continue
		}
		cs, ok := checks[f.ID]
		if !ok {
			t.Errorf("matching rule %s has no check", f.ID)
		}
		for _, c := range cs {
			p, err := Parse(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, Match(p, c.message)); diff != "" {
				t.Errorf("%s: Match(%s, %s) (-want +got):\n%s", f.ID, c.pattern, c.message, diff)
			}
		}
	}
}
