// Package evidence records the read responses an audit used and replays them.
//
// # File format
//
// An evidence file is one JSON object:
//
//	{
//	  "format": "trailwatch-evidence/1",
//	  "account": "123456789012",
//	  "region": "us-east-1",
//	  "recorded_at": "2025-01-02T03:04:05Z",
//	  "calls": [
//	    {"service": "cloudtrail", "operation": "DescribeTrails", "region": "us-east-1",
//	     "params": {"includeShadowTrails": true},
//	     "response": {"trailList": [{"Name": "main", "IsMultiRegionTrail": true, ...}]}},
//	    {"service": "sns", "operation": "ListSubscriptionsByTopic", "region": "us-east-1",
//	     "params": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"},
//	     "error": {"code": "AuthorizationError", "message": "...", "status": 403}}
//	  ]
//	}
//
// "format" must be exactly "trailwatch-evidence/1". "region" is the region
// the audit ran in (the one --region names); "account" is informational and,
// when the file has no sts GetCallerIdentity call, answers that call.
// "recorded_at" is informational.
//
// Each call names the AWS CLI service ("cloudtrail", "logs", "cloudwatch",
// "sns", "kms", "securityhub", "sts") and the API operation, the region it
// was sent to (omit it to answer in every region), the parameters that
// identify it, and either the response or the error. The response is exactly what
// `aws <service> <operation> --output json` prints, so a file can be put
// together by hand; paginated responses are stored merged, as the CLI
// prints them. The operations and their identifying parameters:
//
//	cloudtrail DescribeTrails            (none; the audit sends includeShadowTrails=true)
//	cloudtrail GetTrailStatus            Name       (trail ARN; a trail name also matches)
//	cloudtrail GetEventSelectors         TrailName  (trail ARN; a trail name also matches)
//	logs       DescribeMetricFilters     logGroupName
//	cloudwatch DescribeAlarms            (none)
//	cloudwatch DescribeAlarmsForMetric   Namespace, MetricName
//	sns        GetTopicAttributes        TopicArn
//	sns        ListSubscriptionsByTopic  TopicArn
//	securityhub DescribeHub              (none; CIS 4.16 only)
//	sts        GetCallerIdentity         (none)
//
// A listing the audit stopped reading before its last page (DescribeAlarms
// in a region with more than one page of alarms, where the alarms on the
// filters' metrics came from DescribeAlarmsForMetric: see audit.Run) has
// "truncated": true. Replay then answers that the listing goes on, and
// that the rest is not in the file, so the audit judges as it did when
// it was recorded. A file without it lists every item.
//
// "reached" (optional) lists the reads made in other accounts, one object
// per account in this same format (its "account" required), for an
// account judged through another's chain: a member covered by its
// organization's trail, read in the management account, whose topic is read
// in a third. Replay answers the audit's reads in that account from it; an
// account the file lacks cannot be reached, which leaves its links unknown.
//
// An error entry has the service's error "code", a "message" and the HTTP
// "status"; replay returns it as the SDK would, so a denied read stays
// unknown. A call the file lacks fails with "evidence file has no response
// for ...", which the audit reports as unknown, never as a gap.
package evidence

import (
	"encoding/json"
	"fmt"
)

// Format identifies the file format and its version.
const Format = "trailwatch-evidence/1"

// File is an evidence file.
type File struct {
	Format     string `json:"format"`
	Account    string `json:"account,omitempty"`
	Region     string `json:"region"`
	RecordedAt string `json:"recorded_at,omitempty"`
	Calls      []Call `json:"calls"`
	// Reached holds the reads made in other accounts (audit.Options.Reach:
	// the management account whose chain covers a member, a topic's
	// account), one file per account, each with its own account and calls.
	Reached []File `json:"reached,omitempty"`
}

// Call is one read and its outcome: Response or Error, never both.
type Call struct {
	Service   string          `json:"service"`
	Operation string          `json:"operation"`
	Region    string          `json:"region,omitempty"`
	Params    map[string]any  `json:"params,omitempty"`
	Response  json.RawMessage `json:"response,omitempty"`
	Error     *CallError      `json:"error,omitempty"`
	// Truncated marks a paginated response that holds only the first
	// pages: the audit did not read on.
	Truncated bool `json:"truncated,omitempty"`
}

// CallError is a failed read as the service answered it.
type CallError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Status  int    `json:"status,omitempty"`
}

// describe names a call for messages: "cloudtrail GetTrailStatus in
// us-east-1 (Name=...)".
func describe(service, op, region string, params map[string]string) string {
	s := service + " " + op
	if region != "" {
		s += " in " + region
	}
	if len(params) > 0 {
		s += " ("
		first := true
		for _, k := range sortedKeys(params) {
			if !first {
				s += ", "
			}
			first = false
			s += fmt.Sprintf("%s=%s", k, params[k])
		}
		s += ")"
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
