package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// The control in each catalogue that numbers it.
var controls = []string{
	"CIS AWS Foundations v1.2 3.5",
	"CIS v1.4–v5 4.5",
	"CIS v6+ 5.5",
	"AWS Security Hub CloudWatch.5",
}

// Controls returns the control's name in each catalogue, oldest first.
func Controls() []string { return slices.Clone(controls) }

// linkOrder is the chain's order; gapFor maps a missing link to its code.
var linkOrder = []LinkName{LinkTrail, LinkLogging, LinkManagementEvents, LinkCloudWatchLogs, LinkMetricFilter, LinkAlarm, LinkNotification, LinkSubscription}

var gapFor = map[LinkName]Code{
	LinkTrail:            NoMultiRegionTrail,
	LinkLogging:          TrailNotLogging,
	LinkManagementEvents: ManagementEventsMissing,
	LinkCloudWatchLogs:   NoCloudWatchLogs,
	LinkMetricFilter:     NoMetricFilter,
	LinkAlarm:            NoAlarm,
	LinkNotification:     AlarmNotNotifying,
	LinkSubscription:     NoConfirmedSubscription,
}

// chain is one candidate: a trail, a passing filter on its log group, an
// alarm on the filter's metric and one SNS topic of that alarm. Any of the
// last three may be absent.
type chain struct {
	td    *trailData
	fe    *filterEval
	alarm *cwtypes.MetricAlarm
	topic string

	links    []Link
	unknown  []UnknownRead
	passed   int
	missing  int
	unknowns int
	key      string
}

func (c *chain) complete() bool { return c.missing == 0 && c.unknowns == 0 }

// flow is what a link hands to the next: the upstream resource is absent
// (downstream links are missing too) or unknown (downstream links are
// unknown too).
type flow int

const (
	flowOK flow = iota
	flowAbsent
	flowUnknown
)

type evaluator struct {
	g    *gathered
	opts Options
}

