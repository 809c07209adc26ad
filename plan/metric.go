package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
)

// metricChain plans the metric filter, topic, subscription and alarm on the
// log group b.lgName in b.lgRegion, repairing each link on its own.
func (b *builder) metricChain(newGroup bool) error {
	f := b.r.Facts
	var alarm *chain.Alarm
	if !newGroup {
		alarm = f.Alarm
	}
	filterFixed := b.filter(newGroup, alarm)

	// The alarm: keep one that fires on the metric, repair trailwatch's
	// own, or add trailwatch's beside anything else.
	metricID := b.ns + "/" + b.metricName
	var keep, repair bool
	var fixes []string
	if alarm != nil && alarm.Metric == metricID {
		var rest []chain.Problem
		for _, p := range alarm.Problems {
			switch {
			case p.Setting == "FilterMetricValue" && filterFixed:
			case p.Setting == "FilterDefaultValue" && filterFixed && b.filterStep != "":
			default:
				rest = append(rest, p)
			}
		}
		alarm2 := *alarm
		alarm2.Problems = rest
		switch {
		case len(rest) == 0:
			keep = true
		case alarm.Ours && chain.Repairable(alarm2):
			repair = true
			for _, p := range rest {
				if !slices.Contains(fixes, p.Setting) {
					fixes = append(fixes, p.Setting)
				}
			}
		}
	}

	topic, topicStep, confirmed := b.topic(alarm, keep || repair)
	b.subscriptions(topic, topicStep, confirmed)

	switch {
	case keep && alarm.ActionsEnabled && slices.Contains(chain.SNSTopics(alarm.AlarmActions), topic):
		b.keep("alarm %s: fires on one event and notifies %s", alarm.Name, topic)
		b.close(audit.LinkAlarm, audit.LinkNotification)
	case (keep || repair) && alarm.Ours:
		b.alarmStep(Update, alarm.Name, topic, topicStep, fixes, !alarm.ActionsEnabled)
	default:
		if alarm != nil && !keep && !repair {
			b.note("alarm %s %s; trailwatch adds its own alarm beside it and leaves it as it is", alarm.Name, alarmWhy(alarm))
		} else if alarm != nil && keep {
			b.note("alarm %s is not trailwatch's, so it is left as it is; trailwatch adds its own alarm that notifies %s", alarm.Name, topic)
		}
		name := b.freeName(b.c.AlarmName, "alarm", "--alarm-name", func(n string) bool { return slices.Contains(f.TakenAlarmNames, n) })
		if name != b.c.AlarmName {
			b.note("alarm name %q is taken by another alarm; the new alarm is %q", b.c.AlarmName, name)
		}
		b.alarmStep(Create, name, topic, topicStep, nil, false)
	}
	return nil
}

func alarmWhy(a *chain.Alarm) string {
	switch {
	case !a.Ours && a.Status == audit.Failed:
		return "cannot fire (" + a.Reason() + ") and is not trailwatch's"
	case a.Status == audit.Failed:
		return "cannot fire (" + a.Reason() + "), which a repair of the alarm alone cannot change"
	}
	return "is not trailwatch's"
}

// filter decides the metric filter and the metric the alarm watches. It
// returns whether a step puts the filter right.
func (b *builder) filter(newGroup bool, alarm *chain.Alarm) bool {
	f := b.r.Facts
	cur := f.Filter
	if newGroup {
		cur = nil
	}
	switch {
	case cur != nil && cur.Passes():
		m := firstUsable(*cur)
		if alarm != nil && slices.ContainsFunc(cur.Metrics, func(x chain.Metric) bool { return x.ID() == alarm.Metric }) {
			m = metricOf(alarm.Metric)
		}
		b.metricName, b.ns = m.Name, m.Namespace
		b.keep("metric filter %s: catches the events, publishes %s", cur.Name, m.ID())
		if alarm == nil || alarm.Metric != m.ID() {
			return false
		}
		// A passing filter whose metric an alarm judged unusable (a
		// default value, a zero value) still needs fixing below.
		for _, p := range alarm.Problems {
			if strings.HasPrefix(p.Setting, "Filter") {
				if cur.Ours {
					b.putFilter(Update, cur.Name, m, cur.Pattern)
					return true
				}
				b.metricName, b.ns = b.freeMetric()
				b.putFilter(Create, b.freeFilterName(), chain.Metric{Name: b.metricName, Namespace: b.ns}, "")
				return true
			}
		}
		return false
	case cur != nil && cur.Ours:
		// trailwatch's own filter, narrowed or broken: put it back in
		// place under its name, publishing to the metric it had.
		m, ok := cur.Usable()
		metric := chain.Metric{Name: b.c.MetricName, Namespace: b.c.Namespace}
		if ok {
			metric = m[0]
		} else if len(cur.Metrics) > 0 {
			metric = cur.Metrics[0]
		}
		b.metricName, b.ns = metric.Name, metric.Namespace
		b.putFilter(Update, cur.Name, metric, cur.Pattern)
		return true
	}
	// Someone else's filter that misses events, or none: add trailwatch's
	// filter. Beside a working alarm it publishes to that alarm's metric,
	// so the alarm, its topic and its subscribers keep working; the other
	// filter is never edited.
	if alarm != nil && !slices.ContainsFunc(alarm.Problems, func(p chain.Problem) bool { return p.Setting == "FilterDefaultValue" }) {
		m := metricOf(alarm.Metric)
		b.metricName, b.ns = m.Name, m.Namespace
	} else {
		b.metricName, b.ns = b.freeMetric()
	}
	b.putFilter(Create, b.freeFilterName(), chain.Metric{Name: b.metricName, Namespace: b.ns}, "")
	return true
}

