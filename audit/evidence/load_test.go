package evidence_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/evidence"
)

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	const head = `{"format":"trailwatch-evidence/1","region":"us-east-1","calls":[`
	tests := []struct {
		name, body, want string
	}{
		{"malformed", "{\n  \"format\": \"trailwatch-evidence/1\",\n  \"calls\": [,]\n}", "malformed JSON at line 3"},
		{"wrong format", `{"format":"something/2","region":"us-east-1","calls":[]}`, `format is "something/2"`},
		{"no region", `{"format":"trailwatch-evidence/1","calls":[]}`, `no "region"`},
		{"calls not an array", `{"format":"trailwatch-evidence/1","region":"us-east-1","calls":{}}`, "calls"},
		{"unknown operation", head + `{"service":"cloudtrail","operation":"DeleteTrail","response":{}}]}`, `calls[0]: unknown operation "cloudtrail" "DeleteTrail"`},
		{"missing response", head + `{"service":"sts","operation":"GetCallerIdentity","response":{}},{"service":"cloudwatch","operation":"DescribeAlarms","region":"us-east-1"}]}`, "calls[1] (cloudwatch DescribeAlarms): missing response"},
		{"both", head + `{"service":"cloudwatch","operation":"DescribeAlarms","response":{},"error":{"code":"AccessDenied","message":"no"}}]}`, "both a response and an error"},
		{"missing param", head + `{"service":"sns","operation":"GetTopicAttributes","response":{"Attributes":{}}}]}`, `params has no "TopicArn"`},
		{"empty param", head + `{"service":"logs","operation":"DescribeMetricFilters","params":{"logGroupName":""},"response":{"metricFilters":[]}}]}`, `params.logGroupName must be a non-empty string`},
		{"bad member type", head + `{"service":"cloudwatch","operation":"DescribeAlarms","response":{"MetricAlarms":[{"AlarmName":"a","Threshold":"one"}]}}]}`, "response.MetricAlarms[0].Threshold: want a number, got a string"},
		{"response not an object", head + `{"service":"sts","operation":"GetCallerIdentity","response":[1]}]}`, "must be a JSON object"},
		{"duplicate", head + `{"service":"sts","operation":"GetCallerIdentity","response":{}},{"service":"sts","operation":"GetCallerIdentity","response":{}}]}`, "calls[1] (sts GetCallerIdentity): the same call as calls[0]"},
		{"truncated not a listing", head + `{"service":"sts","operation":"GetCallerIdentity","response":{},"truncated":true}]}`, `calls[0] (sts GetCallerIdentity): "truncated" marks a listing's response`},
		{"truncated error", head + `{"service":"cloudwatch","operation":"DescribeAlarms","error":{"code":"AccessDenied","message":"no"},"truncated":true}]}`, `calls[0] (cloudwatch DescribeAlarms): "truncated" marks`},
		{"empty error", head + `{"service":"sts","operation":"GetCallerIdentity","error":{"message":""}}]}`, "error needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := evidence.Load(path)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name the file and contain %q", err, tt.want)
			}
		})
	}
	if _, err := evidence.Load(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Error("Load of an absent file succeeded")
	}
}

