package audit

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// candidate is one way the account's resources could form the chain: a
// trail, a log group, a filter on it, an alarm on the filter's metric and a
// topic the alarm notifies. Any part after the trail may be absent.
type candidate struct {
	td *trailData
	gd *groupData
	f  *chain.Filter
	a  *chain.Alarm
	tp *topicData

	links   []Link
	unknown []UnknownRead
	passed  int
	gaps    int
	unknwn  int
	blocked int
	present int
	key     string
}

func (c *candidate) complete() bool { return c.gaps == 0 && c.unknwn == 0 && c.blocked == 0 }

func (c *candidate) add(l Link) {
	c.links = append(c.links, l)
	switch {
	case l.Status == Passed:
		c.passed++
	case l.Status.IsGap():
		c.gaps++
	case l.Status == Unknown:
		c.unknwn++
	case l.Status == Blocked:
		c.blocked++
	}
}

func link(name LinkName, v chain.Verdict, resource string) Link {
	return Link{Name: name, Status: v.Status, Resource: resource, Detail: v.Detail, Field: v.Field}
}

func blocked(name LinkName, why string) Link { return Link{Name: name, Status: Blocked, Detail: why} }

func unknownLink(name LinkName, why string) Link {
	return Link{Name: name, Status: Unknown, Detail: why}
}

// unread is the detail of a link whose read u could not be made: the
// permission it needs, once (the report's unknown list has the rest).
func unread(u UnknownRead) string {
	if strings.HasPrefix(u.Message, "access denied") {
		return "not read: " + u.Action + " was denied"
	}
	return "not read: " + u.Action + " failed"
}

// better orders candidates: complete first, then those without a gap, then
// most links passed, fewest gaps, most resources present, and finally by
// trail, group, filter, alarm and topic, so the choice is deterministic.
func better(a, b *candidate) bool {
	switch {
	case a.complete() != b.complete():
		return a.complete()
	case (a.gaps == 0) != (b.gaps == 0):
		return a.gaps == 0
	case a.passed != b.passed:
		return a.passed > b.passed
	case a.gaps != b.gaps:
		return a.gaps < b.gaps
	case a.present != b.present:
		return a.present > b.present
	}
	return a.key < b.key
}

