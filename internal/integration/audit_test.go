package integration

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// The gap codes in chain order.
var chainCodes = []string{
	"NO_MULTI_REGION_TRAIL",
	"TRAIL_NOT_LOGGING",
	"MANAGEMENT_EVENTS_NOT_CAPTURED",
	"NO_CLOUDWATCH_LOGS",
	"NO_METRIC_FILTER",
	"NO_ALARM",
	"ALARM_NOT_NOTIFYING",
	"NO_CONFIRMED_SUBSCRIPTION",
}

// upstream returns the codes of the links before code: a state broken at
// code must not report them.
func upstream(code string) []string {
	return chainCodes[:slices.Index(chainCodes, code)]
}

const coveringNotLiteral = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) || ($.eventName = PutEventSelectors) }`

const missesStopLogging = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }`

// auditState is an account state the audit is checked on (and fix, in
// TestPlanAndApplyAgree).
type auditState struct {
	name  string
	build func(a *testaccount.Account)
	proxy bool     // audit through pendingProxy
	args  []string // extra audit flags
	want  []string // gap codes that must be reported; none means compliant
	warn  bool     // at least one warning
}

// auditStates: since every link is judged on its own, each state broken in
// one place has exactly one gap.
func auditStates() []auditState {
	return []auditState{
		{name: "compliant", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{}) }},
		{name: "compliant with advanced selectors", build: func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{Advanced: []cttypes.AdvancedEventSelector{{
				Name:           aws.String("management"),
				FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}},
			}}})
		}},
		{name: "compliant with an explicit basic selector", build: func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{Selectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll}}})
		}},
		{name: "empty account", build: func(a *testaccount.Account) {}, want: []string{"NO_MULTI_REGION_TRAIL"}},
		{name: "only a single-region trail", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{SingleRegion: true}) }, want: []string{"NO_MULTI_REGION_TRAIL"}},
		{name: "trail not logging", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{NotLogging: true}) },
			want: []string{"TRAIL_NOT_LOGGING"}},
		{name: "management events excluded", build: func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{Selectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll,
				DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}})
		}, want: []string{"MANAGEMENT_EVENTS_NOT_CAPTURED"}},
		{name: "management write events only", build: func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{Selectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly}}})
		}, want: []string{"MANAGEMENT_EVENTS_NOT_CAPTURED"}},
		{name: "advanced selectors capture only reads", build: func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{Advanced: []cttypes.AdvancedEventSelector{{
				Name: aws.String("reads"),
				FieldSelectors: []cttypes.AdvancedFieldSelector{
					{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
					{Field: aws.String("readOnly"), Equals: []string{"true"}},
				},
			}}})
		}, want: []string{"MANAGEMENT_EVENTS_NOT_CAPTURED"}},
		{name: "no CloudWatch Logs delivery", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{NoLogs: true}) }, want: []string{"NO_CLOUDWATCH_LOGS"}},
		{name: "no metric filter", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{NoFilter: true}) }, want: []string{"NO_METRIC_FILTER"}},
		{name: "filter misses StopLogging", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{Pattern: missesStopLogging}) }, want: []string{"NO_METRIC_FILTER"}},
		{name: "covering non-literal filter passes with a warning", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{Pattern: coveringNotLiteral}) }, warn: true},
		{name: "covering non-literal filter fails --strict", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{Pattern: coveringNotLiteral}) },
			args: []string{"--strict"}, want: []string{"NO_METRIC_FILTER"}},
		{name: "literal filter passes --strict", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{}) }, args: []string{"--strict"}},
		{name: "no alarm", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{NoAlarm: true}) }, want: []string{"NO_ALARM"}},
		{name: "alarm on another metric", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{AlarmMetric: "SomethingElse"}) }, want: []string{"NO_ALARM"}},
		{name: "alarm actions disabled", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{AlarmDisabled: true}) }, want: []string{"ALARM_NOT_NOTIFYING"}},
		{name: "alarm without actions", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{NoAlarmActions: true}) }, want: []string{"ALARM_NOT_NOTIFYING"}},
		{name: "topic encrypted with alias/aws/sns", build: func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{TopicAttrs: map[string]string{"KmsMasterKeyId": "alias/aws/sns"}})
		}, want: []string{"ALARM_NOT_NOTIFYING"}},
		{name: "topic without subscriptions", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{NoSubscription: true}) },
			want: []string{"NO_CONFIRMED_SUBSCRIPTION"}},
		{name: "only a pending subscription", build: func(a *testaccount.Account) { a.Chain(testaccount.Chain{SubEndpoint: "pending@example.com"}) },
			proxy: true, want: []string{"NO_CONFIRMED_SUBSCRIPTION"}},
		{name: "a pending and a confirmed subscription", build: func(a *testaccount.Account) {
			c := a.Chain(testaccount.Chain{SubEndpoint: "pending@example.com"})
			a.Subscribe(home, c.TopicARN, "https", "https://hooks.example.com/confirmed")
		}, proxy: true},
	}
}

