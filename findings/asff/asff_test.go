package asff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/internal/fixture"
)

func TestWriteGolden(t *testing.T) {
	for _, c := range fixture.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.Findings); err != nil {
				t.Fatal(err)
			}
			fixture.Golden(t, c.Name+".json", buf.Bytes())
			var doc struct {
				Findings []map[string]any
			}
			dec := json.NewDecoder(&buf)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("not a JSON BatchImportFindings body: %v", err)
			}
			if len(doc.Findings) != len(c.Findings) {
				t.Errorf("%d findings for %d", len(doc.Findings), len(c.Findings))
			}
		})
	}
}

// Every finding respects the API's required attributes and limits.
func TestLimitsAndRequired(t *testing.T) {
	var all []findings.Finding
	for _, c := range fixture.Cases(t) {
		all = append(all, c.Findings...)
	}
	// A finding at every limit at once.
	big := fixture.Org()[5]
	big.AccountName = strings.Repeat("n", 80)
	big.Control.Title = strings.Repeat("t", 400)
	for range 40 {
		big.Resources = append(big.Resources, big.Resources[0])
		big.Gaps = append(big.Gaps, findings.Gap{Code: "NO_ALARM", Message: strings.Repeat("m", 3000)})
		big.Warnings = append(big.Warnings, findings.Warning{Code: "W", Message: "w"})
	}
	all = append(all, big)
	for i := range all {
		out, err := Findings(all[i : i+1])
		if err != nil {
			t.Fatal(err)
		}
		a := out[0]
		for name, v := range map[string]string{
			"Id": a.Id, "ProductArn": a.ProductArn, "GeneratorId": a.GeneratorId, "AwsAccountId": a.AwsAccountId,
			"CreatedAt": a.CreatedAt, "UpdatedAt": a.UpdatedAt, "Title": a.Title, "Description": a.Description,
			"SchemaVersion": a.SchemaVersion, "Remediation": a.Remediation.Recommendation.Text,
		} {
			if v == "" {
				t.Errorf("%s: %s is empty", a.Id, name)
			}
		}
		for name, n := range map[string]struct{ got, max int }{
			"Title": {utf8.RuneCountInString(a.Title), 256}, "Description": {utf8.RuneCountInString(a.Description), 1024},
			"AwsAccountName": {utf8.RuneCountInString(a.AwsAccountName), 50}, "Resources": {len(a.Resources), 32},
			"RelatedRequirements": {len(a.Compliance.RelatedRequirements), 32}, "ProductFields": {len(a.ProductFields), 50},
			"Remediation": {utf8.RuneCountInString(a.Remediation.Recommendation.Text), 512}, "Id": {len(a.Id), 512},
		} {
			if n.got > n.max {
				t.Errorf("%s: %s has %d, limit %d", a.Id, name, n.got, n.max)
			}
		}
		if len(a.Resources) == 0 || a.Resources[0].Type != "AwsAccount" || a.Resources[0].Id != "AWS::::Account:"+a.AwsAccountId {
			t.Errorf("%s: first resource %+v, want the account", a.Id, a.Resources)
		}
		for k, v := range a.ProductFields {
			if len(k) > 128 || utf8.RuneCountInString(v) > 2048 {
				t.Errorf("%s: product field %q too long", a.Id, k)
			}
		}
		if _, err := time.Parse(time.RFC3339, a.UpdatedAt); err != nil {
			t.Errorf("%s: UpdatedAt %q: %v", a.Id, a.UpdatedAt, err)
		}
		if !strings.Contains(a.Remediation.Recommendation.Text, "trailwatch fix") {
			t.Errorf("%s: remediation does not name trailwatch fix: %q", a.Id, a.Remediation.Recommendation.Text)
		}
	}
}

func TestStatusSeverityAndReasons(t *testing.T) {
	base := fixture.Org()[0]
	for _, tc := range []struct {
		status   findings.Status
		gaps     []findings.Gap
		unknown  []findings.UnknownRead
		want     string
		severity string
		reasons  []string
	}{
		{findings.Passed, nil, nil, "PASSED", "INFORMATIONAL", nil},
		{findings.Failed, []findings.Gap{{Code: "NO_ALARM", Message: "no alarm"}}, []findings.UnknownRead{{Action: "sns:GetTopicAttributes", Message: "denied"}}, "FAILED", "LOW", []string{"NO_ALARM", "UNKNOWN_READ"}},
		{findings.Unknown, nil, []findings.UnknownRead{{Action: "sns:GetTopicAttributes", Message: "denied"}}, "WARNING", "INFORMATIONAL", []string{"UNKNOWN_READ"}},
	} {
		f := base
		f.Status, f.Gaps, f.Unknown = tc.status, tc.gaps, tc.unknown
		out, err := Findings([]findings.Finding{f})
		if err != nil {
			t.Fatal(err)
		}
		a := out[0]
		var reasons []string
		for _, r := range a.Compliance.StatusReasons {
			reasons = append(reasons, r.ReasonCode)
		}
		if a.Compliance.Status != tc.want || a.FindingProviderFields.Severity.Label != tc.severity || strings.Join(reasons, ",") != strings.Join(tc.reasons, ",") {
			t.Errorf("%s: status %s severity %s reasons %v", tc.status, a.Compliance.Status, a.FindingProviderFields.Severity.Label, reasons)
		}
	}
}

// A rerun has the same Id and a later UpdatedAt, so Security Hub updates
// the finding; another account or control gets another Id.
func TestStableIDs(t *testing.T) {
	first := fixture.Org()
	second := fixture.Org()
	for i := range second {
		second[i].Time = second[i].Time.Add(time.Hour)
		second[i].Status, second[i].Gaps, second[i].Unknown = findings.Passed, nil, nil
	}
	a, err := Findings(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Findings(second)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for i := range a {
		if a[i].Id != b[i].Id || a[i].ProductArn != b[i].ProductArn {
			t.Errorf("rerun changed the identity: %s %s -> %s %s", a[i].Id, a[i].ProductArn, b[i].Id, b[i].ProductArn)
		}
		if b[i].UpdatedAt <= a[i].UpdatedAt {
			t.Errorf("rerun UpdatedAt %s not after %s", b[i].UpdatedAt, a[i].UpdatedAt)
		}
		ids[a[i].Id] = true
	}
	if len(ids) != len(a) {
		t.Errorf("%d distinct ids for %d findings", len(ids), len(a))
	}
	if got, want := a[0].Id, "trailwatch/111111111111/cis-4.5"; got != want {
		t.Errorf("Id %q, want %q", got, want)
	}
	if got, want := a[0].ProductArn, "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"; got != want {
		t.Errorf("ProductArn %q, want %q", got, want)
	}
}

func TestRefusesFindingWithoutAccount(t *testing.T) {
	fs := fixture.Org()
	fs[3].AccountID = ""
	var buf bytes.Buffer
	err := Write(&buf, fs)
	if err == nil || !strings.Contains(err.Error(), "trailwatch/unknown-account/cis-4.5 has no account id") {
		t.Errorf("error %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
}
