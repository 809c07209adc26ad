package verifycmd_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit/evidence"
	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/internal/verifycmd"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/verify"
)

// The account of testdata/evidence/compliant.json.
const (
	evAlarm = "cloudtrail-config-changes"
	evTopic = "arn:aws:sns:us-east-1:111122223333:security-alerts"
	evTrail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main-trail"
	caller  = "arn:aws:iam::111122223333:user/alice"
)

func evidenceFile(name string) string {
	return filepath.Join("..", "..", "testdata", "evidence", name+".json")
}

// account fakes verify's calls for the evidence account: everything works
// unless a test says otherwise.
type account struct {
	mu        sync.Mutex
	calls     []string
	sets      []cwtypes.StateValue
	fired     bool
	resetErr  error
	state     cwtypes.StateValue
	failedSNS float64
}

func (a *account) CloudTrail(string) verify.CloudTrailAPI { return a }
func (a *account) Logs(string) verify.LogsAPI             { return a }
func (a *account) CloudWatch(string) verify.CloudWatchAPI { return a }

func (a *account) call(op string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, op)
}

func (a *account) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	a.call("GetTrailStatus")
	if aws.ToString(in.Name) != evTrail {
		return nil, fmt.Errorf("trail %q", aws.ToString(in.Name))
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(true), LatestCloudWatchLogsDeliveryTime: aws.Time(time.Now().Add(-time.Minute))}, nil
}

func (a *account) TestMetricFilter(_ context.Context, in *cloudwatchlogs.TestMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TestMetricFilterOutput, error) {
	a.call("TestMetricFilter")
	p, err := pattern.Parse(aws.ToString(in.FilterPattern))
	if err != nil {
		return nil, err
	}
	out := &cloudwatchlogs.TestMetricFilterOutput{}
	for i, m := range in.LogEventMessages {
		if pattern.Match(p, m) {
			out.Matches = append(out.Matches, cwltypes.MetricFilterMatchRecord{EventNumber: int64(i + 1), EventMessage: aws.String(m)})
		}
	}
	return out, nil
}

func (a *account) DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	a.call("DescribeAlarms")
	a.mu.Lock()
	defer a.mu.Unlock()
	state := a.state
	if state == "" {
		state = cwtypes.StateValueOk
	}
	return &cloudwatch.DescribeAlarmsOutput{MetricAlarms: []cwtypes.MetricAlarm{{
		AlarmName: aws.String(evAlarm), ActionsEnabled: aws.Bool(true), AlarmActions: []string{evTopic}, StateValue: state,
	}}}, nil
}

func (a *account) DescribeAlarmHistory(_ context.Context, in *cloudwatch.DescribeAlarmHistoryInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	a.call("DescribeAlarmHistory")
	a.mu.Lock()
	defer a.mu.Unlock()
	out := &cloudwatch.DescribeAlarmHistoryOutput{}
	if a.fired {
		out.AlarmHistoryItems = []cwtypes.AlarmHistoryItem{{
			Timestamp: aws.Time(time.Now()), HistoryItemType: cwtypes.HistoryItemTypeAction,
			HistorySummary: aws.String("Successfully executed action " + evTopic),
		}}
	}
	return out, nil
}

func (a *account) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	a.call("GetMetricData")
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		r := cwtypes.MetricDataResult{Id: q.Id, StatusCode: cwtypes.StatusCodeComplete}
		if aws.ToString(q.MetricStat.Metric.MetricName) == "NumberOfNotificationsFailed" && a.failedSNS > 0 {
			r.Timestamps, r.Values = []time.Time{time.Now().Add(-time.Hour)}, []float64{a.failedSNS}
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out, nil
}

func (a *account) SetAlarmState(_ context.Context, in *cloudwatch.SetAlarmStateInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.SetAlarmStateOutput, error) {
	a.call("SetAlarmState " + string(in.StateValue))
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sets = append(a.sets, in.StateValue)
	if in.StateValue == cwtypes.StateValueOk && a.resetErr != nil {
		return nil, a.resetErr
	}
	a.fired = a.fired || in.StateValue == cwtypes.StateValueAlarm
	return &cloudwatch.SetAlarmStateOutput{}, nil
}

// prompter answers Confirm and records the questions.
type prompter struct {
	answer bool
	err    error
	asked  []string
}

func (p *prompter) AskChoices(context.Context, prompt.Request) (plan.Choices, error) {
	return plan.Choices{}, errors.New("verify asks no choices")
}

func (p *prompter) Confirm(_ context.Context, title, description string) (bool, error) {
	p.asked = append(p.asked, title+" "+description)
	return p.answer, p.err
}

