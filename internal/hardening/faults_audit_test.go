package hardening

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// A fault by name, so a table can cycle through them.
type faultKind struct {
	name  string
	apply func(*faultproxy.Rule) *faultproxy.Rule
	// words the unknown read's message contains once past the budget
	says string
}

var retryableFaults = []faultKind{
	{"throttle", (*faultproxy.Rule).Throttle, "rate exceeded"},
	{"503", func(r *faultproxy.Rule) *faultproxy.Rule { return r.Status(503) }, "503"},
	{"429", (*faultproxy.Rule).TooManyRequests, "too many requests"},
	{"reset", (*faultproxy.Rule).Reset, "connection reset"},
	{"500", func(r *faultproxy.Rule) *faultproxy.Rule { return r.Status(500) }, "500"},
}

// auditReads are the audit's operations, from the policy's single list.
func auditReads(t *testing.T) []string {
	t.Helper()
	actions, err := iampolicy.Actions(iampolicy.ModeAudit)
	if err != nil {
		t.Fatal(err)
	}
	return actions
}

// Issue 6, faults: throttling, 429, 5xx and resets on every read of the
// audit, each failing twice and then succeeding (within the SDK's retry
// budget), give the same report as no faults at all.
func TestAuditFaultsWithinRetryBudget(t *testing.T) {
	srv := motoserver.Shared(t)
	buildChain(t, srv, testaccount.Chain{KMSKey: true}) // encrypted: every read of the audit is made
	enableHub(t, srv)
	_, want := runAudit(t, pagedAlarms(t, srv).URL) // two pages of alarms: found by metric

	p := faultproxy.Start(t, srv.URL)
	p.PageAlarms(1)
	var rules []*faultproxy.Rule
	for i, action := range auditReads(t) {
		r := retryableFaults[i%len(retryableFaults)].apply(faultproxy.On(action).First(2))
		rules = append(rules, r)
		p.Add(r)
	}
	res, got := runAudit(t, p.URL)
	if res.code != 0 || verdict(got) != "compliant" {
		t.Errorf("exit %d, verdict %s; want 0, compliant as without faults\n%s", res.code, verdict(got), res.stderr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report under faults differs from the one without (-without +with):\n%s", diff)
	}
	if res, hub := runAudit(t, p.URL, controlArgs(hubRead)...); res.code != 0 || verdict(hub) != "compliant" {
		t.Errorf("CIS 4.16 under faults: exit %d, verdict %s\n%s", res.code, verdict(hub), res.stderr)
	}
	for i, r := range rules {
		if r.Fired() != 2 {
			t.Errorf("%s: fault fired %d times, want 2 (was the operation called?)", auditReads(t)[i], r.Fired())
		}
	}
}

// Issue 6, faults: past the retry budget a read is unknown: the audit names
// the action and reports no gap. Every read of the audit, each with one of
// the retryable faults on every attempt. The runs call audit.Run in parallel
// (the command line is not safe to run concurrently: urfave/cli's help flag
// is package state) with the SDK's standard retryer and awsx's budget of
// attempts but no backoff; TestAuditThrottledPastBudgetExits1 runs the real
// command once.
func TestAuditFaultsPastRetryBudget(t *testing.T) {
	srv := motoserver.Shared(t)
	c := buildChain(t, srv, testaccount.Chain{KMSKey: true}) // encrypted: every read of the audit is made
	enableHub(t, srv)
	pagedAlarms(t, srv) // a second alarm; each run's proxy pages them
	resource := map[string]string{
		"cloudtrail:GetTrailStatus":    c.TrailName,
		"cloudtrail:GetEventSelectors": c.TrailName,
		"logs:DescribeMetricFilters":   c.LogGroup,
		"sns:GetTopicAttributes":       c.TopicARN,
		"sns:ListSubscriptionsByTopic": c.TopicARN,
	}
	for i, action := range auditReads(t) {
		for j := range 2 {
			fault := retryableFaults[(i+j)%len(retryableFaults)]
			t.Run(fmt.Sprintf("%s/%s", action, fault.name), func(t *testing.T) {
				t.Parallel()
				p := faultproxy.Start(t, srv.URL)
				p.PageAlarms(1)
				rule := fault.apply(faultproxy.On(action))
				p.Add(rule)
				opts := audit.Options{}
				if action == hubRead {
					hub, err := chain.ControlFor("4.16")
					if err != nil {
						t.Fatal(err)
					}
					opts.Control = hub
				}
				r, err := audit.Run(t.Context(), fastRetryClients(t, srv, p.URL), opts)
				if err != nil {
					t.Fatalf("audit.Run: %v", err)
				}
				if got := rule.Fired(); got%awsx.DefaultRetryMaxAttempts != 0 || got == 0 {
					t.Errorf("fault fired %d times, want a multiple of the %d attempts", got, awsx.DefaultRetryMaxAttempts)
				}
				if len(r.Gaps) != 0 {
					t.Errorf("a failed read became gaps %+v", r.Gaps)
				}
				if fallbackReads[action] {
					if r.Compliant == nil || !*r.Compliant || len(r.Unknown) != 0 {
						t.Errorf("a failed %s: compliant %v, unknown %+v; want compliant from the whole listing", action, r.Compliant, r.Unknown)
					}
					return
				}
				if factReads[action] {
					if r.Compliant == nil || !*r.Compliant || !slices.ContainsFunc(r.Warnings, func(w audit.Warning) bool {
						return w.Code == audit.WarnTagsUnread && strings.Contains(w.Message, action)
					}) {
						t.Errorf("a failed %s: compliant %v, warnings %+v; want compliant and a TAGS_UNREAD warning naming it", action, r.Compliant, r.Warnings)
					}
					return
				}
				if action != "sts:GetCallerIdentity" && r.Compliant != nil {
					t.Errorf("compliant = %v, want unknown (nil)", *r.Compliant)
				}
				var named bool
				for _, u := range r.Unknown {
					if u.Action != action {
						continue
					}
					named = true
					if !strings.Contains(u.Resource, resource[action]) {
						t.Errorf("unknown read %s names resource %q, want %q", action, u.Resource, resource[action])
					}
					if !strings.Contains(strings.ToLower(u.Message), fault.says) {
						t.Errorf("unknown read %s: message %q does not say %q", action, u.Message, fault.says)
					}
				}
				if !named {
					t.Errorf("no unknown read names %s: %+v", action, r.Unknown)
				}
			})
		}
	}
}

// fastRetryClients are the audit's clients through endpoint with awsx's
// retry budget and no backoff between attempts.
func fastRetryClients(t *testing.T, srv *motoserver.Server, endpoint string) audit.Clients {
	t.Helper()
	cfg := srv.Config(t, home)
	cfg.BaseEndpoint = aws.String(endpoint)
	cfg.RetryMaxAttempts = 0 // the retryer below decides
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = awsx.DefaultRetryMaxAttempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	return awsx.FromConfig(cfg).AuditClients()
}

// Issue 6, faults: the command itself, with real backoff, on one read
// throttled past the budget: exit 1, the action named, no gap.
func TestAuditThrottledPastBudgetExits1(t *testing.T) {
	srv := motoserver.Shared(t)
	c := buildChain(t, srv, testaccount.Chain{KMSKey: true}) // encrypted: every read of the audit is made
	p := faultproxy.Start(t, srv.URL)
	p.Add(faultproxy.On("cloudtrail:GetTrailStatus").Throttle())
	res, r := runAudit(t, p.URL)
	checkDenied(t, res, r, "cloudtrail:GetTrailStatus", c.TrailName, "rate exceeded")
}

// With no answer at all from sts:GetCallerIdentity the run stops before the
// audit with an error naming the call, exit 1.
func TestAuditIdentityUnreachable(t *testing.T) {
	srv := motoserver.Shared(t)
	p := faultproxy.Start(t, srv.URL)
	p.Add(faultproxy.On("sts:GetCallerIdentity").Reset())
	res := run(t, t.Context(), "audit", "--endpoint-url", p.URL)
	if res.code != 1 || !strings.Contains(res.stderr, "GetCallerIdentity") {
		t.Errorf("exit %d, stderr %q; want 1 and the call named", res.code, res.stderr)
	}
	for _, c := range p.Calls() {
		if c.Service != "sts" {
			t.Errorf("the audit went on to call %s", c.Action())
		}
	}
}

// hubRead is CIS 4.16's one read, made only by an audit of that control.
const hubRead = "securityhub:DescribeHub"

// controlArgs are the audit's arguments that make action's read.
func controlArgs(action string) []string {
	if action == hubRead {
		return []string{"--control", "4.16"}
	}
	return nil
}

// enableHub turns Security Hub on in srv's account, so CIS 4.16 passes.
func enableHub(t *testing.T, srv *motoserver.Server) {
	t.Helper()
	if _, err := securityhub.NewFromConfig(srv.Config(t, home)).EnableSecurityHub(t.Context(), &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatalf("EnableSecurityHub: %v", err)
	}
}
