package pattern

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The brute-force agreement test of Implies: random pairs of patterns over
// the members records carry, and random realistic records of many events
// biased towards the patterns' constants. "Holds" must never meet a record
// the must-catch pattern matches and the filter does not; every witness
// must check out with Match and follow the facts.

var pairFields = []string{"$.eventName", "$.eventSource", "$.errorCode", "$.userIdentity.type", "$.sourceIPAddress",
	"$.additionalEventData.MFAUsed", "$.responseElements.ConsoleLogin", "$.userIdentity.invokedBy", "$.eventType",
	"$.readOnly", "$.foo", "$.*", "$.requestParameters.*", "$.tags[*]"}

var pairValues = map[string][]string{
	"$.eventName":                     {"CreateTrail", "StopLogging", "ConsoleLogin", "CreatePolicy", "CreateRoute", "HeadBucket", "RunInstances", "*Trail", "Create*", "%^Create%", "%Logging$%"},
	"$.eventSource":                   {"cloudtrail.amazonaws.com", "iam.amazonaws.com", "organizations.amazonaws.com", "ec2.amazonaws.com", "signin.amazonaws.com", "*.amazonaws.com", "%^ec2%"},
	"$.errorCode":                     {"AccessDenied", "AccessDenied*", "*UnauthorizedOperation", "Client.UnauthorizedOperation", "%Denied%"},
	"$.userIdentity.type":             {"Root", "IAMUser", "AssumedRole", "%^[A-Z][a-z]+$%"},
	"$.sourceIPAddress":               {"delivery.logs.amazonaws.com", "203.0.113.10", "%^[0-9.]+$%", "10.*"},
	"$.additionalEventData.MFAUsed":   {"Yes", "No"},
	"$.responseElements.ConsoleLogin": {"Success", "Failure"},
	"$.userIdentity.invokedBy":        {"cloudformation.amazonaws.com", "*.amazonaws.com"},
	"$.eventType":                     {"AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"},
	"$.readOnly":                      {"true"},
	"$.foo":                           {"x", "7", "%^[a-z]+$%"},
	"$.*":                             {"x", "AccessDenied", "%^us-%"},
	"$.requestParameters.*":           {"x", "management-trail"},
	"$.tags[*]":                       {"x", "7"},
}

type formula [][]string // an || of &&s of conditions

func (f formula) String() string {
	var ors []string
	for _, and := range f {
		ors = append(ors, "("+strings.Join(and, " && ")+")")
	}
	return "{ " + strings.Join(ors, " || ") + " }"
}

func pairAtom(r *rand.Rand) string {
	f := pairFields[r.IntN(len(pairFields))]
	vals := pairValues[f]
	v := vals[r.IntN(len(vals))]
	if f == "$.readOnly" {
		return f + []string{" IS TRUE", " IS FALSE", " NOT EXISTS"}[r.IntN(3)]
	}
	switch r.IntN(8) {
	case 0:
		return f + " NOT EXISTS"
	case 1:
		return f + " IS NULL"
	case 2, 3:
		return f + " != " + v
	}
	return f + " = " + v
}

func randomPair(r *rand.Rand) formula {
	var f formula
	for range 1 + r.IntN(3) {
		var and []string
		for range 1 + r.IntN(3) {
			and = append(and, pairAtom(r))
		}
		f = append(f, and)
	}
	return f
}

// weaken returns a formula every record of f satisfies: a conjunct
// dropped, or another disjunct added.
func weaken(r *rand.Rand, f formula) formula {
	out := make(formula, len(f))
	for i, and := range f {
		out[i] = append([]string(nil), and...)
	}
	switch r.IntN(3) {
	case 0:
		i := r.IntN(len(out))
		if len(out[i]) > 1 {
			j := r.IntN(len(out[i]))
			out[i] = append(out[i][:j], out[i][j+1:]...)
		}
	case 1:
		out = append(out, randomPair(r)...)
	}
	return out
}

func regexCount(s string) int { return strings.Count(s, "%") / 2 }

// biasedRecord is a random realistic record whose members often hold the
// constants the pair tests, so that both patterns' cases occur.
func biasedRecord(r *rand.Rand) map[string]any {
	names := knownEventNames()
	rec := randomRecord(r, names[r.IntN(len(names))])
	event := rec["eventName"].(string)
	for _, f := range pairFields {
		vals := pairValues[f]
		if r.IntN(3) != 0 || f == "$.eventName" || f == "$.readOnly" || strings.Contains(f, "*") {
			continue
		}
		v := strings.Trim(vals[r.IntN(len(vals))], "*")
		if strings.HasPrefix(v, "%") {
			v = randomString(r)
		}
		path := strings.Split(strings.TrimPrefix(f, "$."), ".")
		shape, _ := shapeOf(event, strings.Join(path, "."))
		if shape == Fixed {
			continue
		}
		m := rec
		for _, k := range path[:len(path)-1] {
			sub, ok := m[k].(map[string]any)
			if !ok {
				sub = map[string]any{}
				if s, _ := shapeOf(event, k); s == PresentString || s == OptionalString {
					break
				}
				m[k] = sub
			}
			m = sub
		}
		if r.IntN(6) == 0 {
			if s, _ := shapeOf(event, strings.Join(path, ".")); s == OptionalString || s == Unconstrained {
				delete(m, path[len(path)-1])
				continue
			}
		}
		m[path[len(path)-1]] = v
	}
	if r.IntN(4) == 0 {
		rec["tags"] = []any{randomValue(r), "x"}
	}
	return rec
}

func TestImpliesAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	counts := map[Verdict]int{}
	n := 300 / raceScale
	for i := 0; i < n; i++ {
		must := randomPair(r)
		filter := randomPair(r)
		if r.IntN(2) == 0 {
			filter = weaken(r, must)
		}
		ms, fs := must.String(), filter.String()
		if regexCount(ms) > MaxRegex || regexCount(fs) > MaxRegex {
			continue
		}
		m, err := Parse(ms)
		if err != nil {
			t.Fatalf("Parse(%s): %v", ms, err)
		}
		f, err := Parse(fs)
		if err != nil {
			t.Fatalf("Parse(%s): %v", fs, err)
		}
		im := Implies(f, m)
		counts[im.Verdict]++
		checkWitnesses(t, f, m, im)
		if im.Verdict != Holds {
			continue
		}
		for j := 0; j < 300; j++ {
			rec := biasedRecord(r)
			mm, fm := evalJSON(m.expr, any(rec)), evalJSON(f.expr, any(rec))
			if j%10 == 0 {
				text := recordText(rec)
				mm, fm = Match(m, text), Match(f, text)
			}
			if mm && !fm {
				t.Fatalf("Implies(%s, %s) holds, but this record is matched by the second and not the first:\n%s", fs, ms, recordText(rec))
			}
		}
	}
	t.Logf("verdicts over %d pairs: %v", n, counts)
	if counts[Holds] < n/10 || counts[DoesNotHold] < n/10 {
		t.Errorf("verdicts %v: the generator should give many of both", counts)
	}
}
