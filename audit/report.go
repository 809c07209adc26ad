package audit

import (
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailwatch/trailwatch/catalog"
	"github.com/trailwatch/trailwatch/chain"
)

// The link names, statuses and gap codes live with the links (package
// chain); the report re-exports them because they are its vocabulary.
type (
	Code     = chain.Code
	Status   = chain.Status
	LinkName = chain.LinkName
)

const (
	NoMultiRegionTrail      = chain.NoMultiRegionTrail
	TrailNotLogging         = chain.TrailNotLogging
	ManagementEventsMissing = chain.ManagementEventsMissing
	NoCloudWatchLogs        = chain.NoCloudWatchLogs
	NoMetricFilter          = chain.NoMetricFilter
	NoAlarm                 = chain.NoAlarm
	AlarmCannotFire         = chain.AlarmCannotFire
	AlarmNotNotifying       = chain.AlarmNotNotifying
	NoConfirmedSubscription = chain.NoConfirmedSubscription

	Passed  = chain.Passed
	Failed  = chain.Failed
	Missing = chain.Missing
	Blocked = chain.Blocked
	Unknown = chain.Unknown

	LinkTrail            = chain.LinkTrail
	LinkLogging          = chain.LinkLogging
	LinkManagementEvents = chain.LinkManagementEvents
	LinkCloudWatchLogs   = chain.LinkCloudWatchLogs
	LinkMetricFilter     = chain.LinkMetricFilter
	LinkAlarm            = chain.LinkAlarm
	LinkNotification     = chain.LinkNotification
	LinkSubscription     = chain.LinkSubscription
	LinkAccount          = chain.LinkAccount
)

// Warning codes.
const (
	WarnExcludedSources   = "EXCLUDED_EVENT_SOURCES"
	WarnNotLiteral        = "NOT_LITERAL_CIS_PATTERN"
	WarnTooBroad          = "PATTERN_TOO_BROAD"
	WarnFilterMisses      = "FILTER_MISSES_EVENTS"
	WarnAlarmMayNotFire   = "ALARM_MAY_NOT_FIRE"
	WarnTopicUndecided    = "TOPIC_ACCESS_UNDECIDED"
	WarnSingleRegionTrail = "SINGLE_REGION_TRAIL"
	WarnTagsUnread        = "TAGS_UNREAD"
	WarnDeliveryStale     = "DELIVERY_STALE"
	// The catalog's findings about a filter that covers (catalog.Judge).
	WarnOtherToolText = catalog.CodeToolText
	WarnExclusionTrap = catalog.CodeTrap
	WarnNarrowerForm  = catalog.CodeNarrower
)

// Link is one step of the reported chain as the user sees it.
type Link struct {
	Name     LinkName `json:"name"`
	Status   Status   `json:"status"`
	Resource string   `json:"resource,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	// Field is the AWS API field the judgement rests on ("IsLogging",
	// "ActionsEnabled"); the detail says it in plain words.
	Field string `json:"field,omitempty"`
}

// Gap is a failed or missing link: something the plan can fix.
type Gap struct {
	Code     Code     `json:"code"`
	Link     LinkName `json:"link"`
	Message  string   `json:"message"`
	Resource string   `json:"resource,omitempty"`
}

// Warning is informational: it never changes the verdict.
type Warning struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource,omitempty"`
}

// UnknownRead is a read that was denied or failed after retries. The link it
// belongs to is neither passed nor a gap.
type UnknownRead struct {
	Link     LinkName `json:"link"`
	API      string   `json:"api"`    // the call, e.g. "GetTrailStatus"
	Action   string   `json:"action"` // IAM action, e.g. "cloudtrail:GetTrailStatus"
	Resource string   `json:"resource,omitempty"`
	Account  string   `json:"account,omitempty"` // owner, when it is not the audited account
	Message  string   `json:"message"`
}

