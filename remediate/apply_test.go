package remediate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/plan"
)

const (
	trailARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
	keyPol   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
	queue    = "arn:aws:sqs:us-east-1:123456789012:alerts"
)

var dataSelector = cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll,
	DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::payroll/"}}}}

// broken is an account whose only trail is stopped, logs no management
// events (it keeps a data-event selector) and delivers nowhere.
func broken() (*fake, *audit.Report) {
	f := newFake()
	f.trails[trailARN] = &fakeTrail{name: "main", home: "us-east-1", multi: true, bucket: "ct-logs", basic: []cttypes.EventSelector{dataSelector}}
	f.keys["alias/secops"] = &fakeKey{manager: kmstypes.KeyManagerTypeCustomer, policy: keyPol}
	return f, auditFake(f)
}

// auditFake audits the fake as fix does before it plans.
func auditFake(f *fake) *audit.Report {
	r, err := audit.Run(context.Background(), auditOf(f), audit.Options{})
	if err != nil {
		panic(err)
	}
	f.calls, f.writes = nil, nil
	return r
}

// build plans from r as fix does: plan, probe the names it creates, plan
// again with what the probes found.
func build(t *testing.T, r *audit.Report, c plan.Choices, f ...*fake) *plan.Plan {
	t.Helper()
	p, err := plan.Build(r, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) == 0 {
		return p
	}
	lk, err := Lookup(context.Background(), p, f[0])
	if err != nil {
		t.Fatal(err)
	}
	if p, err = plan.Build(r, c, lk); err != nil {
		t.Fatal(err)
	}
	f[0].calls, f[0].writes = nil, nil
	return p
}

// applyAllDone applies p to f and fails the test unless every step is done.
func applyAllDone(t *testing.T, f *fake, p *plan.Plan) {
	t.Helper()
	res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		if s.Status != Done {
			t.Errorf("%s: %s (%s)", s.ID, s.Status, s.Detail)
		}
	}
}

var fullChoices = plan.Choices{Subscribe: "sqs:" + queue, KMSKeyID: "alias/secops"}

func noSleep(context.Context, time.Duration) error { return nil }

func statuses(r *Result) []Status {
	var out []Status
	for _, s := range r.Steps {
		out = append(out, s.Status)
	}
	return out
}

// checkCompliant asserts the fake now holds the whole chain: the audit
// says so, and the trail kept its data selector.
func checkCompliant(t *testing.T, f *fake) {
	t.Helper()
	calls, writes := f.calls, f.writes
	defer func() { f.calls, f.writes = calls, writes }()
	if r, err := audit.Run(context.Background(), auditOf(f), audit.Options{}); err != nil || r.Compliant == nil || !*r.Compliant {
		t.Errorf("audit after apply: %v, gaps %+v, unknown %+v", err, r.Gaps, r.Unknown)
	}
	tr := f.trails[trailARN]
	if len(tr.basic) == 0 || len(tr.basic[0].DataResources) == 0 || tr.basic[0].DataResources[0].Values[0] != "arn:aws:s3:::payroll/" {
		t.Errorf("data selector lost: %+v", tr.basic)
	}
}

