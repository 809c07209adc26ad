package plan

import (
	"fmt"
	"strconv"

	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
)

// ManagedTagKey and ManagedTagValue mark everything trailwatch creates
// (chain owns the ownership rule; these name it for the renderer).
const (
	ManagedTagKey   = chain.ManagedTagKey
	ManagedTagValue = chain.ManagedTagValue
)

// Step is one write: an address, an action, the parameters that matter, the
// gap it closes, and the steps whose results it needs.
type Step struct {
	// ID is unique within a plan; DependsOn refers to IDs.
	ID        string   `json:"id"`
	Action    Action   `json:"action"`
	Address   Address  `json:"address"`
	Reason    Reason   `json:"reason"`
	DependsOn []string `json:"depends_on,omitempty"`
	Params    Params   `json:"params"`
}

// Reason is for humans: which gap the step closes. Apply acts on the action
// and parameters alone.
type Reason struct {
	Code    audit.Code `json:"code"`
	Message string     `json:"message"`
}

// Params is a tagged union: exactly the field named by the step's kind is set.
type Params struct {
	Bucket          *BucketParams          `json:"s3_bucket,omitempty"`
	Trail           *TrailParams           `json:"cloudtrail_trail,omitempty"`
	TrailLogging    *TrailLoggingParams    `json:"cloudtrail_logging,omitempty"`
	EventSelectors  *EventSelectorsParams  `json:"cloudtrail_event_selectors,omitempty"`
	LogGroup        *LogGroupParams        `json:"logs_log_group,omitempty"`
	LogsRole        *LogsRoleParams        `json:"iam_role,omitempty"`
	TrailCloudWatch *TrailCloudWatchParams `json:"cloudtrail_cloudwatch_logs,omitempty"`
	MetricFilter    *MetricFilterParams    `json:"logs_metric_filter,omitempty"`
	Topic           *TopicParams           `json:"sns_topic,omitempty"`
	TopicPolicy     *TopicPolicyParams     `json:"sns_topic_policy,omitempty"`
	Subscription    *SubscriptionParams    `json:"sns_subscription,omitempty"`
	Alarm           *AlarmParams           `json:"cloudwatch_metric_alarm,omitempty"`
	SecurityHub     *SecurityHubParams     `json:"securityhub_hub,omitempty"`
}

// kindOf reports which field is set, and how many are.
func (p Params) kindOf() (Kind, int) {
	var k Kind
	n := 0
	set := func(ok bool, kind Kind) {
		if ok {
			k = kind
			n++
		}
	}
	set(p.Bucket != nil, KindTrailBucket)
	set(p.Trail != nil, KindTrail)
	set(p.TrailLogging != nil, KindTrailLogging)
	set(p.EventSelectors != nil, KindEventSelectors)
	set(p.LogGroup != nil, KindLogGroup)
	set(p.LogsRole != nil, KindLogsRole)
	set(p.TrailCloudWatch != nil, KindTrailCloudWatch)
	set(p.MetricFilter != nil, KindMetricFilter)
	set(p.Topic != nil, KindTopic)
	set(p.TopicPolicy != nil, KindTopicPolicy)
	set(p.Subscription != nil, KindSubscription)
	set(p.Alarm != nil, KindAlarm)
	set(p.SecurityHub != nil, KindSecurityHub)
	return k, n
}

// Validate checks that the step is well formed: a known action, exactly one
// parameter struct and that it matches the address's kind.
func (s Step) Validate() error {
	if s.ID == "" {
		return fmt.Errorf("step without an id (%s)", s.Address)
	}
	if s.Action != Create && s.Action != Update {
		return fmt.Errorf("step %s: unknown action %s", s.ID, strconv.QuoteRune(rune(s.Action)))
	}
	k, n := s.Params.kindOf()
	if n != 1 {
		return fmt.Errorf("step %s: want exactly one parameter set, found %d", s.ID, n)
	}
	if k != s.Address.Kind {
		return fmt.Errorf("step %s: parameters are for %s but the address is %s", s.ID, k, s.Address.Kind)
	}
	return nil
}

// TrailRef names a trail by ARN (unambiguous across regions and accounts).
type TrailRef struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// BucketParams: the S3 bucket a new trail delivers to. With Existing false
// (action create) apply creates the bucket, or uses trailwatch's own bucket
// of that name, or picks another name when the name is taken: tagged, Block
// Public Access on all four settings, default encryption (SSE-S3, or SSE-KMS
// with KMSKeyID), BucketOwnerEnforced ownership, and the CloudTrail policy.
// With Existing true (action update, --trail-bucket) apply only merges the
// CloudTrail statements into the bucket's policy; every other statement
// stays.
type BucketParams struct {
	Name     string `json:"name"`
	Existing bool   `json:"existing,omitempty"`
	KMSKeyID string `json:"kms_key_id,omitempty"`
	// TrailARN is the trail the policy lets write (aws:SourceArn). When the
	// trail step picks another name at apply time, apply uses that one.
	TrailARN string `json:"trail_arn"`
	Account  string `json:"account"`
}