// Report is the audit's result. Compliant is nil when a read needed for the
// verdict was unknown.
type Report struct {
	Account string `json:"account"`
	// Caller is the identity the audit ran as (sts:GetCallerIdentity's
	// Arn): who needs a permission an unknown read lacked.
	Caller string `json:"caller,omitempty"`
	Region string `json:"region"`
	// Control is the control's CIS v1.4–v5 number ("4.5"), Title its
	// name; Controls its number in each catalogue.
	Control   string        `json:"control"`
	Title     string        `json:"title"`
	Controls  []string      `json:"controls"`
	Compliant *bool         `json:"compliant"`
	Strict    bool          `json:"strict"`
	Chain     []Link        `json:"chain"`
	Gaps      []Gap         `json:"gaps"`
	Warnings  []Warning     `json:"warnings"`
	Unknown   []UnknownRead `json:"unknown"`
	// Facts are the resources the audit found, judged one by one; the plan
	// is built from them.
	Facts Facts `json:"facts"`
	// CoveredBy is set when the chain that decides lives in another
	// account: a member account covered by its organization's trail. The
	// chain, gaps and facts are then those read in that account (when it
	// could be reached; otherwise its links are unknown).
	CoveredBy *CoveredBy `json:"covered_by"`
}

// CoveredBy names the trail, owned or delivering to another account, whose
// chain judges an account.
type CoveredBy struct {
	TrailARN string `json:"trail_arn"`
	// Account owns the chain: the account of the trail's log group (of the
	// trail when it delivers nowhere).
	Account string `json:"owner_account"`
	// Region is where the chain's log group (or the trail) lives.
	Region string `json:"region"`
	// Organization: the trail is an organization trail.
	Organization bool `json:"organization"`
	// Via is the identity the owner account was read as ("" when it was
	// not reached).
	Via string `json:"read_as,omitempty"`
}

// Link returns the reported link called name (zero when absent).
func (r *Report) Link(name LinkName) Link {
	for _, l := range r.Chain {
		if l.Name == name {
			return l
		}
	}
	return Link{}
}

// Facts are the resources of the account that bear on the chain, as read and
// judged: the reported chain's (Trail, LogGroup, Filter, Alarm, Topic) and
// the others that could take part in one (Filters, Alarms, Topics). Pointers
// are nil when the reported chain has no such resource.
type Facts struct {
	Trail    *TrailFacts    `json:"trail,omitempty"`
	LogGroup *LogGroupFacts `json:"log_group,omitempty"`
	Filter   *chain.Filter  `json:"metric_filter,omitempty"`
	Alarm    *chain.Alarm   `json:"alarm,omitempty"`
	Topic    *chain.Topic   `json:"topic,omitempty"`
	// Filters are the other metric filters read on the chain's log group
	// (related to the control or not), sorted by name.
	Filters []chain.Filter `json:"other_metric_filters,omitempty"`
	// Alarms are every alarm that bears on the control: on a related
	// filter's metric, or an orphan of one; sorted by name.
	Alarms []chain.Alarm `json:"alarms,omitempty"`
	// Topics are the topics those alarms name, and trailwatch's own topic
	// when it exists, sorted by ARN.
	Topics []chain.Topic `json:"topics,omitempty"`
	// TakenAlarmNames are names trailwatch would give its alarm (its alarm
	// name and the -N variants) that alarms in the region already hold.
	TakenAlarmNames []string `json:"taken_alarm_names,omitempty"`
	// MetricsInUse are metrics (namespace/name) trailwatch might publish
	// to that filters or alarms about something else already use.
	MetricsInUse []string `json:"metrics_in_use,omitempty"`
	// Names are the names trailwatch uses for what it creates.
	Names chain.Names `json:"names"`
	// SingleRegionTrails lists trails that exist but are not multi-region.
	SingleRegionTrails []string `json:"single_region_trails,omitempty"`
}

// TrailFacts is the reported chain's trail.
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

// LogGroupFacts is the reported chain's log group.
type LogGroupFacts struct {
	chain.LogGroup
	// Missing is true when the trail names this group but CloudWatch Logs
	// says it does not exist (deleted after the trail was set up).
	Missing bool `json:"missing,omitempty"`
	// Found is true when the trail does not deliver to this group but it
	// holds a filter about the control (found by listing the region's
	// filters): the chain downstream of it can be reconnected.
	Found bool `json:"found,omitempty"`
}

// ByName returns the alarm in f.Alarms named name.
func (f Facts) AlarmNamed(name string) *chain.Alarm {
	for i := range f.Alarms {
		if f.Alarms[i].Name == name {
			return &f.Alarms[i]
		}
	}
	return nil
}

// TopicByARN returns the topic in f.Topics with arn.
func (f Facts) TopicByARN(arn string) *chain.Topic {
	for i := range f.Topics {
		if f.Topics[i].ARN == arn {
			return &f.Topics[i]
		}
	}
	return nil
}
