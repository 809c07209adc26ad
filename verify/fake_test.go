package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

const (
	account   = "111122223333"
	region    = "eu-west-1"
	trailARN  = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main"
	topic     = "arn:aws:sns:eu-west-1:111122223333:security-alerts"
	alarmName = "cloudtrail-changes"
)

// now is the fake clock's time in every test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeAWS answers verify's calls from fields a test sets, and records
// every call as "Operation region".
type fakeAWS struct {
	mu    sync.Mutex
	calls []string

	trail    *cloudtrail.GetTrailStatusOutput
	trailErr error

	// engine answers TestMetricFilter; nil means "as trailwatch does"
	// (pattern.Match), the AWS that agrees.
	engine  func(p string, msg string) bool
	testErr error
	tested  [][]string // the messages of each TestMetricFilter call

	alarm     *cwtypes.MetricAlarm // the one alarm DescribeAlarms knows
	alarmsErr error

	// history is the alarm's Action history, any order; historyAfterSet is
	// added once SetAlarmState ALARM has been called (CloudWatch running
	// the action). historyErr fails every read.
	history         []cwtypes.AlarmHistoryItem
	historyAfterSet []cwtypes.AlarmHistoryItem
	historyErr      error
	// onHistory, when set, runs at each history read (a test cancels its
	// context there).
	onHistory func()

	failed, delivered []Datapoint // AWS/SNS metrics of every own topic
	metricsErr        error

	// setErr answers SetAlarmState per state value.
	setErr map[cwtypes.StateValue]error
	// setCtxErr records ctx.Err() as each SetAlarmState began.
	sets      []cwtypes.StateValue
	setCtxErr []error
	reasons   []string
	fired     bool
}

func (f *fakeAWS) record(op, r string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op+" "+r)
}

func (f *fakeAWS) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.calls)
	slices.Sort(out)
	return out
}

func (f *fakeAWS) CloudTrail(r string) CloudTrailAPI { return regional{f, r} }
func (f *fakeAWS) Logs(r string) LogsAPI             { return regional{f, r} }
func (f *fakeAWS) CloudWatch(r string) CloudWatchAPI { return regional{f, r} }

type regional struct {
	f *fakeAWS
	r string
}

func (c regional) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	c.f.record("GetTrailStatus", c.r)
	if aws.ToString(in.Name) != trailARN {
		return nil, fmt.Errorf("fake: GetTrailStatus of %q, want the ARN", aws.ToString(in.Name))
	}
	return c.f.trail, c.f.trailErr
}

func (c regional) TestMetricFilter(_ context.Context, in *cloudwatchlogs.TestMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TestMetricFilterOutput, error) {
	c.f.record("TestMetricFilter", c.r)
	if c.f.testErr != nil {
		return nil, c.f.testErr
	}
	if n := len(in.LogEventMessages); n == 0 || n > 50 {
		return nil, apiErr(400, "InvalidParameterException", fmt.Sprintf("%d messages", n))
	}
	c.f.mu.Lock()
	c.f.tested = append(c.f.tested, slices.Clone(in.LogEventMessages))
	c.f.mu.Unlock()
	engine := c.f.engine
	if engine == nil {
		engine = func(p, m string) bool {
			pp, err := pattern.Parse(p)
			return err == nil && pattern.Match(pp, m)
		}
	}
	out := &cloudwatchlogs.TestMetricFilterOutput{}
	for i, m := range in.LogEventMessages {
		if engine(aws.ToString(in.FilterPattern), m) {
			out.Matches = append(out.Matches, cwltypes.MetricFilterMatchRecord{EventNumber: int64(i + 1), EventMessage: aws.String(m)})
		}
	}
	return out, nil
}

func (c regional) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	c.f.record("DescribeAlarms", c.r)
	if c.f.alarmsErr != nil {
		return nil, c.f.alarmsErr
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	if a := c.f.alarm; a != nil && slices.Contains(in.AlarmNames, aws.ToString(a.AlarmName)) {
		out.MetricAlarms = []cwtypes.MetricAlarm{*a}
	}
	return out, nil
}

