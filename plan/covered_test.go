package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// A member whose chain lives in the management account gets no step: the
// gaps remain, and the note says where to fix them (issue 11).
func TestCoveredMemberPlansNothing(t *testing.T) {
	for name, mutate := range map[string]func(*fa.Org){
		"alarm deleted":  func(o *fa.Org) { o.Management.Alarms = nil },
		"filter deleted": func(o *fa.Org) { o.Management.Filters = nil },
		"subscription unconfirmed": func(o *fa.Org) {
			o.Audit.Subs[fa.SecurityTopicARN()] = nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			o := fa.Organization()
			mutate(o)
			r, err := audit.Run(context.Background(), o.Member, audit.Options{Reach: o.Reach(o.Management, o.Audit)})
			if err != nil {
				t.Fatal(err)
			}
			if r.CoveredBy == nil || r.Compliant == nil || *r.Compliant {
				t.Fatalf("want a covered member with gaps, got covered_by %+v compliant %v", r.CoveredBy, r.Compliant)
			}
			p, err := Build(r, Choices{Email: "secops@example.com"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var gaps []audit.Code
			for _, g := range r.Gaps {
				gaps = append(gaps, g.Code)
			}
			if diff := cmp.Diff(gaps, p.Remaining); diff != "" {
				t.Errorf("remaining (-gaps +remaining):\n%s", diff)
			}
			if len(p.Steps) != 0 {
				t.Errorf("%d steps, want none", len(p.Steps))
			}
			if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "run trailwatch fix with credentials for account "+fa.ManagementID) {
				t.Errorf("notes %q", p.Notes)
			}
		})
	}
}
