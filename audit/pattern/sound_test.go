package pattern

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// recordFields are the members the generated records carry, with the
// fact that constrains each (present or optional); every one is tested by
// the random patterns below, with character classes and anchors.
var recordFields = []string{"$.eventVersion", "$.eventTime", "$.awsRegion", "$.sourceIPAddress", "$.userAgent",
	"$.requestID", "$.eventID", "$.recipientAccountId", "$.eventType", "$.eventCategory", "$.errorCode", "$.errorMessage",
	"$.userIdentity.type", "$.userIdentity.arn", "$.userIdentity.accountId", "$.userIdentity.principalId",
	"$.userIdentity.userName", "$.requestParameters.name", "$.tlsDetails.tlsVersion", "$.foo", "$.foo.bar",
	"$.*", "$.userIdentity.*", "$.requestParameters.*"}

// regexValues are character-class and anchored regexes that real values
// satisfy in some records and not in others.
var regexValues = []string{`%^[0-9a-z-]*$%`, `%^[0-9.]+$%`, `%^[0-9]{4}-%`, `%Z$%`, `%[A-Z]%`, `%^arn:aws:%`,
	`%^1\.[0-9]+$%`, `%^us-%`, `%^$%`, `%.%`, `%^[a-z]{2}-[a-z]+-[0-9]$%`, `%\d%`, `%^\w+$%`}

var plainValues = []string{"Root", "IAMUser", "AccessDenied", "10.*", "*east*", "7", "x", "us-east-1", "1.09",
	"arn:aws:iam::123456789012:user/alice", "management-trail", "*Z", "2024*", "TLSv1.3", "Management", "AwsApiCall"}

// randomString draws values a real record could hold in a string field,
// realistic and odd.
func randomString(r *rand.Rand) string {
	pool := []string{"", "Root", "IAMUser", "AssumedRole", "10.0.0.1", "203.0.113.10", "2001:db8::1", "AWS Internal",
		"ec2.amazonaws.com", "us-east-1", "eu-west-1", "AccessDenied", "Client.UnauthorizedOperation", "x", "7", "1x",
		"2024-05-01T12:00:00Z", "2025-12-31T23:59:59Z", "1.09", "1.10", "TLSv1.2", "arn:aws:iam::123456789012:user/bob",
		"a-b-c", "UPPER", "é", "line\nbreak", "aws-cli/2.15.0 Python/3.11.6"}
	if r.IntN(4) == 0 {
		var b strings.Builder
		for range r.IntN(5) {
			b.WriteByte("aZ0-._: /"[r.IntN(9)])
		}
		return b.String()
	}
	return pool[r.IntN(len(pool))]
}

// randomValue draws any JSON value, for members no fact constrains.
func randomValue(r *rand.Rand) any {
	switch r.IntN(8) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return json.Number([]string{"0", "5", "6", "7", "8", "100", "1.5"}[r.IntN(7)])
	case 3:
		return map[string]any{"bar": json.Number("7")}
	case 4:
		return []any{"x"}
	}
	return randomString(r)
}

// randomRecord is a realistic record of event that follows the facts:
// an example record with its variable values replaced, optional members
// dropped and unknown members added at random.
func randomRecord(r *rand.Rand, event string) map[string]any {
	srcs := exampleSources(event)
	rec := exampleRecord(srcs[r.IntN(len(srcs))], event, []string{"IAMUser", "AssumedRole", "Root"}[r.IntN(3)], r.IntN(2) == 0)
	id := rec["userIdentity"].(map[string]any)
	if r.IntN(3) == 0 {
		rec["userIdentity"] = identity(IdentityTypes()[r.IntN(len(IdentityTypes()))])
		id = rec["userIdentity"].(map[string]any)
	}
	for _, k := range []string{"principalId", "arn", "accountId", "userName", "type"} {
		if _, ok := id[k]; ok && r.IntN(3) == 0 {
			id[k] = randomString(r)
		}
	}
	for _, k := range []string{"eventVersion", "eventTime", "awsRegion", "sourceIPAddress", "userAgent", "requestID", "eventID", "recipientAccountId"} {
		if r.IntN(3) == 0 {
			rec[k] = randomString(r)
		}
	}
	for _, k := range []string{"userAgent", "requestID", "recipientAccountId", "tlsDetails"} {
		if r.IntN(5) == 0 {
			delete(rec, k)
		}
	}
	if _, failed := rec["errorCode"]; failed && r.IntN(3) == 0 {
		rec["errorCode"] = randomString(r)
	}
	if r.IntN(4) == 0 {
		rec["errorMessage"] = randomString(r)
	}
	if r.IntN(5) == 0 {
		rec["requestParameters"] = nil
	} else if rp, ok := rec["requestParameters"].(map[string]any); ok && r.IntN(3) == 0 {
		rp["name"] = randomValue(r)
	}
	if r.IntN(3) == 0 {
		rec["foo"] = randomValue(r)
	}
	return rec
}