func evaluate(g *gathered, opts Options) *Report {
	if g.fevals == nil {
		g.evalFilters(opts.Strict)
	}
	e := &evaluator{g: g, opts: opts}
	r := &Report{
		Account:  g.account,
		Region:   g.region,
		Controls: Controls(),
		Strict:   opts.Strict,
		Chain:    []Link{},
		Gaps:     []Gap{},
		Warnings: []Warning{},
		Unknown:  []UnknownRead{},
	}
	chains := e.chains()
	unknown := map[string]UnknownRead{}
	if g.accountErr != nil {
		u := e.unknownRead(LinkAccount, "sts", "GetCallerIdentity", "", "", g.accountErr)
		unknown[u.Action+"\x00"+u.Resource] = u
	}
	for _, c := range chains {
		for _, u := range c.unknown {
			k := u.Action + "\x00" + u.Resource
			if _, ok := unknown[k]; !ok {
				unknown[k] = u
			}
		}
	}
	for _, u := range unknown {
		r.Unknown = append(r.Unknown, u)
	}
	sort.Slice(r.Unknown, func(i, j int) bool {
		a, b := r.Unknown[i], r.Unknown[j]
		if ia, ib := linkIndex(a.Link), linkIndex(b.Link); ia != ib {
			return ia < ib
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})

	sort.SliceStable(chains, func(i, j int) bool { return better(chains[i], chains[j]) })
	best := chains[0]
	switch {
	case best.complete():
		r.Compliant = aws.Bool(true)
	case best.missing == 0:
		r.Compliant = nil
	default:
		r.Compliant = aws.Bool(false)
	}
	r.Chain = best.links
	for _, l := range best.links {
		if l.Status == Missing {
			r.Gaps = append(r.Gaps, Gap{Code: gapFor[l.Name], Message: gapMessage(l), Resource: l.Resource})
		}
	}
	r.Warnings = e.warnings(best)
	r.Facts = e.facts(best)
	return r
}

func linkIndex(n LinkName) int {
	if i := slices.Index(linkOrder, n); i >= 0 {
		return i
	}
	return -1
}

// better orders chains: complete first, then those with nothing missing
// (only unknown), then most links passed, fewest missing, and finally by
// trail ARN, filter name, alarm name and topic ARN, so the choice is
// deterministic.
func better(a, b *chain) bool {
	if a.complete() != b.complete() {
		return a.complete()
	}
	if (a.missing == 0) != (b.missing == 0) {
		return a.missing == 0
	}
	if a.passed != b.passed {
		return a.passed > b.passed
	}
	if a.missing != b.missing {
		return a.missing < b.missing
	}
	return a.key < b.key
}

func gapMessage(l Link) string {
	base := map[LinkName]string{
		LinkTrail:            "no multi-region CloudTrail trail",
		LinkLogging:          "the trail is not logging",
		LinkManagementEvents: "the trail does not capture all management events (read and write)",
		LinkCloudWatchLogs:   "the trail does not deliver to CloudWatch Logs",
		LinkMetricFilter:     "no metric filter on the trail's log group catches the five CloudTrail configuration events",
		LinkAlarm:            "no CloudWatch alarm on the filter's metric",
		LinkNotification:     "the alarm does not notify an SNS topic",
		LinkSubscription:     "the topic has no confirmed subscription",
	}[l.Name]
	if l.Detail != "" {
		return base + ": " + l.Detail
	}
	return base
}

func (e *evaluator) chains() []*chain {
	g := e.g
	if g.trailsErr != nil || len(g.trails) == 0 {
		c := &chain{}
		st, detail := Missing, "no trail with IsMultiRegionTrail"
		if len(g.single) > 0 {
			detail += " (single-region trails: " + strings.Join(g.single, ", ") + ")"
		}
		if g.trailsErr != nil {
			st, detail = Unknown, "trails could not be read"
			c.unknown = append(c.unknown, e.unknownRead(LinkTrail, "cloudtrail", "DescribeTrails", g.region, "", g.trailsErr))
		}
		for _, n := range linkOrder {
			d := "no trail"
			if n == LinkTrail {
				d = detail
			} else if st == Unknown {
				d = "depends on the unknown trail list"
			}
			c.add(Link{Name: n, Status: st, Detail: d})
		}
		return []*chain{c}
	}
	var out []*chain
	for _, td := range g.trails {
		fes := g.passingFilters(td)
		if len(fes) == 0 {
			fes = []*filterEval{nil}
		}
		for _, fe := range fes {
			alarms := g.alarmsOn(td, fe)
			if len(alarms) == 0 {
				out = append(out, e.chain(td, fe, nil, ""))
				continue
			}
			for i := range alarms {
				topics := uniq(snsTopics(alarms[i].AlarmActions))
				if len(topics) == 0 {
					topics = []string{""}
				}
				for _, t := range topics {
					out = append(out, e.chain(td, fe, &alarms[i], t))
				}
			}
		}
	}
	return out
}

func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func (c *chain) add(l Link) {
	c.links = append(c.links, l)
	switch l.Status {
	case Passed:
		c.passed++
	case Missing:
		c.missing++
	case Unknown:
		c.unknowns++
	}
}

func (e *evaluator) chain(td *trailData, fe *filterEval, alarm *cwtypes.MetricAlarm, topic string) *chain {
	c := &chain{td: td, fe: fe, alarm: alarm, topic: topic}
	parts := []string{td.key(), "", "", topic}
	if fe != nil {
		parts[1] = fe.name
	}
	if alarm != nil {
		parts[2] = aws.ToString(alarm.AlarmName)
	}
	c.key = strings.Join(parts, "\x00")

	detail := "multi-region trail, home region " + td.home
	if aws.ToBool(td.t.IsOrganizationTrail) {
		detail += ", organization trail"
	}
	if e.g.foreign(td.owner) {
		detail += ", owned by account " + td.owner
	}
	c.add(Link{Name: LinkTrail, Status: Passed, Resource: td.name(), Detail: detail})
	c.add(e.logging(c, td))
	c.add(e.management(c, td))
	l, f := e.cloudWatchLogs(c, td)
	c.add(l)
	l, f = e.metricFilter(c, td, fe, f)
	c.add(l)
	l, f = e.alarmLink(c, td, fe, alarm, f)
	c.add(l)
	l, fsub := e.notification(c, td, alarm, topic, f)
	c.add(l)
	c.add(e.subscription(c, topic, fsub))
	return c
}

// unknownRead describes a read that was denied or failed. owner is the
// account that owns the resource when it is not the audited one.
func (e *evaluator) unknownRead(link LinkName, service, op, resource, owner string, err error) UnknownRead {
	u := UnknownRead{
		Link:     link,
		API:      op,
		Action:   awserr.Action(service, op),
		Resource: resource,
		Message:  err.Error(),
	}
	if awserr.IsDenied(err) {
		u.Message = "access denied: " + awserr.Message(err)
	} else if awserr.IsThrottle(err) {
		u.Message = "throttled after retries: " + awserr.Message(err)
	}
	if e.g.foreign(owner) {
		u.Account = owner
		u.Message += fmt.Sprintf("; the resource belongs to account %s: audit the rest of the chain in account %s", owner, owner)
	}
	return u
}

func (e *evaluator) logging(c *chain, td *trailData) Link {
	l := Link{Name: LinkLogging, Resource: td.name()}
	switch err := td.status.err; {
	case err != nil && awserr.IsNotFound(err):
		l.Status, l.Detail = Missing, "GetTrailStatus does not find the trail"
	case err != nil:
		l.Status, l.Detail = Unknown, "GetTrailStatus failed"
		c.unknown = append(c.unknown, e.unknownRead(LinkLogging, "cloudtrail", "GetTrailStatus", td.key(), td.owner, err))
	case td.status.v != nil && aws.ToBool(td.status.v.IsLogging):
		l.Status, l.Detail = Passed, "IsLogging is true"
	default:
		l.Status, l.Detail = Missing, "IsLogging is false"
	}
	return l
}

func (e *evaluator) management(c *chain, td *trailData) Link {
	l := Link{Name: LinkManagementEvents, Resource: td.name()}
	switch err := td.selectors.err; {
	case err != nil && awserr.IsNotFound(err):
		l.Status, l.Detail = Missing, "GetEventSelectors does not find the trail"
	case err != nil:
		l.Status, l.Detail = Unknown, "GetEventSelectors failed"
		c.unknown = append(c.unknown, e.unknownRead(LinkManagementEvents, "cloudtrail", "GetEventSelectors", td.key(), td.owner, err))
	default:
		v := managementEvents(td.selectors.v)
		l.Detail = v.detail
		l.Status = Missing
		if v.ok {
			l.Status = Passed
		}
	}
	return l
}

func (e *evaluator) cloudWatchLogs(c *chain, td *trailData) (Link, flow) {
	l := Link{Name: LinkCloudWatchLogs, Resource: aws.ToString(td.t.CloudWatchLogsLogGroupArn)}
	if td.lgErr != "" {
		l.Status, l.Detail = Missing, "CloudWatchLogsLogGroupArn is not a log group ARN: "+td.lgErr
		return l, flowAbsent
	}
	if td.lg == nil {
		l.Status, l.Detail = Missing, "the trail has no CloudWatchLogsLogGroupArn"
		return l, flowAbsent
	}
	l.Resource = td.lg.Name
	if k, _ := td.lgKey(); e.g.filters[k] != nil && e.g.filters[k].err != nil && awserr.IsNotFound(e.g.filters[k].err) {
		l.Status, l.Detail = Missing, fmt.Sprintf("log group %s does not exist in %s", td.lg.Name, td.lg.Region)
		return l, flowAbsent
	}
	if err := td.status.err; err != nil {
		if awserr.IsNotFound(err) {
			l.Status, l.Detail = Missing, "GetTrailStatus does not find the trail"
			return l, flowOK
		}
		l.Status, l.Detail = Unknown, "delivery status unknown: GetTrailStatus failed"
		c.unknown = append(c.unknown, e.unknownRead(LinkCloudWatchLogs, "cloudtrail", "GetTrailStatus", td.key(), td.owner, err))
		return l, flowOK
	}
	if td.status.v == nil {
		l.Status, l.Detail = Unknown, "delivery status unknown: GetTrailStatus gave no answer"
		return l, flowOK
	}
	if de := aws.ToString(td.status.v.LatestCloudWatchLogsDeliveryError); de != "" {
		l.Status, l.Detail = Missing, fmt.Sprintf("delivery to log group %s fails: %s", td.lg.Name, de)
		return l, flowOK
	}
	l.Status = Passed
	l.Detail = fmt.Sprintf("log group %s in %s, account %s", td.lg.Name, td.lg.Region, td.lg.Account)
	return l, flowOK
}

func (e *evaluator) metricFilter(c *chain, td *trailData, fe *filterEval, up flow) (Link, flow) {
	l := Link{Name: LinkMetricFilter}
	if up == flowAbsent {
		l.Status, l.Detail = Missing, "no log group"
		return l, flowAbsent
	}
	if td.lg == nil {
		l.Status, l.Detail = Missing, "no log group"
		return l, flowAbsent
	}
	l.Resource = td.lg.Name
	if e.g.foreign(td.lg.Account) {
		l.Status = Unknown
		l.Detail = fmt.Sprintf("log group %s belongs to account %s", td.lg.Name, td.lg.Account)
		err := fmt.Errorf("the log group belongs to account %s and cannot be read from account %s", td.lg.Account, e.g.account)
		c.unknown = append(c.unknown, e.unknownRead(LinkMetricFilter, "logs", "DescribeMetricFilters", td.lg.ARN, td.lg.Account, err))
		return l, flowUnknown
	}
	if e.g.accountErr != nil {
		l.Status = Unknown
		l.Detail = fmt.Sprintf("log group %s is in account %s, and the audited account is unknown (sts:GetCallerIdentity failed), so whether it is this account's log group cannot be told", td.lg.Name, td.lg.Account)
		return l, flowUnknown
	}
	k, _ := td.lgKey()
	if r := e.g.filters[k]; r == nil || r.err != nil {
		l.Status, l.Detail = Unknown, "DescribeMetricFilters failed"
		if r != nil {
			c.unknown = append(c.unknown, e.unknownRead(LinkMetricFilter, "logs", "DescribeMetricFilters", td.lg.Name, td.lg.Account, r.err))
		}
		return l, flowUnknown
	}
	if fe == nil {
		l.Status = Missing
		all := e.g.fevals[k]
		if len(all) == 0 {
			l.Detail = "the log group has no metric filters"
		} else {
			var why []string
			for _, f := range all {
				why = append(why, fmt.Sprintf("%s: %s", f.name, f.reason))
			}
			l.Detail = "no filter passes (" + strings.Join(why, "; ") + ")"
		}
		return l, flowAbsent
	}
	l.Status = Passed
	l.Resource = fe.name
	l.Detail = fmt.Sprintf("on %s, publishes %s", td.lg.Name, metricList(fe.metrics))
	if !fe.literal {
		l.Detail += "; covers the five events but is not the literal CIS pattern"
	}
	return l, flowOK
}

func metricList(ms []metricID) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.namespace+"/"+m.name)
	}
	return strings.Join(s, ", ")
}