func TestAuditStates(t *testing.T) {
	for _, tc := range auditStates() {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.build(e.account())
			if tc.proxy {
				e.endpoint = pendingProxy(t, e.srv.URL)
			}
			res, r := e.audit(tc.args...)
			codes := r.codes()
			if len(tc.want) == 0 {
				if res.code != 0 || r.verdict() != "compliant" {
					t.Fatalf("want compliant, exit 0; got %s, exit %d, gaps %v, unknown %v\nstderr: %s", r.verdict(), res.code, r.Gaps, r.Unknown, res.stderr)
				}
			} else {
				if res.code != 2 || r.verdict() != "gaps" {
					t.Fatalf("want gaps, exit 2; got %s, exit %d, gaps %v, unknown %v\nstderr: %s", r.verdict(), res.code, codes, r.Unknown, res.stderr)
				}
				for _, w := range tc.want {
					if !contains(codes, w) {
						t.Errorf("gaps %v lack %s", codes, w)
					}
					for _, up := range upstream(w) {
						if contains(codes, up) && !contains(tc.want, up) {
							t.Errorf("gaps %v report %s, upstream of the broken link %s", codes, up, w)
						}
					}
				}
				// One cause, one gap: every other link is passed or blocked.
				if diff := cmp.Diff(tc.want, codes); diff != "" {
					t.Errorf("gap codes (-want +got):\n%s", diff)
				}
				for _, g := range r.Gaps {
					if g.Message == "" {
						t.Errorf("gap %s has no message", g.Code)
					}
				}
			}
			if len(r.Unknown) != 0 {
				t.Errorf("unknown reads against moto: %v", r.Unknown)
			}
			if tc.warn && len(r.Warnings) == 0 {
				t.Errorf("no warning; want one")
			}
			if r.Account != "123456789012" {
				t.Errorf("account = %q", r.Account)
			}
			if res.stderr != "" {
				t.Errorf("stderr: %s", res.stderr)
			}
		})
	}
}

func TestAuditSeveralTrails(t *testing.T) {
	t.Run("any complete chain wins", func(t *testing.T) {
		e := newEnv(t)
		a := e.account()
		a.Chain(testaccount.Chain{Prefix: "a", NoAlarm: true})
		a.Chain(testaccount.Chain{Prefix: "b"})
		a.Chain(testaccount.Chain{Prefix: "c", NotLogging: true})
		res, r := e.audit()
		if res.code != 0 || r.verdict() != "compliant" {
			t.Fatalf("exit %d, %s, gaps %v", res.code, r.verdict(), r.codes())
		}
	})
	t.Run("the chain closest to complete is reported, deterministically", func(t *testing.T) {
		e := newEnv(t)
		a := e.account()
		a.Chain(testaccount.Chain{Prefix: "a", NoFilter: true})
		a.Chain(testaccount.Chain{Prefix: "b", NoSubscription: true})
		a.Chain(testaccount.Chain{Prefix: "c", NoLogs: true})
		res, r := e.audit()
		if res.code != 2 {
			t.Fatalf("exit %d, want 2; %s", res.code, res.stderr)
		}
		if diff := cmp.Diff([]string{"NO_CONFIRMED_SUBSCRIPTION"}, r.codes()); diff != "" {
			t.Errorf("gap codes (-want +got):\n%s", diff)
		}
		again, _ := e.audit()
		if again.stdout != res.stdout {
			t.Errorf("second audit differs:\n%s", cmp.Diff(res.stdout, again.stdout))
		}
	})
	t.Run("a complete chain on a single-region trail does not count", func(t *testing.T) {
		e := newEnv(t)
		a := e.account()
		a.Chain(testaccount.Chain{Prefix: "single", SingleRegion: true})
		a.Chain(testaccount.Chain{Prefix: "multi", NoLogs: true})
		res, r := e.audit()
		if res.code != 2 || !contains(r.codes(), "NO_CLOUDWATCH_LOGS") || contains(r.codes(), "NO_MULTI_REGION_TRAIL") {
			t.Errorf("exit %d, gaps %v; want NO_CLOUDWATCH_LOGS for the multi-region trail", res.code, r.codes())
		}
	})
}