func TestApplyFromBrokenAccount(t *testing.T) {
	f, r := broken()
	p := build(t, r, fullChoices)
	applyAllDone(t, f, p)
	checkCompliant(t, f)

	// The role is limited to this trail and this group's streams.
	role := f.roles[plan.DefaultRoleName]
	if !strings.Contains(role.trust, trailARN) || !strings.Contains(role.trust, `"aws:SourceAccount": "123456789012"`) {
		t.Errorf("trust policy = %s", role.trust)
	}
	pol := role.policies[plan.RolePolicyName]
	if !strings.Contains(pol, "log-group:"+plan.DefaultLogGroupName+":log-stream:*") || strings.Contains(pol, "logs:*") {
		t.Errorf("role policy = %s", pol)
	}
	// The topic is encrypted with the customer key and keeps its default statement.
	topic := f.topics["arn:aws:sns:us-east-1:123456789012:"+plan.DefaultTopicName]
	if topic.attrs["KmsMasterKeyId"] != "alias/secops" {
		t.Errorf("topic attrs = %v", topic.attrs)
	}
	for _, want := range []string{"__default_statement_ID", plan.TopicStatementSid, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"} {
		if !strings.Contains(topic.attrs["Policy"], want) {
			t.Errorf("topic policy lacks %s: %s", want, topic.attrs["Policy"])
		}
	}
	// Everything taggable is tagged.
	if !chain.Managed(f.groups[plan.DefaultLogGroupName].tags) || !chain.Managed(chain.IAMTags(role.tags)) || !chain.Managed(chain.SNSTags(topic.tags)) {
		t.Error("a created resource lacks the managed tag")
	}
	alarm := f.alarms[plan.DefaultAlarmName]
	if !chain.Managed(chain.CloudWatchTags(f.alarmTags[aws.ToString(alarm.AlarmArn)])) || aws.ToString(alarm.TreatMissingData) != "notBreaching" ||
		alarm.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold || aws.ToInt32(alarm.Period) != 300 {
		t.Errorf("alarm = %+v", alarm)
	}

	// Idempotent: the same plan again writes nothing.
	f.writes = nil
	res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.writes) != 0 {
		t.Errorf("second apply wrote %v", f.writes)
	}
	if res.Count(NoChange) != len(p.Steps) {
		t.Errorf("second apply statuses = %v", statuses(res))
	}
}

// TestFailureAtEveryWrite injects a failure at each write call of a full run
// in turn: steps before it are done, nothing after it is attempted, and a
// second run finishes the job. Two full runs: an account whose trail is
// broken, and a new account without a trail (bucket and trail creation).
func TestFailureAtEveryWrite(t *testing.T) {
	for _, sc := range []struct {
		name  string
		setup func() (*fake, *audit.Report)
		c     plan.Choices
		check func(*testing.T, *fake)
	}{
		{"broken_trail", broken, fullChoices, checkCompliant},
		{"no_trail", empty, bootChoices, checkBootstrapped},
	} {
		t.Run(sc.name, func(t *testing.T) { failureAtEveryWrite(t, sc.setup, sc.c, sc.check) })
	}
}

func failureAtEveryWrite(t *testing.T, setup func() (*fake, *audit.Report), c plan.Choices, check func(*testing.T, *fake)) {
	f0, r := setup()
	p := build(t, r, c)
	if _, err := Apply(context.Background(), p, f0, Options{Sleep: noSleep}); err != nil {
		t.Fatal(err)
	}
	all := slices.Clone(f0.writes)
	if len(all) < len(p.Steps) {
		t.Fatalf("only %d writes for %d steps", len(all), len(p.Steps))
	}
	for i, op := range all {
		t.Run(fmt.Sprintf("%02d_%s", i, op), func(t *testing.T) {
			f, _ := setup()
			// Fail the n-th occurrence of op: let earlier ones through.
			nth := 0
			for _, o := range all[:i] {
				if o == op {
					nth++
				}
			}
			seen := 0
			boom := errors.New("injected failure")
			f.onCall = func(o string) {
				if o == op {
					seen++
					if seen == nth {
						f.fail[op], f.failN[op] = boom, 1
					}
				}
			}
			if nth == 0 {
				f.fail[op], f.failN[op] = boom, 1
			}
			res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
			var se *StepError
			if !errors.As(err, &se) || !errors.Is(err, boom) {
				t.Fatalf("err = %v, want a StepError wrapping the injected failure", err)
			}
			failed := -1
			for j, s := range res.Steps {
				if s.Status == Failed {
					failed = j
				}
			}
			if failed < 0 || res.Steps[failed].ID != se.Step.ID {
				t.Fatalf("statuses = %v", statuses(res))
			}
			for j, s := range res.Steps {
				switch {
				case j < failed && s.Status != Done:
					t.Errorf("step %s before the failure: %s", s.ID, s.Status)
				case j > failed && s.Status != NotStarted:
					t.Errorf("step %s after the failure: %s", s.ID, s.Status)
				}
			}
			// No write after the failed one.
			if got := f.writes; len(got) != i {
				t.Errorf("writes = %v, want exactly the %d before the failure", got, i)
			}
			// A second run finishes.
			f.onCall = nil
			if _, err := Apply(context.Background(), p, f, Options{Sleep: noSleep}); err != nil {
				t.Fatalf("re-run: %v", err)
			}
			check(t, f)
			// And a third writes nothing.
			f.writes = nil
			if _, err := Apply(context.Background(), p, f, Options{Sleep: noSleep}); err != nil || len(f.writes) != 0 {
				t.Errorf("third run: %v, writes %v", err, f.writes)
			}
		})
	}
}