// randomAtom is one condition on a field records carry.
func randomAtom(r *rand.Rand) string {
	f := recordFields[r.IntN(len(recordFields))]
	v := plainValues[r.IntN(len(plainValues))]
	if r.IntN(2) == 0 {
		v = regexValues[r.IntN(len(regexValues))]
	}
	switch r.IntN(10) {
	case 0:
		return f + " NOT EXISTS"
	case 1:
		return f + " IS NULL"
	case 2:
		return f + " > " + []string{"0", "5", "7"}[r.IntN(3)]
	case 3, 4:
		return f + " != " + v
	case 5, 6:
		// A tautology on a field the facts say is a present string, so
		// that some random patterns do cover.
		g := []string{"$.sourceIPAddress", "$.userIdentity.type", "$.awsRegion", "$.eventTime", "$.eventVersion", "$.eventID"}[r.IntN(6)]
		return "(" + g + " = " + v + " || " + g + " != " + v + ")"
	}
	return f + " = " + v
}

// randomFormula is an and/or of atoms with at most two regexes (the quota).
func randomFormula(r *rand.Rand) string {
	for {
		var ors []string
		for range 1 + r.IntN(3) {
			var ands []string
			for range 1 + r.IntN(2) {
				ands = append(ands, randomAtom(r))
			}
			ors = append(ors, "("+strings.Join(ands, " && ")+")")
		}
		s := "(" + strings.Join(ors, " || ") + ")"
		if strings.Count(s, "%") <= 2*MaxRegex {
			return s
		}
	}
}

// TestCoversAgreesWithBruteForce checks Covers against plain evaluation:
// random narrowings of the five event names, with plain, wildcard,
// character-class and anchored regex conditions on every field the records
// carry, are matched against many random realistic records. If a record of
// one of the five events is not matched, Covers must not claim coverage
// and must name that event.
func TestCoversAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	covering, regexCovering := 0, 0
	n := 600 / raceScale
	for i := 0; i < n; i++ {
		src := narrow(randomFormula(r))
		p, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		cov := Covers(p)
		if cov.Covers {
			covering++
			if strings.Contains(src, "%") {
				regexCovering++
			}
		}
		missed := map[string]bool{}
		for _, m := range cov.Missed {
			missed[m.Event] = true
		}
		for _, ev := range Events() {
			for j := 0; j < 60; j++ {
				rec := randomRecord(r, ev)
				if f := conforms(rec); j%10 == 0 && f != "" {
					t.Fatalf("generated record breaks the fact about %s: %s", f, recordText(rec))
				}
				// Most records are evaluated as decoded maps, which is what
				// Match does after decoding; every tenth goes through the text.
				matched := evalJSON(p.expr, any(rec))
				if j%10 == 0 {
					matched = Match(p, recordText(rec))
				}
				if !matched {
					if !missed[ev] {
						t.Fatalf("Covers(%s) claims every %s record is matched, but this one is not:\n%s", src, ev, recordText(rec))
					}
					break
				}
			}
		}
	}
	// The check means something only if some random patterns do cover,
	// some of them with regexes.
	if covering == 0 || regexCovering == 0 {
		t.Fatalf("%d random narrowings cover, %d with a regex; the generator needs tautologies", covering, regexCovering)
	}
	t.Logf("%d of %d random narrowings cover (%d with a regex)", covering, n, regexCovering)
}

// TestCoversIssue10 holds the cases issue 10 reports: a character-class
// regex on a field every record has, which real records do not satisfy.
func TestCoversIssue10(t *testing.T) {
	for _, cond := range []string{`$.eventTime = %^[0-9a-z-]*$%`, `$.sourceIPAddress = %^[0-9.]*$%`,
		`$.sourceIPAddress = %^[a-z0-9.]+$%`, `$.awsRegion = %^[a-z]{2}-[a-z]+-[0-9]$%`, `$.eventVersion = %^1\.0[0-9]$%`} {
		p, err := Parse(narrow(cond))
		if err != nil {
			t.Fatal(err)
		}
		if cov := Covers(p); cov.Covers || len(cov.Missed) != len(Events()) {
			t.Errorf("Covers(%s) = %+v, want all five events missed", cond, cov)
		}
	}
	// The record of the report: a StopLogging whose eventTime has capitals.
	p, _ := Parse(narrow(`$.eventTime = %^[0-9a-z-]*$%`))
	if Match(p, ExampleRecords("StopLogging")[0]) {
		t.Error("a real StopLogging record matches; the report's premise changed")
	}
}