func (e *evaluator) alarmLink(c *chain, td *trailData, fe *filterEval, alarm *cwtypes.MetricAlarm, up flow) (Link, flow) {
	l := Link{Name: LinkAlarm}
	switch up {
	case flowAbsent:
		l.Status, l.Detail = Missing, "no metric filter"
		return l, flowAbsent
	case flowUnknown:
		l.Status, l.Detail = Unknown, "depends on the unknown metric filter"
		return l, flowUnknown
	}
	region := td.lg.Region
	if r := e.g.alarms[region]; r == nil || r.err != nil {
		l.Status, l.Detail = Unknown, "DescribeAlarms failed"
		if r != nil {
			c.unknown = append(c.unknown, e.unknownRead(LinkAlarm, "cloudwatch", "DescribeAlarms", region, "", r.err))
		}
		return l, flowUnknown
	}
	if alarm == nil {
		l.Status = Missing
		l.Detail = fmt.Sprintf("no alarm in %s watches %s without dimensions", region, metricList(fe.metrics))
		for _, m := range fe.metrics {
			if m.dims {
				l.Detail += fmt.Sprintf("; the filter publishes %s/%s with dimensions, so no alarm sees every event", m.namespace, m.name)
			}
		}
		return l, flowAbsent
	}
	l.Status, l.Resource = Passed, aws.ToString(alarm.AlarmName)
	l.Detail = fmt.Sprintf("watches %s in %s", metricList(fe.metrics), region)
	if aws.ToString(alarm.MetricName) == "" {
		l.Detail += " (metric math)"
	}
	return l, flowOK
}

