package policydoc

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ours = `{"Sid":"TrailwatchPublish","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:t"}`

// oursOld is trailwatch's statement as an older release wrote it.
const oursOld = `{"Sid":"TrailwatchPublish","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}`

const oursVars = `{"Sid":"TrailwatchVars","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}`

// The case from issue 16: a policy with no Version (so 2008-10-17, where
// ${aws:username} is literal text) whose statements hold ${...} and &<>.
// The merge adds trailwatch's statement and changes no other byte: adding
// a Version would turn the literal into a variable, and re-encoding would
// turn & < > into \u0026 \u003c \u003e.
func TestMergeKeepsForeignBytes(t *testing.T) {
	existing := "{\n  \"Id\" : \"team&<policy>\",\n  \"Statement\" : [ {\"Sid\":\"Theirs\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"}," +
		"\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}/a&b<c>\" },\n" +
		"    {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/\\u00e9\\/x\"} ]\n}\n"
	want := "{\n  \"Id\" : \"team&<policy>\",\n  \"Statement\" : [ {\"Sid\":\"Theirs\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"}," +
		"\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}/a&b<c>\" },\n" +
		"    {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/\\u00e9\\/x\"}," + ours + " ]\n}\n"
	got, changed, err := Merge(existing, []json.RawMessage{json.RawMessage(ours)})
	if err != nil || !changed {
		t.Fatalf("Merge: changed %v, %v", changed, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged policy (-want +got):\n%s", diff)
	}
	if strings.Contains(got, "Version") || strings.Contains(got, `\u0026`) {
		t.Errorf("merge added a Version or escaped HTML: %s", got)
	}
	again, changed, err := Merge(got, []json.RawMessage{json.RawMessage(ours)})
	if err != nil || changed || again != got {
		t.Errorf("second merge: changed %v, err %v\n%s", changed, err, again)
	}
}

