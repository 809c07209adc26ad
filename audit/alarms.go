package audit

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/safe"
)

// Finding the alarms without listing them all.
//
// An account may hold thousands of alarms, and DescribeAlarms pages through
// them one page of at most 100 after another. Round 2 reads the first page
// of every region involved; a region whose alarms fit in it is done, as
// before. In a region with more, the alarms that can carry the control are
// on a metric a related filter publishes, so the audit asks
// DescribeAlarmsForMetric for each such metric (CloudWatch API reference,
// DescribeAlarmsForMetric: one answer, no pagination), without dimensions
// (a metric with dimensions is one series per value and no alarm sees them
// all: chain.Filter.Usable) and without statistic, period or unit, so that
// every alarm on that series comes back whatever it computes.
//
// What those answers cannot show: alarms whose metric math reads the
// metric (the operation returns "only standard alarms"), alarms on the
// metric with dimensions, orphans (alarms on a metric no filter publishes
// now), names trailwatch would give a new alarm (Facts.TakenAlarmNames)
// and metrics other alarms use (Facts.MetricsInUse). So the rest of the
// listing is skipped only when it cannot change the verdict:
//
//   - a region's answers (with its first page) must hold an alarm that can
//     carry the control: it fires on one event, its actions are enabled and
//     it names an SNS topic of its region. Otherwise, or when a
//     DescribeAlarmsForMetric call fails, or when no related filter of the
//     region passes, the rest of the region's alarms is listed at once;
//   - once everything downstream is read, the report must be compliant
//     (confirmAlarms); otherwise the rest is listed after all and what the
//     new alarms need (tags, topics, keys) read as before.
//
// Why that is sound: every alarm the answers hold is in the listing, judged
// the same way (the same filters feed it, the same tags and topics), so a
// chain complete from the answers is complete from the listing, and the
// verdict is compliant either way. Such a report may name another complete
// chain than the listing would (a metric-math alarm sorting first), and its
// facts hold only the alarms found; a compliant report needs no plan, so
// nothing decides from them. A report that is not compliant is always built
// from the full listing.
//
// Nothing is read twice: the first page is kept, the rest is read from its
// token, each metric is asked once, and what was read for the answers'
// alarms is kept when the listing adds more.

// alarmPage is DescribeAlarms' largest page (API reference: MaxRecords,
// 1 to 100); the default is 50.
const alarmPage = 100