// records stand in for pattern.ExampleRecords: a minimal but real-shaped
// CloudTrail record per event.
func records(event string) []string {
	b, _ := json.Marshal(map[string]any{
		"eventVersion": "1.09", "userIdentity": map[string]any{"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"},
		"eventTime": "2026-02-28T09:14:03Z", "eventSource": "cloudtrail.amazonaws.com", "eventName": event,
		"awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "console.amazonaws.com",
		"requestParameters": map[string]any{"name": "main-trail"}, "responseElements": nil,
		"requestID": "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", "eventID": "7f6e5d4c-3b2a-1908-f7e6-d5c4b3a2f1e0",
		"readOnly":  strings.HasPrefix(event, "Describe") || strings.HasPrefix(event, "Get") || strings.HasPrefix(event, "Lookup"),
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management",
	})
	return []string{string(b)}
}

type result struct {
	code        int
	out, errOut string
	connected   bool
}

// runVerify runs the command on the evidence file's account (audit) and a
// (verify), with streams that are a terminal when tty is true.
func runVerify(t *testing.T, a *account, p prompt.Prompter, tty bool, mod func(*verifycmd.Options)) result {
	t.Helper()
	io, _, out, errOut := term.Test(tty)
	var res result
	o := verifycmd.Options{
		IO: io, Format: cliflags.Text, MaxDeliveryAge: time.Hour, Timeout: 5 * time.Second,
		Examples: records, Prompter: p, PollInterval: time.Millisecond, ResetTimeout: time.Second,
		Connect: func(context.Context) (*verifycmd.Env, error) {
			res.connected = true
			ac, err := evidence.Load(evidenceFile("compliant"))
			if err != nil {
				return nil, err
			}
			return &verifycmd.Env{Audit: ac, Verify: a, Caller: caller}, nil
		},
	}
	if mod != nil {
		mod(&o)
	}
	err := verifycmd.Run(context.Background(), o)
	res.code, res.out, res.errOut = exitcode.Of(err), out.String(), errOut.String()
	if err != nil {
		res.errOut += err.Error()
	}
	return res
}

func TestVerifiedWithoutFire(t *testing.T) {
	a := &account{}
	res := runVerify(t, a, nil, false, nil)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.out, res.errOut)
	}
	for _, want := range []string{
		"run by " + caller, "OK       audit", "OK       delivery", "OK       pattern", "agree on all 8 records",
		"OK       alarm", "OK       history", "OK       sns", "Verdict: VERIFIED", "the alarm was not fired",
	} {
		if !strings.Contains(res.out, want) {
			t.Errorf("output lacks %q:\n%s", want, res.out)
		}
	}
	if len(a.sets) > 0 {
		t.Errorf("wrote without --fire: %v", a.sets)
	}
}

func TestFireYes(t *testing.T) {
	a := &account{}
	res := runVerify(t, a, nil, false, func(o *verifycmd.Options) { o.Fire, o.Yes = true, true })
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.out, res.errOut)
	}
	if diff := cmp.Diff([]cwtypes.StateValue{"ALARM", "OK"}, a.sets); diff != "" {
		t.Errorf("SetAlarmState (-want +got):\n%s", diff)
	}
	for _, want := range []string{"Firing alarm cloudtrail-config-changes in us-east-1:", "OK       wait", "CloudWatch published to " + evTopic, "OK       reset", "Verdict: VERIFIED: every check passed."} {
		if !strings.Contains(res.out, want) {
			t.Errorf("output lacks %q:\n%s", want, res.out)
		}
	}
}

// Without a terminal and without --yes, --fire refuses before anything
// runs; a pipeline never hangs on a question.
func TestFireRefusedWithoutTerminal(t *testing.T) {
	a := &account{}
	res := runVerify(t, a, nil, false, func(o *verifycmd.Options) { o.Fire = true })
	if res.code != 1 || !strings.Contains(res.errOut, "pass --yes") || res.connected || len(a.calls) != 0 {
		t.Errorf("exit %d, connected %v, calls %v, stderr %q", res.code, res.connected, a.calls, res.errOut)
	}
}