// DescribeAlarmHistory pages two items at a time, newest first, so
// pagination is exercised.
func (c regional) DescribeAlarmHistory(_ context.Context, in *cloudwatch.DescribeAlarmHistoryInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	c.f.record("DescribeAlarmHistory", c.r)
	if c.f.onHistory != nil {
		c.f.onHistory()
	}
	if c.f.historyErr != nil {
		return nil, c.f.historyErr
	}
	name := alarmName
	if c.f.alarm != nil {
		name = aws.ToString(c.f.alarm.AlarmName)
	}
	if in.HistoryItemType != cwtypes.HistoryItemTypeAction || aws.ToString(in.AlarmName) != name {
		return nil, fmt.Errorf("fake: unexpected history query %+v", in)
	}
	c.f.mu.Lock()
	items := slices.Clone(c.f.history)
	if c.f.fired {
		items = append(items, c.f.historyAfterSet...)
	}
	c.f.mu.Unlock()
	items = slices.DeleteFunc(items, func(it cwtypes.AlarmHistoryItem) bool {
		return in.StartDate != nil && it.Timestamp.Before(*in.StartDate)
	})
	slices.SortFunc(items, func(a, b cwtypes.AlarmHistoryItem) int { return b.Timestamp.Compare(*a.Timestamp) })
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	end := min(start+2, len(items))
	out := &cloudwatch.DescribeAlarmHistoryOutput{AlarmHistoryItems: items[start:end]}
	if end < len(items) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (c regional) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	c.f.record("GetMetricData", c.r)
	if c.f.metricsErr != nil {
		return nil, c.f.metricsErr
	}
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		m := q.MetricStat.Metric
		if aws.ToString(m.Namespace) != "AWS/SNS" || aws.ToString(q.MetricStat.Stat) != "Sum" || len(m.Dimensions) != 1 || aws.ToString(m.Dimensions[0].Name) != "TopicName" {
			return nil, fmt.Errorf("fake: unexpected query %+v", q)
		}
		series := c.f.delivered
		if aws.ToString(m.MetricName) == "NumberOfNotificationsFailed" {
			series = c.f.failed
		}
		r := cwtypes.MetricDataResult{Id: q.Id, StatusCode: cwtypes.StatusCodeComplete}
		for _, p := range series {
			if !p.Time.Before(*in.StartTime) && p.Time.Before(*in.EndTime) {
				r.Timestamps = append(r.Timestamps, p.Time)
				r.Values = append(r.Values, p.Value)
			}
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	return out, nil
}

func (c regional) SetAlarmState(ctx context.Context, in *cloudwatch.SetAlarmStateInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.SetAlarmStateOutput, error) {
	c.f.record("SetAlarmState "+string(in.StateValue), c.r)
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.sets = append(c.f.sets, in.StateValue)
	c.f.setCtxErr = append(c.f.setCtxErr, ctx.Err())
	c.f.reasons = append(c.f.reasons, aws.ToString(in.StateReason))
	if err := c.f.setErr[in.StateValue]; err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.StateValue == cwtypes.StateValueAlarm {
		c.f.fired = true
	}
	return &cloudwatch.SetAlarmStateOutput{}, nil
}

// apiErr is an error as the SDK returns an AWS answer: an API error with a
// code inside an HTTP response error.
func apiErr(status int, code, msg string) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient},
	}
}

func denied(action string) error {
	return apiErr(403, "AccessDenied", "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: "+action)
}

// action builds an Action history item as CloudWatch writes it.
func action(at time.Time, topic string, ok bool) cwtypes.AlarmHistoryItem {
	state, sum := "Succeeded", "Successfully executed action "+topic
	if !ok {
		state = "Failed"
		sum = "Failed to execute action " + topic + `. Received error: "Resource: arn:aws:cloudwatch:eu-west-1:111122223333:alarm:cloudtrail-changes is not authorized to perform: SNS:Publish on resource: ` + topic + `"`
	}
	data, _ := json.Marshal(map[string]string{"actionState": state, "notificationResource": topic})
	return cwtypes.AlarmHistoryItem{
		AlarmName: aws.String(alarmName), HistoryItemType: cwtypes.HistoryItemTypeAction,
		Timestamp: aws.Time(at), HistorySummary: aws.String(sum), HistoryData: aws.String(string(data)),
	}
}

