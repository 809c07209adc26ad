package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/chain"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
	goldenfile "github.com/trailwatch/trailwatch/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.File(t, filepath.Join("testdata", name), got, *update)
}

func TestBuildGolden(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			p, err := Build(fx.report(), fx.choices, fx.lookups)
			if err != nil {
				t.Fatal(err)
			}
			var txt, js bytes.Buffer
			if err := WriteText(&txt, p, false); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, p); err != nil {
				t.Fatal(err)
			}
			golden(t, fx.name+".txt", txt.Bytes())
			golden(t, fx.name+".json", js.Bytes())

			// JSON round trip keeps everything.
			var back Plan
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			// An empty plan shows "steps": [] and reads back as an empty
			// slice; the digest check below keeps nil-vs-empty honest where
			// it matters.
			// A miss's witness record is not serialised (pattern.Miss).
			if diff := cmp.Diff(p, &back, cmpOpts, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(pattern.Miss{}, "Witness")); diff != "" {
				t.Errorf("JSON round trip (-want +got):\n%s", diff)
			}
			if back.State.Digest() != p.State.Digest() {
				t.Error("digest changed across a JSON round trip")
			}
		})
	}
}

func ids(p *Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, s.ID)
	}
	return out
}

func byName(name string) fixture {
	for _, f := range fixtures() {
		if f.name == name {
			return f
		}
	}
	panic(name)
}

