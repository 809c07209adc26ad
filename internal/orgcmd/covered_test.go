package orgcmd_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/orgcmd"
	"github.com/trailwatch/trailwatch/internal/term"
)

// The organization trail's chain is audited once, in the management
// account, and every member it covers is judged by that report (issue 11):
// the owner's log group is read twice (the management account's own audit,
// and the covering chain's), whatever the number of members.
func TestCoveringChainAuditedOnce(t *testing.T) {
	for _, members := range []int{1, 20} {
		t.Run(fmt.Sprint(members), func(t *testing.T) {
			accounts := []org.Account{{ID: mgmt, Name: "management"}}
			for i := range members {
				accounts = append(accounts, org.Account{ID: fmt.Sprintf("7000000000%02d", i), Name: "member"})
			}
			var mu sync.Mutex
			var fakes []*fa.Account
			build := func(id string) *fa.Account {
				a := chainFor(id)
				if id == mgmt {
					addOrgChain(a)
				} else {
					tr := fa.NewTrail(fa.Home, mgmt, "org-trail", orgLogGroup)
					tr.IsOrganizationTrail = aws.Bool(true)
					a.Trails = []cttypes.Trail{tr}
					a.Status = map[string]*cloudtrail.GetTrailStatusOutput{*tr.TrailARN: {IsLogging: aws.Bool(true)}}
					a.Filters, a.Alarms, a.Topics, a.Subs = nil, nil, nil, nil
				}
				mu.Lock()
				fakes = append(fakes, a)
				mu.Unlock()
				return a
			}
			e := fakeEstate(accounts, build, nil, 0)
			io, _, _, _ := term.Test(false)
			rs := orgcmd.AuditAccounts(context.Background(), e, orgcmd.Options{IO: io, Concurrency: 4})
			for _, r := range rs {
				if r.Verdict != orgcmd.Compliant {
					t.Errorf("%s: %s (%s)", r.Account.ID, r.Verdict, r.Error)
				}
				if r.Account.ID != mgmt && (r.CoveredBy == nil || r.CoveredBy.Account != mgmt) {
					t.Errorf("%s: covered_by %+v, want the management account's trail", r.Account.ID, r.CoveredBy)
				}
			}
			reads := 0
			for _, a := range fakes {
				for _, c := range a.Calls() {
					if c.Op == "DescribeMetricFilters" && strings.Contains(c.Key, orgLogGroup) {
						reads++
					}
				}
			}
			if reads != 2 {
				t.Errorf("the organization trail's log group was read %d times for %d members, want 2", reads, members)
			}
		})
	}
}
