package findings

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
)

func TestRequirementsAndStandards(t *testing.T) {
	want := []string{
		"CIS AWS Foundations Benchmark v1.2.0/3.5",
		"CIS AWS Foundations Benchmark v1.4.0/4.5",
		"CIS AWS Foundations Benchmark v1.5.0/4.5",
		"CIS AWS Foundations Benchmark v2.0.0/4.5",
		"CIS AWS Foundations Benchmark v3.0.0/4.5",
		"CIS AWS Foundations Benchmark v4.0.0/4.5",
		"CIS AWS Foundations Benchmark v5.0.0/4.5",
		"CIS AWS Foundations Benchmark v6.0.0/5.5",
		"AWS Security Hub/CloudWatch.5",
	}
	if diff := cmp.Diff(want, CloudTrailChanges.Requirements()); diff != "" {
		t.Errorf("Requirements (-want +got):\n%s", diff)
	}
	// A control missing from some catalogues lists only the others.
	c := Control{ID: "cis-4.15", Title: "t", CISv14: "4.15", Severity: Low}
	if got := c.Requirements(); len(got) != 6 || !strings.HasSuffix(got[0], "v1.4.0/4.15") {
		t.Errorf("Requirements of a v1.4–v5-only control: %v", got)
	}
	if got := c.Label(); got != "CIS 4.15" {
		t.Errorf("Label %q", got)
	}
	if got := CloudTrailChanges.Standards(); len(got) != 8 || got[0] != "CIS AWS Foundations Benchmark v1.2.0" {
		t.Errorf("Standards %v", got)
	}
}

