// Package plan turns an audit report into ordered, reviewable steps. It is
// pure: no AWS calls, no clock except where a caller passes one in. The
// remediate package carries the steps out.
package plan

import (
	"fmt"
	"strconv"
)

// Action is what a step does to its resource. The value is its own diff
// symbol, so what the renderer prints and what apply acts on cannot drift.
type Action rune

const (
	Create Action = '+'
	Update Action = '~'
)

// Verb is the word printed after the symbol.
func (a Action) Verb() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	}
	return "unknown"
}

func (a Action) String() string { return string(a) }

// MarshalText writes the symbol, so JSON shows "+" and "~".
func (a Action) MarshalText() ([]byte, error) {
	switch a {
	case Create, Update:
		return []byte(string(a)), nil
	}
	return nil, fmt.Errorf("plan: unknown action %s", strconv.QuoteRune(rune(a)))
}

func (a *Action) UnmarshalText(b []byte) error {
	switch string(b) {
	case "+":
		*a = Create
	case "~":
		*a = Update
	default:
		return fmt.Errorf("plan: unknown action %q (want \"+\" or \"~\")", b)
	}
	return nil
}

// Kind is the type of resource a step writes. Each kind has exactly one
// parameter struct in Params.
type Kind string

const (
	KindTrailBucket     Kind = "s3_bucket"                  // CreateBucket + settings + policy, or a policy merge
	KindTrail           Kind = "cloudtrail_trail"           // CreateTrail (multi-region, tagged)
	KindTrailLogging    Kind = "cloudtrail_logging"         // StartLogging
	KindEventSelectors  Kind = "cloudtrail_event_selectors" // PutEventSelectors
	KindLogGroup        Kind = "logs_log_group"             // CreateLogGroup + PutRetentionPolicy
	KindLogsRole        Kind = "iam_role"                   // CreateRole + PutRolePolicy
	KindTrailCloudWatch Kind = "cloudtrail_cloudwatch_logs" // UpdateTrail
	KindMetricFilter    Kind = "logs_metric_filter"         // PutMetricFilter
	KindTopic           Kind = "sns_topic"                  // CreateTopic + policy merge
	KindTopicPolicy     Kind = "sns_topic_policy"           // policy merge on an existing topic
	KindSubscription    Kind = "sns_subscription"           // Subscribe
	KindAlarm           Kind = "cloudwatch_metric_alarm"    // PutMetricAlarm
	KindSecurityHub     Kind = "securityhub_hub"            // EnableSecurityHub (CIS 4.16)
)

// Address names the resource a step writes: its kind, its name (or ARN when
// the resource has no plain name) and the region it lives in ("" for IAM).
type Address struct {
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`
	Region string `json:"region,omitempty"`
}

func (a Address) String() string {
	s := fmt.Sprintf("%s %q", a.Kind, a.Name)
	if a.Region != "" {
		s += " (" + a.Region + ")"
	}
	return s
}
