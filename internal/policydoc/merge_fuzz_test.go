package policydoc

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Whatever the existing document, a merge that succeeds keeps every
// statement that is not trailwatch's byte for byte and in order, keeps
// every byte outside the statement list, holds trailwatch's statements,
// and is a no-op the second time.
func FuzzMergeKeepsStatements(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish"],"Resource":"arn:aws:sns:us-east-1:123456789012:t","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}`,
		"{\n \"Statement\" : [ {\"Resource\":\"a&b<c>${aws:username}\"} , \"odd\" , 1 ]\n}",
		`{"Statement":{"Sid":"One","Effect":"Deny"}}`,
		`{"Statement":[` + oursOld + `,{"Sid":"X","Action":"\u00e9\/"}]}`,
		`{"Id":"","Statement":[]}`,
		`{}`,
		`%7B%22Statement%22%3A%5B%7B%22Sid%22%3A%22A%22%7D%5D%7D`,
	} {
		f.Add(seed)
	}
	stmts := []json.RawMessage{json.RawMessage(ours)}
	f.Fuzz(func(t *testing.T, existing string) {
		merged, changed, err := Merge(existing, stmts)
		if err != nil {
			return
		}
		if !json.Valid([]byte(merged)) {
			t.Fatalf("merged is not JSON:\n%s", merged)
		}
		after, err := parse(merged)
		if err != nil {
			t.Fatalf("merged does not parse: %v\n%s", err, merged)
		}
		var kept, ourCount int
		var theirsAfter [][]byte
		for _, s := range after.stmts {
			if sidOf(s.raw) == "TrailwatchPublish" {
				ourCount++
				if !sameJSON(s.raw, []byte(ours)) {
					t.Errorf("trailwatch's statement is %s", s.raw)
				}
				continue
			}
			theirsAfter = append(theirsAfter, s.raw)
		}
		if ourCount == 0 {
			t.Errorf("trailwatch's statement is missing:\n%s", merged)
		}
		if existingIsEmpty(existing) {
			return
		}
		before, err := parse(existing)
		if err != nil {
			t.Fatalf("Merge accepted what parse refuses: %v", err)
		}
		for _, s := range before.stmts {
			if sidOf(s.raw) == "TrailwatchPublish" {
				continue
			}
			if kept >= len(theirsAfter) || !bytes.Equal(s.raw, theirsAfter[kept]) {
				t.Fatalf("statement %s did not survive byte for byte:\n%s", s.raw, merged)
			}
			kept++
		}
		if kept != len(theirsAfter) {
			t.Errorf("merge added foreign statements:\n%s", merged)
		}
		if before.hasVersion != after.hasVersion || before.version != after.version || before.hasID != after.hasID || before.id != after.id {
			t.Errorf("Version/Id changed: %q/%q -> %q/%q", before.version, before.id, after.version, after.id)
		}
		if before.hasStatement {
			if before.text[:before.statement.start] != after.text[:after.statement.start] ||
				before.text[before.statement.end:] != after.text[after.statement.end:] {
				t.Errorf("bytes outside the statement list changed:\n%s\n%s", before.text, after.text)
			}
		}
		if !changed && merged != existing {
			t.Errorf("unchanged merge returned other text")
		}
		again, changed, err := Merge(merged, stmts)
		if err != nil || changed || again != merged {
			t.Errorf("second merge: changed %v, err %v", changed, err)
		}
	})
}

func existingIsEmpty(s string) bool { return len(bytes.TrimSpace([]byte(s))) == 0 }
