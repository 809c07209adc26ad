package plan

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/pattern"
)

// Plan is the ordered list of steps that closes the report's gaps.
type Plan struct {
	Account string  `json:"account"`
	Region  string  `json:"region"`
	Choices Choices `json:"choices"`
	Steps   []Step  `json:"steps"`
	// Notes are things the user should know that are not steps (a pending
	// email confirmation, a choice that did not apply).
	Notes []string `json:"notes,omitempty"`
	// Remaining lists gaps no step closes (for example a subscription
	// waiting for its confirmation link).
	Remaining []audit.Code `json:"remaining,omitempty"`
	// State is the audited state the plan was built from.
	State State `json:"state"`
}

// Counts returns how many steps create and how many change.
func (p *Plan) Counts() (create, change int) {
	for _, s := range p.Steps {
		switch s.Action {
		case Create:
			create++
		case Update:
			change++
		}
	}
	return create, change
}

// Empty is true when there is nothing to write.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// Missing lists the choices the plan still needs before it can be applied,
// each naming the flag that provides it. Empty when the plan is complete.
func (p *Plan) Missing() []string {
	var out []string
	for _, s := range p.Steps {
		if sp := s.Params.Subscription; sp != nil && (sp.Protocol == "" || sp.Endpoint == "") {
			out = append(out, fmt.Sprintf("a subscription endpoint for topic %s (--email ADDR or --subscribe PROTOCOL:ENDPOINT, or --topic-arn for a topic that already has a confirmed subscriber)", sp.TopicARN))
		}
	}
	return out
}

// NeedsTarget reports whether the plan creates a topic or subscription, so a
// prompt should ask where notifications go.
func (p *Plan) NeedsTarget() bool {
	for _, s := range p.Steps {
		if s.Address.Kind == KindTopic || s.Address.Kind == KindSubscription {
			return true
		}
	}
	return false
}

// Validate checks every step and that dependencies point backwards.
func (p *Plan) Validate() error {
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if err := s.Validate(); err != nil {
			return err
		}
		if seen[s.ID] {
			return fmt.Errorf("step id %s appears twice", s.ID)
		}
		for _, d := range s.DependsOn {
			if !seen[d] {
				return fmt.Errorf("step %s depends on %s, which does not come before it", s.ID, d)
			}
		}
		seen[s.ID] = true
	}
	return nil
}

// UnknownError says the audit could not read something, so no safe plan
// can be made. It names the IAM actions that were denied or failed.
type UnknownError struct {
	Reads []audit.UnknownRead
}

func (e *UnknownError) Error() string {
	var parts []string
	for _, u := range e.Reads {
		s := u.Action
		if s == "" {
			s = u.API
		}
		if u.Resource != "" {
			s += " on " + u.Resource
		}
		if u.Message != "" {
			s += " (" + u.Message + ")"
		}
		parts = append(parts, s)
	}
	return "cannot plan safely: the audit could not read " + strings.Join(parts, "; ") + "; grant the read permission and run again"
}

// Step IDs.
const (
	IDTrailBucket     = "s3.bucket"
	IDTrail           = "trail.create"
	IDTrailLogging    = "trail.logging"
	IDEventSelectors  = "trail.event_selectors"
	IDLogGroup        = "logs.log_group"
	IDLogsRole        = "iam.role"
	IDTrailCloudWatch = "trail.cloudwatch_logs"
	IDMetricFilter    = "logs.metric_filter"
	IDTopic           = "sns.topic"
	IDTopicPolicy     = "sns.topic_policy"
	IDSubscription    = "sns.subscription"
	IDAlarm           = "cloudwatch.alarm"
)

