package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailwatch/trailwatch/audit"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plan -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestBuildGolden(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			p, err := Build(fx.report(), fx.choices)
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
			if diff := cmp.Diff(p, &back, cmpOpts, cmpopts.EquateEmpty()); diff != "" {
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
		"no_cloudwatch_logs":                {IDLogGroup, IDLogsRole, IDTrailCloudWatch, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
		"no_metric_filter":                  {IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
		"no_alarm":                          {IDTopic, IDSubscription, IDAlarm},
		"alarm_not_notifying_foreign":       {IDTopicPolicy, IDAlarm},
		"alarm_not_notifying_managed":       {IDTopicPolicy, IDAlarm},
		"no_confirmed_subscription":         {IDSubscription},
		"no_confirmed_subscription_pending": nil,
		"everything":                        {IDTrailLogging, IDEventSelectors, IDLogGroup, IDLogsRole, IDTrailCloudWatch, IDMetricFilter, IDTopic, IDSubscription, IDAlarm},
	}
	for name, want := range cases {
		fx := byName(name)
		p, err := Build(fx.report(), fx.choices)
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

func TestBuildDetails(t *testing.T) {
	t.Run("foreign alarm keeps its name; new alarm beside it reuses its topic", func(t *testing.T) {
		fx := byName("alarm_not_notifying_foreign")
		p, err := Build(fx.report(), fx.choices)
		if err != nil {
			t.Fatal(err)
		}
		a := p.Steps[len(p.Steps)-1]
		if a.Action != Create || a.Address.Name != DefaultAlarmName+"-2" || a.Params.Alarm.TopicARN != topicA {
			t.Errorf("alarm step = %+v %+v", a, a.Params.Alarm)
		}
	})
	t.Run("managed alarm is repaired and keeps its other actions", func(t *testing.T) {
		fx := byName("alarm_not_notifying_managed")
		p, err := Build(fx.report(), fx.choices)
		if err != nil {
			t.Fatal(err)
		}
		a := p.Steps[len(p.Steps)-1]
		if a.Action != Update || a.Address.Name != "mine" {
			t.Fatalf("alarm step = %s %s", string(a.Action), a.Address)
		}
		if diff := cmp.Diff([]string{"arn:aws:automate:us-east-1:ec2:stop"}, a.Params.Alarm.KeepActions); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("reused filter's metric is used", func(t *testing.T) {
		fx := byName("no_alarm")
		p, err := Build(fx.report(), fx.choices)
		if err != nil {
			t.Fatal(err)
		}
		a := p.Steps[len(p.Steps)-1].Params.Alarm
		if a.MetricName != "TrailChanges" || a.Namespace != "Security" {
			t.Errorf("alarm metric = %s/%s, want Security/TrailChanges", a.Namespace, a.MetricName)
		}
	})
	t.Run("missing endpoint", func(t *testing.T) {
		fx := byName("missing_endpoint")
		p, err := Build(fx.report(), fx.choices)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Missing()) != 1 || !strings.Contains(p.Missing()[0], "--email") {
			t.Errorf("Missing() = %q", p.Missing())
		}
		if err := Encode(&bytes.Buffer{}, p, time.Now()); err == nil {
			t.Error("Encode saved a plan with a missing endpoint")
		}
	})
	t.Run("pending email is said plainly and no step is made", func(t *testing.T) {
		fx := byName("no_confirmed_subscription_pending")
		p, err := Build(fx.report(), fx.choices)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() || len(p.Remaining) != 1 || !strings.Contains(strings.Join(p.Notes, "\n"), "click the link") {
			t.Errorf("plan = %+v", p)
		}
	})
	t.Run("same endpoint already pending is not subscribed again", func(t *testing.T) {
		fx := byName("no_confirmed_subscription_pending")
		p, err := Build(fx.report(), Choices{Email: "secops@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() {
			t.Errorf("steps = %v", ids(p))
		}
	})
	t.Run("email plus subscribe make two subscriptions", func(t *testing.T) {
		fx := byName("no_alarm")
		p, err := Build(fx.report(), Choices{Email: "a@example.com", Subscribe: "sms:+14155550100"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{IDTopic, IDSubscription, IDSubscription + ".2", IDAlarm}, ids(p)); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("deleted log group the trail still names is created again under its name", func(t *testing.T) {
		r := base()
		r.Facts.LogGroup.Missing = true
		r.Facts.Filter, r.Facts.Alarms, r.Facts.Topics = nil, nil, nil
		r = withGaps(r, gap(audit.NoCloudWatchLogs, "log group ct-logs does not exist in us-east-1"),
			gap(audit.NoMetricFilter, "no log group"), gap(audit.NoAlarm, "no filter"),
			gap(audit.AlarmNotNotifying, "no alarm"), gap(audit.NoConfirmedSubscription, "no topic"))
		p, err := Build(r, Choices{Email: "secops@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Steps[0].ID != IDLogGroup || p.Steps[0].Params.LogGroup.Name != "ct-logs" {
			t.Fatalf("first step = %s %+v, want the log group ct-logs", p.Steps[0].ID, p.Steps[0].Params.LogGroup)
		}
		if diff := cmp.Diff([]string{IDLogGroup, IDLogsRole, IDTrailCloudWatch, IDMetricFilter, IDTopic, IDSubscription, IDAlarm}, ids(p)); diff != "" {
			t.Errorf("steps (-want +got):\n%s", diff)
		}
		for _, s := range p.Steps {
			if s.ID == IDTrailCloudWatch && s.Params.TrailCloudWatch.LogGroupName != "ct-logs" {
				t.Errorf("trail delivery goes to %q, want ct-logs", s.Params.TrailCloudWatch.LogGroupName)
			}
			if s.ID == IDMetricFilter && s.Params.MetricFilter.LogGroupName != "ct-logs" {
				t.Errorf("filter goes on %q, want ct-logs", s.Params.MetricFilter.LogGroupName)
			}
		}
	})
	t.Run("build does not modify the report", func(t *testing.T) {
		fx := byName("everything")
		r1, r2 := fx.report(), fx.report()
		if _, err := Build(r1, fx.choices); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r2, r1, cmpOpts); diff != "" {
			t.Error(diff)
		}
	})
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name    string
		report  func() *audit.Report
		choices Choices
		want    string
	}{
		{"unknown read", func() *audit.Report {
			r := withGaps(base(), gap(audit.NoAlarm, "x"))
			r.Unknown = []audit.UnknownRead{{Link: audit.LinkAlarm, API: "DescribeAlarms", Action: "cloudwatch:DescribeAlarms", Message: "AccessDenied"}}
			return r
		}, Choices{}, "cloudwatch:DescribeAlarms"},
		{"no trail, no account id", func() *audit.Report {
			r := noTrail()
			r.Account = ""
			return r
		}, Choices{}, "account id"},
		{"organization trail", func() *audit.Report {
			r := withGaps(base(), gap(audit.TrailNotLogging, "x"))
			r.Facts.Trail.Owner = "999999999999"
			return r
		}, Choices{}, "belongs to account 999999999999"},
		{"organization trail in the management account", func() *audit.Report {
			r := withGaps(base(), gap(audit.NoCloudWatchLogs, "x"))
			r.Facts.Trail.Organization = true
			return r
		}, Choices{}, "organization trail"},
		{"organization trail not logging", func() *audit.Report {
			r := withGaps(base(), gap(audit.TrailNotLogging, "x"))
			r.Facts.Trail.Organization = true
			return r
		}, Choices{}, "organization trail"},
		{"five data selectors", func() *audit.Report {
			r := withGaps(base(), gap(audit.ManagementEventsMissing, "x"))
			for i := 0; i < 5; i++ {
				r.Facts.Trail.EventSelectors = append(r.Facts.Trail.EventSelectors, cttypes.EventSelector{
					IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll,
					DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}})
			}
			return r
		}, Choices{}, "5 event selectors"},
		{"topic in another region", func() *audit.Report {
			r := base()
			r.Facts.Alarms, r.Facts.Topics = nil, nil
			return withGaps(r, gap(audit.NoAlarm, "x"))
		}, Choices{TopicARN: "arn:aws:sns:eu-west-1:123456789012:t"}, "is in eu-west-1"},
		{"bad email", base, Choices{Email: "not-an-address"}, `email "not-an-address"`},
		{"aws managed key", base, Choices{KMSKeyID: "alias/aws/sns"}, "AWS managed key"},
		{"bad subscribe", base, Choices{Subscribe: "sqs:queue-name"}, `--subscribe "sqs:queue-name": subscription endpoint "queue-name" for protocol sqs: want an SQS queue ARN`},
		{"unknown protocol", base, Choices{Subscribe: "pigeon:coop"}, `--subscribe "pigeon:coop": subscription protocol "pigeon"`},
		{"subscribe without a protocol", base, Choices{Subscribe: "bogus"}, `--subscribe "bogus": want PROTOCOL:ENDPOINT`},
		{"bad retention", base, Choices{RetentionDays: 42}, "--retention-days 42"},
		{"bad topic arn", base, Choices{TopicARN: "arn:aws:sqs:us-east-1:123456789012:q"}, "--topic-arn"},
		{"reserved namespace", base, Choices{Namespace: "AWS/Logs"}, "--namespace"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Build(c.report(), c.choices)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
	var ue *UnknownError
	_, err := Build(cases[0].report(), Choices{})
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

func TestAddManagementEvents(t *testing.T) {
	data := cttypes.DataResource{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::b/"}}
	t.Run("default selectors need nothing", func(t *testing.T) {
		ch, err := AddManagementEvents(nil, nil)
		if err != nil || ch.Changed {
			t.Errorf("%+v %v", ch, err)
		}
	})
	t.Run("data selector kept, management selector added", func(t *testing.T) {
		in := []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeReadOnly, DataResources: []cttypes.DataResource{data}}}
		ch, err := AddManagementEvents(in, nil)
		if err != nil || !ch.Changed || len(ch.Advanced) != 0 {
			t.Fatalf("%+v %v", ch, err)
		}
		want := []cttypes.EventSelector{in[0], {IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll}}
		if diff := cmp.Diff(want, ch.Selectors, cmpOpts); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if !CapturesAllManagement(ch.Selectors, nil) {
			t.Error("result does not capture management events")
		}
	})
	t.Run("management-only selector widened in place", func(t *testing.T) {
		in := []cttypes.EventSelector{
			{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly, ExcludeManagementEventSources: []string{"kms.amazonaws.com"}},
			{IncludeManagementEvents: aws.Bool(false), DataResources: []cttypes.DataResource{data}},
		}
		ch, err := AddManagementEvents(in, nil)
		if err != nil || len(ch.Selectors) != 2 {
			t.Fatalf("%+v %v", ch, err)
		}
		if ch.Selectors[0].ReadWriteType != cttypes.ReadWriteTypeAll || ch.Selectors[0].ExcludeManagementEventSources[0] != "kms.amazonaws.com" {
			t.Errorf("widened = %+v", ch.Selectors[0])
		}
		if diff := cmp.Diff(in[1], ch.Selectors[1], cmpOpts); diff != "" {
			t.Error(diff)
		}
		if in[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly {
			t.Error("input was modified")
		}
	})
	t.Run("five data selectors refuse", func(t *testing.T) {
		var in []cttypes.EventSelector
		for i := 0; i < 5; i++ {
			in = append(in, cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false), DataResources: []cttypes.DataResource{data}})
		}
		if _, err := AddManagementEvents(in, nil); err == nil {
			t.Error("no error at the limit")
		}
		// Four leave room for one more.
		ch, err := AddManagementEvents(in[:4], nil)
		if err != nil || len(ch.Selectors) != 5 {
			t.Errorf("%d selectors, %v", len(ch.Selectors), err)
		}
	})
	t.Run("advanced stays advanced", func(t *testing.T) {
		dataSel := cttypes.AdvancedEventSelector{Name: aws.String("data"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}}}}
		ch, err := AddManagementEvents(nil, []cttypes.AdvancedEventSelector{dataSel})
		if err != nil || len(ch.Selectors) != 0 || len(ch.Advanced) != 2 {
			t.Fatalf("%+v %v", ch, err)
		}
		if diff := cmp.Diff(dataSel, ch.Advanced[0], cmpOpts); diff != "" {
			t.Error(diff)
		}
		if !CapturesAllManagement(nil, ch.Advanced) {
			t.Error("result does not capture management events")
		}
	})
	t.Run("advanced readOnly narrowing dropped", func(t *testing.T) {
		in := []cttypes.AdvancedEventSelector{{Name: aws.String("mgmt"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), Equals: []string{"true"}}}}}
		ch, err := AddManagementEvents(nil, in)
		if err != nil || len(ch.Advanced) != 1 || len(ch.Advanced[0].FieldSelectors) != 1 {
			t.Fatalf("%+v %v", ch, err)
		}
		if len(in[0].FieldSelectors) != 2 {
			t.Error("input was modified")
		}
	})
	t.Run("advanced reads and writes in two selectors pass", func(t *testing.T) {
		mk := func(ro string) cttypes.AdvancedEventSelector {
			return cttypes.AdvancedEventSelector{FieldSelectors: []cttypes.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
				{Field: aws.String("readOnly"), Equals: []string{ro}}}}
		}
		if !CapturesAllManagement(nil, []cttypes.AdvancedEventSelector{mk("true"), mk("false")}) {
			t.Error("split reads/writes not recognised")
		}
	})
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