func TestNeverOverwrites(t *testing.T) {
	f, r := broken()
	// Foreign resources hold every default name.
	f.groups[plan.DefaultLogGroupName] = &fakeGroup{tags: map[string]string{"team": "other"}}
	f.filters[plan.DefaultLogGroupName] = map[string]cwltypes.MetricFilter{}
	f.roles[plan.DefaultRoleName] = &fakeRole{arn: "arn:aws:iam::123456789012:role/" + plan.DefaultRoleName, trust: "{}", policies: map[string]string{}}
	topicARN := "arn:aws:sns:us-east-1:123456789012:" + plan.DefaultTopicName
	f.topics[topicARN] = &fakeTopic{attrs: map[string]string{"Policy": "{}"}}
	f.alarms[plan.DefaultAlarmName] = &cwtypes.MetricAlarm{AlarmName: aws.String(plan.DefaultAlarmName),
		AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + plan.DefaultAlarmName), MetricName: aws.String("CPU")}
	before := struct {
		role  fakeRole
		topic string
		alarm cwtypes.MetricAlarm
	}{*f.roles[plan.DefaultRoleName], f.topics[topicARN].attrs["Policy"], *f.alarms[plan.DefaultAlarmName]}

	r = auditFake(f)
	p := build(t, r, plan.Choices{Subscribe: "sqs:" + queue}, f)
	res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	checkCompliant(t, f)
	if f.groups[plan.DefaultLogGroupName].retention != nil || len(f.filters[plan.DefaultLogGroupName]) != 0 {
		t.Error("foreign log group changed")
	}
	if r := f.roles[plan.DefaultRoleName]; r.trust != before.role.trust || len(r.policies) != 0 {
		t.Error("foreign role changed")
	}
	if f.topics[topicARN].attrs["Policy"] != before.topic {
		t.Error("foreign topic policy changed")
	}
	if a := f.alarms[plan.DefaultAlarmName]; aws.ToString(a.MetricName) != "CPU" || len(a.AlarmActions) != 0 {
		t.Error("foreign alarm changed")
	}
	// The plan chose the next names and said why; apply used them.
	notes := strings.Join(p.Notes, "\n")
	for _, name := range []string{plan.DefaultLogGroupName + "-2", plan.DefaultRoleName + "-2", plan.DefaultAlarmName + "-2", plan.DefaultTopicName + "-2"} {
		found := false
		for _, s := range res.Steps {
			if strings.HasSuffix(s.Resource, name) && s.Status == Done {
				found = true
			}
		}
		if !found {
			t.Errorf("no step resolved to %s: %+v", name, res.Steps)
		}
		if !strings.Contains(notes, `"`+name+`"`) {
			t.Errorf("the plan does not say it uses %s because the name is taken: %s", name, notes)
		}
	}
	// The trail points at the -2 group and role.
	if tr := f.trails[trailARN]; !strings.Contains(tr.groupARN, plan.DefaultLogGroupName+"-2") || !strings.HasSuffix(tr.roleARN, plan.DefaultRoleName+"-2") {
		t.Errorf("trail delivery = %s / %s", tr.groupARN, tr.roleARN)
	}
}

