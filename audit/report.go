package audit

import (
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Code is a stable gap identifier; scripts match on it, so never rename one.
type Code string

const (
	NoMultiRegionTrail      Code = "NO_MULTI_REGION_TRAIL"
	TrailNotLogging         Code = "TRAIL_NOT_LOGGING"
	ManagementEventsMissing Code = "MANAGEMENT_EVENTS_NOT_CAPTURED"
	NoCloudWatchLogs        Code = "NO_CLOUDWATCH_LOGS"
	NoMetricFilter          Code = "NO_METRIC_FILTER"
	NoAlarm                 Code = "NO_ALARM"
	AlarmNotNotifying       Code = "ALARM_NOT_NOTIFYING"
	NoConfirmedSubscription Code = "NO_CONFIRMED_SUBSCRIPTION"
)

// Status of one link of the chain.
type Status string

const (
	Passed  Status = "passed"
	Missing Status = "missing"
	Unknown Status = "unknown"
)

// LinkName names the links in chain order.
type LinkName string

const (
	LinkTrail            LinkName = "trail"
	LinkLogging          LinkName = "logging"
	LinkManagementEvents LinkName = "management_events"
	LinkCloudWatchLogs   LinkName = "cloudwatch_logs"
	LinkMetricFilter     LinkName = "metric_filter"
	LinkAlarm            LinkName = "alarm"
	LinkNotification     LinkName = "notification"
	LinkSubscription     LinkName = "subscription"
	// LinkAccount is not a chain link: it labels an unknown
	// sts:GetCallerIdentity, which leaves the account ID unknown.
	LinkAccount LinkName = "account"
)

// Warning codes.
const (
	WarnExcludedSources   = "EXCLUDED_EVENT_SOURCES"
	WarnNotLiteral        = "NOT_LITERAL_CIS_PATTERN"
	WarnTooBroad          = "PATTERN_TOO_BROAD"
	WarnFilterMisses      = "FILTER_MISSES_EVENTS"
	WarnMetricValue       = "METRIC_VALUE_NOT_POSITIVE"
	WarnAlarmCannotFire   = "ALARM_MAY_NOT_FIRE"
	WarnTopicCustomerKey  = "TOPIC_CUSTOMER_MANAGED_KEY"
	WarnSingleRegionTrail = "SINGLE_REGION_TRAIL"
)

// Link is one step of the reported chain as the user sees it.
type Link struct {
	Name     LinkName `json:"name"`
	Status   Status   `json:"status"`
	Resource string   `json:"resource,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// Gap is something missing that the plan can fix.
type Gap struct {
	Code     Code   `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource,omitempty"`
}

// Warning is informational: it never changes the verdict.
type Warning struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource,omitempty"`
}

// UnknownRead is a read that was denied or failed after retries. The link it
// belongs to is neither passed nor missing.
type UnknownRead struct {
	Link     LinkName `json:"link"`
	API      string   `json:"api"`    // e.g. "cloudtrail:GetTrailStatus" call name "GetTrailStatus"
	Action   string   `json:"action"` // IAM action, e.g. "cloudtrail:GetTrailStatus"
	Resource string   `json:"resource,omitempty"`
	Account  string   `json:"account,omitempty"` // owner, when it is not the audited account
	Message  string   `json:"message"`
}

// Report is the audit's result. Compliant is nil when a read needed for the
// verdict was unknown.
type Report struct {
	Account   string        `json:"account"`
	Region    string        `json:"region"`
	Controls  []string      `json:"controls"`
	Compliant *bool         `json:"compliant"`
	Strict    bool          `json:"strict"`
	Chain     []Link        `json:"chain"`
	Gaps      []Gap         `json:"gaps"`
	Warnings  []Warning     `json:"warnings"`
	Unknown   []UnknownRead `json:"unknown"`
	// Facts describes the chain closest to complete; the plan is built from it.
	Facts Facts `json:"facts"`
}

// Facts are the resources of the chain closest to complete, as read.
// Pointers are nil when the link does not exist (or is unknown).
type Facts struct {
	Trail    *TrailFacts    `json:"trail,omitempty"`
	LogGroup *LogGroupFacts `json:"log_group,omitempty"`
	Filter   *FilterFacts   `json:"metric_filter,omitempty"`
	// OtherFilters are the log group's other metric filters, passing or
	// not, sorted by name (Filter is nil when none passes).
	OtherFilters []FilterFacts `json:"other_metric_filters,omitempty"`
	// Alarms on the filter's metric (notifying or not).
	Alarms []AlarmFacts `json:"alarms,omitempty"`
	// Topics the alarms notify, with their subscriptions.
	Topics []TopicFacts `json:"topics,omitempty"`
	// SingleRegionTrails lists trails that exist but are not multi-region.
	SingleRegionTrails []string `json:"single_region_trails,omitempty"`
}

type TrailFacts struct {
	Name         string `json:"name"`
	ARN          string `json:"arn"`
	HomeRegion   string `json:"home_region"`
	Owner        string `json:"owner_account"`
	Organization bool   `json:"organization"`
	IsLogging    bool   `json:"is_logging"`
	S3Bucket     string `json:"s3_bucket,omitempty"`
	LogGroupARN  string `json:"log_group_arn,omitempty"`
	LogsRoleARN  string `json:"logs_role_arn,omitempty"`
	// DeliveryError is LatestCloudWatchLogsDeliveryError from GetTrailStatus.
	DeliveryError string `json:"delivery_error,omitempty"`
	// Exactly one of these is set when the trail has custom selectors; both
	// nil means AWS's default (all management events).
	EventSelectors         []cttypes.EventSelector         `json:"event_selectors,omitempty"`
	AdvancedEventSelectors []cttypes.AdvancedEventSelector `json:"advanced_event_selectors,omitempty"`
}

type LogGroupFacts struct {
	Name    string `json:"name"`
	Region  string `json:"region"`
	Account string `json:"account"`
	ARN     string `json:"arn"`
	// Missing is true when the trail names this group but CloudWatch Logs
	// says it does not exist (deleted after the trail was set up).
	Missing bool `json:"missing,omitempty"`
}

type FilterFacts struct {
	Name            string `json:"name"`
	Pattern         string `json:"pattern"`
	MetricName      string `json:"metric_name"`
	MetricNamespace string `json:"metric_namespace"`
	MetricValue     string `json:"metric_value"`
	Literal         bool   `json:"literal"`
	// Covers says the pattern catches all five events (pattern.Covers);
	// Passes adds the other conditions (a metric, and the literal CIS text
	// under --strict). Reason says why it does not pass; Missed names the
	// events it misses.
	Covers bool     `json:"covers"`
	Passes bool     `json:"passes"`
	Reason string   `json:"reason,omitempty"`
	Missed []string `json:"missed,omitempty"`
}

type AlarmFacts struct {
	Name           string   `json:"name"`
	ARN            string   `json:"arn"`
	ActionsEnabled bool     `json:"actions_enabled"`
	AlarmActions   []string `json:"alarm_actions,omitempty"`
	Notifies       bool     `json:"notifies"`
	// Reason is why it does not notify, when it does not.
	Reason string `json:"reason,omitempty"`
}

type TopicFacts struct {
	ARN                string   `json:"arn"`
	KMSKeyID           string   `json:"kms_key_id,omitempty"`
	ConfirmedEndpoints []string `json:"confirmed,omitempty"` // protocol:endpoint
	PendingEndpoints   []string `json:"pending,omitempty"`
}