func firstUsable(f chain.Filter) chain.Metric {
	if m, ok := f.Usable(); ok {
		return m[0]
	}
	return chain.Metric{}
}

func metricOf(id string) chain.Metric {
	ns, name, _ := strings.Cut(id, "/")
	// A namespace may hold "/" (Custom/Security): the name is after the last one.
	if i := strings.LastIndex(id, "/"); i >= 0 {
		ns, name = id[:i], id[i+1:]
	}
	return chain.Metric{Namespace: ns, Name: name}
}

// freeMetric is the metric trailwatch publishes: its metric name, or name-2,
// ... when filters or alarms about something else, or another filter on the
// log group, already use it.
func (b *builder) freeMetric() (string, string) {
	f := b.r.Facts
	used := slices.Clone(f.MetricsInUse)
	for _, x := range append(slices.Clone(f.Filters), derefFilter(f.Filter)...) {
		if !x.Ours {
			for _, m := range x.Metrics {
				used = append(used, m.ID())
			}
		}
	}
	n := b.freeName(b.c.MetricName, "metric", "--metric-name or --namespace", func(n string) bool { return slices.Contains(used, b.c.Namespace+"/"+n) })
	if n != b.c.MetricName {
		b.note("metric %s/%s is already used by something else; trailwatch's filter publishes %s/%s", b.c.Namespace, b.c.MetricName, b.c.Namespace, n)
	}
	return n, b.c.Namespace
}

// freeFilterName is trailwatch's filter name, or the next one no filter on
// the log group holds.
func (b *builder) freeFilterName() string {
	taken := map[string]bool{}
	f := b.r.Facts
	if f.Filter != nil {
		taken[f.Filter.Name] = true
	}
	for _, x := range f.Filters {
		taken[x.Name] = true
	}
	return b.freeName(b.c.FilterName, "metric filter", "--filter-name", func(n string) bool { return taken[n] })
}

// freeName is the first of want's candidate names (chain.Candidates) that
// taken does not hold. When all are taken, the plan fails with
// chain.AllTakenError naming flag: planning on a taken name would only have
// apply refuse it, saying it was taken since the plan was made.
func (b *builder) freeName(want, what, flag string, taken func(string) bool) string {
	for _, n := range chain.Candidates(want) {
		if !taken(n) {
			return n
		}
	}
	if b.err == nil {
		b.err = &chain.AllTakenError{What: what, Want: want, Flag: flag}
	}
	return want
}

func (b *builder) putFilter(action Action, name string, m chain.Metric, was string) {
	var deps []string
	if b.lgStep != "" {
		deps = []string{b.lgStep}
	}
	w := chain.NewWantFilter(b.ctl(), name, b.lgName, m.Name, m.Namespace)
	b.filterStep = IDMetricFilter
	b.add(Step{ID: IDMetricFilter, Action: action, DependsOn: deps,
		Address: Address{Kind: KindMetricFilter, Name: name, Region: b.lgRegion},
		Reason:  b.reason(audit.LinkMetricFilter),
		Params: Params{MetricFilter: &MetricFilterParams{Name: name, LogGroupName: b.lgName, Was: was,
			Pattern: w.Pattern, MetricName: w.MetricName, Namespace: w.Namespace, MetricValue: w.MetricValue}}})
	b.close(audit.LinkMetricFilter)
}

func (b *builder) ctl() chain.Control { return b.c.ChainControl() }

