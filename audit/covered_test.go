package audit_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// A member account covered by the organization trail is judged by the
// chain in the account its log group names (issue 11), read there through
// Options.Reach; the central topic is read in its own account too.
func TestCoveredMember(t *testing.T) {
	cov := &audit.CoveredBy{TrailARN: fa.OrgTrailARN(), Account: fa.ManagementID, Region: fa.Home, Organization: true}
	via := func(c audit.CoveredBy) *audit.CoveredBy {
		c.Via = "arn:aws:iam::" + fa.ManagementID + ":user/auditor"
		return &c
	}
	tests := []struct {
		name    string
		mutate  func(*fa.Org)
		reach   func(*fa.Org) []*fa.Account
		want    summary
		covered *audit.CoveredBy
	}{
		{name: "no access to the management account", reach: func(o *fa.Org) []*fa.Account { return nil },
			want: summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"logs:DescribeMetricFilters@" + fa.ManagementID}}, covered: cov},
		{name: "role refused", reach: func(o *fa.Org) []*fa.Account { return []*fa.Account{o.Audit} },
			want: summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"logs:DescribeMetricFilters@" + fa.ManagementID, "sts:AssumeRole@" + fa.ManagementID}}, covered: cov},
		{name: "management and audit accounts reached", reach: func(o *fa.Org) []*fa.Account { return []*fa.Account{o.Management, o.Audit} },
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}, covered: via(*cov)},
		// Without the Audit account, the topic is read with the
		// management account's credentials, which its policy does not
		// let read it: unknown, never a gap.
		{name: "audit account not reached", reach: func(o *fa.Org) []*fa.Account { return []*fa.Account{o.Management} },
			mutate: func(o *fa.Org) {
				o.Management.Errors["GetTopicAttributes"] = fa.Denied("AuthorizationError")
				o.Management.Errors["ListSubscriptionsByTopic"] = fa.Denied("AuthorizationError")
			},
			want: summary{Verdict: "unknown", Chain: "PPPPPPUU", Unknown: []string{
				"sns:GetTopicAttributes@" + fa.AuditID, "sns:ListSubscriptionsByTopic@" + fa.AuditID}}, covered: via(*cov)},
		{name: "the management account's alarm deleted", reach: func(o *fa.Org) []*fa.Account { return []*fa.Account{o.Management, o.Audit} },
			mutate: func(o *fa.Org) { o.Management.Alarms = nil },
			want:   summary{Verdict: "gaps", Chain: "PPPPPMBB", Gaps: codes(audit.NoAlarm)}, covered: via(*cov)},
		{name: "the organization trail stopped", reach: func(o *fa.Org) []*fa.Account { return []*fa.Account{o.Management, o.Audit} },
			mutate: func(o *fa.Org) { o.Management.Status[fa.OrgTrailARN()].IsLogging = aws.Bool(false) },
			want:   summary{Verdict: "gaps", Chain: "PFPPPPPP", Gaps: codes(audit.TrailNotLogging)}, covered: via(*cov)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fa.Organization()
			if tt.mutate != nil {
				tt.mutate(o)
			}
			opts := audit.Options{}
			if accts := tt.reach(o); accts != nil {
				opts.Reach = o.Reach(accts...)
			}
			r, err := audit.Run(context.Background(), o.Member, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(r)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.covered, r.CoveredBy); diff != "" {
				t.Errorf("covered_by (-want +got):\n%s", diff)
			}
			if r.Account != fa.MemberID {
				t.Errorf("account %q, want the member's", r.Account)
			}
			// The log group is never looked up by name in the member.
			for _, c := range o.Member.Calls() {
				if c.Op == "DescribeMetricFilters" || c.Op == "DescribeAlarms" {
					t.Errorf("member account asked %s %s", c.Op, c.Key)
				}
			}
			if r.Compliant != nil && *r.Compliant {
				if r.Facts.LogGroup == nil || r.Facts.LogGroup.Name != fa.OrgLogGroup || r.Facts.LogGroup.Account != fa.ManagementID {
					t.Errorf("log group facts %+v, want %s of account %s", r.Facts.LogGroup, fa.OrgLogGroup, fa.ManagementID)
				}
				if r.Facts.Topic == nil || len(r.Facts.Topic.ConfirmedEndpoints) != 1 {
					t.Errorf("topic facts %+v, want the Security topic with its subscriber", r.Facts.Topic)
				}
			}
		})
	}
}

// Credentials that reach another account than the one asked for (a role
// ARN with the wrong account) never stand for the owner's chain.
func TestCoveredWrongAccount(t *testing.T) {
	o := fa.Organization()
	r := run(t, o.Member, audit.Options{Reach: func(context.Context, string) (audit.Clients, error) { return o.Audit, nil }})
	want := summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"logs:DescribeMetricFilters@" + fa.ManagementID, "sts:GetCallerIdentity@" + fa.ManagementID}}
	if diff := cmp.Diff(want, summarize(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The management account audited on its own is not covered by anyone: the
// chain is its own.
func TestOwnerNotCovered(t *testing.T) {
	o := fa.Organization()
	r := run(t, o.Management, audit.Options{Reach: o.Reach(o.Audit)})
	if diff := cmp.Diff(summary{Verdict: "compliant", Chain: "PPPPPPPP"}, summarize(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r.CoveredBy != nil {
		t.Errorf("covered_by %+v, want null", r.CoveredBy)
	}
}
