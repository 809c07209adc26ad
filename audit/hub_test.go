package audit_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// CIS 4.16: Security Hub enabled in the region, read with DescribeHub.
func TestSecurityHubControl(t *testing.T) {
	hub := control(t, "4.16")
	tests := []struct {
		name   string
		mutate func(*fa.Account)
		want   summary
	}{
		{name: "enabled", mutate: func(a *fa.Account) { a.Hubs = map[string]string{fa.Home: "2025-01-02T03:04:05.000Z"} },
			want: summary{Verdict: "compliant", Chain: "P"}},
		{name: "not enabled", mutate: func(*fa.Account) {},
			want: summary{Verdict: "gaps", Chain: "M", Gaps: codes(chain.SecurityHubNotEnabled)}},
		{name: "enabled in another region only", mutate: func(a *fa.Account) { a.Hubs = map[string]string{"eu-west-1": "2025-01-02T03:04:05.000Z"} },
			want: summary{Verdict: "gaps", Chain: "M", Gaps: codes(chain.SecurityHubNotEnabled)}},
		{name: "denied", mutate: func(a *fa.Account) { a.Errors["DescribeHub"] = fa.Denied("AccessDeniedException") },
			want: summary{Verdict: "unknown", Chain: "U", Unknown: []string{"securityhub:DescribeHub"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fa.Compliant()
			tt.mutate(a)
			r := run(t, a, audit.Options{Control: hub})
			if diff := cmp.Diff(tt.want, summarize(r)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if r.Control != "4.16" || r.Account != fa.AccountID {
				t.Errorf("control %q account %q", r.Control, r.Account)
			}
			var b bytes.Buffer
			if err := audit.WriteText(&b, r, false); err != nil || !strings.Contains(b.String(), "Security Hub") {
				t.Errorf("text: %v\n%s", err, b.String())
			}
		})
	}
}

// All sixteen at once: 4.16 beside the fifteen chains, none of its reads
// shared with theirs, the chains' shared links shown once.
func TestRunAllSixteen(t *testing.T) {
	a := allControls()
	a.Hubs = map[string]string{fa.Home: "2025-01-02T03:04:05.000Z"}
	m, err := audit.RunControls(context.Background(), a, chain.Controls(), audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Compliant == nil || !*m.Compliant || len(m.Reports) != 16 {
		t.Fatalf("compliant %v, %d reports", m.Compliant, len(m.Reports))
	}
	if len(m.Shared) != 4 {
		t.Errorf("%d shared links, want the trail's 4 (4.16 has none of them)", len(m.Shared))
	}
}
