package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/internal/fixture"
)

func TestWriteGoldenAndParse(t *testing.T) {
	for _, c := range fixture.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.Findings); err != nil {
				t.Fatal(err)
			}
			fixture.Golden(t, c.Name+".csv", buf.Bytes())
			rows, err := stdcsv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v", err)
			}
			if len(rows) != len(c.Findings)+1 {
				t.Fatalf("%d rows for %d findings", len(rows), len(c.Findings))
			}
			if diff := cmp.Diff(Header, rows[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			for i, f := range c.Findings {
				r := rows[i+1]
				if r[0] != f.AccountID || r[4] != f.Control.ID || r[10] != string(f.Status) {
					t.Errorf("row %d: %v", i+1, r[:11])
				}
			}
		})
	}
}

func TestRowQuotingAndFormulas(t *testing.T) {
	f := fixture.Org()[5]
	f.AccountName = "+sandbox"
	var buf bytes.Buffer
	if err := Write(&buf, []findings.Finding{f}); err != nil {
		t.Fatal(err)
	}
	rows, err := stdcsv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i, h := range Header {
		got[h] = rows[1][i]
	}
	want := map[string]string{
		"account_name":    "'+sandbox",
		"gaps":            "TRAIL_NOT_LOGGING; NO_CLOUDWATCH_LOGS",
		"details":         `TRAIL_NOT_LOGGING: trail sandbox, "quoted" <trail> is not logging; NO_CLOUDWATCH_LOGS: =the trail does not deliver to CloudWatch Logs; unknown: sns:ListSubscriptionsByTopic: throttled after 5 attempts`,
		"unknown_actions": "sns:ListSubscriptionsByTopic",
		"cis_v1_2":        "3.5",
		"security_hub":    "CloudWatch.5",
		"audited_at":      "2025-01-02T03:04:05Z",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "-x": "'-x", "@a": "'@a", "a=b": "a=b", "": ""} {
		if got := defuse(in); got != want {
			t.Errorf("defuse(%q) = %q, want %q", in, got, want)
		}
	}
}
