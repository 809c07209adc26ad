package evidence_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/evidence"
	"github.com/trailwatch/trailwatch/chain"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
	goldenfile "github.com/trailwatch/trailwatch/internal/golden"
)

var update = flag.Bool("update", false, "regenerate testdata/evidence")

const evidenceDir = "../../testdata/evidence"

// scenario is an example account shipped in testdata/evidence.
type scenario struct {
	file   string
	mutate func(*fa.Account)
	// org, when set, builds the accounts instead of mutate: the one
	// audited and those it may reach (audit.Options.Reach).
	org     func(*fa.Org) (*fa.Account, []*fa.Account)
	account string // the audited account, when not fa.AccountID
	verdict string // compliant, gaps, unknown
	gaps    []audit.Code
	unknown []string
}

func scenarios() []scenario {
	trail := fa.MainTrailARN()
	topic := fa.MainTopicARN()
	lg := fa.LogKey(fa.Home, fa.LogGroup)
	return []scenario{
		{file: "compliant.json", mutate: func(a *fa.Account) {}, verdict: "compliant"},
		{file: "no-trail.json", mutate: func(a *fa.Account) {
			a.Trails[0].IsMultiRegionTrail = aws.Bool(false)
		}, verdict: "gaps", gaps: []audit.Code{audit.NoMultiRegionTrail}},
		{file: "not-logging.json", mutate: func(a *fa.Account) {
			a.Status[trail].IsLogging = aws.Bool(false)
			a.Status[trail].StopLoggingTime = aws.Time(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		}, verdict: "gaps", gaps: []audit.Code{audit.TrailNotLogging}},
		{file: "write-only-events.json", mutate: func(a *fa.Account) {
			a.Selectors[trail].EventSelectors[0].ReadWriteType = cttypes.ReadWriteTypeWriteOnly
		}, verdict: "gaps", gaps: []audit.Code{audit.ManagementEventsMissing}},
		{file: "no-cloudwatch-logs.json", mutate: func(a *fa.Account) {
			a.Trails[0].CloudWatchLogsLogGroupArn, a.Trails[0].CloudWatchLogsRoleArn = nil, nil
		}, verdict: "gaps", gaps: []audit.Code{audit.NoCloudWatchLogs}},
		{file: "no-metric-filter.json", mutate: func(a *fa.Account) {
			a.Filters[lg] = []cwltypes.MetricFilter{}
		}, verdict: "gaps", gaps: []audit.Code{audit.NoMetricFilter}},
		{file: "filter-misses-events.json", mutate: func(a *fa.Account) {
			a.Filters[lg][0].FilterPattern = aws.String(`{ (($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging)) && ($.errorCode NOT EXISTS) }`)
		}, verdict: "gaps", gaps: []audit.Code{audit.NoMetricFilter}},
		{file: "filter-iam-users-only.json", mutate: func(a *fa.Account) {
			a.Filters[lg][0].FilterPattern = aws.String(`{ ($.userIdentity.type = IAMUser) && (($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging)) }`)
		}, verdict: "gaps", gaps: []audit.Code{audit.NoMetricFilter}},
		{file: "no-alarm.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].Namespace = aws.String("LogMetrics")
		}, verdict: "gaps", gaps: []audit.Code{audit.NoAlarm}},
		{file: "alarm-not-notifying.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].ActionsEnabled = aws.Bool(false)
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		{file: "topic-aws-managed-key.json", mutate: func(a *fa.Account) {
			a.Topics[topic]["KmsMasterKeyId"] = "alias/aws/sns"
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		{file: "pending-subscription.json", mutate: func(a *fa.Account) {
			a.Subs[topic] = []snstypes.Subscription{fa.Pending(topic, "security@example.com")}
		}, verdict: "gaps", gaps: []audit.Code{audit.NoConfirmedSubscription}},
		// Issue 10: an alarm that cannot fire on one event.
		{file: "alarm-threshold-unreachable.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].Threshold = aws.Float64(1000)
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "alarm-missing-data-breaching.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].TreatMissingData = aws.String("breaching")
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "filter-default-value.json", mutate: func(a *fa.Account) {
			a.Filters[lg][0].MetricTransformations[0].DefaultValue = aws.Float64(1)
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		// moto drops a metric query's AccountId; the shape is
		// PutMetricAlarm's Metrics[].AccountId (CloudWatch API reference,
		// MetricDataQuery), as DescribeAlarms returns it.
		{file: "metric-math-other-account.json", mutate: func(a *fa.Account) {
			m := &a.Alarms[fa.Home][0]
			m.MetricName, m.Namespace, m.Statistic, m.Period = nil, nil, "", nil
			m.Metrics = []cwtypes.MetricDataQuery{
				{Id: aws.String("m1"), ReturnData: aws.Bool(false), AccountId: aws.String("999988887777"), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{MetricName: aws.String(fa.MetricName), Namespace: aws.String(fa.Namespace)}, Period: aws.Int32(300), Stat: aws.String("Sum")}},
				{Id: aws.String("e1"), Expression: aws.String("FILL(m1, 0)"), ReturnData: aws.Bool(true)},
			}
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		// CloudWatch's alarm evaluation (CloudWatch user guide, "Evaluating
		// an alarm", "Configuring how CloudWatch alarms treat missing
		// data"; PutMetricAlarm in the API reference).
		{file: "alarm-needs-three-periods.json", mutate: func(a *fa.Account) {
			m := &a.Alarms[fa.Home][0]
			m.EvaluationPeriods, m.DatapointsToAlarm = aws.Int32(3), aws.Int32(3)
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "alarm-less-than-threshold.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].ComparisonOperator = cwtypes.ComparisonOperatorLessThanThreshold
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "alarm-unit-mismatch.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].Unit = cwtypes.StandardUnitSeconds
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "alarm-dimensions-mismatch.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].Dimensions = []cwtypes.Dimension{{Name: aws.String("Trail"), Value: aws.String("main-trail")}}
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "alarm-ignores-missing-data.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].TreatMissingData = aws.String("ignore")
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "filter-metric-value-zero.json", mutate: func(a *fa.Account) {
			a.Filters[lg][0].MetricTransformations[0].MetricValue = aws.String("0")
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		{file: "metric-math-constant.json", mutate: func(a *fa.Account) {
			m := &a.Alarms[fa.Home][0]
			m.MetricName, m.Namespace, m.Statistic, m.Period = nil, nil, "", nil
			m.Metrics = []cwtypes.MetricDataQuery{
				{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{MetricName: aws.String(fa.MetricName), Namespace: aws.String(fa.Namespace)}, Period: aws.Int32(300), Stat: aws.String("Sum")}},
				{Id: aws.String("e1"), Expression: aws.String("FILL(m1, 0) * 0 + 5"), ReturnData: aws.Bool(true)},
			}
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmCannotFire}},
		// Only AlarmActions run on the transition to ALARM (PutMetricAlarm:
		// AlarmActions, OKActions, InsufficientDataActions).
		{file: "alarm-ok-actions-only.json", mutate: func(a *fa.Account) {
			m := &a.Alarms[fa.Home][0]
			m.OKActions, m.AlarmActions = m.AlarmActions, nil
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		{file: "topic-deleted.json", mutate: func(a *fa.Account) {
			delete(a.Topics, topic)
			delete(a.Subs, topic)
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		// CloudWatch alarms notify topics in their own region only
		// (CloudWatch user guide, "Using Amazon SNS notifications").
		{file: "topic-other-region.json", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].AlarmActions = []string{fa.TopicARN("eu-west-1", fa.AccountID, fa.TopicName)}
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		{file: "topic-key-disabled.json", mutate: func(a *fa.Account) {
			key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
			a.Topics[topic]["KmsMasterKeyId"] = key
			a.Keys = map[string]*fa.Key{key: {Manager: "CUSTOMER", State: "Disabled", Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"cloudwatch","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`}}
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		// Issue 10: a topic CloudWatch cannot publish to.
		{file: "topic-policy-denies-cloudwatch.json", mutate: func(a *fa.Account) {
			a.Topics[topic]["Policy"] = `{"Version":"2012-10-17","Statement":[{"Sid":"owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sns:Publish","Resource":"*"}]}`
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		// The key policy shape is KMS GetKeyPolicy's (KMS API reference):
		// the default key policy, which grants the account's root only.
		{file: "topic-key-policy-denies-cloudwatch.json", mutate: func(a *fa.Account) {
			key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
			a.Topics[topic]["KmsMasterKeyId"] = "alias/secops"
			a.Keys = map[string]*fa.Key{key: {Manager: "CUSTOMER", Policy: `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`}}
			a.Aliases = map[string]string{"alias/secops": key}
		}, verdict: "gaps", gaps: []audit.Code{audit.AlarmNotNotifying}},
		{file: "denied.json", mutate: func(a *fa.Account) {
			a.Errors["DescribeMetricFilters"] = fa.Denied("AccessDeniedException")
		}, verdict: "unknown", unknown: []string{"logs:DescribeMetricFilters"}},
		{file: "denied-403.json", mutate: func(a *fa.Account) {
			a.Errors["ListSubscriptionsByTopic"] = fa.Status403()
		}, verdict: "unknown", unknown: []string{"sns:ListSubscriptionsByTopic"}},

		// Issue 11: a member account covered by the organization trail,
		// whose log group (Control Tower's, with landing zone 4.0's
		// suffix) is in the management account and whose alarm notifies
		// the Security topic of the Audit account. moto shows no
		// organization trail to a member, so these come from fakes shaped
		// as DescribeTrails documents a shadow organization trail
		// (CloudTrail API reference, DescribeTrails: includeShadowTrails;
		// user guide, "Creating a trail for an organization").
		{file: "org-member-covered.json", org: func(o *fa.Org) (*fa.Account, []*fa.Account) {
			return o.Member, []*fa.Account{o.Management, o.Audit}
		}, verdict: "compliant"},
		{file: "org-member-no-access.json", org: func(o *fa.Org) (*fa.Account, []*fa.Account) {
			return o.Member, nil
		}, verdict: "unknown", unknown: []string{"logs:DescribeMetricFilters"}},
		{file: "org-member-owner-gap.json", org: func(o *fa.Org) (*fa.Account, []*fa.Account) {
			o.Management.Alarms = nil
			return o.Member, []*fa.Account{o.Management, o.Audit}
		}, verdict: "gaps", gaps: []audit.Code{audit.NoAlarm}},
		{file: "org-management.json", org: func(o *fa.Org) (*fa.Account, []*fa.Account) {
			return o.Management, []*fa.Account{o.Audit}
		}, verdict: "compliant", account: fa.ManagementID},
	}
}

// accounts builds a scenario's audited account and what it may reach.
func (sc scenario) accounts() (*fa.Account, func(context.Context, string) (audit.Clients, error)) {
	if sc.org != nil {
		o := fa.Organization()
		a, reach := sc.org(o)
		if reach == nil {
			return a, nil
		}
		return a, o.Reach(reach...)
	}
	a := fa.Compliant()
	sc.mutate(a)
	return a, nil
}

func verdict(r *audit.Report) string {
	if r.Compliant == nil {
		return "unknown"
	}
	if *r.Compliant {
		return "compliant"
	}
	return "gaps"
}

func record(t *testing.T, a *fa.Account, reach func(context.Context, string) (audit.Clients, error)) (*audit.Report, *evidence.Recorder) {
	t.Helper()
	rec := evidence.NewRecorder(a)
	rec.Now = func() time.Time { return time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC) }
	r, err := audit.Run(context.Background(), rec, audit.Options{Reach: rec.Reach(reach)})
	if err != nil {
		t.Fatal(err)
	}
	return r, rec
}

// TestRecordReplay: an audit replayed from what it recorded reaches the
// same report, with pages merged and errors reproduced.
func TestRecordReplay(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.file, func(t *testing.T) {
			a, reach := sc.accounts()
			a.PageSize = 1
			if sc.org == nil {
				a.Subs[fa.MainTopicARN()] = append([]snstypes.Subscription{fa.Pending(fa.MainTopicARN(), "p@example.com")}, a.Subs[fa.MainTopicARN()]...)
			}
			live, rec := record(t, a, reach)
			path := filepath.Join(t.TempDir(), "e.json")
			if err := rec.Save(path); err != nil {
				t.Fatal(err)
			}
			clients, err := evidence.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			replayed, err := audit.Run(context.Background(), clients, audit.Options{Reach: clients.Reacher()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(live, replayed, cmp.AllowUnexported(cttypes.EventSelector{}, cttypes.DataResource{})); diff != "" {
				t.Errorf("replayed report differs (-live +replayed)\n%s", diff)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("Save left %d files, want 1", len(entries))
			}
		})
	}
}

// TestGenerateExamples writes testdata/evidence with -update; without it,
// checks that the files are what the fakes produce now.
func TestGenerateExamples(t *testing.T) {
	for _, sc := range scenarios() {
		a, reach := sc.accounts()
		_, rec := record(t, a, reach)
		path := filepath.Join(evidenceDir, sc.file)
		if *update {
			if err := rec.Save(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		tmp := filepath.Join(t.TempDir(), sc.file)
		if err := rec.Save(tmp); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./audit/evidence -update regenerates it)", err)
		}
		got, _ := os.ReadFile(tmp)
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is stale (-file +now); go test ./audit/evidence -update\n%s", path, diff)
		}
	}
}

// TestExampleFiles audits every shipped evidence file.
func TestExampleFiles(t *testing.T) {
	want := map[string]scenario{}
	for _, sc := range scenarios() {
		want[sc.file] = sc
	}
	files, err := filepath.Glob(filepath.Join(evidenceDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no evidence files in %s: %v", evidenceDir, err)
	}
	sort.Strings(files)
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			sc, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s: add it to scenarios()", name)
			}
			clients, err := evidence.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := audit.Run(context.Background(), clients, audit.Options{Reach: clients.Reacher()})
			if err != nil {
				t.Fatal(err)
			}
			var gaps []audit.Code
			for _, g := range r.Gaps {
				gaps = append(gaps, g.Code)
			}
			var unknown []string
			for _, u := range r.Unknown {
				unknown = append(unknown, u.Action)
			}
			got := []any{verdict(r), gaps, unknown}
			if diff := cmp.Diff([]any{sc.verdict, sc.gaps, sc.unknown}, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			account := sc.account
			if account == "" {
				account = fa.AccountID
			}
			if r.Account != account {
				t.Errorf("account %q, want %s", r.Account, account)
			}
			var txt bytes.Buffer
			if err := audit.WriteText(&txt, r, false); err != nil {
				t.Fatal(err)
			}
			checkWidth(t, txt.String())
			golden(t, filepath.Join("testdata", "report", strings.TrimSuffix(name, ".json")+".txt"), txt.Bytes())
		})
	}
}

// checkWidth: the report fits audit.Width columns, but for a word too long
// for any line (an ARN), which stands alone after its indentation.
func checkWidth(t *testing.T, text string) {
	t.Helper()
	for i, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(line) > audit.Width && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("line %d is %d columns wide: %q", i+1, utf8.RuneCountInString(line), line)
		}
	}
}

// golden compares got with the file at path, or writes it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.File(t, path, got, *update)
}

// TestMissingResponseIsUnknown: a call the file lacks is unknown, never a
// gap and never compliant.
func TestMissingResponseIsUnknown(t *testing.T) {
	path := filepath.Join(evidenceDir, "compliant.json")
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Drop the ListSubscriptionsByTopic call.
	r, err := evidence.Parse(path, f)
	if err != nil {
		t.Fatal(err)
	}
	file := r.File()
	var kept []evidence.Call
	for _, c := range file.Calls {
		if c.Operation != "ListSubscriptionsByTopic" {
			kept = append(kept, c)
		}
	}
	file.Calls = kept
	tmp := filepath.Join(t.TempDir(), "partial.json")
	writeJSON(t, tmp, file)
	clients, err := evidence.Load(tmp)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Run(context.Background(), clients, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Compliant != nil || len(rep.Gaps) != 0 || len(rep.Unknown) != 1 {
		t.Fatalf("verdict %s, gaps %v, unknown %+v", verdict(rep), rep.Gaps, rep.Unknown)
	}
	u := rep.Unknown[0]
	if u.Action != "sns:ListSubscriptionsByTopic" || !strings.HasPrefix(u.Message, "evidence file has no response for sns ListSubscriptionsByTopic") {
		t.Errorf("unknown = %+v", u)
	}
}

// TestTruncatedListing: an account with more alarms than a page, whose
// alarm was found by its metric, is recorded with the alarms' first page
// marked truncated; replay judges it as the live audit did. Without the
// answer by metric, replay reads on, finds the rest missing from the file,
// and the alarm link is unknown, never a gap.
func TestTruncatedListing(t *testing.T) {
	a := fa.Compliant()
	a.Alarms[fa.Home] = append([]cwtypes.MetricAlarm{fa.NewAlarm(fa.Home, fa.AccountID, "aaa-first", "App", "Other", fa.MainTopicARN())}, a.Alarms[fa.Home]...)
	a.PageSize = 1
	live, rec := record(t, a, nil)
	if verdict(live) != "compliant" {
		t.Fatalf("live verdict %s", verdict(live))
	}
	file, err := rec.File()
	if err != nil {
		t.Fatal(err)
	}
	var truncated, byMetric int
	for _, c := range file.Calls {
		switch {
		case c.Operation == "DescribeAlarms" && c.Truncated:
			truncated++
		case c.Operation == "DescribeAlarmsForMetric":
			byMetric++
		}
	}
	if truncated != 1 || byMetric != 1 {
		t.Fatalf("file holds %d truncated DescribeAlarms and %d DescribeAlarmsForMetric; want 1 and 1", truncated, byMetric)
	}
	replay := func(calls []evidence.Call) *audit.Report {
		t.Helper()
		f := *file
		f.Calls = calls
		path := filepath.Join(t.TempDir(), "e.json")
		writeJSON(t, path, f)
		clients, err := evidence.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := audit.Run(context.Background(), clients, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if diff := cmp.Diff(live, replay(file.Calls), cmp.AllowUnexported(cttypes.EventSelector{}, cttypes.DataResource{})); diff != "" {
		t.Errorf("replayed report differs (-live +replayed)\n%s", diff)
	}

	var kept []evidence.Call
	for _, c := range file.Calls {
		if c.Operation != "DescribeAlarmsForMetric" {
			kept = append(kept, c)
		}
	}
	r := replay(kept)
	if r.Compliant != nil || len(r.Gaps) != 0 || len(r.Unknown) != 1 {
		t.Fatalf("verdict %s, gaps %v, unknown %+v", verdict(r), r.Gaps, r.Unknown)
	}
	if u := r.Unknown[0]; u.Action != "cloudwatch:DescribeAlarms" || !strings.Contains(u.Message, "after the pages recorded") {
		t.Errorf("unknown = %+v", u)
	}
}

// CIS 4.16 through the recorder: a live audit reads DescribeHub (it was
// unknown behind the recorder, as if the clients had no Security Hub), the
// file holds it, enabled or not, and replay reaches the same report.
// Clients without a Security Hub read leave 4.16 unknown for that reason.
func TestRecordSecurityHub(t *testing.T) {
	hub, err := chain.ControlFor("4.16")
	if err != nil {
		t.Fatal(err)
	}
	for _, enabled := range []bool{true, false} {
		a := fa.Compliant()
		want := "gaps"
		if enabled {
			a.Hubs = map[string]string{fa.Home: "2025-01-02T03:04:05.000Z"}
			want = "compliant"
		}
		rec := evidence.NewRecorder(a)
		live, err := audit.Run(context.Background(), rec, audit.Options{Control: hub})
		if err != nil {
			t.Fatal(err)
		}
		if verdict(live) != want {
			t.Errorf("enabled %v: live verdict %s, want %s (unknown: %+v)", enabled, verdict(live), want, live.Unknown)
		}
		path := filepath.Join(t.TempDir(), "e.json")
		if err := rec.Save(path); err != nil {
			t.Fatal(err)
		}
		clients, err := evidence.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		replayed, err := audit.Run(context.Background(), clients, audit.Options{Control: hub})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(live, replayed); diff != "" {
			t.Errorf("enabled %v: replayed report differs (-live +replayed)\n%s", enabled, diff)
		}
	}

	// fa.Account without its SecurityHub method: clients with no hub read.
	rec := evidence.NewRecorder(noHub{fa.Compliant()})
	r, err := audit.Run(context.Background(), rec, audit.Options{Control: hub})
	if err != nil {
		t.Fatal(err)
	}
	if verdict(r) != "unknown" || len(r.Unknown) != 1 || !strings.Contains(r.Chain[0].Detail, "hold no Security Hub read") {
		t.Errorf("without a hub read: verdict %s, chain %+v", verdict(r), r.Chain)
	}
}

// noHub hides fakeaws.Account's Security Hub read.
type noHub struct{ *fa.Account }

// SecurityHub, with another signature, keeps noHub from being audit.HubClients.
func (noHub) SecurityHub() {}