func TestFireConfirmation(t *testing.T) {
	t.Run("declined", func(t *testing.T) {
		a, p := &account{}, &prompter{answer: false}
		res := runVerify(t, a, p, true, func(o *verifycmd.Options) { o.Fire = true })
		if res.code != 1 || !strings.Contains(res.errOut, "cancelled; the alarm was not fired") || len(a.sets) != 0 {
			t.Errorf("exit %d, sets %v, stderr %q", res.code, a.sets, res.errOut)
		}
		if len(p.asked) != 1 || !strings.Contains(p.asked[0], "Fire alarm cloudtrail-config-changes in us-east-1?") || !strings.Contains(p.asked[0], evTopic) {
			t.Errorf("asked %q", p.asked)
		}
	})
	t.Run("esc", func(t *testing.T) {
		a, p := &account{}, &prompter{err: prompt.ErrCancelled}
		res := runVerify(t, a, p, true, func(o *verifycmd.Options) { o.Fire = true })
		if res.code != 1 || len(a.sets) != 0 {
			t.Errorf("exit %d, sets %v", res.code, a.sets)
		}
	})
	t.Run("accepted", func(t *testing.T) {
		a, p := &account{}, &prompter{answer: true}
		res := runVerify(t, a, p, true, func(o *verifycmd.Options) { o.Fire = true })
		if res.code != 0 || !slices.Equal(a.sets, []cwtypes.StateValue{"ALARM", "OK"}) {
			t.Errorf("exit %d, sets %v\n%s%s", res.code, a.sets, res.out, res.errOut)
		}
		// The checks are shown before the question.
		if !strings.Contains(res.out, "OK       delivery") {
			t.Errorf("output %s", res.out)
		}
	})
}

// --output json: exactly one JSON document on stdout; the firing's steps
// show on stderr as they happen.
func TestJSON(t *testing.T) {
	a := &account{failedSNS: 3}
	res := runVerify(t, a, nil, false, func(o *verifycmd.Options) { o.Fire, o.Yes, o.Format = true, true, cliflags.JSON })
	if res.code != 2 {
		t.Errorf("exit %d, want 2 (SNS failures)", res.code)
	}
	var doc struct {
		Verdict  string `json:"verdict"`
		Verified *bool  `json:"verified"`
		Account  string `json:"account"`
		Caller   string `json:"caller"`
		Targets  []struct {
			Control string `json:"control"`
			Checks  []struct {
				Name, Status string
			} `json:"checks"`
			Fire *struct {
				Status string `json:"status"`
				Steps  []struct {
					Name string `json:"name"`
				} `json:"steps"`
			} `json:"fire"`
		} `json:"targets"`
	}
	dec := json.NewDecoder(strings.NewReader(res.out))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, res.out)
	}
	if dec.More() {
		t.Error("more than one JSON document on stdout")
	}
	if doc.Verdict != "broken" || doc.Verified == nil || *doc.Verified || doc.Account != "111122223333" || doc.Caller != caller {
		t.Errorf("doc %+v", doc)
	}
	if len(doc.Targets) != 1 || doc.Targets[0].Control != verifycmd.ControlID || doc.Targets[0].Fire == nil || len(doc.Targets[0].Fire.Steps) != 4 {
		t.Fatalf("targets %+v", doc.Targets)
	}
	if !strings.Contains(res.errOut, "Firing alarm") || !strings.Contains(res.errOut, "reset") {
		t.Errorf("no progress on stderr: %q", res.errOut)
	}
}

func TestResetFailureSaysWhatToRun(t *testing.T) {
	a := &account{resetErr: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}},
		Err:      &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "try later", Fault: smithy.FaultServer},
	}}
	res := runVerify(t, a, nil, false, func(o *verifycmd.Options) {
		o.Fire, o.Yes = true, true
		o.ResetArgs = []string{"--profile", "prod"}
	})
	want := "aws cloudwatch set-alarm-state --region us-east-1 --alarm-name cloudtrail-config-changes --state-value OK --state-reason 'trailwatch verify: reset after test' --profile prod"
	if res.code != 1 || !strings.Contains(res.errOut, "may still be in ALARM: set it back to OK with: "+want) || !strings.Contains(res.out, want) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", res.code, res.out, res.errOut)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*verifycmd.Options)
		want string
	}{
		{func(o *verifycmd.Options) { o.Timeout = 0 }, "--wait 0s: want a duration from 1s to 15m0s"},
		{func(o *verifycmd.Options) { o.Timeout = time.Hour }, "--wait 1h0m0s"},
		{func(o *verifycmd.Options) { o.MaxDeliveryAge = -time.Minute }, "--max-delivery-age -1m0s: want a positive duration"},
		{func(o *verifycmd.Options) { o.Yes = true }, "--yes only confirms --fire"},
	} {
		a := &account{}
		res := runVerify(t, a, nil, false, tc.mod)
		if res.code != 1 || !strings.Contains(res.errOut, tc.want) || res.connected {
			t.Errorf("exit %d, connected %v, stderr %q; want 1 and %q before connecting", res.code, res.connected, res.errOut, tc.want)
		}
	}
}