// healthy is an account where every link works.
func healthy() *fakeAWS {
	return &fakeAWS{
		trail: &cloudtrail.GetTrailStatusOutput{
			IsLogging:                        aws.Bool(true),
			LatestCloudWatchLogsDeliveryTime: aws.Time(now.Add(-3 * time.Minute)),
		},
		alarm: &cwtypes.MetricAlarm{
			AlarmName: aws.String(alarmName), ActionsEnabled: aws.Bool(true),
			AlarmActions: []string{topic}, StateValue: cwtypes.StateValueOk,
			StateUpdatedTimestamp: aws.Time(now.Add(-48 * time.Hour)),
		},
		history:         []cwtypes.AlarmHistoryItem{action(now.Add(-72*time.Hour), topic, true)},
		historyAfterSet: []cwtypes.AlarmHistoryItem{action(now.Add(2*time.Second), topic, true)},
		delivered:       []Datapoint{{now.Add(-5 * time.Hour).Truncate(time.Hour), 2}},
	}
}

// target is the CIS 4.5 chain of the fake account, with samples from the
// test records.
func target() Target {
	samples, err := Samples(records, pattern.Events(), []string{"DescribeTrails", "GetTrailStatus"})
	if err != nil {
		panic(err)
	}
	return Target{
		Control: "cloudtrail-changes",
		Title:   "CloudTrail configuration changes",
		Trail:   &Trail{Name: "main", ARN: trailARN, HomeRegion: region},
		Filter:  &Filter{LogGroup: "cloudtrail-logs", Region: region, Name: "cloudtrail-changes", Pattern: pattern.CIS},
		Alarm: &Alarm{Name: alarmName, ARN: "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:cloudtrail-changes",
			Region: region, ActionsEnabled: true, Topics: []string{topic}},
		Samples: samples,
	}
}

// records are small, realistic CloudTrail records, standing in for
// pattern.ExampleRecords: an IAM user's successful call, and an assumed
// role's call that failed.
func records(event string) []string {
	user := map[string]any{
		"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/alice",
		"accountId": "111122223333", "accessKeyId": "AKIAEXAMPLE", "userName": "alice",
	}
	role := map[string]any{
		"type": "AssumedRole", "principalId": "AROAEXAMPLE:deploy", "arn": "arn:aws:sts::111122223333:assumed-role/deploy/ci",
		"accountId": "111122223333", "accessKeyId": "ASIAEXAMPLE",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": "arn:aws:iam::111122223333:role/deploy"}},
	}
	readOnly := event == "DescribeTrails" || event == "GetTrailStatus" || event == "LookupEvents"
	rec := func(id map[string]any, failed bool) string {
		r := map[string]any{
			"eventVersion": "1.09", "userIdentity": id, "eventTime": "2026-02-28T09:14:03Z",
			"eventSource": "cloudtrail.amazonaws.com", "eventName": event, "awsRegion": "eu-west-1",
			"sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.30",
			"requestParameters": map[string]any{"name": "main"},
			"responseElements":  nil,
			"requestID":         "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", "eventID": "7f6e5d4c-3b2a-1908-f7e6-d5c4b3a2f1e0",
			"readOnly": readOnly, "eventType": "AwsApiCall", "managementEvent": true,
			"recipientAccountId": "111122223333", "eventCategory": "Management",
		}
		if failed {
			r["errorCode"] = "AccessDenied"
			r["errorMessage"] = "User is not authorized to perform: cloudtrail:" + event
		}
		b, _ := json.Marshal(r)
		return string(b)
	}
	return []string{rec(user, false), rec(role, true)}
}