// topic chooses the topic the alarm notifies: --topic-arn; else a usable
// topic that has a confirmed subscriber (the alarm's own first, then
// trailwatch's, then any other the audit found); else the alarm's usable
// topic; else trailwatch's; else a new one. A topic the audit judged
// unusable is never chosen. It returns the ARN, the step that creates it
// ("" for an existing one) and whether it has a confirmed subscriber.
func (b *builder) topic(alarm *chain.Alarm, alarmStays bool) (string, string, bool) {
	f := b.r.Facts
	if arn := b.c.TopicARN; arn != "" {
		a, _ := chain.ParseARN(arn)
		if a.Region != b.lgRegion {
			return b.fail(fmt.Errorf("--topic-arn %s is in %s, but the alarm lives with its metric in %s, and CloudWatch alarms notify topics in their own region only; pick a topic in %s", arn, a.Region, b.lgRegion, b.lgRegion))
		}
		t := f.TopicByARN(arn)
		if t != nil && !t.Usable {
			return b.fail(fmt.Errorf("--topic-arn %s cannot take the alarm's notifications: %s", arn, t.Reason))
		}
		if t == nil {
			if a.Account == b.acct {
				b.add(Step{ID: IDTopicPolicy, Action: Update,
					Address: Address{Kind: KindTopicPolicy, Name: arn, Region: a.Region},
					Reason:  Reason{Code: b.reason(audit.LinkNotification).Code, Message: "let this account's CloudWatch alarms publish to the topic (merged into its policy)"},
					Params:  Params{TopicPolicy: &TopicPolicyParams{TopicARN: arn}}})
				return arn, IDTopicPolicy, false
			}
			b.note("topic %s belongs to account %s; its owner must let cloudwatch.amazonaws.com publish to it from account %s", arn, a.Account, b.acct)
			return arn, "", false
		}
		return arn, "", len(t.ConfirmedEndpoints) > 0
	}
	var alarmTopics []string
	if alarm != nil && alarmStays {
		alarmTopics = chain.SNSTopics(alarm.AlarmActions)
	}
	ranked := slices.Clone(f.Topics)
	rank := func(t chain.Topic) int {
		switch {
		case slices.Contains(alarmTopics, t.ARN):
			return 0
		case t.Ours:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(ranked, func(x, y chain.Topic) int { return rank(x) - rank(y) })
	// trailwatch's own topic whose only fault is a policy that lets no
	// CloudWatch alarm publish is repaired by merging its statement.
	usable := func(t chain.Topic) bool { return t.Usable || (t.Ours && t.PolicyRepairable) }
	choose := func(t chain.Topic) string {
		if t.Usable {
			return ""
		}
		b.add(Step{ID: IDTopicPolicy, Action: Update,
			Address: Address{Kind: KindTopicPolicy, Name: t.ARN, Region: t.Region},
			Reason:  Reason{Code: b.reason(audit.LinkNotification).Code, Message: t.Reason},
			Params:  Params{TopicPolicy: &TopicPolicyParams{TopicARN: t.ARN}}})
		return IDTopicPolicy
	}
	for _, t := range ranked {
		if usable(t) && t.Region == b.lgRegion && len(t.ConfirmedEndpoints) > 0 {
			b.keep("topic %s: confirmed subscriber %s", t.ARN, strings.Join(t.ConfirmedEndpoints, ", "))
			b.close(audit.LinkNotification, audit.LinkSubscription)
			return t.ARN, choose(t), true
		}
	}
	for _, t := range ranked {
		if usable(t) && t.Region == b.lgRegion && rank(t) < 2 {
			return t.ARN, choose(t), false
		}
	}
	want := b.c.TopicName
	name, step := b.claim(KindTopic, b.lgRegion, want, func(n string) Step {
		return Step{ID: IDTopic, Action: Create,
			Address: Address{Kind: KindTopic, Name: n, Region: b.lgRegion},
			Reason:  Reason{Code: b.reason(audit.LinkNotification).Code, Message: "the alarm needs a topic to notify"},
			Params:  Params{Topic: &TopicParams{Name: n, ARN: chain.TopicARN(b.partition, b.lgRegion, b.acct, n), KMSKeyID: b.c.KMSKeyID}}}
	})
	if b.c.KMSKeyID != "" && step != IDTopic {
		b.note("--kms-key applies only to a topic trailwatch creates; topic %s keeps its own encryption settings", name)
	}
	return chain.TopicARN(b.partition, b.lgRegion, b.acct, name), step, false
}

// fail records an error for Build to return (topic choice cannot go on).
func (b *builder) fail(err error) (string, string, bool) {
	if b.err == nil {
		b.err = err
	}
	return "", "", false
}

// subscriptions adds Subscribe steps for the user's endpoints when the topic
// has no confirmed subscriber; with none given, a placeholder that
// Plan.Missing reports.
func (b *builder) subscriptions(topicARN, topicStep string, confirmed bool) {
	if topicARN == "" {
		return
	}
	tf := b.r.Facts.TopicByARN(topicARN)
	eps := b.c.Endpoints()
	if confirmed {
		if len(eps) > 0 {
			b.note("topic %s already has a confirmed subscriber, so %s is not subscribed", topicARN, eps[0])
		}
		return
	}
	var pending []string
	if tf != nil {
		pending = tf.PendingEndpoints
	}
	var deps []string
	if topicStep != "" {
		deps = []string{topicStep}
	}
	reason := b.reason(audit.LinkSubscription)
	if reason.Code != audit.NoConfirmedSubscription {
		reason = Reason{Code: reason.Code, Message: "the topic needs a confirmed subscriber for the alarm to reach anyone"}
	}
	n := 0
	for _, e := range eps {
		if slices.Contains(pending, e.String()) {
			b.note("%s is already subscribed to %s and waits for confirmation: someone must click the link in the message AWS sent; the audit reports %s until then", e, topicARN, audit.NoConfirmedSubscription)
			continue
		}
		n++
		id := IDSubscription
		if n > 1 {
			id = fmt.Sprintf("%s.%d", IDSubscription, n)
		}
		b.add(Step{ID: id, Action: Create, DependsOn: deps,
			Address: Address{Kind: KindSubscription, Name: e.String(), Region: chain.RegionOf(topicARN)},
			Reason:  reason,
			Params:  Params{Subscription: &SubscriptionParams{TopicARN: topicARN, Protocol: e.Protocol, Endpoint: e.Endpoint}}})
		b.close(audit.LinkSubscription)
	}
	if len(eps) > 0 {
		return
	}
	if len(pending) > 0 {
		for _, p := range pending {
			b.note("%s is subscribed to %s and waits for confirmation: someone must click the link in the message AWS sent; the audit reports %s until then", p, topicARN, audit.NoConfirmedSubscription)
		}
		return
	}
	if tf == nil && b.c.TopicARN == topicARN {
		b.note("trailwatch does not know whether %s has a confirmed subscriber; the audit after apply will tell", topicARN)
		return
	}
	// A subscriber is needed and none was given: a placeholder Plan.Missing reports.
	b.add(Step{ID: IDSubscription, Action: Create, DependsOn: deps,
		Address: Address{Kind: KindSubscription, Name: "(endpoint required)", Region: chain.RegionOf(topicARN)},
		Reason:  reason,
		Params:  Params{Subscription: &SubscriptionParams{TopicARN: topicARN}}})
	b.close(audit.LinkSubscription)
}

func (b *builder) alarmStep(action Action, name, topic, topicStep string, fixes []string, enable bool) {
	var deps []string
	if b.filterStep != "" {
		deps = append(deps, b.filterStep)
	}
	if topicStep != "" {
		deps = append(deps, topicStep)
	}
	reason := b.reason(audit.LinkAlarm)
	if !b.needs(audit.LinkAlarm) {
		reason = b.reason(audit.LinkNotification)
	}
	b.add(Step{ID: IDAlarm, Action: action, DependsOn: deps,
		Address: Address{Kind: KindAlarm, Name: name, Region: b.lgRegion},
		Reason:  reason,
		Params: Params{Alarm: &AlarmParams{Name: name, MetricName: b.metricName, Namespace: b.ns,
			Statistic: chain.WantStatistic, PeriodSeconds: chain.WantPeriod, EvaluationPeriods: chain.WantEvalPeriod, Threshold: chain.WantThreshold,
			ComparisonOperator: chain.WantComparison, TreatMissingData: chain.WantMissing,
			TopicARN: topic, Repair: fixes, EnableActions: enable || action == Create,
			Description: alarmDescription(b.ctl())}}})
	b.close(audit.LinkAlarm, audit.LinkNotification)
}

// finish adds the notes every plan carries and the gaps no step closes.
func (b *builder) finish() {
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
	for _, g := range b.r.Gaps {
		if !b.closed[g.Code] && !slices.Contains(b.p.Remaining, g.Code) {
			b.p.Remaining = append(b.p.Remaining, g.Code)
		}
	}
}

func derefFilter(f *chain.Filter) []chain.Filter {
	if f == nil {
		return nil
	}
	return []chain.Filter{*f}
}

// alarmDescription says what the alarm is about, for whoever finds it.
func alarmDescription(ctl chain.Control) string {
	if ctl.ID == "4.5" {
		return "CIS 4.5 / CloudWatch.5: CloudTrail configuration changed (CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging). Made by trailwatch."
	}
	return "CIS " + ctl.ID + ": " + ctl.Title + ". Made by trailwatch."
}
