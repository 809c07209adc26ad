package pattern

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCoversAgreesWithBruteForce checks Covers against plain evaluation:
// random narrowings of the five event names, over fields Covers knows and
// fields it does not, are evaluated on many random records. If any record
// of one of the five events is not matched, Covers must not claim coverage;
// and every miss it reports must be real (some record is not matched).
func TestCoversAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Wildcard selectors see members the pattern does not name, so they
	// are in the mix too, with values some records hold.
	fields := []string{"$.errorCode", "$.userIdentity.type", "$.sourceIPAddress", "$.foo", "$.foo.bar", "$.n", "$.awsRegion", "$.*", "$.userIdentity.*", "$.requestParameters.*"}
	values := []string{"Root", "AccessDenied", "10.*", "*east*", "7", "x", "%^1%", "us-east-1", "1.09", "arn:aws:iam::123456789012:user/alice", "management-trail"}
	atom := func() string {
		f := fields[r.IntN(len(fields))]
		switch r.IntN(9) {
		case 6, 7:
			// Tautologies on fields that are always strings, so some
			// random patterns do cover.
			g := []string{"$.sourceIPAddress", "$.userIdentity.type", "$.awsRegion"}[r.IntN(3)]
			v := values[r.IntN(len(values))]
			return "(" + g + " = " + v + " || " + g + " != " + v + ")"
		case 8:
			return "($.errorCode NOT EXISTS || $.errorCode = *)"
		case 0:
			return f + " NOT EXISTS"
		case 1:
			return f + " IS NULL"
		case 2:
			return f + " > " + []string{"0", "5", "7"}[r.IntN(3)]
		case 3:
			return f + " != " + values[r.IntN(len(values))]
		}
		return f + " = " + values[r.IntN(len(values))]
	}
	formula := func() string {
		var ors []string
		for range 1 + r.IntN(3) {
			var ands []string
			for range 1 + r.IntN(2) {
				ands = append(ands, atom())
			}
			ors = append(ors, "("+strings.Join(ands, " && ")+")")
		}
		return "(" + strings.Join(ors, " || ") + ")"
	}
	// randomValue draws from the values a real record could hold.
	randomValue := func() any {
		switch r.IntN(8) {
		case 0:
			return nil
		case 1:
			return r.IntN(2) == 0
		case 2:
			return json.Number([]string{"0", "5", "6", "7", "8", "100"}[r.IntN(6)])
		case 3:
			return map[string]any{"bar": json.Number("7")}
		case 4:
			return []any{"x"}
		}
		return []string{"Root", "AccessDenied", "10.0.0.1", "us-east-1", "eu-west-1", "x", "7", "1x", ""}[r.IntN(9)]
	}
	randomString := func() string {
		return []string{"Root", "IAMUser", "10.0.0.1", "us-east-1", "x", "AccessDenied", "1", ""}[r.IntN(8)]
	}
	covering := 0
	for i := 0; i < 600; i++ {
		src := narrow(formula())
		p, err := Parse(src)
		if err != nil && strings.Contains(err.Error(), "regexes") {
			continue // over the regex quota: AWS would reject it too
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		cov := Covers(p)
		if cov.Covers {
			covering++
		}
		missed := map[string]bool{}
		for _, m := range cov.Missed {
			missed[m.Event] = true
		}
		for _, ev := range Events() {
			failed := false
			for j := 0; j < 200 && !failed; j++ {
				rec := baseRecord(ev)
				for _, f := range []string{"errorCode", "foo", "n"} {
					if r.IntN(3) == 0 {
						rec[f] = randomValue()
					}
				}
				if v, ok := rec["errorCode"]; ok {
					if _, isStr := v.(string); !isStr {
						delete(rec, "errorCode") // errorCode is a string when present
					}
				}
				rec["sourceIPAddress"] = randomString()
				rec["awsRegion"] = randomString()
				id := identity(IdentityTypes()[r.IntN(len(IdentityTypes()))])
				if _, ok := id["arn"]; ok {
					id["arn"] = []string{"arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"}[r.IntN(2)]
				}
				rec["userIdentity"] = id
				rec["eventVersion"] = []string{"1.08", "1.09", "1.10"}[r.IntN(3)]
				rec["requestParameters"] = map[string]any{"name": []string{"management-trail", "other"}[r.IntN(2)]}
				if !evalJSON(p.expr, any(rec)) {
					failed = true
				}
			}
			if failed && !missed[ev] {
				t.Fatalf("Covers(%q) claims %s is always matched, but a random record is not", src, ev)
			}
		}
	}
	// The check means something only if some random patterns do cover.
	if covering == 0 {
		t.Fatal("no random pattern covered; the generator needs tautologies")
	}
	t.Logf("%d of 600 random narrowings cover", covering)
}