// A trail is read in its home region, whatever --region says.
func TestAuditTrailHomedInAnotherRegion(t *testing.T) {
	e := newEnv(t)
	a := e.account()
	a.Chain(testaccount.Chain{Region: "eu-west-1", Prefix: "eu"})
	for _, region := range []string{"us-east-1", "ap-southeast-2"} {
		res, r := e.audit("--region", region)
		if res.code != 0 || r.verdict() != "compliant" {
			t.Errorf("--region %s: exit %d, %s, gaps %v, unknown %v, stderr %s", region, res.code, r.verdict(), r.codes(), r.Unknown, res.stderr)
		}
	}
	// The region can come from the environment too.
	t.Setenv("AWS_REGION", "eu-central-1")
	if res, r := e.audit(); res.code != 0 {
		t.Errorf("AWS_REGION=eu-central-1: exit %d, gaps %v", res.code, r.codes())
	}
}

// A trail homed elsewhere whose chain is broken there is reported as broken.
func TestAuditBrokenChainInAnotherRegion(t *testing.T) {
	e := newEnv(t)
	e.account().Chain(testaccount.Chain{Region: "eu-west-1", Prefix: "eu", NoAlarm: true})
	res, r := e.audit("--region", "us-west-2")
	if res.code != 2 || !contains(r.codes(), "NO_ALARM") {
		t.Errorf("exit %d, gaps %v; want NO_ALARM", res.code, r.codes())
	}
}

// --evidence-out saves what the audit read; --evidence replays it with no
// AWS access and reaches the same verdict.
func TestEvidenceRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(a *testaccount.Account)
		code  int
	}{
		{"compliant", func(a *testaccount.Account) { a.Chain(testaccount.Chain{}) }, 0},
		{"gap", func(a *testaccount.Account) { a.Chain(testaccount.Chain{NoAlarm: true}) }, 2},
		{"several trails", func(a *testaccount.Account) {
			a.Chain(testaccount.Chain{Prefix: "a", Region: "eu-west-1", NoSubscription: true})
			a.Chain(testaccount.Chain{Prefix: "b", Pattern: missesStopLogging})
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.build(e.account())
			file := filepath.Join(t.TempDir(), "evidence.json")
			live, liveReport := e.audit("--evidence-out", file)
			if live.code != tc.code {
				t.Fatalf("live audit: exit %d, want %d; gaps %v; stderr %s", live.code, tc.code, liveReport.codes(), live.stderr)
			}
			if _, err := os.Stat(file); err != nil {
				t.Fatalf("no evidence file: %v", err)
			}
			// No AWS at all: the endpoint is a closed port.
			t.Setenv("AWS_ENDPOINT_URL", closedPort(t))
			offline := e.run("audit", "--output", "json", "--evidence", file)
			if offline.code != live.code {
				t.Errorf("offline exit %d, live %d; stderr %s", offline.code, live.code, offline.stderr)
			}
			offReport := decodeReport(t, offline)
			if diff := cmp.Diff(liveReport, offReport); diff != "" {
				t.Errorf("offline report differs from the live one (-live +offline):\n%s", diff)
			}
			if offline.stdout != live.stdout {
				t.Errorf("offline JSON differs from the live JSON:\n%s", cmp.Diff(live.stdout, offline.stdout))
			}
		})
	}
}

