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
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

func TestFactsCompliant(t *testing.T) {
	a := fa.Compliant()
	single := fa.NewTrail(fa.Home, fa.AccountID, "regional", "")
	single.IsMultiRegionTrail = aws.Bool(false)
	a.Trails = append(a.Trails, single)
	// A second alarm on the metric that does not notify, and a pending
	// subscription beside the confirmed one; the chain's alarm is
	// trailwatch's.
	a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, "disabled", fa.Namespace, fa.MetricName, topicARN))
	a.Alarms[fa.Home][1].ActionsEnabled = aws.Bool(false)
	a.Subs[topicARN] = append(a.Subs[topicARN], fa.Pending(topicARN, "late@example.com"))
	alarmARN := "arn:aws:cloudwatch:us-east-1:111122223333:alarm:" + fa.AlarmName
	a.Tags = map[string]map[string]string{alarmARN: {"trailwatch:managed": "true"}}

	got := run(t, a, audit.Options{}).Facts
	wantTrail := &audit.TrailFacts{
		Name: fa.TrailName, ARN: trailARN, HomeRegion: fa.Home, Owner: fa.AccountID, IsLogging: true,
		S3Bucket:    "cloudtrail-" + fa.AccountID,
		LogGroupARN: fa.LogGroupARN(fa.Home, fa.AccountID, fa.LogGroup),
		LogsRoleARN: "arn:aws:iam::" + fa.AccountID + ":role/CloudTrail_CloudWatchLogs",
		EventSelectors: []cttypes.EventSelector{{
			IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll,
			DataResources: []cttypes.DataResource{}, ExcludeManagementEventSources: []string{},
		}},
	}
	if diff := cmp.Diff(wantTrail, got.Trail, cmp.AllowUnexported(cttypes.EventSelector{}, cttypes.DataResource{})); diff != "" {
		t.Errorf("trail (-want +got)\n%s", diff)
	}
	type brief struct {
		Group, Filter, Alarm, Topic string
		FilterPasses, Literal       bool
		Alarms                      []string
		Ours                        []bool
		Confirmed, Pending          []string
		Single                      []string
	}
	b := brief{Group: got.LogGroup.Name, Single: got.SingleRegionTrails}
	if f := got.Filter; f != nil {
		b.Filter, b.FilterPasses, b.Literal = f.Name, f.Passes(), f.Literal
	}
	if got.Alarm != nil {
		b.Alarm = got.Alarm.Name
	}
	for _, x := range got.Alarms {
		b.Alarms = append(b.Alarms, x.Name+":"+string(x.Status))
		b.Ours = append(b.Ours, x.Ours)
	}
	if got.Topic != nil {
		b.Topic, b.Confirmed, b.Pending = got.Topic.ARN, got.Topic.ConfirmedEndpoints, got.Topic.PendingEndpoints
	}
	want := brief{Group: fa.LogGroup, Filter: fa.FilterName, Alarm: fa.AlarmName, Topic: topicARN, FilterPasses: true, Literal: true,
		Alarms: []string{fa.AlarmName + ":passed", "disabled:passed"}, Ours: []bool{true, false},
		Confirmed: []string{"email:security@example.com"}, Pending: []string{"email:late@example.com"}, Single: []string{"regional"}}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if len(got.Topics) != 1 || !got.Topics[0].Usable {
		t.Errorf("topics %+v, want the one usable topic", got.Topics)
	}
}

// A narrowed filter is the chain's filter, failed, with the events it
// misses; the alarm on its metric is still reported.
func TestFactsNarrowedFilter(t *testing.T) {
	a := fa.Compliant()
	setPattern(`{ $.eventName = CreateTrail }`)(a)
	f := run(t, a, audit.Options{}).Facts
	if f.Filter == nil || f.Filter.Passes() || f.Filter.Covers || len(f.Filter.Missed) != 4 {
		t.Errorf("Filter = %+v, want the failed filter, missing four events", f.Filter)
	}
	if f.Alarm == nil || f.Alarm.Name != fa.AlarmName || f.Topic == nil || f.Topic.ARN != topicARN {
		t.Errorf("alarm %+v, topic %+v: want the chain's alarm and topic", f.Alarm, f.Topic)
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
	if got := summarize(r); got.Chain != "PPPPPPPF" {
		t.Errorf("chain %s, want PPPPPPPF", got.Chain)
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
		"cloudwatch:ListTagsForResource": "us-east-1", "sns:ListTagsForResource": "us-east-1",
	}
	got := map[string]string{}
	for _, c := range a.Calls() {
		got[c.Op] = c.Region
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("regions (-want +got)\n%s", diff)
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
