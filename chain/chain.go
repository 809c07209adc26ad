// Package chain is the one home of each link of the monitoring chain
// (trail → logging → management events → CloudWatch Logs → metric filter →
// alarm → notification → subscription): how a link is judged, what
// trailwatch wants it to be, how what exists compares with that, and whose
// a resource is. The three stages consult it: audit judges, plan builds
// and remediate compares through it. One file per link; this file holds
// the table of links and gap codes.
package chain

// LinkName names a link; the values are the JSON contract.
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
	// LinkSecurityHub is the one link of CIS 4.16, which has no chain:
	// AWS Security Hub is enabled in the region.
	LinkSecurityHub LinkName = "security_hub"
)

// Status of one link as the report shows it.
type Status string

const (
	// Passed: the link exists and is right.
	Passed Status = "passed"
	// Failed: the link exists but is wrong (a gap).
	Failed Status = "failed"
	// Missing: nothing is there (a gap).
	Missing Status = "missing"
	// Blocked: the link cannot exist because the link it hangs from does
	// not (the logging of a trail that does not exist). Not a gap: the
	// upstream gap is the cause, and its fix plans this link too.
	Blocked Status = "blocked"
	// Unknown: a read it needs was denied or failed.
	Unknown Status = "unknown"
)

// IsGap reports whether a link with this status is a gap.
func (s Status) IsGap() bool { return s == Failed || s == Missing }

// Code is a stable gap identifier; scripts match on it, so never rename one.
type Code string

const (
	NoMultiRegionTrail      Code = "NO_MULTI_REGION_TRAIL"
	TrailNotLogging         Code = "TRAIL_NOT_LOGGING"
	ManagementEventsMissing Code = "MANAGEMENT_EVENTS_NOT_CAPTURED"
	NoCloudWatchLogs        Code = "NO_CLOUDWATCH_LOGS"
	NoMetricFilter          Code = "NO_METRIC_FILTER"
	NoAlarm                 Code = "NO_ALARM"
	AlarmCannotFire         Code = "ALARM_CANNOT_FIRE"
	AlarmNotNotifying       Code = "ALARM_NOT_NOTIFYING"
	NoConfirmedSubscription Code = "NO_CONFIRMED_SUBSCRIPTION"
	// SecurityHubNotEnabled is CIS 4.16's gap.
	SecurityHubNotEnabled Code = "SECURITY_HUB_NOT_ENABLED"
)

// Info is one row of the link table.
type Info struct {
	Name  LinkName
	Title string // as the text report names it
	// Missing and Failed are the gap codes for those statuses (the same
	// code for most links; the alarm has two).
	Missing, Failed Code
	// Gap says what the gap means, the first half of its message.
	Gap string
}

// Links is the chain in order: the one table of links and gap codes.
var Links = []Info{
	{LinkTrail, "Multi-region trail", NoMultiRegionTrail, NoMultiRegionTrail, "no multi-region CloudTrail trail"},
	{LinkLogging, "Logging", TrailNotLogging, TrailNotLogging, "the trail is not logging"},
	{LinkManagementEvents, "Management events", ManagementEventsMissing, ManagementEventsMissing, "the trail does not capture all management events (read and write)"},
	{LinkCloudWatchLogs, "CloudWatch Logs", NoCloudWatchLogs, NoCloudWatchLogs, "the trail does not deliver to CloudWatch Logs"},
	{LinkMetricFilter, "Metric filter", NoMetricFilter, NoMetricFilter, "no metric filter on the trail's log group catches the control's events"},
	{LinkAlarm, "Alarm", NoAlarm, AlarmCannotFire, "no alarm goes off on one matching event"},
	{LinkNotification, "Notification", AlarmNotNotifying, AlarmNotNotifying, "the alarm does not notify a usable SNS topic"},
	{LinkSubscription, "Subscription", NoConfirmedSubscription, NoConfirmedSubscription, "the topic has no confirmed subscription"},
}

// InfoOf returns the row for name (a zero Info with the name as title for
// LinkAccount and unknown names).
func InfoOf(name LinkName) Info {
	for _, l := range Links {
		if l.Name == name {
			return l
		}
	}
	switch name {
	case LinkAccount:
		return Info{Name: name, Title: "Account"}
	case LinkSecurityHub:
		return Info{LinkSecurityHub, "Security Hub", SecurityHubNotEnabled, SecurityHubNotEnabled, "AWS Security Hub is not enabled in the region"}
	}
	return Info{Name: name, Title: string(name)}
}

// Index is the link's position in the chain (-1 for others).
func Index(name LinkName) int {
	for i, l := range Links {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// CodeFor is the gap code of a link in status s ("" when s is not a gap).
func CodeFor(name LinkName, s Status) Code {
	i := InfoOf(name)
	switch s {
	case Missing:
		return i.Missing
	case Failed:
		return i.Failed
	}
	return ""
}

// Verdict is a link's judgement: its status and why, in plain words, with
// the AWS field it rests on (so a script can tell without parsing prose).
type Verdict struct {
	Status Status
	Detail string
	// Field names the API field that decided, as AWS spells it
	// ("IsLogging", "EventSelectors[1].ReadWriteType"); "" when no single
	// field did.
	Field string
}

func pass(detail string) Verdict    { return Verdict{Status: Passed, Detail: detail} }
func fail(detail string) Verdict    { return Verdict{Status: Failed, Detail: detail} }
func missing(detail string) Verdict { return Verdict{Status: Missing, Detail: detail} }

// on names the field the verdict rests on.
func (v Verdict) on(field string) Verdict { v.Field = field; return v }
