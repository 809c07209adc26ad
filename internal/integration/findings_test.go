package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// hubFindings rereads every finding in the account's Security Hub.
func hubFindings(t *testing.T, hub *securityhub.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("GetFindings: %v", err)
		}
		for _, f := range page.Findings {
			out[aws.ToString(f.Id)] = string(f.Compliance.Status)
		}
	}
	return out
}

// audit --security-hub imports the account's finding; after the gap is
// fixed, the rerun turns the same finding PASSED. The audit's own output and
// exit status are those of the verdict.
func TestAuditSecurityHubRoundTrip(t *testing.T) {
	e := newEnv(t)
	a := e.account()
	built := a.Chain(testaccount.Chain{NoSubscription: true})
	hub := securityhub.NewFromConfig(e.srv.Config(t, home))
	if _, err := hub.EnableSecurityHub(context.Background(), &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	id := "trailwatch/" + motoserver.Account + "/cis-4.5"

	res := e.run("audit", "--security-hub", "--output", "asff", "--endpoint-url", e.endpoint)
	if res.code != exitcode.Changes {
		t.Fatalf("exit %d, want 2 (gaps)\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "Security Hub: 1 finding(s) imported, 0 failed") {
		t.Errorf("stderr %q", res.stderr)
	}
	var doc struct{ Findings []struct{ Id string } }
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || len(doc.Findings) != 1 || doc.Findings[0].Id != id {
		t.Errorf("stdout is not the ASFF document for %s (%v):\n%s", id, err, res.stdout)
	}
	if got := hubFindings(t, hub); len(got) != 1 || got[id] != "FAILED" {
		t.Errorf("Security Hub holds %v, want %s FAILED", got, id)
	}

	a.Subscribe(home, built.TopicARN, "https", "https://hooks.example.com/fixed")
	res = e.run("audit", "--security-hub", "--endpoint-url", e.endpoint)
	if res.code != exitcode.OK || !strings.Contains(res.stdout, "Verdict") {
		t.Fatalf("after the fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if got := hubFindings(t, hub); len(got) != 1 || got[id] != "PASSED" {
		t.Errorf("Security Hub holds %v, want the same %s PASSED", got, id)
	}
}

// A refused import is an error naming the finding and the reason (exit 1),
// after the report was written in full.
func TestAuditSecurityHubImportDenied(t *testing.T) {
	e := newEnv(t)
	e.account().Chain(testaccount.Chain{})
	p := faultproxy.Start(t, e.srv.URL)
	p.Add(faultproxy.On("POST /findings/import").Every().Deny())
	e.endpoint = p.URL

	res := e.run("audit", "--security-hub", "--output", "csv", "--endpoint-url", e.endpoint)
	if res.code != exitcode.Error {
		t.Errorf("exit %d, want 1", res.code)
	}
	for _, want := range []string{
		"trailwatch: Security Hub import: 0 imported, 1 failed:",
		"trailwatch/" + motoserver.Account + "/cis-4.5 (account " + motoserver.Account + ", us-east-1): BatchImportFindings",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if !strings.HasPrefix(res.stdout, "account_id,") || !strings.Contains(res.stdout, ",passed,") {
		t.Errorf("the report was not written in full:\n%s", res.stdout)
	}
}