// A create step whose filter name someone took since the plan was made
// stops: a filter of that name may be someone else's, so it is not written.
func TestForeignFilterName(t *testing.T) {
	f := newFake()
	f.groups["ct"] = &fakeGroup{}
	f.filters["ct"] = map[string]cwltypes.MetricFilter{plan.DefaultFilterName: {FilterName: aws.String(plan.DefaultFilterName), FilterPattern: aws.String("ERROR"),
		MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"), MetricValue: aws.String("1")}}}}
	p := &plan.Plan{Account: f.acct, Steps: []plan.Step{{ID: plan.IDMetricFilter, Action: plan.Create,
		Address: plan.Address{Kind: plan.KindMetricFilter, Name: plan.DefaultFilterName, Region: "us-east-1"},
		Params: plan.Params{MetricFilter: &plan.MetricFilterParams{Name: plan.DefaultFilterName, LogGroupName: "ct", Pattern: pattern.CIS,
			MetricName: "M", Namespace: "N", MetricValue: "1"}}}}}
	_, err := Apply(context.Background(), p, f, Options{})
	if err == nil || !strings.Contains(err.Error(), "since the plan was made") {
		t.Errorf("err = %v", err)
	}
	if aws.ToString(f.filters["ct"][plan.DefaultFilterName].FilterPattern) != "ERROR" || slices.Contains(f.writes, "PutMetricFilter") {
		t.Error("foreign filter overwritten")
	}
}

func TestManagedAlarmRepaired(t *testing.T) {
	f := newFake()
	topic := "arn:aws:sns:us-east-1:123456789012:secops"
	f.topics[topic] = &fakeTopic{attrs: map[string]string{}}
	arn := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mine"
	f.alarms["mine"] = &cwtypes.MetricAlarm{AlarmName: aws.String("mine"), AlarmArn: aws.String(arn), MetricName: aws.String("M"),
		Namespace: aws.String("N"), ActionsEnabled: aws.Bool(false), AlarmActions: []string{"arn:aws:automate:us-east-1:ec2:stop"}}
	f.alarmTags[arn] = []cwtypes.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}}
	p := &plan.Plan{Account: f.acct, Steps: []plan.Step{alarmStep(plan.Update, "mine", topic)}}
	if _, err := Apply(context.Background(), p, f, Options{}); err != nil {
		t.Fatal(err)
	}
	a := f.alarms["mine"]
	if !aws.ToBool(a.ActionsEnabled) || !slices.Contains(a.AlarmActions, topic) || !slices.Contains(a.AlarmActions, "arn:aws:automate:us-east-1:ec2:stop") {
		t.Errorf("repaired alarm = %+v", a)
	}
	// Without the tag (removed since the plan), the step refuses and
	// leaves the alarm as it is.
	f.alarms["mine"].ActionsEnabled = aws.Bool(false)
	f.alarmTags[arn] = nil
	f.writes = nil
	_, err := Apply(context.Background(), p, f, Options{})
	if err == nil || !strings.Contains(err.Error(), "no longer trailwatch's") || aws.ToBool(f.alarms["mine"].ActionsEnabled) || len(f.writes) != 0 {
		t.Errorf("foreign alarm: err %v, %+v, writes %v", err, f.alarms["mine"], f.writes)
	}
}