func (g *gathered) report() *Report {
	// A topic is judged (its policies evaluated) once per alarm in a
	// report, not again for each link, warning and fact that shows it.
	g.topicMemo = map[topicFor]chain.Topic{}
	defer func() { g.topicMemo = nil }()
	r := &Report{
		Account: g.account, Caller: g.caller, Region: g.region, Control: g.opts.Control.ID, Title: g.opts.Control.Title, Controls: slices.Clone(g.opts.Control.Names), Strict: g.opts.Strict,
		Chain: []Link{}, Gaps: []Gap{}, Warnings: []Warning{}, Unknown: []UnknownRead{},
	}
	cands := g.candidates()
	seen := map[string]bool{}
	addUnknown := func(u UnknownRead) {
		if k := u.Action + "\x00" + u.Resource; !seen[k] {
			seen[k] = true
			r.Unknown = append(r.Unknown, u)
		}
	}
	if g.accountErr != nil {
		addUnknown(g.unknownRead(LinkAccount, "sts", "GetCallerIdentity", "", "", g.accountErr))
	}
	for _, c := range cands {
		for _, u := range c.unknown {
			addUnknown(u)
		}
	}
	sort.SliceStable(r.Unknown, func(i, j int) bool {
		a, b := r.Unknown[i], r.Unknown[j]
		if ia, ib := chain.Index(a.Link), chain.Index(b.Link); ia != ib {
			return ia < ib
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	sort.SliceStable(cands, func(i, j int) bool { return better(cands[i], cands[j]) })
	best := cands[0]
	switch {
	case best.complete():
		r.Compliant = aws.Bool(true)
	case best.gaps == 0:
		r.Compliant = nil
	default:
		r.Compliant = aws.Bool(false)
	}
	r.Chain = best.links
	for _, l := range best.links {
		if l.Status.IsGap() {
			msg := chain.InfoOf(l.Name).Gap
			if l.Detail != "" && !strings.Contains(msg, l.Detail) {
				msg += ": " + l.Detail
			}
			r.Gaps = append(r.Gaps, Gap{Code: chain.CodeFor(l.Name, l.Status), Link: l.Name, Message: msg, Resource: l.Resource})
		}
	}
	r.Warnings = g.warnings(best)
	r.Facts = g.facts(best)
	r.CoveredBy = g.coveredBy(best)
	return r
}

// coveredBy is set when the candidate's chain lives in another account:
// its log group's (or, delivering nowhere, the trail's) account is not the
// audited one.
func (g *gathered) coveredBy(c *candidate) *CoveredBy {
	td := c.td
	if td == nil {
		return nil
	}
	cov := &CoveredBy{TrailARN: td.arn, Account: td.owner, Region: td.home, Organization: aws.ToBool(td.t.IsOrganizationTrail)}
	if td.lg != nil {
		cov.Account, cov.Region = td.lg.Account, td.lg.Region
	}
	if !g.foreign(cov.Account) {
		return nil
	}
	return cov
}

// candidates lists every chain the account's resources could form.
func (g *gathered) candidates() []*candidate {
	if g.trailsErr != nil || len(g.trails) == 0 {
		c := &candidate{}
		if g.trailsErr != nil {
			c.add(unknownLink(LinkTrail, "trails could not be read"))
			c.unknown = append(c.unknown, g.unknownRead(LinkTrail, "cloudtrail", "DescribeTrails", g.region, "", g.trailsErr))
			for _, l := range chain.Links[1:] {
				c.add(unknownLink(l.Name, "depends on the unknown trail list"))
			}
			return []*candidate{c}
		}
		c.add(link(LinkTrail, chain.NoTrail(), ""))
		for _, l := range chain.Links[1:] {
			c.add(blocked(l.Name, "no multi-region trail"))
		}
		return []*candidate{c}
	}
	var out []*candidate
	for _, td := range g.trails {
		for _, gd := range g.groupsFor(td) {
			region := td.home
			if td.lg != nil {
				region = td.lg.Region
			}
			// A chain without a filter is a candidate only when no filter
			// on the group is about the control: then an alarm left from a
			// deleted filter may still carry it.
			var filters []*chain.Filter
			if gd != nil {
				for i := range gd.judged {
					if gd.judged[i].Related {
						filters = append(filters, &gd.judged[i])
					}
				}
			}
			if len(filters) == 0 {
				filters = []*chain.Filter{nil}
			}
			for _, f := range filters {
				for _, a := range g.alarmsFor(region, f) {
					for _, tp := range g.topicsFor(region, a) {
						out = append(out, g.evaluate(td, gd, f, a, tp))
					}
				}
			}
		}
	}
	return out
}

// groupsFor: the log group the trail names (nil when it names none that can
// be read), or, for a trail that delivers nowhere, the groups in its home
// region that hold a filter about the control, and none.
func (g *gathered) groupsFor(td *trailData) []*groupData {
	if td.lg != nil {
		return []*groupData{g.groups[keyOf(*td.lg)]}
	}
	out := []*groupData{nil}
	if td.lgARN != "" {
		return out
	}
	var found []*groupData
	for _, gd := range g.groups {
		if gd.found && gd.lg.Region == td.home {
			found = append(found, gd)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].lg.Name < found[j].lg.Name })
	return append(out, found...)
}

// alarmsFor: the alarms on f's metrics, or with no filter the orphans; and
// none.
func (g *gathered) alarmsFor(region string, f *chain.Filter) []*chain.Alarm {
	out := []*chain.Alarm{nil}
	as := g.alarms[region]
	for i := range as {
		a := &as[i]
		if f == nil && a.Orphan {
			out = append(out, a)
			continue
		}
		if f != nil && !a.Orphan && slices.ContainsFunc(f.Metrics, func(m chain.Metric) bool { return m.ID() == a.Metric }) {
			out = append(out, a)
		}
	}
	return out
}

// topicsFor: the SNS topics the alarm notifies (none when it names none);
// with no alarm, trailwatch's own topic, and none.
func (g *gathered) topicsFor(region string, a *chain.Alarm) []*topicData {
	if a != nil {
		var out []*topicData
		for _, t := range chain.SNSTopics(a.AlarmActions) {
			out = append(out, g.topics[t])
		}
		if len(out) == 0 {
			out = []*topicData{nil}
		}
		return out
	}
	out := []*topicData{nil}
	if rd := g.regions[region]; rd != nil && rd.ownTopic != nil && rd.ownTopic.attrs.err == nil {
		out = append(out, rd.ownTopic)
	}
	return out
}

// publisher is the alarm that would publish to a topic: a, or with no
// alarm the one trailwatch would create in region.
func (g *gathered) publisher(a *chain.Alarm, region string) chain.Publisher {
	if a != nil {
		return chain.Publisher{Region: a.Region, AlarmARN: a.ARN, Account: g.account}
	}
	return chain.Publisher{Region: region, Account: g.account,
		AlarmARN: chain.AlarmARN(chain.RegionPartition(region), region, g.account, g.opts.Names.Alarm)}
}

// topicFor keys judgedTopic's answers while a report is built.
type topicFor struct {
	arn string
	p   chain.Publisher
}

// judgedTopic is what the audit knows of a topic, for the alarm p.
func (g *gathered) judgedTopic(tp *topicData, p chain.Publisher) chain.Topic {
	if t, ok := g.topicMemo[topicFor{tp.arn, p}]; ok {
		return t
	}
	t := g.judgeTopic(tp, p)
	if g.topicMemo != nil {
		g.topicMemo[topicFor{tp.arn, p}] = t
	}
	return t
}

func (g *gathered) judgeTopic(tp *topicData, p chain.Publisher) chain.Topic {
	t := chain.NewTopic(tp.arn)
	t.Gone = tp.attrs.err != nil && awserr.IsNotFound(tp.attrs.err)
	var attrs map[string]string
	if tp.attrs.err == nil && tp.read {
		attrs = tp.attrs.v
	}
	var key *chain.Key
	keyErr := ""
	if kd := tp.key; kd != nil {
		switch {
		case kd.desc.err != nil:
			keyErr = "kms:DescribeKey: " + awserr.Message(kd.desc.err)
		case kd.desc.v.KeyManager == kmstypes.KeyManagerTypeAws:
			key = &chain.Key{ARN: aws.ToString(kd.desc.v.Arn), Manager: "AWS"}
		case kd.policy.err != nil:
			keyErr = "kms:GetKeyPolicy: " + awserr.Message(kd.policy.err)
		default:
			key = &chain.Key{ARN: aws.ToString(kd.desc.v.Arn), Manager: string(kd.desc.v.KeyManager), State: string(kd.desc.v.KeyState), Policy: kd.policy.v}
		}
	}
	t = chain.JudgeTopic(t, attrs, key, keyErr, p)
	if tp.subs.err == nil && tp.read {
		t.ReadSubscriptions(tp.subs.v)
	}
	switch {
	case tp.tags.err != nil && awserr.IsNotFound(tp.tags.err):
	case tp.tags.err != nil:
		t.TagsUnread = tp.tags.err.Error()
	case tp.read:
		t.Ours = chain.Managed(tp.tags.v)
	}
	return t
}

func (g *gathered) alarmFacts(a chain.Alarm) chain.Alarm {
	if res := g.alarmTags[a.ARN]; res != nil {
		if res.err != nil {
			a.TagsUnread = res.err.Error()
		} else {
			a.Ours = chain.Managed(res.v)
		}
	}
	return a
}

// evaluate judges each link of one candidate on its own.
func (g *gathered) evaluate(td *trailData, gd *groupData, f *chain.Filter, a *chain.Alarm, tp *topicData) *candidate {
	c := &candidate{td: td, gd: gd, f: f, a: a, tp: tp}
	parts := []string{td.key(), "", "", "", ""}
	if gd != nil {
		parts[1] = gd.lg.Name
		c.present++
	}
	if f != nil {
		parts[2] = f.Name
		c.present++
	}
	if a != nil {
		parts[3] = a.Name
		c.present++
	}
	if tp != nil {
		parts[4] = tp.arn
		c.present++
	}
	c.key = strings.Join(parts, "\x00")

	c.add(link(LinkTrail, chain.JudgeTrail(td.t, g.account), td.name()))
	c.add(g.logging(c, td))
	c.add(g.events(c, td))
	groupOK := g.delivery(c, td, gd)
	filterOK := g.filterLink(c, td, gd, f, groupOK)
	alarmOK := g.alarmLink(c, td, f, a, filterOK)
	topicOK := g.notification(c, a, tp, alarmOK)
	g.subscription(c, a, tp, topicOK)
	return c
}

// flow is what a link hands to the next.
type flow int

const (
	flowOK      flow = iota
	flowAbsent       // nothing there: the next link is blocked
	flowUnknown      // unknown: so is the next link
)

func (g *gathered) logging(c *candidate, td *trailData) Link {
	switch err := td.status.err; {
	case err != nil && awserr.IsNotFound(err):
		return Link{Name: LinkLogging, Status: Failed, Resource: td.name(), Detail: "CloudTrail has no status for the trail (it was deleted while being read?)"}
	case err != nil:
		u := g.unknownRead(LinkLogging, "cloudtrail", "GetTrailStatus", td.key(), td.owner, err)
		c.unknown = append(c.unknown, u)
		return Link{Name: LinkLogging, Status: Unknown, Resource: td.name(), Detail: unread(u)}
	}
	return link(LinkLogging, chain.JudgeLogging(td.status.v), td.name())
}

func (g *gathered) events(c *candidate, td *trailData) Link {
	switch err := td.selectors.err; {
	case err != nil && awserr.IsNotFound(err):
		return Link{Name: LinkManagementEvents, Status: Failed, Resource: td.name(), Detail: "CloudTrail has no event selectors for the trail (it was deleted while being read?)"}
	case err != nil:
		u := g.unknownRead(LinkManagementEvents, "cloudtrail", "GetEventSelectors", td.key(), td.owner, err)
		c.unknown = append(c.unknown, u)
		return Link{Name: LinkManagementEvents, Status: Unknown, Resource: td.name(), Detail: unread(u)}
	}
	var s = td.selectors.v
	if s == nil {
		return link(LinkManagementEvents, chain.JudgeEvents(nil, nil).Verdict, td.name())
	}
	return link(LinkManagementEvents, chain.JudgeEvents(s.EventSelectors, s.AdvancedEventSelectors).Verdict, td.name())
}

func (g *gathered) delivery(c *candidate, td *trailData, gd *groupData) flow {
	if td.lgARN == "" {
		v, _ := chain.JudgeDelivery(chain.Delivery{})
		l := link(LinkCloudWatchLogs, v, "")
		if gd != nil {
			l.Resource = gd.lg.Name
			l.Detail += fmt.Sprintf("; log group %s in %s holds a metric filter for the control and could receive them", gd.lg.Name, gd.lg.Region)
			c.add(l)
			return flowOK
		}
		c.add(l)
		return flowAbsent
	}
	d := chain.Delivery{LogGroupARN: td.lgARN}
	if gd != nil && gd.filters.err != nil && awserr.IsNotFound(gd.filters.err) {
		d.GroupNotFound = true
	}
	v, lg := chain.JudgeDelivery(d)
	res := td.lgARN
	if lg != nil {
		res = lg.Name
	}
	if v.Status == Passed {
		switch err := td.status.err; {
		case err != nil && !awserr.IsNotFound(err):
			u := g.unknownRead(LinkCloudWatchLogs, "cloudtrail", "GetTrailStatus", td.key(), td.owner, err)
			c.unknown = append(c.unknown, u)
			v = chain.Verdict{Status: Unknown, Detail: "whether delivery works is " + unread(u)}
		case err == nil:
			v, _ = chain.JudgeDelivery(chain.Delivery{LogGroupARN: td.lgARN, Status: td.status.v})
		}
	}
	c.add(link(LinkCloudWatchLogs, v, res))
	if lg == nil || d.GroupNotFound {
		return flowAbsent
	}
	return flowOK
}

func (g *gathered) filterLink(c *candidate, td *trailData, gd *groupData, f *chain.Filter, up flow) flow {
	if up == flowAbsent {
		c.add(blocked(LinkMetricFilter, "no log group"))
		return flowAbsent
	}
	lg := td.lg
	if gd != nil {
		lg = &gd.lg
	}
	switch {
	case lg != nil && g.foreign(lg.Account):
		// Never looked up by name here: this account's group of that name
		// is another group.
		err := fmt.Errorf("the log group, and the chain after it, is in account %s", lg.Account)
		c.unknown = append(c.unknown, g.unknownRead(LinkMetricFilter, "logs", "DescribeMetricFilters", lg.ARN, lg.Account, err))
		c.add(Link{Name: LinkMetricFilter, Status: Unknown, Resource: lg.ARN, Detail: "the log group is in account " + lg.Account + ", not read from here"})
		return flowUnknown
	case g.accountErr != nil:
		c.add(Link{Name: LinkMetricFilter, Status: Unknown, Resource: lg.Name,
			Detail: fmt.Sprintf("log group %s is in account %s, and the audited account is unknown (sts:GetCallerIdentity failed), so whether it is this account's log group cannot be told", lg.Name, lg.Account)})
		return flowUnknown
	case gd == nil:
		c.add(unknownLink(LinkMetricFilter, "the log group's filters were not read"))
		return flowUnknown
	case gd.filters.err != nil:
		u := g.unknownRead(LinkMetricFilter, "logs", "DescribeMetricFilters", gd.lg.Name, gd.lg.Account, gd.filters.err)
		c.unknown = append(c.unknown, u)
		c.add(Link{Name: LinkMetricFilter, Status: Unknown, Resource: gd.lg.Name, Detail: unread(u)})
		return flowUnknown
	}
	if f == nil {
		d := "the trail's log group has no metric filters"
		if len(gd.judged) > 0 {
			var names []string
			for _, x := range gd.judged {
				names = append(names, x.Name)
			}
			d = fmt.Sprintf("none of the log group's filters is about the control's events (it has %s)", strings.Join(names, ", "))
		}
		c.add(Link{Name: LinkMetricFilter, Status: Missing, Resource: gd.lg.Name, Detail: d})
		return flowAbsent
	}
	if !f.Passes() {
		c.add(Link{Name: LinkMetricFilter, Status: Failed, Resource: f.Name, Detail: f.Reason, Field: "filterPattern"})
		return flowOK
	}
	usable, _ := f.Usable()
	var ids []string
	for _, m := range usable {
		ids = append(ids, m.ID())
	}
	d := "publishes " + strings.Join(ids, ", ")
	if !f.Literal {
		d += "; catches the events, though not with the literal CIS pattern"
	}
	c.add(Link{Name: LinkMetricFilter, Status: Passed, Resource: f.Name, Detail: d, Field: "filterPattern"})
	return flowOK
}

func (g *gathered) alarmLink(c *candidate, td *trailData, f *chain.Filter, a *chain.Alarm, up flow) flow {
	region := td.home
	if td.lg != nil {
		region = td.lg.Region
	}
	if up == flowUnknown {
		c.add(unknownLink(LinkAlarm, "depends on an unknown link above"))
		return flowUnknown
	}
	rd := g.regions[region]
	if rd != nil && rd.alarms.err != nil {
		u := g.unknownRead(LinkAlarm, "cloudwatch", "DescribeAlarms", region, "", rd.alarms.err)
		c.unknown = append(c.unknown, u)
		c.add(unknownLink(LinkAlarm, unread(u)))
		return flowUnknown
	}
	if a == nil {
		if f == nil {
			c.add(blocked(LinkAlarm, "no metric filter"))
			return flowAbsent
		}
		usable, _ := f.Usable()
		var ids []string
		for _, m := range usable {
			ids = append(ids, m.ID())
		}
		d := fmt.Sprintf("no alarm in %s watches %s", region, strings.Join(ids, ", "))
		if len(ids) == 0 {
			d = fmt.Sprintf("filter %s publishes no metric an alarm can watch", f.Name)
		}
		c.add(Link{Name: LinkAlarm, Status: Missing, Detail: d})
		return flowAbsent
	}
	if a.Status != Passed {
		c.add(Link{Name: LinkAlarm, Status: Failed, Resource: a.Name, Detail: "cannot go off: " + a.Reason(), Field: a.Problems[0].Setting})
		return flowOK
	}
	d := "watches " + a.Metric
	if a.Math {
		d += " (metric math)"
	}
	if a.Orphan {
		d += "; no filter publishes that metric now"
	}
	c.add(Link{Name: LinkAlarm, Status: Passed, Resource: a.Name, Detail: d})
	return flowOK
}

func (g *gathered) notification(c *candidate, a *chain.Alarm, tp *topicData, up flow) flow {
	if up == flowUnknown {
		c.add(unknownLink(LinkNotification, "depends on an unknown link above"))
		return flowUnknown
	}
	if a == nil && tp == nil {
		c.add(blocked(LinkNotification, "no alarm"))
		return flowAbsent
	}
	region := ""
	if a != nil {
		region = a.Region
	} else {
		region = tp.region
	}
	if tp == nil {
		c.add(link(LinkNotification, chain.JudgeNotification(*a, nil), ""))
		return flowAbsent
	}
	t := g.judgedTopic(tp, g.publisher(a, region))
	if tp.attrs.err != nil && !t.Gone && t.Region == region && (a == nil || a.ActionsEnabled) {
		u := g.unknownRead(LinkNotification, "sns", "GetTopicAttributes", tp.arn, t.Owner, tp.attrs.err)
		c.unknown = append(c.unknown, u)
		c.add(Link{Name: LinkNotification, Status: Unknown, Resource: tp.arn, Detail: unread(u)})
		return flowOK // the subscriptions are read, and judged, on their own
	}
	if kd := tp.key; t.KeyUnread != "" && kd != nil && (a == nil || a.ActionsEnabled) {
		op, err := "DescribeKey", kd.desc.err
		if err == nil {
			op, err = "GetKeyPolicy", kd.policy.err
		}
		u := g.unknownRead(LinkNotification, "kms", op, kd.id, chain.AccountOf(kd.id), err)
		c.unknown = append(c.unknown, u)
		c.add(Link{Name: LinkNotification, Status: Unknown, Resource: tp.arn, Detail: "the topic's KMS key was " + unread(u)})
		return flowOK
	}
	if a == nil {
		v := chain.Verdict{Status: Failed, Detail: t.Reason, Field: t.ReasonField}
		if t.Usable {
			v = chain.Verdict{Status: Passed, Detail: "trailwatch's topic; no alarm names it yet, and it can take the alarm's notifications"}
		}
		c.add(link(LinkNotification, v, tp.arn))
	} else {
		c.add(link(LinkNotification, chain.JudgeNotification(*a, &t), tp.arn))
	}
	if t.Gone || t.Region != region {
		return flowAbsent
	}
	return flowOK
}

func (g *gathered) subscription(c *candidate, a *chain.Alarm, tp *topicData, up flow) {
	switch {
	case up == flowUnknown:
		c.add(unknownLink(LinkSubscription, "depends on an unknown link above"))
		return
	case tp == nil:
		c.add(blocked(LinkSubscription, "no SNS topic"))
		return
	case up == flowAbsent:
		c.add(Link{Name: LinkSubscription, Status: Blocked, Resource: tp.arn, Detail: "the topic cannot be used"})
		return
	}
	if err := tp.subs.err; err != nil {
		if awserr.IsNotFound(err) {
			c.add(Link{Name: LinkSubscription, Status: Blocked, Resource: tp.arn, Detail: "the topic does not exist"})
			return
		}
		u := g.unknownRead(LinkSubscription, "sns", "ListSubscriptionsByTopic", tp.arn, chain.AccountOf(tp.arn), err)
		c.unknown = append(c.unknown, u)
		c.add(Link{Name: LinkSubscription, Status: Unknown, Resource: tp.arn, Detail: unread(u)})
		return
	}
	c.add(link(LinkSubscription, chain.JudgeSubscription(g.judgedTopic(tp, g.publisher(a, tp.region))), tp.arn))
}

// unknownRead describes a read that was denied or failed. owner is the
// account that owns the resource when it is not the audited one.
func (g *gathered) unknownRead(l LinkName, service, op, resource, owner string, err error) UnknownRead {
	u := unknownRead(l, service, op, resource, err)
	if g.foreign(owner) {
		u.Account = owner
		u.Message += fmt.Sprintf("; to read it in account %s, pass --chain-role with a role there that trailwatch may assume, or audit account %s itself", owner, owner)
	}
	return u
}

// unknownRead says why a read failed: denied, throttled, or the SDK's
// account of the call, the endpoint and the cause ("could not reach ...:
// connection refused"), with the HTTP status.
func unknownRead(l LinkName, service, op, resource string, err error) UnknownRead {
	u := UnknownRead{Link: l, API: op, Action: awserr.Action(service, op), Resource: resource, Message: awserr.Explain(err)}
	if st := awserr.HTTPStatus(err); st != 0 && !strings.Contains(u.Message, strconv.Itoa(st)) {
		u.Message += fmt.Sprintf(" (HTTP %d)", st)
	}
	if awserr.IsDenied(err) {
		u.Message = "access denied: " + awserr.Message(err)
	} else if awserr.IsThrottle(err) {
		u.Message = "throttled after retries: " + awserr.Message(err)
	}
	return u
}

func (g *gathered) warnings(c *candidate) []Warning {
	out := []Warning{}
	add := func(code, res, format string, a ...any) {
		out = append(out, Warning{Code: code, Resource: res, Message: fmt.Sprintf(format, a...)})
	}
	if len(g.single) > 0 {
		add(WarnSingleRegionTrail, "", "single-region trails do not satisfy the control: %s", strings.Join(g.single, ", "))
	}
	td := c.td
	if td == nil {
		return out
	}
	// A trail that delivers but has not for a day: CloudTrail delivers
	// within minutes of activity, and an account (an organization trail
	// above all) is rarely silent that long; verify checks it closely.
	if s := td.status.v; td.status.err == nil && s != nil && td.lgARN != "" {
		if at := s.LatestCloudWatchLogsDeliveryTime; at != nil && g.opts.now().Sub(*at) > staleDelivery {
			add(WarnDeliveryStale, td.name(), "the trail last delivered to CloudWatch Logs at %s, more than a day ago; trailwatch verify checks delivery", at.UTC().Format(time.RFC3339))
		}
	}
	if s := td.selectors.v; td.selectors.err == nil && s != nil {
		if v := chain.JudgeEvents(s.EventSelectors, s.AdvancedEventSelectors); len(v.Excluded) > 0 {
			add(WarnExcludedSources, td.name(), "the trail excludes management events from %s", strings.Join(v.Excluded, ", "))
		}
	}
	if c.gd != nil {
		for _, f := range c.gd.judged {
			if c.f != nil && f.Name == c.f.Name || !f.Related || f.Passes() {
				continue
			}
			add(WarnFilterMisses, f.Name, "metric filter %s does not pass: %s", f.Name, f.Reason)
		}
	}
	if f := c.f; f != nil && f.Passes() {
		if !f.Literal {
			add(WarnNotLiteral, f.Name, "metric filter %s covers the events but is not the literal CIS pattern: AWS Security Hub would fail it (--strict requires it)", f.Name)
		}
		if f.TooBroad {
			reason := f.BroadReason
			if reason == "" {
				reason = "it also matches other events"
			}
			add(WarnTooBroad, f.Name, "metric filter %s is broader than the control's events: %s", f.Name, reason)
		}
		for _, n := range f.Notes {
			if n.Code == WarnOtherToolText && !f.Literal && strings.HasPrefix(n.Tool, "Security Hub") {
				continue // NOT_LITERAL_CIS_PATTERN says it
			}
			add(n.Code, f.Name, "metric filter %s: %s", f.Name, n.Message)
		}
	}
	if a := c.a; a != nil {
		for _, d := range a.Doubts {
			add(WarnAlarmMayNotFire, a.Name, "alarm %s may not fire on a single event: %s", a.Name, d)
		}
		if fa := g.alarmFacts(*a); fa.TagsUnread != "" {
			add(WarnTagsUnread, a.ARN, "could not read the tags of alarm %s (cloudwatch:ListTagsForResource: %s); it is treated as not made by trailwatch, so fix leaves it as it is", a.Name, fa.TagsUnread)
		}
	}
	if tp := c.tp; tp != nil {
		t := g.judgedTopic(tp, g.publisher(c.a, tp.region))
		for _, d := range t.Doubts {
			add(WarnTopicUndecided, tp.arn, "topic %s may not take the alarm's notifications: %s", tp.arn, d)
		}
		if t.TagsUnread != "" {
			add(WarnTagsUnread, tp.arn, "could not read the tags of topic %s (sns:ListTagsForResource: %s); it is treated as not made by trailwatch, so fix leaves it as it is", tp.arn, t.TagsUnread)
		}
	}
	return out
}

func (g *gathered) facts(c *candidate) Facts {
	f := Facts{SingleRegionTrails: slices.Clone(g.single), Names: g.opts.Names}
	td := c.td
	if td == nil {
		return f
	}
	tf := &TrailFacts{
		Name: td.name(), ARN: td.arn, HomeRegion: td.home, Owner: td.owner,
		Organization: aws.ToBool(td.t.IsOrganizationTrail), S3Bucket: aws.ToString(td.t.S3BucketName),
		LogGroupARN: td.lgARN, LogsRoleARN: aws.ToString(td.t.CloudWatchLogsRoleArn),
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
	region := td.home
	switch {
	case c.gd != nil:
		lg := &LogGroupFacts{LogGroup: c.gd.lg, Found: c.gd.found}
		lg.Missing = c.gd.filters.err != nil && awserr.IsNotFound(c.gd.filters.err)
		f.LogGroup = lg
		region = c.gd.lg.Region
		for _, x := range c.gd.judged {
			if c.f != nil && x.Name == c.f.Name {
				continue
			}
			f.Filters = append(f.Filters, x)
		}
	case td.lg != nil:
		f.LogGroup = &LogGroupFacts{LogGroup: *td.lg}
		region = td.lg.Region
	}
	if c.f != nil {
		x := *c.f
		f.Filter = &x
	}
	for _, a := range g.alarms[region] {
		f.Alarms = append(f.Alarms, g.alarmFacts(a))
	}
	if c.a != nil {
		f.Alarm = f.AlarmNamed(c.a.Name)
	}
	var arns []string
	for arn, tp := range g.topics {
		if tp.region == region && tp.read {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	for _, arn := range arns {
		f.Topics = append(f.Topics, g.judgedTopic(g.topics[arn], g.publisher(c.a, region)))
	}
	if c.tp != nil {
		if t := f.TopicByARN(c.tp.arn); t != nil {
			f.Topic = t
		} else {
			t := g.judgedTopic(c.tp, g.publisher(c.a, region))
			f.Topic = &t
		}
	}
	if rd := g.regions[region]; rd != nil && rd.alarms.err == nil {
		for _, a := range rd.alarms.v {
			if n := aws.ToString(a.AlarmName); chain.IsCandidate(n, g.opts.Names.Alarm) {
				f.TakenAlarmNames = append(f.TakenAlarmNames, n)
			}
		}
		sort.Strings(f.TakenAlarmNames)
	}
	f.MetricsInUse = slices.Compact(slices.Sorted(slices.Values(g.metricsInUse[region])))
	return f
}