// TrailParams: CreateTrail with the bucket, CloudWatch Logs delivery and the
// managed tag. The trail is always multi-region, includes global service
// events and validates log files; the fields say so in a saved plan.
type TrailParams struct {
	Name                       string `json:"name"`
	ARN                        string `json:"arn"`
	BucketName                 string `json:"s3_bucket_name"`
	IsMultiRegion              bool   `json:"is_multi_region_trail"`
	IncludeGlobalServiceEvents bool   `json:"include_global_service_events"`
	EnableLogFileValidation    bool   `json:"enable_log_file_validation"`
	LogGroupName               string `json:"log_group_name"`
	LogGroupARN                string `json:"log_group_arn"`
	RoleName                   string `json:"role_name"`
	RoleARN                    string `json:"role_arn"`
}

// TrailLoggingParams: StartLogging on the trail.
type TrailLoggingParams struct {
	Trail TrailRef `json:"trail"`
}

// EventSelectorsParams: PutEventSelectors with exactly one of the two lists.
// The lists are what the plan computed from the audited selectors; apply
// recomputes them from the selectors it reads just before writing, so a
// selector added in between is kept too.
type EventSelectorsParams struct {
	Trail          TrailRef                        `json:"trail"`
	Selectors      []cttypes.EventSelector         `json:"event_selectors,omitempty"`
	Advanced       []cttypes.AdvancedEventSelector `json:"advanced_event_selectors,omitempty"`
	ChangeSummary  string                          `json:"change"`
	KeptSelectors  int                             `json:"kept_selectors"`
	TotalSelectors int                             `json:"total_selectors"`
}

// LogGroupParams: CreateLogGroup (tagged) and PutRetentionPolicy.
type LogGroupParams struct {
	Name          string `json:"name"`
	RetentionDays int32  `json:"retention_days"`
}

// LogsRoleParams: an IAM role CloudTrail assumes to deliver to the log group,
// with one inline policy.
type LogsRoleParams struct {
	Name       string `json:"name"`
	PolicyName string `json:"policy_name"`
	// LogGroupName/Region locate the group the policy allows writing to.
	// When the log group step picks another name, apply uses that one.
	LogGroupName   string `json:"log_group_name"`
	LogGroupRegion string `json:"log_group_region"`
	TrailARN       string `json:"trail_arn"`
}

// TrailCloudWatchParams: UpdateTrail with the log group and role.
type TrailCloudWatchParams struct {
	Trail        TrailRef `json:"trail"`
	LogGroupName string   `json:"log_group_name"`
	LogGroupARN  string   `json:"log_group_arn"`
	RoleName     string   `json:"role_name"`
	RoleARN      string   `json:"role_arn"`
}

// MetricFilterParams: PutMetricFilter. With action update it replaces
// trailwatch's own filter of that name (AWS replaces a filter put under an
// existing name); Was is its pattern before, for the reader.
type MetricFilterParams struct {
	Was          string `json:"was,omitempty"`
	Name         string `json:"name"`
	LogGroupName string `json:"log_group_name"`
	Pattern      string `json:"pattern"`
	MetricName   string `json:"metric_name"`
	Namespace    string `json:"metric_namespace"`
	MetricValue  string `json:"metric_value"`
}

// TopicParams: CreateTopic (tagged, optionally encrypted) and a merged
// policy statement letting this account's alarms publish.
type TopicParams struct {
	Name     string `json:"name"`
	ARN      string `json:"arn"`
	KMSKeyID string `json:"kms_key_id,omitempty"`
}

// TopicPolicyParams: merge the alarm-publish statement into an existing
// topic's policy (the user's --topic-arn, or trailwatch's own topic).
type TopicPolicyParams struct {
	TopicARN string `json:"topic_arn"`
}

// SubscriptionParams: Subscribe. Protocol and Endpoint are empty when the
// plan still needs them (see Plan.Missing).
type SubscriptionParams struct {
	TopicARN string `json:"topic_arn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
}

// SecurityHubParams: enable AWS Security Hub in the region (CIS 4.16), and
// no standard: EnableSecurityHub otherwise turns on AWS's default
// standards, whose controls need AWS Config and which the user chooses.
// The field is always false; it is in the plan so a reader sees that.
type SecurityHubParams struct {
	EnableDefaultStandards bool `json:"enable_default_standards"`
}

// AlarmParams: PutMetricAlarm with the CIS settings (action create), or a
// repair of trailwatch's own alarm (action update): only the settings in
// Repair change, to these values, TopicARN joins its alarm actions and its
// actions are enabled; everything else the user set on it is kept.
type AlarmParams struct {
	Name               string   `json:"name"`
	MetricName         string   `json:"metric_name"`
	Namespace          string   `json:"metric_namespace"`
	Statistic          string   `json:"statistic"`
	PeriodSeconds      int32    `json:"period_seconds"`
	EvaluationPeriods  int32    `json:"evaluation_periods"`
	Threshold          float64  `json:"threshold"`
	ComparisonOperator string   `json:"comparison_operator"`
	TreatMissingData   string   `json:"treat_missing_data"`
	TopicARN           string   `json:"topic_arn"`
	Repair             []string `json:"repair,omitempty"` // settings to change (update only)
	EnableActions      bool     `json:"enable_actions,omitempty"`
	Description        string   `json:"description"`
}
