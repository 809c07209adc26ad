package verifycmd_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/evidence"
	"github.com/trailwatch/trailwatch/internal/verifycmd"
	"github.com/trailwatch/trailwatch/verify"
)

func auditEvidence(t *testing.T, name string) *audit.Report {
	t.Helper()
	c, err := evidence.Load(evidenceFile(name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := audit.Run(context.Background(), c, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The adapter takes the chain as far as the audit found it, and the
// audit's verdict as the first check.
func TestTargetsFromReport(t *testing.T) {
	trail := &verify.Trail{Name: "main-trail", ARN: evTrail, HomeRegion: "us-east-1"}
	filter := &verify.Filter{LogGroup: "cloudtrail-logs", Region: "us-east-1", Name: "cloudtrail-config-changes",
		Pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"}
	alarm := func(enabled bool) *verify.Alarm {
		return &verify.Alarm{Name: evAlarm, ARN: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cloudtrail-config-changes",
			Region: "us-east-1", ActionsEnabled: enabled, Topics: []string{evTopic}}
	}
	tests := []struct {
		file   string
		want   verify.Target
		status verify.Status
		detail string
	}{
		{"compliant", verify.Target{Trail: trail, Filter: filter, Alarm: alarm(true)}, verify.OK, "the chain is complete"},
		{"pending-subscription", verify.Target{Trail: trail, Filter: filter, Alarm: alarm(true)}, verify.Broken, "gaps: NO_CONFIRMED_SUBSCRIPTION"},
		{"alarm-not-notifying", verify.Target{Trail: trail, Filter: filter, Alarm: alarm(false)}, verify.Broken, "ALARM_NOT_NOTIFYING"},
		// The filter is gone; its alarm is still there and can be fired.
		{"no-metric-filter", verify.Target{Trail: trail, Alarm: alarm(true)}, verify.Broken, "NO_METRIC_FILTER"},
		{"no-trail", verify.Target{}, verify.Broken, "NO_MULTI_REGION_TRAIL"},
		{"denied", verify.Target{Trail: trail}, verify.Unknown, "could not tell: the audit could not read logs:DescribeMetricFilters"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ts, err := verifycmd.Targets(auditEvidence(t, tc.file), records)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 {
				t.Fatalf("%d targets", len(ts))
			}
			got := ts[0]
			if got.Control != verifycmd.ControlID || !strings.Contains(got.Title, "CloudWatch.5") {
				t.Errorf("control %q title %q", got.Control, got.Title)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(verify.Target{}, "Control", "Title", "Samples", "Prior")); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
			if len(got.Prior) != 1 || got.Prior[0].Name != verify.CheckAudit || got.Prior[0].Status != tc.status || !strings.Contains(got.Prior[0].Detail, tc.detail) {
				t.Errorf("audit check %+v, want %s with %q", got.Prior, tc.status, tc.detail)
			}
			if got.Fire {
				t.Error("the adapter marked the target to fire")
			}
			// Samples go with the filter: the five events must match,
			// CloudTrail's own reads must not.
			must, mustNot := map[string]bool{}, map[string]bool{}
			for _, s := range got.Samples {
				if s.MustMatch {
					must[s.Event] = true
				} else {
					mustNot[s.Event] = true
				}
			}
			if got.Filter != nil && (len(must) != 5 || len(mustNot) != 3) || got.Filter == nil && len(got.Samples) > 0 {
				t.Errorf("samples: must %v, must not %v", must, mustNot)
			}
		})
	}
}

func TestTargetsWithoutExamples(t *testing.T) {
	ts, err := verifycmd.Targets(auditEvidence(t, "compliant"), nil)
	if err != nil || len(ts) != 1 || len(ts[0].Samples) != 0 || ts[0].Filter == nil {
		t.Errorf("targets %+v, err %v; want the filter and no samples", ts, err)
	}
	none := func(string) []string { return nil }
	if _, err := verifycmd.Targets(auditEvidence(t, "compliant"), none); err == nil || !strings.Contains(err.Error(), "CreateTrail") {
		t.Errorf("examples without records: err %v, want one naming CreateTrail", err)
	}
}