// The default output is text, and its exit status follows the verdict.
func TestAuditText(t *testing.T) {
	e := newEnv(t)
	e.account().Chain(testaccount.Chain{NoSubscription: true})
	res := e.run("audit", "--endpoint-url", e.endpoint)
	t.Logf("text output:\n%s", res.stdout)
	if res.code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "NO_CONFIRMED_SUBSCRIPTION") && !strings.Contains(strings.ToLower(res.stdout), "subscription") {
		t.Errorf("text output does not mention the subscription:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout, "\x1b[") {
		t.Errorf("colour on a non-terminal:\n%q", res.stdout)
	}
}

// Colour only on a terminal, and never with --no-color or in JSON.
func TestAuditColour(t *testing.T) {
	e := newEnv(t)
	e.account().Chain(testaccount.Chain{NoAlarm: true})
	const esc = "\x1b["
	if res := e.runIO(true, "audit", "--endpoint-url", e.endpoint); res.code != 2 || !strings.Contains(res.stdout, esc) {
		t.Errorf("terminal: exit %d, no colour in:\n%s", res.code, res.stdout)
	}
	if res := e.runIO(true, "audit", "--endpoint-url", e.endpoint, "--no-color"); res.code != 2 || strings.Contains(res.stdout, esc) {
		t.Errorf("--no-color: exit %d, colour in:\n%q", res.code, res.stdout)
	}
	if res := e.runIO(true, "audit", "--endpoint-url", e.endpoint, "-o", "json"); res.code != 2 || strings.Contains(res.stdout, esc) {
		t.Errorf("json on a terminal: exit %d, colour in:\n%q", res.code, res.stdout)
	}
}

func TestAuditThroughAssumedRole(t *testing.T) {
	e := newEnv(t)
	const role = "arn:aws:iam::111122223333:role/trailwatch-audit"
	f, err := awsx.Load(context.Background(), awsx.Settings{AssumeRoleARN: role})
	if err != nil {
		t.Fatal(err)
	}
	other := e.accountFrom(f)
	if other.ID != "111122223333" {
		t.Fatalf("assumed role's account = %s", other.ID)
	}
	other.Chain(testaccount.Chain{})

	res, r := e.audit("--assume-role", role, "--external-id", "ext-42", "--role-session-name", "ci")
	if res.code != 0 || r.Account != "111122223333" {
		t.Errorf("through the role: exit %d, account %s, gaps %v, stderr %s", res.code, r.Account, r.codes(), res.stderr)
	}
	// The caller's own account has nothing.
	res, r = e.audit()
	if res.code != 2 || r.Account != "123456789012" || !contains(r.codes(), "NO_MULTI_REGION_TRAIL") {
		t.Errorf("own account: exit %d, account %s, gaps %v", res.code, r.Account, r.codes())
	}
}

func TestAuditBadInput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad region", []string{"audit", "--region", "moon-1"}, nil, `"moon-1"`},
		{"bad output", []string{"audit", "--output", "yaml"}, nil, `"yaml"`},
		{"bad endpoint", []string{"audit", "--endpoint-url", "localhost"}, nil, `"localhost"`},
		{"bad role", []string{"audit", "--assume-role", "admin"}, nil, `"admin"`},
		{"no region", []string{"audit"}, map[string]string{"AWS_REGION": ""}, "--region"},
		{"unknown flag", []string{"audit", "--bogus"}, nil, "-bogus"},
		{"argument", []string{"audit", "extra"}, nil, "extra"},
		{"evidence with AWS flags", []string{"audit", "--evidence", "x.json", "--region", "us-east-1"}, nil, "--region"},
		{"missing evidence file", []string{"audit", "--evidence", "/nonexistent/evidence.json"}, nil, "/nonexistent/evidence.json"},
		{"unknown command", []string{"audti"}, nil, `"audti"`},
		{"unreachable endpoint", []string{"audit", "--endpoint-url", closedPort(t)}, map[string]string{"AWS_MAX_ATTEMPTS": "1"}, "GetCallerIdentity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			res := e.run(tc.args...)
			if res.code != 1 {
				t.Errorf("exit %d, want 1", res.code)
			}
			if !strings.HasPrefix(res.stderr, "trailwatch: ") || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr %q; want \"trailwatch: ...\" naming %s", res.stderr, tc.want)
			}
			if res.stdout != "" {
				t.Errorf("stdout: %q", res.stdout)
			}
		})
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// Issue 9, plan and apply agree: for every state of the suite that has a
// gap, fix shows a plan, and each step it shows is one it then carries out
// (never "no change" for a planned create), ending compliant.
func TestPlanAndApplyAgree(t *testing.T) {
	for _, tc := range auditStates() {
		if len(tc.want) == 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.build(e.account())
			if tc.proxy {
				e.endpoint = pendingProxy(t, e.srv.URL)
			}
			args := append([]string{"fix", "--yes", "--output", "json", "--subscribe", "sqs:arn:aws:sqs:us-east-1:123456789012:alerts", "--endpoint-url", e.endpoint}, tc.args...)
			res := e.run(args...)
			var doc struct {
				Plan struct {
					Steps []struct{ ID string } `json:"steps"`
				} `json:"plan"`
				Apply *struct {
					Steps []struct{ ID, Status, Detail string } `json:"steps"`
				} `json:"apply"`
				After *struct {
					Compliant *bool `json:"compliant"`
				} `json:"after"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || doc.Apply == nil {
				t.Fatalf("fix: exit %d, %v\n%s\n%s", res.code, err, res.stdout, res.stderr)
			}
			if res.code != 0 || doc.After == nil || doc.After.Compliant == nil || !*doc.After.Compliant {
				t.Errorf("fix: exit %d, after %+v\n%s", res.code, doc.After, res.stderr)
			}
			if len(doc.Plan.Steps) == 0 || len(doc.Apply.Steps) != len(doc.Plan.Steps) {
				t.Errorf("planned %d steps, applied %d", len(doc.Plan.Steps), len(doc.Apply.Steps))
			}
			for i, s := range doc.Apply.Steps {
				if s.Status != "done" || s.ID != doc.Plan.Steps[i].ID {
					t.Errorf("step %d: planned %s, applied %s: %s (%s)", i, doc.Plan.Steps[i].ID, s.ID, s.Status, s.Detail)
				}
			}
		})
	}
}