func valid() Finding {
	return Finding{
		AccountID: "111122223333", Region: "us-east-1", Control: CloudTrailChanges, Status: Failed,
		Gaps: []Gap{{Code: "NO_ALARM", Message: "no alarm"}}, Time: time.Unix(1, 0),
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(f *Finding)
		want   string // "" means valid
	}{
		{"valid", func(*Finding) {}, ""},
		{"unknown account is allowed", func(f *Finding) { f.AccountID = "" }, ""},
		{"bad account", func(f *Finding) { f.AccountID = "1234" }, `account id "1234" is not 12 digits`},
		{"no region", func(f *Finding) { f.Region = "" }, "no region"},
		{"bad partition", func(f *Finding) { f.Partition = "aws-moon" }, `unknown partition "aws-moon"`},
		{"failed without gap", func(f *Finding) { f.Gaps = nil }, "failed without a gap"},
		{"passed with gap", func(f *Finding) { f.Status = Passed }, "passed with gaps"},
		{"unknown without read", func(f *Finding) { f.Status = Unknown }, "unknown without an unknown read"},
		{"bad status", func(f *Finding) { f.Status = "ok" }, `status "ok"`},
		{"bad control id", func(f *Finding) { f.Control.ID = "CIS 4.5" }, `control id "CIS 4.5"`},
		{"no catalogue", func(f *Finding) { f.Control = Control{ID: "x", Title: "x", Severity: Low} }, "control in no catalogue"},
		{"bad severity", func(f *Finding) { f.Control.Severity = "low" }, `control severity "low"`},
		{"no time", func(f *Finding) { f.Time = time.Time{} }, "no audit time"},
		{"resource without id", func(f *Finding) { f.Resources = []Resource{{Type: Trail}} }, "a resource without a type or id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := valid()
			tc.mutate(&f)
			err := Validate([]Finding{f})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := Validate([]Finding{valid(), valid()}); err == nil || !strings.Contains(err.Error(), "findings 1 and 2 are both trailwatch/111122223333/cis-4.5") {
		t.Errorf("duplicate: %v", err)
	}
}

func TestRemediationNamesFixAndFitsSecurityHub(t *testing.T) {
	f := valid()
	for range 200 {
		f.Gaps = append(f.Gaps, Gap{Code: "NO_CONFIRMED_SUBSCRIPTION", Message: "m"})
	}
	for _, st := range []Status{Passed, Failed, Unknown} {
		g := f
		g.Status = st
		if st == Unknown {
			g.Unknown = []UnknownRead{{Action: "sns:ListSubscriptionsByTopic", Message: "denied"}, {Action: "sns:ListSubscriptionsByTopic", Message: "denied"}}
		}
		r := g.Remediation()
		if !strings.Contains(r, "trailwatch fix --region us-east-1") || len([]rune(r)) > 512 {
			t.Errorf("%s: %d runes: %q", st, len([]rune(r)), r)
		}
		if st == Unknown && strings.Count(r, "sns:ListSubscriptionsByTopic") != 1 {
			t.Errorf("unknown: each action once: %q", r)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ééé", 2, "é…"}, {"x", 0, ""}} {
		if got := Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestFromReport(t *testing.T) {
	no := false
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	r := &audit.Report{
		Account: "222222222222", Region: "eu-west-1", Compliant: &no,
		Gaps:     []audit.Gap{{Code: audit.NoAlarm, Message: "no alarm", Resource: "CT"}},
		Warnings: []audit.Warning{{Code: audit.WarnNotLiteral, Message: "not literal"}},
		Unknown:  []audit.UnknownRead{{Link: audit.LinkSubscription, API: "ListSubscriptionsByTopic", Action: "sns:ListSubscriptionsByTopic", Resource: "arn:aws:sns:eu-west-1:111111111111:t", Account: "111111111111", Message: "denied"}},
		Facts: audit.Facts{
			Trail: &audit.TrailFacts{
				Name: "org", ARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", HomeRegion: "us-east-1",
				Owner: "111111111111", Organization: true,
			},
			LogGroup: &audit.LogGroupFacts{LogGroup: chain.LogGroup{Name: "g", Region: "us-east-1", Account: "111111111111", ARN: "arn:aws:logs:us-east-1:111111111111:log-group:g:*"}},
			Filter:   &chain.Filter{Name: "f"},
			Alarm:    &chain.Alarm{Name: "a", ARN: "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a"},
			Topic:    &chain.Topic{ARN: "arn:aws:sns:us-east-1:111111111111:t"},
			// An alarm outside the reported chain is not one of its resources.
			Alarms: []chain.Alarm{{Name: "other", ARN: "arn:aws:cloudwatch:us-east-1:111111111111:alarm:other"}},
		},
		CoveredBy: &audit.CoveredBy{TrailARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", Account: "111111111111", Region: "us-east-1", Organization: true},
	}
	want := []Finding{{
		AccountID: "222222222222", Region: "eu-west-1", Partition: "aws", Control: CloudTrailChanges, Status: Failed,
		Gaps:     []Gap{{Code: "NO_ALARM", Message: "no alarm", Resource: "CT"}},
		Warnings: []Warning{{Code: "NOT_LITERAL_CIS_PATTERN", Message: "not literal"}},
		Unknown:  []UnknownRead{{Link: "subscription", API: "ListSubscriptionsByTopic", Action: "sns:ListSubscriptionsByTopic", Resource: "arn:aws:sns:eu-west-1:111111111111:t", Account: "111111111111", Message: "denied"}},
		Resources: []Resource{
			{Type: Trail, ID: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", Name: "org", Region: "us-east-1", Account: "111111111111"},
			{Type: LogGroup, ID: "arn:aws:logs:us-east-1:111111111111:log-group:g", Name: "g", Region: "us-east-1", Account: "111111111111"},
			{Type: MetricFilter, ID: "arn:aws:logs:us-east-1:111111111111:log-group:g:metric-filter:f", Name: "f", Region: "us-east-1", Account: "111111111111"},
			{Type: Alarm, ID: "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a", Name: "a", Region: "us-east-1", Account: "111111111111"},
			{Type: Topic, ID: "arn:aws:sns:us-east-1:111111111111:t", Name: "t", Region: "us-east-1", Account: "111111111111"},
		},
		CoveredBy:   &Coverage{TrailARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org", Account: "111111111111", Region: "us-east-1"},
		Time:        at.UTC(),
		ToolVersion: "v1",
	}}
	got := FromReport(r, at, "v1")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromReport (-want +got):\n%s", diff)
	}
	if err := Validate(got); err != nil {
		t.Errorf("FromReport output invalid: %v", err)
	}

	// Compliant and unknown verdicts; a missing log group is not a resource;
	// partition from the region when there is no ARN.
	yes := true
	for _, tc := range []struct {
		compliant *bool
		region    string
		want      Status
		partition string
	}{{&yes, "us-east-1", Passed, "aws"}, {nil, "cn-north-1", Unknown, "aws-cn"}, {&no, "us-gov-west-1", Failed, "aws-us-gov"}, {&no, "us-iso-east-1", Failed, "aws-iso"}, {&yes, "eu-isoe-west-1", Passed, "aws-iso-e"}} {
		r := &audit.Report{Account: "222222222222", Region: tc.region, Compliant: tc.compliant,
			Facts: audit.Facts{LogGroup: &audit.LogGroupFacts{Missing: true}}}
		f := FromReport(r, at, "v1")[0]
		if f.Status != tc.want || f.Partition != tc.partition || len(f.Resources) != 0 || f.CoveredBy != nil {
			t.Errorf("%v/%s: status %s partition %s resources %v", tc.compliant, tc.region, f.Status, f.Partition, f.Resources)
		}
	}
}