// handWritten is put together from `aws ... --output json` as an auditor
// would: CLI member casing, ISO timestamps, members the SDK may not know,
// regions omitted for SNS, trails named by name rather than ARN.
const handWritten = `{
  "format": "trailwatch-evidence/1",
  "account": "123456789012",
  "region": "us-east-1",
  "calls": [
    {"service": "cloudtrail", "operation": "DescribeTrails", "region": "us-east-1",
     "response": {"trailList": [{
        "Name": "org", "S3BucketName": "logs-123456789012", "IncludeGlobalServiceEvents": true,
        "IsMultiRegionTrail": true, "HomeRegion": "us-east-1",
        "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org",
        "LogFileValidationEnabled": true,
        "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:*",
        "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/ct", "HasCustomEventSelectors": true,
        "HasInsightSelectors": false, "IsOrganizationTrail": false, "SomeFutureMember": {"x": 1}}]}},
    {"service": "cloudtrail", "operation": "GetTrailStatus", "region": "us-east-1", "params": {"Name": "org"},
     "response": {"IsLogging": true, "LatestDeliveryTime": "2024-05-01T10:11:12.345000+02:00",
                  "StartLoggingTime": 1714551072.5, "TimeLoggingStarted": "2024-05-01T08:11:12Z"}},
    {"service": "cloudtrail", "operation": "GetEventSelectors", "region": "us-east-1", "params": {"TrailName": "org"},
     "response": {"TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org",
                  "AdvancedEventSelectors": [{"Name": "Management events selector",
                     "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}},
    {"service": "logs", "operation": "DescribeMetricFilters", "region": "us-east-1", "params": {"logGroupName": "NewGroup"},
     "response": {"metricFilters": [{"filterName": "cis-4-5",
        "filterPattern": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        "metricTransformations": [{"metricName": "cloudtrail_cfg_changes_metric", "metricNamespace": "CISBenchmark", "metricValue": "1"}],
        "creationTime": 1714551072000, "logGroupName": "NewGroup", "applyOnTransformedLogs": false}]}},
    {"service": "cloudwatch", "operation": "DescribeAlarms", "region": "us-east-1",
     "response": {"MetricAlarms": [{"AlarmName": "cis-4-5", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cis-4-5",
        "ActionsEnabled": true, "OKActions": [], "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:alerts"],
        "InsufficientDataActions": [], "StateValue": "OK", "StateUpdatedTimestamp": "2024-05-01T08:11:12.000Z",
        "MetricName": "cloudtrail_cfg_changes_metric", "Namespace": "CISBenchmark", "Statistic": "Sum",
        "Dimensions": [], "Period": 300, "EvaluationPeriods": 1, "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold"}], "CompositeAlarms": []}},
    {"service": "sns", "operation": "GetTopicAttributes", "params": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"},
     "response": {"Attributes": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "SubscriptionsConfirmed": "1"}}},
    {"service": "sns", "operation": "ListSubscriptionsByTopic", "params": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"},
     "response": {"Subscriptions": [{"SubscriptionArn": "arn:aws:sns:us-east-1:123456789012:alerts:6b0e71bd-7e97-4d97-80ce-4a0994e55286",
        "Owner": "123456789012", "Protocol": "email", "Endpoint": "sec@example.com",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"}]}}
  ]
}`

func TestHandWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hand.json")
	if err := os.WriteFile(path, []byte(handWritten), 0o644); err != nil {
		t.Fatal(err)
	}
	clients, err := evidence.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := audit.Run(context.Background(), clients, audit.Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Compliant == nil || !*r.Compliant || r.Account != "123456789012" {
		var b strings.Builder
		audit.WriteText(&b, r, false)
		t.Fatalf("hand-written compliant account:\n%s", b.String())
	}
}

// TestEncodeShape pins the CLI member names of recorded responses.
func TestEncodeShape(t *testing.T) {
	path := filepath.Join(evidenceDir, "compliant.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Calls []shapeCall `json:"calls"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, c := range f.Calls {
		for k := range c.Response {
			got[c.Operation] = append(got[c.Operation], k)
		}
		sortStrings(got[c.Operation])
	}
	want := map[string][]string{
		"DescribeAlarms":           {"MetricAlarms"},
		"DescribeMetricFilters":    {"metricFilters"},
		"DescribeTrails":           {"trailList"},
		"GetCallerIdentity":        {"Account", "Arn", "UserId"},
		"GetEventSelectors":        {"EventSelectors", "TrailARN"},
		"GetTopicAttributes":       {"Attributes"},
		"GetTrailStatus":           {"IsLogging"},
		"ListSubscriptionsByTopic": {"Subscriptions"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	mf := f.Calls[indexOf(f.Calls, "DescribeMetricFilters")].Response["metricFilters"].([]any)[0].(map[string]any)
	for _, k := range []string{"filterName", "filterPattern", "metricTransformations", "logGroupName"} {
		if _, ok := mf[k]; !ok {
			t.Errorf("metric filter lacks %q: %v", k, mf)
		}
	}
}

type shapeCall struct {
	Operation string         `json:"operation"`
	Response  map[string]any `json:"response"`
}

func indexOf(calls []shapeCall, op string) int {
	for i, c := range calls {
		if c.Operation == op {
			return i
		}
	}
	return -1
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestParseRejectsTrailingDataAndUnknownKeys(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"trailing data", `{"format":"trailwatch-evidence/1","region":"us-east-1","calls":[]} junk`, "unexpected data after the JSON object"},
		{"two objects", `{"format":"trailwatch-evidence/1","region":"us-east-1","calls":[]}{"format":"trailwatch-evidence/1"}`, "unexpected data after the JSON object"},
		{"misspelled calls", `{"format":"trailwatch-evidence/1","region":"us-east-1","cals":[]}`, `unknown key "cals"`},
		{"misspelled response", `{"format":"trailwatch-evidence/1","region":"us-east-1","calls":[{"service":"sts","operation":"GetCallerIdentity","respnse":{}}]}`, `unknown key "respnse"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evidence.Parse("e.json", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
