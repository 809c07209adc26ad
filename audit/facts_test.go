package audit_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/audit/internal/fakeaws"
)

func TestFactsCompliant(t *testing.T) {
	a := fa.Compliant()
	single := fa.NewTrail(fa.Home, fa.AccountID, "regional", "")
	single.IsMultiRegionTrail = aws.Bool(false)
	a.Trails = append(a.Trails, single)
	// A second alarm on the metric that does not notify, and a pending
	// subscription beside the confirmed one.
	a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, "disabled", fa.Namespace, fa.MetricName, topicARN))
	a.Alarms[fa.Home][1].ActionsEnabled = aws.Bool(false)
	a.Subs[topicARN] = append(a.Subs[topicARN], fa.Pending(topicARN, "late@example.com"))

	got := run(t, a, audit.Options{}).Facts
	want := audit.Facts{
		Trail: &audit.TrailFacts{
			Name: fa.TrailName, ARN: trailARN, HomeRegion: fa.Home, Owner: fa.AccountID, IsLogging: true,
			S3Bucket:    "cloudtrail-" + fa.AccountID,
			LogGroupARN: fa.LogGroupARN(fa.Home, fa.AccountID, fa.LogGroup),
			LogsRoleARN: "arn:aws:iam::" + fa.AccountID + ":role/CloudTrail_CloudWatchLogs",
			EventSelectors: []cttypes.EventSelector{{
				IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll,
				DataResources: []cttypes.DataResource{}, ExcludeManagementEventSources: []string{},
			}},
		},
		LogGroup: &audit.LogGroupFacts{Name: fa.LogGroup, Region: fa.Home, Account: fa.AccountID, ARN: fa.LogGroupARN(fa.Home, fa.AccountID, fa.LogGroup)},
		Filter: &audit.FilterFacts{Name: fa.FilterName, Pattern: fa.CIS, MetricName: fa.MetricName, MetricNamespace: fa.Namespace,
			MetricValue: "1", Literal: true, Covers: true, Passes: true},
		Alarms: []audit.AlarmFacts{
			{Name: fa.AlarmName, ARN: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:" + fa.AlarmName, ActionsEnabled: true, AlarmActions: []string{topicARN}, Notifies: true},
			{Name: "disabled", ARN: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:disabled", AlarmActions: []string{topicARN}, Reason: "alarm disabled has ActionsEnabled false"},
		},
		Topics:             []audit.TopicFacts{{ARN: topicARN, ConfirmedEndpoints: []string{"email:security@example.com"}, PendingEndpoints: []string{"email:late@example.com"}}},
		SingleRegionTrails: []string{"regional"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(cttypes.EventSelector{}, cttypes.DataResource{})); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestFactsNoFilterKeepsOthers(t *testing.T) {
	a := fa.Compliant()
	setPattern(`{ $.eventName = CreateTrail }`)(a)
	f := run(t, a, audit.Options{}).Facts
	if f.Filter != nil {
		t.Errorf("Filter = %+v, want nil", f.Filter)
	}
	if len(f.OtherFilters) != 1 || f.OtherFilters[0].Covers || len(f.OtherFilters[0].Missed) != 4 {
		t.Errorf("OtherFilters = %+v, want the one filter, missing four events", f.OtherFilters)
	}
	if f.Alarms != nil || f.Topics != nil {
		t.Errorf("alarms/topics without a passing filter: %+v %+v", f.Alarms, f.Topics)
	}
}

// TestClosestChainDeterministic: two trails broken the same way; the
// report always describes the one whose ARN sorts first, whatever order
// DescribeTrails lists them in.
func TestClosestChainDeterministic(t *testing.T) {
	build := func(reverse bool) *fa.Account {
		a := fa.Compliant()
		secondTrail("a-trail", fa.Home, "a-logs")(a)
		for arn := range a.Status {
			a.Status[arn].IsLogging = aws.Bool(false)
		}
		if reverse {
			a.Trails[0], a.Trails[1] = a.Trails[1], a.Trails[0]
		}
		return a
	}
	var first *audit.Report
	for i := 0; i < 10; i++ {
		r := run(t, build(i%2 == 1), audit.Options{})
		if r.Facts.Trail.Name != "a-trail" {
			t.Fatalf("run %d chose %s, want a-trail", i, r.Facts.Trail.Name)
		}
		if first == nil {
			first = r
			continue
		}
		if diff := cmp.Diff(first, r, cmp.AllowUnexported(cttypes.EventSelector{}, cttypes.DataResource{})); diff != "" {
			t.Fatalf("run %d differs (-first +got)\n%s", i, diff)
		}
	}
}

// TestClosestChainPrefersMorePassed: among alarms, the notifying one is
// chosen even when a broken one sorts first.
func TestClosestChainPrefersMorePassed(t *testing.T) {
	a := fa.Compliant()
	a.Alarms[fa.Home] = append([]cwtypes.MetricAlarm{fa.NewAlarm(fa.Home, fa.AccountID, "0-broken", fa.Namespace, fa.MetricName)}, a.Alarms[fa.Home]...)
	a.Subs[topicARN] = []snstypes.Subscription{fa.Pending(topicARN, "x@example.com")}
	r := run(t, a, audit.Options{})
	if got := summarize(r); got.Chain != "PPPPPPPM" {
		t.Errorf("chain %s, want PPPPPPPM", got.Chain)
	}
	if r.Chain[5].Resource != fa.AlarmName {
		t.Errorf("alarm link names %q, want %q", r.Chain[5].Resource, fa.AlarmName)
	}
}

// TestRegions: a trail homed elsewhere is read there, its log group and
// alarms in the log group's region, and the alarm's topic in that region too
// (CloudWatch publishes only to topics in the alarm's region; see
// "topic in another region than the alarm" in TestRun).
func TestRegions(t *testing.T) {
	a := fa.Compliant()
	a.HomeRegion = "ap-southeast-2"
	tr := fa.NewTrail("eu-west-1", fa.AccountID, "eu", "")
	tr.CloudWatchLogsLogGroupArn = aws.String(fa.LogGroupARN("us-east-1", fa.AccountID, fa.LogGroup))
	a.Trails = []cttypes.Trail{tr}
	a.Status = map[string]*cloudtrail.GetTrailStatusOutput{*tr.TrailARN: {IsLogging: aws.Bool(true)}}
	east := fa.TopicARN("us-east-1", fa.AccountID, "east")
	a.Alarms[fa.Home][0].AlarmActions = []string{east}
	a.Topics[east] = fa.TopicAttrs(east)
	a.Subs[east] = []snstypes.Subscription{fa.Confirmed(east, "e@example.com")}

	r := run(t, a, audit.Options{})
	if got := summarize(r); got.Verdict != "compliant" {
		t.Fatalf("%+v", got)
	}
	want := map[string]string{
		"DescribeTrails": "ap-southeast-2", "GetCallerIdentity": "ap-southeast-2",
		"GetTrailStatus": "eu-west-1", "GetEventSelectors": "eu-west-1",
		"DescribeMetricFilters": "us-east-1", "DescribeAlarms": "us-east-1",
		"GetTopicAttributes": "us-east-1", "ListSubscriptionsByTopic": "us-east-1",
	}
	got := map[string]string{}
	for _, c := range a.Calls() {
		got[c.Op] = c.Region
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("regions (-want +got)\n%s", diff)
	}
}

func TestParseLogGroupARN(t *testing.T) {
	tests := []struct {
		in   string
		want *audit.LogGroupFacts
		err  bool
	}{
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:*", want: &audit.LogGroupFacts{Name: "NewGroup", Region: "us-east-1", Account: "123456789012", ARN: "arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:*"}},
		{in: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/main", want: &audit.LogGroupFacts{Name: "/aws/cloudtrail/main", Region: "eu-west-1", Account: "123456789012", ARN: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/main"}},
		{in: "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:g:*", want: &audit.LogGroupFacts{Name: "g", Region: "us-gov-west-1", Account: "123456789012", ARN: "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:g:*"}},
		{in: "NewGroup", err: true},
		{in: "arn:aws:s3:::bucket", err: true},
		{in: "arn:aws:logs:us-east-1:123456789012:destination:d", err: true},
		{in: "arn:aws:logs:us-east-1:123456789012:log-group::*", err: true},
		{in: "arn:aws:logs::123456789012:log-group:g:*", err: true},
		{in: "arn:aws:logs:us-east-1::log-group:g:*", err: true},
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", err: true},
	}
	for _, tt := range tests {
		got, err := audit.ParseLogGroupARN(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseLogGroupARN(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseLogGroupARN(%q) (-want +got)\n%s", tt.in, diff)
		}
	}
}

// TestFactsDeletedLogGroup: the plan recreates a group the trail still
// names, so the facts must say that it is gone, and only then.
func TestFactsDeletedLogGroup(t *testing.T) {
	a := fa.Compliant()
	if f := run(t, a, audit.Options{}).Facts; f.LogGroup == nil || f.LogGroup.Missing {
		t.Fatalf("compliant account: LogGroup = %+v, want present and not missing", f.LogGroup)
	}
	a = fa.Compliant()
	delete(a.Filters, lgKey)
	f := run(t, a, audit.Options{}).Facts
	if f.LogGroup == nil || !f.LogGroup.Missing {
		t.Errorf("deleted group: LogGroup = %+v, want Missing", f.LogGroup)
	}
}