// notification judges alarm → topic. The second flow is for the
// subscription link: absent when there is no topic at all.
func (e *evaluator) notification(c *chain, td *trailData, alarm *cwtypes.MetricAlarm, topic string, up flow) (Link, flow) {
	l := Link{Name: LinkNotification, Resource: topic}
	switch up {
	case flowAbsent:
		l.Status, l.Detail = Missing, "no alarm"
		return l, flowAbsent
	case flowUnknown:
		l.Status, l.Detail = Unknown, "depends on an unknown upstream link"
		return l, flowUnknown
	}
	name := aws.ToString(alarm.AlarmName)
	if topic == "" {
		l.Status = Missing
		l.Detail = fmt.Sprintf("alarm %s has no SNS topic among its AlarmActions", name)
		if other := alarm.AlarmActions; len(other) > 0 {
			l.Detail += " (" + strings.Join(other, ", ") + ")"
		}
		if !aws.ToBool(alarm.ActionsEnabled) {
			l.Detail += "; its actions are disabled"
		}
		return l, flowAbsent
	}
	if region := td.lg.Region; !sameRegion(topic, region) {
		l.Status = Missing
		l.Detail = fmt.Sprintf("alarm %s is in %s and its topic is not: CloudWatch alarms publish only to SNS topics in their own region", name, region)
		return l, flowAbsent
	}
	tp := e.g.topics[topic]
	if tp != nil && tp.attrs.err != nil && awserr.IsNotFound(tp.attrs.err) {
		l.Status, l.Detail = Missing, fmt.Sprintf("topic %s does not exist", topic)
		return l, flowAbsent
	}
	if !aws.ToBool(alarm.ActionsEnabled) {
		l.Status, l.Detail = Missing, fmt.Sprintf("alarm %s has ActionsEnabled false", name)
		return l, flowOK
	}
	if tp == nil || tp.attrs.err != nil {
		l.Status, l.Detail = Unknown, "GetTopicAttributes failed"
		if tp != nil {
			c.unknown = append(c.unknown, e.unknownRead(LinkNotification, "sns", "GetTopicAttributes", topic, tp.owner, tp.attrs.err))
		}
		return l, flowOK
	}
	if k := tp.attrs.v["KmsMasterKeyId"]; isAWSManagedSNSKey(k) {
		l.Status = Missing
		l.Detail = fmt.Sprintf("topic is encrypted with the AWS managed key %s, which CloudWatch cannot use to publish", k)
		return l, flowOK
	}
	l.Status, l.Detail = Passed, fmt.Sprintf("alarm %s notifies the topic", name)
	return l, flowOK
}