// Build turns a report into a plan. It is pure: same report and choices,
// same plan.
func Build(r *audit.Report, c Choices) (*Plan, error) {
	if r == nil {
		return nil, errors.New("plan: no audit report")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if len(r.Unknown) > 0 {
		return nil, &UnknownError{Reads: r.Unknown}
	}
	b := &builder{r: r, c: c.WithDefaults(), gaps: map[audit.Code]audit.Gap{}}
	b.p = &Plan{Account: r.Account, Region: r.Region, Choices: c, State: StateOf(r, c)}
	for _, g := range r.Gaps {
		b.gaps[g.Code] = g
	}
	if len(r.Gaps) == 0 {
		return b.p, nil
	}
	if err := b.build(); err != nil {
		return nil, err
	}
	if err := b.p.Validate(); err != nil {
		return nil, fmt.Errorf("plan: internal error: %w", err)
	}
	return b.p, nil
}

type builder struct {
	r    *audit.Report
	c    Choices
	p    *Plan
	gaps map[audit.Code]audit.Gap

	partition string
	acct      string
	// where the metric, alarm and topic live
	lgName, lgRegion string
	lgStep           string
	metricName, ns   string
	filterStep       string
}

func (b *builder) has(code audit.Code) bool { _, ok := b.gaps[code]; return ok }

func (b *builder) reason(code audit.Code) Reason {
	g := b.gaps[code]
	msg := g.Message
	if msg == "" {
		msg = string(code)
	}
	return Reason{Code: code, Message: msg}
}

func (b *builder) add(s Step) { b.p.Steps = append(b.p.Steps, s) }

func (b *builder) note(format string, args ...any) {
	b.p.Notes = append(b.p.Notes, fmt.Sprintf(format, args...))
}

func (b *builder) build() error {
	f := b.r.Facts
	t := f.Trail
	if b.has(audit.NoMultiRegionTrail) || t == nil {
		return b.bootstrap()
	}
	b.acct = b.r.Account
	b.partition = Partition(t.ARN)
	home := t.HomeRegion
	if home == "" {
		if a, ok := ParseARN(t.ARN); ok {
			home = a.Region
		}
	}
	trail := TrailRef{Name: t.Name, ARN: t.ARN}
	trailGaps := b.has(audit.TrailNotLogging) || b.has(audit.ManagementEventsMissing) || b.has(audit.NoCloudWatchLogs)
	if trailGaps && t.Owner != "" && b.acct != "" && t.Owner != b.acct {
		return fmt.Errorf("trail %s belongs to account %s (an organization trail?); trailwatch changes trails only in the account it runs in (%s): run it there", t.ARN, t.Owner, b.acct)
	}
	if trailGaps && t.Organization {
		return fmt.Errorf("trail %s is an organization trail; trailwatch does not change organization trails (a change reaches every member account): %s; change the trail yourself in the organization's management account and run trailwatch again", t.ARN, strings.Join(trailGapNames(b.gaps), ", "))
	}

	if b.has(audit.TrailNotLogging) {
		b.add(Step{ID: IDTrailLogging, Action: Update,
			Address: Address{Kind: KindTrailLogging, Name: t.Name, Region: home},
			Reason:  b.reason(audit.TrailNotLogging),
			Params:  Params{TrailLogging: &TrailLoggingParams{Trail: trail}}})
	}
	if b.has(audit.ManagementEventsMissing) {
		ch, err := AddManagementEvents(t.EventSelectors, t.AdvancedEventSelectors)
		if err != nil {
			return fmt.Errorf("trail %s: %w", t.Name, err)
		}
		if ch.Changed {
			total := len(ch.Selectors) + len(ch.Advanced)
			kept := len(t.EventSelectors) + len(t.AdvancedEventSelectors)
			b.add(Step{ID: IDEventSelectors, Action: Update,
				Address: Address{Kind: KindEventSelectors, Name: t.Name, Region: home},
				Reason:  b.reason(audit.ManagementEventsMissing),
				Params: Params{EventSelectors: &EventSelectorsParams{Trail: trail,
					Selectors: ch.Selectors, Advanced: ch.Advanced, ChangeSummary: ch.Summary,
					KeptSelectors: kept, TotalSelectors: total}}})
		}
	}

	newGroup := false
	switch {
	case b.has(audit.NoCloudWatchLogs):
		lg := f.LogGroup
		ours := lg != nil && (lg.Account == "" || lg.Account == b.acct) && (lg.Region == "" || lg.Region == home)
		if ours && !lg.Missing {
			b.lgName, b.lgRegion = lg.Name, home
		} else {
			name := b.c.LogGroupName
			if ours {
				// The trail names a group that was deleted: create it again
				// under that name (or a free one at apply time) rather than
				// leave UpdateTrail retrying against nothing.
				name = lg.Name
			}
			b.lgName, b.lgRegion, b.lgStep, newGroup = name, home, IDLogGroup, true
			b.add(Step{ID: IDLogGroup, Action: Create,
				Address: Address{Kind: KindLogGroup, Name: b.lgName, Region: home},
				Reason:  b.reason(audit.NoCloudWatchLogs),
				Params:  Params{LogGroup: &LogGroupParams{Name: b.lgName, RetentionDays: b.c.RetentionDays}}})
		}
		var deps []string
		if b.lgStep != "" {
			deps = []string{b.lgStep}
		}
		b.add(Step{ID: IDLogsRole, Action: Create, DependsOn: deps,
			Address: Address{Kind: KindLogsRole, Name: b.c.RoleName},
			Reason:  b.reason(audit.NoCloudWatchLogs),
			Params: Params{LogsRole: &LogsRoleParams{Name: b.c.RoleName, PolicyName: RolePolicyName,
				LogGroupName: b.lgName, LogGroupRegion: home, TrailARN: t.ARN}}})
		b.add(Step{ID: IDTrailCloudWatch, Action: Update, DependsOn: append(slices.Clone(deps), IDLogsRole),
			Address: Address{Kind: KindTrailCloudWatch, Name: t.Name, Region: home},
			Reason:  b.reason(audit.NoCloudWatchLogs),
			Params: Params{TrailCloudWatch: &TrailCloudWatchParams{Trail: trail,
				LogGroupName: b.lgName, LogGroupARN: LogGroupARN(b.partition, home, b.acct, b.lgName),
				RoleName: b.c.RoleName, RoleARN: RoleARN(b.partition, b.acct, b.c.RoleName)}}})
	case f.LogGroup != nil:
		b.lgName, b.lgRegion = f.LogGroup.Name, f.LogGroup.Region
		if b.lgRegion == "" {
			b.lgRegion = home
		}
		if f.LogGroup.Account != "" && f.LogGroup.Account != b.acct && b.needsMetricChain(newGroup) {
			return fmt.Errorf("log group %s belongs to account %s; trailwatch puts metric filters and alarms only in the account it runs in (%s): run it there", f.LogGroup.ARN, f.LogGroup.Account, b.acct)
		}
	case t.LogGroupARN != "":
		b.lgName, b.lgRegion = LogGroupNameFromARN(t.LogGroupARN), home
		if a, ok := ParseARN(t.LogGroupARN); ok && a.Region != "" {
			b.lgRegion = a.Region
		}
	}
	if !b.needsMetricChain(newGroup) {
		b.finishNotes()
		return nil
	}
	if b.lgName == "" {
		return fmt.Errorf("plan: the report names no log group for trail %s", t.Name)
	}
	return b.metricChain(newGroup)
}

// trailGapNames lists the trail-level gaps, in link order.
func trailGapNames(gaps map[audit.Code]audit.Gap) []string {
	var out []string
	for _, c := range []audit.Code{audit.TrailNotLogging, audit.ManagementEventsMissing, audit.NoCloudWatchLogs} {
		if _, ok := gaps[c]; ok {
			out = append(out, string(c))
		}
	}
	return out
}

// bootstrap plans a new multi-region trail in the configured region, with
// a bucket for its logs and CloudWatch Logs delivery, then the rest of the
// chain on the new log group.
func (b *builder) bootstrap() error {
	f := b.r.Facts
	b.acct = b.r.Account
	home := b.r.Region
	if b.acct == "" {
		return errors.New("plan: the audit did not learn the account id (sts:GetCallerIdentity), which the new trail's bucket name and policies need; grant it and run again")
	}
	if home == "" {
		return errors.New("plan: no region: the new trail's home region is --region (or the configured region)")
	}
	b.partition = RegionPartition(home)
	name := b.c.TrailName
	if slices.Contains(f.SingleRegionTrails, name) {
		for i := 2; ; i++ {
			n := fmt.Sprintf("%s-%d", b.c.TrailName, i)
			if !slices.Contains(f.SingleRegionTrails, n) {
				name = n
				break
			}
		}
		b.note("trail name %q is held by a single-region trail; the new trail is named %q", b.c.TrailName, name)
	}
	trailARN := TrailARN(b.partition, home, b.acct, name)
	if len(f.SingleRegionTrails) > 0 {
		b.note("single-region trail(s) %s are left alone; the new multi-region trail %s is added beside them", strings.Join(f.SingleRegionTrails, ", "), name)
	}
	reason := b.reason(audit.NoMultiRegionTrail)

	// Bucket: an existing one named by --trail-bucket (policy merged), or a new one.
	bucket := DefaultBucketName(b.acct, home)
	if b.c.TrailBucket != "" {
		bucket = b.c.TrailBucket
		b.add(Step{ID: IDTrailBucket, Action: Update,
			Address: Address{Kind: KindTrailBucket, Name: bucket},
			Reason:  Reason{Code: audit.NoMultiRegionTrail, Message: "let the new trail write its logs to bucket " + bucket + " (statements merged into its policy; every other statement kept)"},
			Params:  Params{Bucket: &BucketParams{Name: bucket, Existing: true, TrailARN: trailARN, Account: b.acct}}})
		if b.c.KMSKeyID != "" {
			b.note("--kms-key encrypts only a bucket trailwatch creates; bucket %s keeps its own encryption settings", bucket)
		}
	} else {
		b.add(Step{ID: IDTrailBucket, Action: Create,
			Address: Address{Kind: KindTrailBucket, Name: bucket, Region: home},
			Reason:  Reason{Code: audit.NoMultiRegionTrail, Message: "the new trail needs a bucket for its log files"},
			Params:  Params{Bucket: &BucketParams{Name: bucket, KMSKeyID: b.c.KMSKeyID, TrailARN: trailARN, Account: b.acct}}})
		if b.c.KMSKeyID != "" {
			b.note("bucket %s is encrypted with %s: its key policy must let cloudtrail.amazonaws.com use it (kms:GenerateDataKey*), and readers of the logs need kms:Decrypt", bucket, b.c.KMSKeyID)
		}
	}

	// Log group and role for CloudWatch Logs delivery.
	b.lgName, b.lgRegion, b.lgStep = b.c.LogGroupName, home, IDLogGroup
	b.add(Step{ID: IDLogGroup, Action: Create,
		Address: Address{Kind: KindLogGroup, Name: b.lgName, Region: home},
		Reason:  b.reason(audit.NoCloudWatchLogs),
		Params:  Params{LogGroup: &LogGroupParams{Name: b.lgName, RetentionDays: b.c.RetentionDays}}})
	b.add(Step{ID: IDLogsRole, Action: Create, DependsOn: []string{IDLogGroup},
		Address: Address{Kind: KindLogsRole, Name: b.c.RoleName},
		Reason:  b.reason(audit.NoCloudWatchLogs),
		Params: Params{LogsRole: &LogsRoleParams{Name: b.c.RoleName, PolicyName: RolePolicyName,
			LogGroupName: b.lgName, LogGroupRegion: home, TrailARN: trailARN}}})

	// The trail, delivering to both, then logging.
	b.add(Step{ID: IDTrail, Action: Create, DependsOn: []string{IDTrailBucket, IDLogGroup, IDLogsRole},
		Address: Address{Kind: KindTrail, Name: name, Region: home},
		Reason:  reason,
		Params: Params{Trail: &TrailParams{Name: name, ARN: trailARN, BucketName: bucket,
			IsMultiRegion: true, IncludeGlobalServiceEvents: true, EnableLogFileValidation: true,
			LogGroupName: b.lgName, LogGroupARN: LogGroupARN(b.partition, home, b.acct, b.lgName),
			RoleName: b.c.RoleName, RoleARN: RoleARN(b.partition, b.acct, b.c.RoleName)}}})
	b.add(Step{ID: IDTrailLogging, Action: Update, DependsOn: []string{IDTrail},
		Address: Address{Kind: KindTrailLogging, Name: name, Region: home},
		Reason:  b.reason(audit.TrailNotLogging),
		Params:  Params{TrailLogging: &TrailLoggingParams{Trail: TrailRef{Name: name, ARN: trailARN}}}})
	return b.metricChain(true)
}

// metricChain plans the metric filter, topic, subscription and alarm on the
// log group in b.lgName/b.lgRegion.
func (b *builder) metricChain(newGroup bool) error {
	f := b.r.Facts

	// Metric filter.
	reuseFilter := f.Filter != nil && !newGroup && !b.has(audit.NoMetricFilter)
	if reuseFilter {
		b.metricName, b.ns = f.Filter.MetricName, f.Filter.MetricNamespace
	} else {
		b.metricName, b.ns, b.filterStep = b.c.MetricName, b.c.Namespace, IDMetricFilter
		code := audit.NoMetricFilter
		if !b.has(code) {
			code = audit.NoCloudWatchLogs
		}
		var deps []string
		if b.lgStep != "" {
			deps = []string{b.lgStep}
		}
		b.add(Step{ID: IDMetricFilter, Action: Create, DependsOn: deps,
			Address: Address{Kind: KindMetricFilter, Name: b.c.FilterName, Region: b.lgRegion},
			Reason:  b.reason(code),
			Params: Params{MetricFilter: &MetricFilterParams{Name: b.c.FilterName, LogGroupName: b.lgName,
				Pattern: pattern.CIS, MetricName: b.metricName, Namespace: b.ns, MetricValue: "1"}}})
	}

	// Alarms and topics. Facts about alarms are only about this metric when
	// the filter is reused.
	var alarms []audit.AlarmFacts
	var topics []audit.TopicFacts
	if reuseFilter {
		alarms, topics = f.Alarms, f.Topics
	}
	var notifying []audit.AlarmFacts
	for _, a := range alarms {
		if a.Notifies {
			notifying = append(notifying, a)
		}
	}
	if len(notifying) > 0 {
		return b.subscribeExisting(notifying, topics)
	}
	return b.newAlarm(alarms, topics)
}

// needsMetricChain: anything from the metric filter on is missing.
func (b *builder) needsMetricChain(newGroup bool) bool {
	f := b.r.Facts
	return newGroup || b.has(audit.NoMetricFilter) || b.has(audit.NoAlarm) || b.has(audit.AlarmNotNotifying) ||
		b.has(audit.NoConfirmedSubscription) || (b.has(audit.NoCloudWatchLogs) && f.Filter == nil)
}

func topicFacts(topics []audit.TopicFacts, arn string) *audit.TopicFacts {
	for i := range topics {
		if topics[i].ARN == arn {
			return &topics[i]
		}
	}
	return nil
}

// subscribeExisting: an alarm notifies a topic; only a confirmed subscriber
// is missing.
func (b *builder) subscribeExisting(notifying []audit.AlarmFacts, topics []audit.TopicFacts) error {
	if !b.has(audit.NoConfirmedSubscription) {
		b.finishNotes()
		return nil
	}
	var candidates []string
	for _, a := range notifying {
		for _, act := range a.AlarmActions {
			if arn, ok := ParseARN(act); ok && arn.Service == "sns" && !slices.Contains(candidates, act) {
				candidates = append(candidates, act)
			}
		}
	}
	sort.Strings(candidates)
	if len(candidates) == 0 {
		return fmt.Errorf("plan: the report says an alarm notifies, but names no SNS topic in its actions")
	}
	topic := candidates[0]
	if b.c.TopicARN != "" {
		if !slices.Contains(candidates, b.c.TopicARN) {
			b.note("--topic-arn %s is not a topic the existing alarm notifies; the subscription goes to %s, which it does", b.c.TopicARN, topic)
		} else {
			topic = b.c.TopicARN
		}
	}
	b.subscriptions(topic, "", topicFacts(topics, topic), audit.NoConfirmedSubscription, true)
	b.finishNotes()
	return nil
}

func (b *builder) newAlarm(alarms []audit.AlarmFacts, topics []audit.TopicFacts) error {
	code := audit.NoAlarm
	if !b.has(code) {
		code = audit.AlarmNotNotifying
	}
	if !b.has(code) {
		code = audit.NoMetricFilter
	}
	if !b.has(code) {
		code = audit.NoCloudWatchLogs
	}

	// Topic: the user's, else one an alarm on this metric already uses, else new.
	topicARN, topicStep := "", ""
	var tf *audit.TopicFacts
	switch {
	case b.c.TopicARN != "":
		topicARN = b.c.TopicARN
		tf = topicFacts(topics, topicARN)
	default:
		var used []audit.TopicFacts
		for _, a := range alarms {
			for _, act := range a.AlarmActions {
				if t := topicFacts(topics, act); t != nil {
					used = append(used, *t)
				}
			}
		}
		sort.SliceStable(used, func(i, j int) bool {
			return len(used[i].ConfirmedEndpoints) > len(used[j].ConfirmedEndpoints)
		})
		if len(used) > 0 {
			u := used[0]
			topicARN, tf = u.ARN, &u
		}
	}
	if topicARN != "" {
		a, _ := ParseARN(topicARN)
		if a.Region != b.lgRegion {
			return fmt.Errorf("--topic-arn %s is in %s, but the alarm must live with its metric in %s, and CloudWatch alarms notify topics in their own region only; pick a topic in %s", topicARN, a.Region, b.lgRegion, b.lgRegion)
		}
		if a.Account == b.acct {
			b.add(Step{ID: IDTopicPolicy, Action: Update,
				Address: Address{Kind: KindTopicPolicy, Name: topicARN, Region: a.Region},
				Reason:  Reason{Code: code, Message: "let this account's CloudWatch alarms publish to the topic (merged into its policy)"},
				Params:  Params{TopicPolicy: &TopicPolicyParams{TopicARN: topicARN}}})
		} else {
			b.note("topic %s belongs to account %s; its owner must let cloudwatch.amazonaws.com publish to it from account %s", topicARN, a.Account, b.acct)
		}
		if b.c.KMSKeyID != "" {
			b.note("--kms-key applies only to a topic trailwatch creates; topic %s keeps its own encryption settings", topicARN)
		}
	} else {
		topicARN, topicStep = TopicARN(b.partition, b.lgRegion, b.acct, b.c.TopicName), IDTopic
		b.add(Step{ID: IDTopic, Action: Create,
			Address: Address{Kind: KindTopic, Name: b.c.TopicName, Region: b.lgRegion},
			Reason:  Reason{Code: code, Message: "the alarm needs a topic to notify"},
			Params:  Params{Topic: &TopicParams{Name: b.c.TopicName, ARN: topicARN, KMSKeyID: b.c.KMSKeyID}}})
	}
	b.subscriptions(topicARN, topicStep, tf, code, topicStep != "" || tf != nil)

	// Alarm: repair one trailwatch made, else add a new one beside any others.
	action, name := Create, b.c.AlarmName
	for _, a := range alarms {
		if !a.Notifies && slices.Contains(b.c.ManagedAlarms, a.Name) {
			action, name = Update, a.Name
			break
		}
	}
	var keep []string
	if action == Create {
		name = freeName(name, alarms)
	} else {
		for _, a := range alarms {
			if a.Name == name {
				for _, act := range a.AlarmActions {
					if act != topicARN {
						keep = append(keep, act)
					}
				}
			}
		}
	}
	deps := []string{}
	if b.filterStep != "" {
		deps = append(deps, b.filterStep)
	}
	if topicStep != "" {
		deps = append(deps, topicStep)
	} else if topicARN != "" && len(b.p.Steps) > 0 && b.p.Steps[len(b.p.Steps)-1].ID != "" {
		for _, s := range b.p.Steps {
			if s.ID == IDTopicPolicy {
				deps = append(deps, IDTopicPolicy)
			}
		}
	}
	if len(deps) == 0 {
		deps = nil
	}
	b.add(Step{ID: IDAlarm, Action: action, DependsOn: deps,
		Address: Address{Kind: KindAlarm, Name: name, Region: b.lgRegion},
		Reason:  b.reason(code),
		Params: Params{Alarm: &AlarmParams{Name: name, MetricName: b.metricName, Namespace: b.ns,
			Statistic: "Sum", PeriodSeconds: 300, EvaluationPeriods: 1, Threshold: 1,
			ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
			TopicARN: topicARN, KeepActions: keep,
			Description: "CIS 4.5 / CloudWatch.5: CloudTrail configuration changed (CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging). Made by trailwatch."}}})
	b.finishNotes()
	return nil
}

// freeName returns name, or name-2, name-3... when an alarm in the report
// already holds it.
func freeName(name string, alarms []audit.AlarmFacts) string {
	taken := func(n string) bool {
		for _, a := range alarms {
			if a.Name == n {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s-%d", name, i)
		if !taken(n) {
			return n
		}
	}
}

// subscriptions adds Subscribe steps for the user's endpoints that the topic
// lacks. needConfirmed says the topic is not known to have a confirmed
// subscriber (new topic, or one whose facts show none).
func (b *builder) subscriptions(topicARN, topicStep string, tf *audit.TopicFacts, code audit.Code, known bool) {
	var confirmed, pending []string
	if tf != nil {
		confirmed, pending = tf.ConfirmedEndpoints, tf.PendingEndpoints
	}
	hasConfirmed := len(confirmed) > 0
	var deps []string
	if topicStep != "" {
		deps = []string{topicStep}
	}
	reason := Reason{Code: audit.NoConfirmedSubscription, Message: "the topic needs a confirmed subscriber for the alarm to reach anyone"}
	if g, ok := b.gaps[audit.NoConfirmedSubscription]; ok && g.Message != "" {
		reason.Message = g.Message
	}
	n := 0
	var waiting []string
	for _, e := range b.c.Endpoints() {
		switch {
		case slices.Contains(confirmed, e.String()):
			continue
		case slices.Contains(pending, e.String()):
			waiting = append(waiting, e.String())
			continue
		}
		n++
		id := IDSubscription
		if n > 1 {
			id = fmt.Sprintf("%s.%d", IDSubscription, n)
		}
		b.add(Step{ID: id, Action: Create, DependsOn: deps,
			Address: Address{Kind: KindSubscription, Name: e.String(), Region: regionOf(topicARN)},
			Reason:  reason,
			Params:  Params{Subscription: &SubscriptionParams{TopicARN: topicARN, Protocol: e.Protocol, Endpoint: e.Endpoint}}})
	}
	for _, w := range waiting {
		b.note("%s is already subscribed to %s and waits for confirmation: someone must click the link in the message AWS sent; the audit reports %s until then", w, topicARN, audit.NoConfirmedSubscription)
	}
	if n > 0 || hasConfirmed {
		return
	}
	if len(pending) > 0 && len(b.c.Endpoints()) == 0 {
		for _, p := range pending {
			b.note("%s is subscribed to %s and waits for confirmation: someone must click the link in the message AWS sent; the audit reports %s until then", p, topicARN, audit.NoConfirmedSubscription)
		}
		return
	}
	if len(waiting) > 0 {
		return
	}
	if !known {
		b.note("trailwatch does not know whether %s has a confirmed subscriber; the audit after apply will tell", topicARN)
		return
	}
	// A subscriber is needed and none was given: a placeholder Plan.Missing reports.
	b.add(Step{ID: IDSubscription, Action: Create, DependsOn: deps,
		Address: Address{Kind: KindSubscription, Name: "(endpoint required)", Region: regionOf(topicARN)},
		Reason:  reason,
		Params:  Params{Subscription: &SubscriptionParams{TopicARN: topicARN}}})
}

func regionOf(arn string) string {
	a, _ := ParseARN(arn)
	return a.Region
}

func (b *builder) finishNotes() {
	for _, s := range b.p.Steps {
		if sp := s.Params.Subscription; sp != nil {
			switch sp.Protocol {
			case "email", "email-json":
				b.note("%s will stay pending until someone clicks the link in the message AWS sends; until then the audit reports %s and fix exits 2", sp.Endpoint, audit.NoConfirmedSubscription)
			case "sqs":
				b.note("queue %s must let sns.amazonaws.com send messages from %s (its queue policy); trailwatch does not change queue policies", sp.Endpoint, sp.TopicARN)
			case "lambda":
				b.note("function %s must let sns.amazonaws.com invoke it (a resource-based permission); trailwatch does not change function policies", sp.Endpoint)
			case "http", "https":
				b.note("%s must confirm the subscription by visiting the SubscribeURL SNS posts to it", sp.Endpoint)
			}
		}
	}
	// Gaps that remain after every step: a pending subscription nobody replaced.
	closes := map[audit.Code]bool{}
	for _, s := range b.p.Steps {
		closes[s.Reason.Code] = true
	}
	for _, g := range b.r.Gaps {
		if !closes[g.Code] && !b.closedBy(g.Code) {
			b.p.Remaining = append(b.p.Remaining, g.Code)
		}
	}
}

// closedBy: a gap further down the chain is closed by steps for an earlier
// link (a new alarm also closes ALARM_NOT_NOTIFYING, a new filter NO_ALARM...).
func (b *builder) closedBy(code audit.Code) bool {
	kinds := map[Kind]bool{}
	for _, s := range b.p.Steps {
		kinds[s.Address.Kind] = true
	}
	switch code {
	case audit.NoMultiRegionTrail, audit.ManagementEventsMissing:
		// A new trail logs all management events (AWS's default selectors).
		return kinds[KindTrail]
	case audit.TrailNotLogging:
		return kinds[KindTrail] && kinds[KindTrailLogging]
	case audit.NoCloudWatchLogs:
		return kinds[KindTrail] || kinds[KindTrailCloudWatch]
	case audit.NoAlarm, audit.AlarmNotNotifying:
		return kinds[KindAlarm]
	case audit.NoMetricFilter:
		return kinds[KindMetricFilter]
	case audit.NoConfirmedSubscription:
		return kinds[KindSubscription]
	}
	return false
}
