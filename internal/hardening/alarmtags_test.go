package hardening

import (
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// When the tags of an alarm on the metric cannot be read, plan treats the
// alarm as not trailwatch's (a new alarm beside it, never a change to it)
// and says so, naming the alarm and the denied action, rather than
// deciding silently.
func TestPlanSaysWhenAlarmTagsAreUnreadable(t *testing.T) {
	srv := motoserver.Shared(t)
	buildChain(t, srv, testaccount.Chain{AlarmDisabled: true})
	p := faultproxy.Start(t, srv.URL)
	p.Add(faultproxy.On("cloudwatch:ListTagsForResource").Deny())

	res := run(t, t.Context(), "plan", "--endpoint-url", p.URL)
	if res.code != 2 {
		t.Fatalf("exit %d, want 2 (steps pending)\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "could not read the tags of alarm") || !strings.Contains(res.stderr, "ListTagsForResource") {
		t.Errorf("stderr does not say the alarm's tags could not be read:\n%s", res.stderr)
	}
	if !strings.Contains(res.stdout, "+ create cloudwatch_metric_alarm") {
		t.Errorf("the plan should add an alarm beside the unreadable one:\n%s", res.stdout)
	}
}