func (e *evaluator) subscription(c *chain, topic string, up flow) Link {
	l := Link{Name: LinkSubscription, Resource: topic}
	switch up {
	case flowAbsent:
		l.Status, l.Detail = Missing, "no SNS topic"
		return l
	case flowUnknown:
		l.Status, l.Detail = Unknown, "depends on an unknown upstream link"
		return l
	}
	tp := e.g.topics[topic]
	if tp == nil {
		l.Status, l.Detail = Unknown, "subscriptions not read"
		return l
	}
	if err := tp.subs.err; err != nil {
		if awserr.IsNotFound(err) {
			l.Status, l.Detail = Missing, "topic does not exist"
			return l
		}
		l.Status, l.Detail = Unknown, "ListSubscriptionsByTopic failed"
		c.unknown = append(c.unknown, e.unknownRead(LinkSubscription, "sns", "ListSubscriptionsByTopic", topic, tp.owner, err))
		return l
	}
	confirmed, pending := endpoints(tp)
	if len(confirmed) > 0 {
		l.Status, l.Detail = Passed, "confirmed: "+strings.Join(confirmed, ", ")
		return l
	}
	l.Status = Missing
	switch {
	case len(pending) > 0:
		l.Detail = "only pending confirmation: " + strings.Join(pending, ", ")
	default:
		l.Detail = "no subscriptions"
	}
	return l
}