func alarmStep(action plan.Action, name, topic string) plan.Step {
	return plan.Step{ID: plan.IDAlarm, Action: action, Address: plan.Address{Kind: plan.KindAlarm, Name: name, Region: "us-east-1"},
		Params: plan.Params{Alarm: &plan.AlarmParams{Name: name, MetricName: "M", Namespace: "N", Statistic: "Sum", PeriodSeconds: 300,
			EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching", TopicARN: topic}}}
}

func TestAdvancedSelectorsStayAdvanced(t *testing.T) {
	f := newFake()
	data := cttypes.AdvancedEventSelector{Name: aws.String("S3"), FieldSelectors: []cttypes.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Data"}}, {Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}}}}
	f.trails[trailARN] = &fakeTrail{name: "main", multi: true, logging: true, advanced: []cttypes.AdvancedEventSelector{data}}
	p := build(t, auditFake(f), plan.Choices{Email: "secops@example.com"})
	if ids(p)[0] != plan.IDEventSelectors {
		t.Fatalf("steps %v", ids(p))
	}
	p.Steps = p.Steps[:1] // the selectors alone are under test
	// A selector appears between plan and apply: it is kept too.
	extra := cttypes.AdvancedEventSelector{Name: aws.String("Lambda"), FieldSelectors: []cttypes.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Data"}}, {Field: aws.String("resources.type"), Equals: []string{"AWS::Lambda::Function"}}}}
	f.trails[trailARN].advanced = append(f.trails[trailARN].advanced, extra)
	if _, err := Apply(context.Background(), p, f, Options{}); err != nil {
		t.Fatal(err)
	}
	tr := f.trails[trailARN]
	if len(tr.basic) != 0 || len(tr.advanced) != 3 || aws.ToString(tr.advanced[0].Name) != "S3" || aws.ToString(tr.advanced[1].Name) != "Lambda" {
		t.Errorf("selectors = %+v / %+v", tr.basic, tr.advanced)
	}
}

func TestCancelStopsBetweenSteps(t *testing.T) {
	f, r := broken()
	p := build(t, r, fullChoices)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel while the second step's write is in flight.
	f.onCall = func(op string) {
		if op == "PutEventSelectors" {
			cancel()
		}
	}
	res, err := Apply(ctx, p, f, Options{Sleep: noSleep})
	if !errors.Is(err, ErrCancelled) || !res.Cancelled {
		t.Fatalf("err = %v", err)
	}
	want := []Status{Done, Done}
	for range p.Steps[2:] {
		want = append(want, NotStarted)
	}
	if diff := slices.Compare(statuses(res), want); diff != 0 {
		t.Errorf("statuses = %v, want %v", statuses(res), want)
	}
	if !strings.Contains(err.Error(), "before step "+plan.IDLogGroup) {
		t.Errorf("error does not say where it stopped: %v", err)
	}
}

func TestRolePropagationRetry(t *testing.T) {
	f, r := broken()
	p := build(t, r, fullChoices)
	f.fail["UpdateTrail"], f.failN["UpdateTrail"] = apiErr("InvalidCloudWatchLogsRoleArnException", "cannot assume"), 2
	sleeps := 0
	_, err := Apply(context.Background(), p, f, Options{Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }})
	if err != nil || sleeps != 2 {
		t.Fatalf("err = %v, sleeps = %d", err, sleeps)
	}
	// Bounded: it gives up and says why.
	f2, _ := broken()
	f2.fail["UpdateTrail"] = apiErr("InvalidCloudWatchLogsRoleArnException", "cannot assume")
	_, err = Apply(context.Background(), p, f2, Options{Sleep: noSleep, PropagationAttempts: 3})
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("err = %v", err)
	}
	// Ctrl-C during the wait stops it.
	f3, _ := broken()
	f3.fail["UpdateTrail"] = apiErr("InvalidCloudWatchLogsRoleArnException", "cannot assume")
	ctx, cancel := context.WithCancel(context.Background())
	cancel2 := func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	_, err = Apply(ctx, p, f3, Options{Sleep: cancel2})
	if !errors.Is(err, ErrCancelled) {
		t.Errorf("err = %v", err)
	}
}

func TestKMSKeyChecked(t *testing.T) {
	for name, key := range map[string]*fakeKey{
		"aws managed":       {manager: kmstypes.KeyManagerTypeAws, policy: keyPol},
		"policy without cw": {manager: kmstypes.KeyManagerTypeCustomer, policy: `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*"}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			f, r := broken()
			f.keys["alias/secops"] = key
			p := build(t, r, fullChoices)
			_, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
			var se *StepError
			if !errors.As(err, &se) || se.Step.ID != plan.IDTopic {
				t.Fatalf("err = %v", err)
			}
			if slices.Contains(f.writes, "CreateTopic") {
				t.Error("topic created with an unusable key")
			}
		})
	}
}

func TestPendingEmail(t *testing.T) {
	f := newFake()
	topic := "arn:aws:sns:us-east-1:123456789012:t"
	f.topics[topic] = &fakeTopic{attrs: map[string]string{}}
	p := &plan.Plan{Account: f.acct, Steps: []plan.Step{{ID: plan.IDSubscription, Action: plan.Create,
		Address: plan.Address{Kind: plan.KindSubscription, Name: "email:a@example.com"},
		Params:  plan.Params{Subscription: &plan.SubscriptionParams{TopicARN: topic, Protocol: "email", Endpoint: "a@example.com"}}}}}
	res, err := Apply(context.Background(), p, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pending()) != 1 || !strings.Contains(res.Steps[0].Detail, "click the link") {
		t.Errorf("%+v", res.Steps[0])
	}
	// Again: already pending, no second Subscribe.
	f.writes = nil
	res, _ = Apply(context.Background(), p, f, Options{})
	if len(f.writes) != 0 || res.Steps[0].Status != NoChange || !res.Steps[0].Pending {
		t.Errorf("writes %v, %+v", f.writes, res.Steps[0])
	}
}

func TestApplyRefusesIncompletePlan(t *testing.T) {
	f := newFake()
	p := &plan.Plan{Account: f.acct, Steps: []plan.Step{{ID: plan.IDSubscription, Action: plan.Create,
		Address: plan.Address{Kind: plan.KindSubscription, Name: "(endpoint required)"},
		Params:  plan.Params{Subscription: &plan.SubscriptionParams{TopicARN: "arn:aws:sns:us-east-1:123456789012:t"}}}}}
	if _, err := Apply(context.Background(), p, f, Options{}); err == nil || len(f.calls) != 0 {
		t.Errorf("err = %v, calls = %v", err, f.calls)
	}
}

var _ = iamtypes.Tag{}
var _ = snstypes.Tag{}

func ids(p *plan.Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, s.ID)
	}
	return out
}

// The trail's delivery is re-read just before UpdateTrail: when someone
// pointed it at another log group (or role) after the plan was made, apply
// stops there instead of replacing their setting.
func TestTrailDeliveryChangedSincePlan(t *testing.T) {
	f, r := broken()
	p := build(t, r, fullChoices)
	central := "arn:aws:logs:us-east-1:123456789012:log-group:central:*"
	f.trails[trailARN].groupARN, f.trails[trailARN].roleARN = central, "arn:aws:iam::123456789012:role/central"
	res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	var se *StepError
	if !errors.As(err, &se) || se.Step.ID != plan.IDTrailCloudWatch || !strings.Contains(err.Error(), "central") {
		t.Fatalf("err = %v, want the cloudwatch_logs step to fail naming the group it now delivers to", err)
	}
	if tr := f.trails[trailARN]; tr.groupARN != central || tr.roleARN != "arn:aws:iam::123456789012:role/central" {
		t.Errorf("trail delivery replaced: %s / %s", tr.groupARN, tr.roleARN)
	}
	if slices.Contains(f.writes, "UpdateTrail") {
		t.Errorf("UpdateTrail called: %v", f.writes)
	}
	if res.Count(NotStarted) == 0 {
		t.Error("steps after the failure should be not started")
	}
}

// An organization trail is never changed, even when the plan says so (a
// plan file made by hand): UpdateTrail would change every member account.
func TestOrganizationTrailNotUpdated(t *testing.T) {
	f, r := broken()
	p := build(t, r, fullChoices)
	f.trails[trailARN].org = true
	_, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	if err == nil || !strings.Contains(err.Error(), "organization trail") {
		t.Fatalf("err = %v, want a refusal naming the organization trail", err)
	}
	for _, w := range []string{"UpdateTrail", "PutEventSelectors", "StartLogging"} {
		if slices.Contains(f.writes, w) {
			t.Errorf("%s called on an organization trail: %v", w, f.writes)
		}
	}
}