func TestStepOrder(t *testing.T) {
	cases := map[string][]string{
		"compliant":                         nil,
		"trail_not_logging":                 {IDTrailLogging},
		"management_events_basic_data":      {IDEventSelectors},
		"trail_cut_from_its_chain":          {IDLogsRole, IDTrailCloudWatch},
		"no_cloudwatch_logs":                {IDLogGroup, IDLogsRole, IDTrailCloudWatch, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
		"log_group_deleted":                 {IDLogGroup, IDLogsRole, IDTrailCloudWatch, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
		"no_metric_filter":                  {IDMetricFilter},
		"filter_narrowed_foreign":           {IDMetricFilter},
		"filter_narrowed_ours":              {IDMetricFilter},
		"filter_default_value_foreign":      {IDMetricFilter, IDAlarm},
		"no_alarm":                          {IDTopic, IDSubscription, IDAlarm},
		"alarm_deleted_topic_remains":       {IDAlarm},
		"alarm_deleted_topic_policy_lost":   {IDTopicPolicy, IDAlarm},
		"alarm_not_notifying_foreign":       {IDAlarm},
		"alarm_not_notifying_managed":       {IDAlarm}, // the audit read the topic through the OK actions: usable, confirmed
		"alarm_cannot_fire_managed":         {IDAlarm},
		"alarm_cannot_fire_foreign":         {IDAlarm},
		"no_confirmed_subscription":         {IDSubscription},
		"no_confirmed_subscription_pending": nil,
		"missing_endpoint":                  {IDTopic, IDSubscription, IDAlarm},
		"everything":                        {IDTrailLogging, IDEventSelectors, IDLogGroup, IDLogsRole, IDTrailCloudWatch, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
		"no_trail":                          {IDTrailBucket, IDLogGroup, IDLogsRole, IDTrail, IDTrailLogging, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
		"no_trail_after_interruption":       {IDLogGroup, IDTrail, IDTrailLogging, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
	}
	for name, want := range cases {
		fx := byName(name)
		p, err := Build(fx.report(), fx.choices, fx.lookups)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, ids(p)); diff != "" {
			t.Errorf("%s: step order (-want +got):\n%s", name, diff)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func step(t *testing.T, p *Plan, id string) Step {
	t.Helper()
	for _, s := range p.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no step %s in %v", id, ids(p))
	return Step{}
}

func build(t *testing.T, name string, c ...Choices) *Plan {
	t.Helper()
	fx := byName(name)
	if len(c) > 0 {
		fx.choices = c[0]
	}
	p, err := Build(fx.report(), fx.choices, fx.lookups)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildDetails(t *testing.T) {
	t.Run("a deleted filter is put back publishing the remaining alarm's metric", func(t *testing.T) {
		p := build(t, "no_metric_filter")
		f := step(t, p, IDMetricFilter)
		if f.Action != Create || f.Params.MetricFilter.Namespace+"/"+f.Params.MetricFilter.MetricName != fa.Namespace+"/"+fa.MetricName {
			t.Errorf("filter step = %s %+v", string(f.Action), f.Params.MetricFilter)
		}
		if len(p.Missing()) != 0 {
			t.Errorf("needs %v; the existing topic has a confirmed subscriber", p.Missing())
		}
	})
	t.Run("a foreign narrowed filter is left; trailwatch's joins it on the alarm's metric", func(t *testing.T) {
		f := step(t, build(t, "filter_narrowed_foreign"), IDMetricFilter)
		m := f.Params.MetricFilter
		if f.Action != Create || f.Address.Name != DefaultFilterName || m.MetricName != fa.MetricName || m.Namespace != fa.Namespace {
			t.Errorf("filter step = %s %s %+v", string(f.Action), f.Address, m)
		}
	})
	t.Run("trailwatch's narrowed filter is put back under its name", func(t *testing.T) {
		f := step(t, build(t, "filter_narrowed_ours"), IDMetricFilter)
		if f.Action != Update || f.Address.Name != DefaultFilterName || f.Params.MetricFilter.Was != missesStopLogging || f.Params.MetricFilter.MetricName != fa.MetricName {
			t.Errorf("filter step = %s %s %+v", string(f.Action), f.Address, f.Params.MetricFilter)
		}
	})
	t.Run("a filter that floods the metric is not shared: a metric and an alarm of trailwatch's", func(t *testing.T) {
		p := build(t, "filter_default_value_foreign")
		f, a := step(t, p, IDMetricFilter), step(t, p, IDAlarm)
		if f.Params.MetricFilter.MetricName != DefaultMetricName+"-2" || a.Params.Alarm.MetricName != DefaultMetricName+"-2" || a.Params.Alarm.TopicARN != topicA {
			t.Errorf("filter %+v, alarm %+v", f.Params.MetricFilter, a.Params.Alarm)
		}
	})
	t.Run("alarm deleted: the remaining topic of trailwatch's is reused, no endpoint needed", func(t *testing.T) {
		p := build(t, "alarm_deleted_topic_remains")
		a := step(t, p, IDAlarm)
		if a.Params.Alarm.TopicARN != ownTopic || len(a.DependsOn) != 0 || len(p.Missing()) != 0 {
			t.Errorf("alarm %+v after %v, missing %v", a.Params.Alarm, a.DependsOn, p.Missing())
		}
	})
	t.Run("foreign alarm that does not notify: trailwatch's beside it reuses its topic", func(t *testing.T) {
		a := step(t, build(t, "alarm_not_notifying_foreign"), IDAlarm)
		if a.Action != Create || a.Address.Name != DefaultAlarmName || a.Params.Alarm.TopicARN != topicA {
			t.Errorf("alarm step = %+v %+v", a, a.Params.Alarm)
		}
	})
	t.Run("trailwatch's alarm that cannot fire is repaired, only the failing settings", func(t *testing.T) {
		a := step(t, build(t, "alarm_cannot_fire_managed"), IDAlarm)
		if a.Action != Update || a.Address.Name != fa.AlarmName {
			t.Fatalf("alarm step = %s %s", string(a.Action), a.Address)
		}
		if diff := cmp.Diff([]string{"Threshold", "DatapointsToAlarm"}, a.Params.Alarm.Repair); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("someone else's alarm that cannot fire gets trailwatch's beside it", func(t *testing.T) {
		a := step(t, build(t, "alarm_cannot_fire_foreign"), IDAlarm)
		if a.Action != Create || a.Address.Name != DefaultAlarmName || len(a.Params.Alarm.Repair) != 0 {
			t.Errorf("alarm step = %s %s %+v", string(a.Action), a.Address, a.Params.Alarm)
		}
	})
	t.Run("missing endpoint", func(t *testing.T) {
		p := build(t, "missing_endpoint")
		if len(p.Missing()) != 1 || !strings.Contains(p.Missing()[0], "--email") {
			t.Errorf("Missing() = %q", p.Missing())
		}
		if err := Encode(&bytes.Buffer{}, p, time.Now()); err == nil {
			t.Error("Encode saved a plan with a missing endpoint")
		}
	})
	t.Run("pending email is said plainly and no step is made", func(t *testing.T) {
		p := build(t, "no_confirmed_subscription_pending")
		if !p.Empty() || len(p.Remaining) != 1 || !strings.Contains(strings.Join(p.Notes, "\n"), "click the link") {
			t.Errorf("plan = %+v", p)
		}
	})
	t.Run("same endpoint already pending is not subscribed again", func(t *testing.T) {
		if p := build(t, "no_confirmed_subscription_pending", Choices{Email: "secops@example.com"}); !p.Empty() {
			t.Errorf("steps = %v", ids(p))
		}
	})
	t.Run("email plus subscribe make two subscriptions", func(t *testing.T) {
		p := build(t, "no_alarm", Choices{Email: "a@example.com", Subscribe: "sms:+14155550100"})
		if diff := cmp.Diff([]string{IDTopic, IDSubscription, IDSubscription + ".2", IDAlarm}, ids(p)); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("deleted log group the trail still names is created again under its name", func(t *testing.T) {
		p := build(t, "log_group_deleted")
		if p.Steps[0].ID != IDLogGroup || p.Steps[0].Params.LogGroup.Name != fa.LogGroup {
			t.Fatalf("first step = %s %+v, want the log group %s", p.Steps[0].ID, p.Steps[0].Params.LogGroup, fa.LogGroup)
		}
		if f := step(t, p, IDMetricFilter); f.Params.MetricFilter.LogGroupName != fa.LogGroup {
			t.Errorf("filter goes on %q", f.Params.MetricFilter.LogGroupName)
		}
	})
	t.Run("a trail cut from its chain is pointed back at it", func(t *testing.T) {
		s := step(t, build(t, "trail_cut_from_its_chain"), IDTrailCloudWatch)
		if s.Params.TrailCloudWatch.LogGroupName != fa.LogGroup {
			t.Errorf("delivery to %q, want %s", s.Params.TrailCloudWatch.LogGroupName, fa.LogGroup)
		}
	})
	t.Run("lookups: kept, updated and renamed resources", func(t *testing.T) {
		p := build(t, "no_trail_after_interruption")
		if s := step(t, p, IDLogGroup); s.Action != Update {
			t.Errorf("log group %s, want update", string(s.Action))
		}
		if s := step(t, p, IDTopic); s.Address.Name != DefaultTopicName+"-2" || s.Action != Create {
			t.Errorf("topic %s %s", string(s.Action), s.Address)
		}
		if s := step(t, p, IDTrail); s.Params.Trail.BucketName != DefaultBucketName(acct, region) || slices.Contains(s.DependsOn, IDTrailBucket) || slices.Contains(s.DependsOn, IDLogsRole) {
			t.Errorf("trail %+v after %v", s.Params.Trail, s.DependsOn)
		}
		if len(p.Kept) != 2 {
			t.Errorf("kept %v, want the bucket and the role", p.Kept)
		}
	})
	t.Run("build does not modify the report", func(t *testing.T) {
		fx := byName("everything")
		r1, r2 := fx.report(), fx.report()
		if _, err := Build(r1, fx.choices, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r2, r1, cmpOpts); diff != "" {
			t.Error(diff)
		}
	})
}

func TestBuildErrors(t *testing.T) {
	org := func(a *fa.Account) { a.Trails[0].IsOrganizationTrail = aws.Bool(true) }
	cases := []struct {
		name    string
		mutate  func(*fa.Account)
		choices Choices
		want    string
	}{
		{"unknown read", func(a *fa.Account) { a.Errors["DescribeAlarms"] = fa.Denied("AccessDenied") }, Choices{}, "cloudwatch:DescribeAlarms"},
		{"no trail, no account id", func(a *fa.Account) { emptyAccount(a); a.Errors["GetCallerIdentity"] = fa.Denied("AccessDenied") }, Choices{}, "sts:GetCallerIdentity"},
		{"organization trail not logging", func(a *fa.Account) { org(a); a.Status[trailARN].IsLogging = aws.Bool(false) }, Choices{}, "organization trail"},
		{"organization trail without delivery", func(a *fa.Account) { org(a); a.Trails[0].CloudWatchLogsLogGroupArn = nil }, Choices{}, "organization trail"},
		{"five data selectors", func(a *fa.Account) {
			var sels []cttypes.EventSelector
			for i := 0; i < 5; i++ {
				sels = append(sels, cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll,
					DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}})
			}
			a.Selectors[trailARN].EventSelectors = sels
		}, Choices{}, "5 event selectors"},
		{"topic in another region", func(a *fa.Account) { a.Alarms = nil }, Choices{TopicARN: "arn:aws:sns:eu-west-1:111122223333:t"}, "is in eu-west-1"},
		{"topic the audit rejected", func(a *fa.Account) {
			a.Alarms[fa.Home][0].ActionsEnabled = aws.Bool(false)
			a.Topics[topicA]["KmsMasterKeyId"] = "alias/aws/sns"
		},
			Choices{TopicARN: topicA}, "AWS managed key"},
		{"bad email", nil, Choices{Email: "not-an-address"}, `email "not-an-address"`},
		{"aws managed key", nil, Choices{KMSKeyID: "alias/aws/sns"}, "AWS managed key"},
		{"bad subscribe", nil, Choices{Subscribe: "sqs:queue-name"}, `--subscribe "sqs:queue-name": subscription endpoint "queue-name" for protocol sqs: want an SQS queue ARN`},
		{"unknown protocol", nil, Choices{Subscribe: "pigeon:coop"}, `--subscribe "pigeon:coop": subscription protocol "pigeon"`},
		{"subscribe without a protocol", nil, Choices{Subscribe: "bogus"}, `--subscribe "bogus": want PROTOCOL:ENDPOINT`},
		{"bad retention", nil, Choices{RetentionDays: 42}, "--retention-days 42"},
		{"bad topic arn", nil, Choices{TopicARN: "arn:aws:sqs:us-east-1:123456789012:q"}, "--topic-arn"},
		{"reserved namespace", nil, Choices{Namespace: "AWS/Logs"}, "--namespace"},
		// The control's alarm is gone and every name trailwatch would give a
		// new one is held by an alarm about something else.
		{"every alarm name taken", func(a *fa.Account) {
			a.Alarms[fa.Home] = nil
			for _, n := range chain.Candidates(DefaultAlarmName) {
				a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, fa.AccountID, n, "Other", "Thing"))
			}
		}, Choices{}, "are all taken by resources trailwatch did not make; pass --alarm-name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := fixture{mutate: c.mutate}
			_, err := Build(fx.report(), c.choices, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
	var ue *UnknownError
	_, err := Build(fixture{mutate: cases[0].mutate}.report(), Choices{}, nil)
	if !errors.As(err, &ue) {
		t.Errorf("unknown read error is %T, want *UnknownError", err)
	}
}

func TestParseEndpoint(t *testing.T) {
	good := map[string]Endpoint{
		"https://hooks.example.com/a":                                       {"https", "https://hooks.example.com/a"},
		"http://h.example.com":                                              {"http", "http://h.example.com"},
		"sqs:arn:aws:sqs:us-east-1:123456789012:q":                          {"sqs", "arn:aws:sqs:us-east-1:123456789012:q"},
		"email:a@example.com":                                               {"email", "a@example.com"},
		"email-json:a@example.com":                                          {"email-json", "a@example.com"},
		"lambda:arn:aws:lambda:us-east-1:123456789012:function:f":           {"lambda", "arn:aws:lambda:us-east-1:123456789012:function:f"},
		"sms:+14155550100":                                                  {"sms", "+14155550100"},
		"firehose:arn:aws:firehose:us-east-1:123456789012:deliverystream/s": {"firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"},
		"application:arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/x": {"application", "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/x"},
	}
	for in, want := range good {
		got, err := ParseEndpoint(in)
		if err != nil || got != want {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "https", "email:", "https:ftp://x", "lambda:arn:aws:sqs:us-east-1:123456789012:q", "sms:5550100", "email:Bob <b@example.com>"} {
		if _, err := ParseEndpoint(in); err == nil {
			t.Errorf("ParseEndpoint(%q) accepted", in)
		}
	}
}

var cmpOpts = cmp.Options{cmp.Exporter(func(reflect.Type) bool { return true })}

// A bad --subscribe names the flag and the value once, whichever rule it breaks.
func TestSubscribeErrorNamesFlagOnce(t *testing.T) {
	for _, v := range []string{"bogus", "ftp:x", "sqs:queue-name", "https:"} {
		err := Choices{Subscribe: v}.Validate()
		if err == nil {
			t.Errorf("--subscribe %q accepted", v)
			continue
		}
		if msg := err.Error(); strings.Count(msg, "--subscribe") != 1 || strings.Count(msg, strconv.Quote(v)) != 1 {
			t.Errorf("--subscribe %q: %q should name the flag and the value once each", v, msg)
		}
	}
}