// endpoints lists a topic's subscriptions as protocol:endpoint: confirmed
// ones (SubscriptionArn is an ARN) and those pending confirmation.
// Deleted subscriptions count as neither.
func endpoints(tp *topicData) (confirmed, pending []string) {
	for _, s := range tp.subs.v {
		ep := string(aws.ToString(s.Protocol)) + ":" + aws.ToString(s.Endpoint)
		arn := aws.ToString(s.SubscriptionArn)
		switch {
		case strings.HasPrefix(arn, "arn:"):
			if _, err := parseARN(arn); err == nil {
				confirmed = append(confirmed, ep)
			}
		case arn == "PendingConfirmation":
			pending = append(pending, ep)
		}
	}
	sort.Strings(confirmed)
	sort.Strings(pending)
	return confirmed, pending
}

func (e *evaluator) warnings(c *chain) []Warning {
	out := []Warning{}
	add := func(code, res, format string, a ...any) {
		out = append(out, Warning{Code: code, Resource: res, Message: fmt.Sprintf(format, a...)})
	}
	if len(e.g.single) > 0 {
		add(WarnSingleRegionTrail, "", "single-region trails do not satisfy the control: %s", strings.Join(e.g.single, ", "))
	}
	td := c.td
	if td == nil {
		return out
	}
	if td.selectors.err == nil {
		if v := managementEvents(td.selectors.v); len(v.excluded) > 0 {
			add(WarnExcludedSources, td.name(), "the trail excludes management events from %s", strings.Join(v.excluded, ", "))
		}
	}
	if k, ok := td.lgKey(); ok {
		for _, fe := range e.g.fevals[k] {
			switch {
			case fe.passes:
			case fe.parseErr == nil && fe.cov.Covers && !fe.literal && e.opts.Strict:
				add(WarnNotLiteral, fe.name, "metric filter %s covers the five events but is not the literal CIS pattern, which --strict (like AWS Security Hub CloudWatch.5) requires", fe.name)
			default:
				add(WarnFilterMisses, fe.name, "metric filter %s does not pass: %s", fe.name, fe.reason)
			}
		}
	}
	if fe := c.fe; fe != nil {
		if !fe.literal && !e.opts.Strict {
			add(WarnNotLiteral, fe.name, "metric filter %s covers the five events but is not the literal CIS pattern: AWS Security Hub CloudWatch.5 would fail it (--strict requires it)", fe.name)
		}
		if fe.cov.TooBroad {
			reason := fe.cov.BroadReason
			if reason == "" {
				reason = "it also matches other events"
			}
			add(WarnTooBroad, fe.name, "metric filter %s is broader than the five events: %s", fe.name, reason)
		}
		for _, m := range fe.metrics {
			if ok, why := pattern.MetricValueCanBePositive(m.value); !ok {
				add(WarnMetricValue, fe.name, "metric filter %s publishes metricValue %q, which is never positive for these records: %s", fe.name, m.value, why)
			}
		}
	}
	if a := c.alarm; a != nil {
		var m metricID
		if c.fe != nil && len(c.fe.metrics) > 0 {
			m = c.fe.metrics[0]
		}
		for _, p := range fireProblems(*a, m) {
			add(WarnAlarmCannotFire, aws.ToString(a.AlarmName), "alarm %s may not fire on a single event: %s", aws.ToString(a.AlarmName), p)
		}
	}
	if tp := e.g.topics[c.topic]; tp != nil && tp.attrs.err == nil {
		if k := tp.attrs.v["KmsMasterKeyId"]; k != "" && !isAWSManagedSNSKey(k) {
			add(WarnTopicCustomerKey, tp.arn, "topic is encrypted with %s: its key policy must let cloudwatch.amazonaws.com use the key (not checked)", k)
		}
	}
	return out
}