// gatherAlarms is round 2b and 2c: in the regions whose first page of alarms
// was not the last, the alarms on the related filters' metrics, or the rest
// of the listing; then the rest of the listing where the answers hold no
// alarm that can carry the control. Every audit of a RunControls passes its
// two barriers, whether it has anything to read or not.
func (g *gathered) gatherAlarms(ctx context.Context, c Clients) error {
	type ask struct {
		region string
		metric chain.Metric
		res    result[[]cwtypes.MetricAlarm]
	}
	var asks []*ask
	var wg safe.Group
	g.sync()
	for _, r := range slices.Sorted(maps.Keys(g.regions)) {
		rd := g.regions[r]
		if rd.alarms.err != nil || rd.next == nil {
			continue
		}
		ms := g.shortcutMetrics(r)
		if len(ms) == 0 {
			g.readRest(ctx, c, &wg, r)
			continue
		}
		rd.byMetric = true
		for _, m := range ms {
			a := &ask{region: r, metric: m}
			asks = append(asks, a)
			wg.Go(func() { a.res.v, a.res.err = readAlarmsForMetric(ctx, c.CloudWatch(r), m) })
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	// A failed call (denied, throttled past the retries, absent from an
	// evidence file) only means the region is listed: the listing is the
	// read whose failure makes the alarm link unknown.
	answers := map[string][]cwtypes.MetricAlarm{}
	failed := map[string]bool{}
	for _, a := range asks {
		if a.res.err != nil {
			failed[a.region] = true
		}
		answers[a.region] = append(answers[a.region], a.res.v...)
	}
	for r, rd := range g.regions {
		if rd.byMetric && !failed[r] {
			rd.alarms.v = uniqueAlarms(slices.Concat(rd.first, answers[r]))
		}
	}
	g.findAlarms()

	g.sync()
	listed := false
	for _, r := range slices.Sorted(maps.Keys(g.regions)) {
		if rd := g.regions[r]; rd.byMetric && (failed[r] || !g.canNotify(r)) {
			g.readRest(ctx, c, &wg, r)
			listed = true
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if listed {
		g.findAlarms()
	}
	return nil
}

// confirmAlarms lists the rest of the alarms of the regions judged from
// DescribeAlarmsForMetric's answers when the report they give is not
// compliant, then reads what the alarms it adds need.
func (g *gathered) confirmAlarms(ctx context.Context, c Clients) error {
	var list []string
	for r, rd := range g.regions {
		if rd.byMetric {
			list = append(list, r)
		}
	}
	if len(list) == 0 {
		return nil
	}
	if r := g.report(); r.Compliant != nil && *r.Compliant {
		g.final = r // nothing more is read: Run reports it as it is
		return nil
	}
	var wg safe.Group
	for _, r := range list {
		g.readRest(ctx, c, &wg, r)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	g.findAlarms()
	if err := g.readAlarmLinks(ctx, c); err != nil {
		return err
	}
	return g.readKeys(ctx, c)
}

// readRest starts reading region r's alarms after its first page; the
// region's alarms become the listing, first page and rest.
func (g *gathered) readRest(ctx context.Context, c Clients, wg *safe.Group, r string) {
	rd := g.regions[r]
	rd.byMetric = false
	token := rd.next
	rd.next = nil
	wg.Go(func() {
		rest, _, err := readAlarmPages(ctx, c.CloudWatch(r), token, true)
		if err != nil {
			rd.alarms = result[[]cwtypes.MetricAlarm]{err: err}
			return
		}
		rd.alarms = result[[]cwtypes.MetricAlarm]{v: slices.Concat(rd.first, rest)}
	})
}

// shortcutMetrics are the metrics DescribeAlarmsForMetric is asked for in
// region r: those an alarm can watch that related filters on the trails'
// log groups publish. None (list the region) unless one of those filters
// passes, since without one no chain there can be complete.
func (g *gathered) shortcutMetrics(r string) []chain.Metric {
	var out []chain.Metric
	passes := false
	for _, gd := range g.groups {
		if gd.lg.Region != r || gd.found {
			continue
		}
		for _, f := range gd.judged {
			if !f.Related {
				continue
			}
			passes = passes || f.Passes()
			usable, _ := f.Usable()
			for _, m := range usable {
				if !slices.ContainsFunc(out, func(x chain.Metric) bool { return x.ID() == m.ID() }) {
					out = append(out, m)
				}
			}
		}
	}
	if !passes {
		return nil
	}
	slices.SortFunc(out, func(a, b chain.Metric) int { return cmp.Compare(a.ID(), b.ID()) })
	return out
}

// canNotify reports whether region r holds an alarm that bears on the
// control and can carry it: it fires on one matching event, its actions
// are enabled, and it names an SNS topic of its own region (CloudWatch
// publishes only to a topic in the alarm's region).
func (g *gathered) canNotify(r string) bool {
	for _, a := range g.alarms[r] {
		if a.Status != Passed || !a.ActionsEnabled {
			continue
		}
		for _, t := range chain.SNSTopics(a.AlarmActions) {
			if chain.RegionOf(t) == r {
				return true
			}
		}
	}
	return false
}

// readAlarmPages reads DescribeAlarms pages of alarmPage alarms from token
// (nil: the first page): every page when all is set, else the first only.
// It returns the alarms and the token of the page after them (nil when
// none follows).
func readAlarmPages(ctx context.Context, c CloudWatchAPI, token *string, all bool) ([]cwtypes.MetricAlarm, *string, error) {
	var out []cwtypes.MetricAlarm
	seen := map[string]bool{}
	for {
		page, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(alarmPage), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, page.MetricAlarms...)
		token = page.NextToken
		if aws.ToString(token) == "" {
			return out, nil, nil
		}
		if seen[*token] {
			// A token handed back twice would loop forever.
			return nil, nil, fmt.Errorf("DescribeAlarms answered the page token %q twice", *token)
		}
		seen[*token] = true
		if !all {
			return out, token, nil
		}
	}
}

// readAlarmsForMetric asks for the alarms on metric m as a filter
// publishes it (no dimensions, any statistic, period and unit).
func readAlarmsForMetric(ctx context.Context, c CloudWatchAPI, m chain.Metric) ([]cwtypes.MetricAlarm, error) {
	out, err := c.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{
		MetricName: aws.String(m.Name), Namespace: aws.String(m.Namespace),
	})
	if err != nil {
		return nil, err
	}
	return out.MetricAlarms, nil
}

// uniqueAlarms drops repeats of an alarm (by ARN) across answers.
func uniqueAlarms(as []cwtypes.MetricAlarm) []cwtypes.MetricAlarm {
	seen := map[string]bool{}
	var out []cwtypes.MetricAlarm
	for _, a := range as {
		arn := aws.ToString(a.AlarmArn)
		if arn != "" && seen[arn] {
			continue
		}
		seen[arn] = true
		out = append(out, a)
	}
	return out
}