func TestMerge(t *testing.T) {
	encoded := url.PathEscape(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a+b"}]}`)
	tests := []struct {
		name     string
		existing string
		stmts    []string
		want     string
		changed  bool
		wantErr  string
	}{
		{
			name:  "no policy: a new document with Version 2012-10-17",
			stmts: []string{ours}, changed: true,
			want: `{"Version":"2012-10-17","Statement":[` + ours + `]}`,
		},
		{
			name:     "appended after the last statement; Version and Id kept",
			existing: `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow"}]}`,
			stmts:    []string{ours}, changed: true,
			want: `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow"},` + ours + `]}`,
		},
		{
			name:     "an empty statement list",
			existing: `{"Statement": [ ]}`,
			stmts:    []string{ours}, changed: true,
			want: `{"Statement": [` + ours + ` ]}`,
		},
		{
			name:     "a single statement object becomes a list, the object kept as it was",
			existing: `{"Id":"x","Statement":{ "Sid" : "One", "Effect":"Deny" }}`,
			stmts:    []string{ours}, changed: true,
			want: `{"Id":"x","Statement":[{ "Sid" : "One", "Effect":"Deny" },` + ours + `]}`,
		},
		{
			name:     "a single statement that is ours and outdated is replaced in place",
			existing: `{"Statement":` + oursOld + `}`,
			stmts:    []string{ours}, changed: true,
			want: `{"Statement":` + ours + `}`,
		},
		{
			name:     "ours outdated, in the middle: replaced where it stands",
			existing: `{"Statement":[{"Sid":"A"},` + oursOld + `,{"Sid":"B"}]}`,
			stmts:    []string{ours}, changed: true,
			want: `{"Statement":[{"Sid":"A"},` + ours + `,{"Sid":"B"}]}`,
		},
		{
			name:     "ours already there in other spacing and member order: unchanged",
			existing: `{"Statement":[ { "Effect":"Allow", "Sid":"TrailwatchPublish", "Action":"sns:Publish", "Principal":{"Service":"cloudwatch.amazonaws.com"}, "Resource":"arn:aws:sns:us-east-1:123456789012:t" } ]}`,
			stmts:    []string{ours},
			want:     `{"Statement":[ { "Effect":"Allow", "Sid":"TrailwatchPublish", "Action":"sns:Publish", "Principal":{"Service":"cloudwatch.amazonaws.com"}, "Resource":"arn:aws:sns:us-east-1:123456789012:t" } ]}`,
		},
		{
			name:     "a document with no Statement gets one, nothing else touched",
			existing: `{"Version":"2012-10-17" }`,
			stmts:    []string{ours}, changed: true,
			want: `{"Version":"2012-10-17" ,"Statement":[` + ours + `]}`,
		},
		{
			name:     "an empty object",
			existing: `{}`,
			stmts:    []string{ours}, changed: true,
			want: `{"Statement":[` + ours + `]}`,
		},
		{
			name:     "URL-encoded (as IAM returns it): decoded, '+' kept",
			existing: encoded,
			stmts:    []string{ours}, changed: true,
			want: `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a+b"},` + ours + `]}`,
		},
		{
			name:     "variables into a 2012-10-17 document: fine",
			existing: `{"Version":"2012-10-17","Statement":[]}`,
			stmts:    []string{oursVars}, changed: true,
			want: `{"Version":"2012-10-17","Statement":[` + oursVars + `]}`,
		},
		{
			name:     "variables into a document without Version: refused, not upgraded",
			existing: `{"Statement":[]}`,
			stmts:    []string{oursVars},
			wantErr:  `"TrailwatchVars" uses policy variables, which need Version 2012-10-17, but the policy has no Version`,
		},
		{
			name:     "variables into a 2008-10-17 document: refused",
			existing: `{"Version":"2008-10-17","Statement":[]}`,
			stmts:    []string{oursVars},
			wantErr:  `but the policy has Version "2008-10-17"`,
		},
		{name: "not JSON", existing: "not json", stmts: []string{ours}, wantErr: "not a policy document trailwatch can merge into"},
		{name: "trailing data", existing: `{"Statement":[]} {}`, stmts: []string{ours}, wantErr: "data after its closing brace"},
		{name: "Statement twice", existing: `{"Statement":[],"Statement":[]}`, stmts: []string{ours}, wantErr: `the member "Statement" twice`},
		{name: "statement in other case", existing: `{"statement":[]}`, stmts: []string{ours}, wantErr: `a member "statement"; AWS spells it "Statement"`},
		{name: "Statement a string", existing: `{"Statement":"x"}`, stmts: []string{ours}, wantErr: "neither a list nor an object"},
		{name: "Version a number", existing: `{"Version":1,"Statement":[]}`, stmts: []string{ours}, wantErr: "Version is not a string"},
		{name: "ours without a Sid", stmts: []string{`{"Effect":"Allow"}`}, wantErr: "without a Sid"},
		{name: "ours twice", stmts: []string{ours, ours}, wantErr: "two trailwatch statements"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stmts []json.RawMessage
			for _, s := range tc.stmts {
				stmts = append(stmts, json.RawMessage(s))
			}
			got, changed, err := Merge(tc.existing, stmts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != tc.changed {
				t.Errorf("changed = %v, want %v", changed, tc.changed)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("merged is not valid JSON: %s", got)
			}
			// Idempotence: merging the result again changes nothing.
			again, changed, err := Merge(got, stmts)
			if err != nil || changed || again != got {
				t.Errorf("second merge: changed %v, err %v\n%s", changed, err, again)
			}
		})
	}
}

// Equal compares documents as JSON, either URL-encoded as IAM returns them.
func TestEqual(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[` + ours + `]}`
	spaced := "{ \"Statement\": [" + ours + "],\n \"Version\": \"2012-10-17\" }"
	other := strings.Replace(doc, "sns:Publish", "sns:Subscribe", 1)
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"same text", doc, doc, true},
		{"other spacing and key order", doc, spaced, true},
		{"URL-encoded", url.PathEscape(doc), doc, true},
		{"another action", doc, other, false},
		{"empty", "", "", false},
		{"not JSON", "Statement", "Statement", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equal(tt.a, tt.b); got != tt.want {
				t.Errorf("Equal = %v, want %v", got, tt.want)
			}
		})
	}
}