func (e *evaluator) facts(c *chain) Facts {
	f := Facts{SingleRegionTrails: slices.Clone(e.g.single)}
	td := c.td
	if td == nil {
		return f
	}
	tf := &TrailFacts{
		Name:         td.name(),
		ARN:          td.arn,
		HomeRegion:   td.home,
		Owner:        td.owner,
		Organization: aws.ToBool(td.t.IsOrganizationTrail),
		S3Bucket:     aws.ToString(td.t.S3BucketName),
		LogGroupARN:  aws.ToString(td.t.CloudWatchLogsLogGroupArn),
		LogsRoleARN:  aws.ToString(td.t.CloudWatchLogsRoleArn),
	}
	if s := td.status.v; td.status.err == nil && s != nil {
		tf.IsLogging = aws.ToBool(s.IsLogging)
		tf.DeliveryError = aws.ToString(s.LatestCloudWatchLogsDeliveryError)
	}
	if s := td.selectors.v; td.selectors.err == nil && s != nil {
		tf.EventSelectors = s.EventSelectors
		tf.AdvancedEventSelectors = s.AdvancedEventSelectors
	}
	f.Trail = tf
	if td.lg == nil {
		return f
	}
	lg := *td.lg
	k, _ := td.lgKey()
	if r := e.g.filters[k]; r != nil && r.err != nil && awserr.IsNotFound(r.err) {
		lg.Missing = true
	}
	f.LogGroup = &lg
	for _, fe := range e.g.fevals[k] {
		if fe == c.fe {
			f.Filter = fe.facts()
			continue
		}
		f.OtherFilters = append(f.OtherFilters, *fe.facts())
	}
	if c.fe == nil {
		return f
	}
	topics := map[string]bool{}
	for _, a := range e.g.alarmsOn(td, c.fe) {
		af := AlarmFacts{
			Name:           aws.ToString(a.AlarmName),
			ARN:            aws.ToString(a.AlarmArn),
			ActionsEnabled: aws.ToBool(a.ActionsEnabled),
			AlarmActions:   slices.Clone(a.AlarmActions),
		}
		ts := uniq(snsTopics(a.AlarmActions))
		if len(ts) == 0 {
			ts = []string{""}
		}
		for _, t := range ts {
			tmp := &chain{}
			l, _ := e.notification(tmp, td, &a, t, flowOK)
			if l.Status == Passed {
				af.Notifies, af.Reason = true, ""
				break
			}
			if af.Reason == "" {
				af.Reason = l.Detail
			}
			if t != "" {
				topics[t] = true
			}
		}
		for _, t := range ts {
			if t != "" {
				topics[t] = true
			}
		}
		f.Alarms = append(f.Alarms, af)
	}
	for _, t := range sortedKeys(topics) {
		tp := e.g.topics[t]
		tf := TopicFacts{ARN: t}
		if tp != nil {
			if tp.attrs.err == nil {
				tf.KMSKeyID = tp.attrs.v["KmsMasterKeyId"]
			}
			if tp.subs.err == nil {
				tf.ConfirmedEndpoints, tf.PendingEndpoints = endpoints(tp)
			}
		}
		f.Topics = append(f.Topics, tf)
	}
	return f
}
