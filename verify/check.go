// Package verify proves, as far as AWS lets it be proven, that a control's
// alarm really reaches someone: the trail delivers to CloudWatch Logs now,
// AWS's own pattern engine agrees with trailwatch's on realistic records,
// the alarm can notify and its history shows no failed action, SNS delivered
// what it was given; and, with consent, that firing the alarm
// (SetAlarmState) makes CloudWatch publish to its topics.
//
// Run only reads. Fire writes one thing, the alarm's state, and always
// sets it back to OK, even after the context ends. Neither writes to a log
// group or changes a trail.
package verify

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/trailwatch/trailwatch/internal/safe"
)

// DefaultMaxDeliveryAge is how old the trail's last delivery to CloudWatch
// Logs may be before the delivery link counts as broken.
const DefaultMaxDeliveryAge = time.Hour

// Options tunes Run.
type Options struct {
	// MaxDeliveryAge bounds the age of the trail's last delivery
	// (DefaultMaxDeliveryAge when zero).
	MaxDeliveryAge time.Duration
	// Account is the caller's account: SNS keeps a topic's delivery
	// metrics in the topic's account, so those of other accounts cannot be
	// read here. "" when unknown.
	Account string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// result is one call's outcome.
type result[T any] struct {
	v   T
	err error
}

type alarmKey struct{ region, name string }

// Run runs the read-only checks on every target and returns one
// TargetReport per target, in order. It reads everything first, each
// distinct call once and all of them concurrently (targets that share a
// trail, an alarm or a topic share the read), then judges. A call that is
// denied or fails makes its check Unknown, naming the IAM action. It returns
// an error only when ctx ends.
func Run(ctx context.Context, c Clients, targets []Target, o Options) ([]TargetReport, error) {
	now := o.now()
	maxAge := o.MaxDeliveryAge
	if maxAge <= 0 {
		maxAge = DefaultMaxDeliveryAge
	}
	since := now.Add(-snsWindow)

	// What to read, deduplicated.
	trails := map[string]*result[*cloudtrail.GetTrailStatusOutput]{}
	alarmNames := map[string][]string{} // by region
	alarmTopics := map[alarmKey][]string{}
	topics := map[string][]string{} // own-account topics by region
	for _, t := range targets {
		if a := t.Alarm; a != nil {
			k := alarmKey{a.Region, a.Name}
			if _, ok := alarmTopics[k]; !ok {
				alarmNames[a.Region] = append(alarmNames[a.Region], a.Name)
			}
			alarmTopics[k] = union(alarmTopics[k], a.Topics)
			for _, tp := range a.Topics {
				region, owner, _, ok := topicParts(tp)
				if ok && o.Account != "" && owner == o.Account && !slices.Contains(topics[region], tp) {
					topics[region] = append(topics[region], tp)
				}
			}
		}
	}

	var wg safe.Group
	for _, t := range targets {
		if t.Trail == nil || trails[t.Trail.ARN] != nil {
			continue
		}
		r := &result[*cloudtrail.GetTrailStatusOutput]{}
		trails[t.Trail.ARN] = r
		tr := *t.Trail
		wg.Go(func() {
			r.v, r.err = c.CloudTrail(tr.HomeRegion).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &tr.ARN})
		})
	}
	agree := make([]result[map[string]bool], len(targets))
	for i, t := range targets {
		if t.Filter == nil || len(t.Samples) == 0 {
			continue
		}
		wg.Go(func() {
			m, err := awsMatches(ctx, c.Logs(t.Filter.Region), t.Filter.Pattern, uniqueMessages(t.Samples))
			agree[i] = result[map[string]bool]{m, err}
		})
	}
	alarms := map[string]*result[map[string]cwtypes.MetricAlarm]{}
	for region, names := range alarmNames {
		r := &result[map[string]cwtypes.MetricAlarm]{}
		alarms[region] = r
		wg.Go(func() { r.v, r.err = readAlarms(ctx, c.CloudWatch(region), names) })
	}
	histories := map[alarmKey]*result[map[string]ActionResult]{}
	for k, tps := range alarmTopics {
		r := &result[map[string]ActionResult]{}
		histories[k] = r
		wg.Go(func() { r.v, r.err = latestActions(ctx, c.CloudWatch(k.region), k.name, tps, time.Time{}) })
	}
	metrics := map[string]*result[map[string]*topicMetrics]{}
	for region, tps := range topics {
		r := &result[map[string]*topicMetrics]{}
		metrics[region] = r
		wg.Go(func() { r.v, r.err = readSNSMetrics(ctx, c.CloudWatch(region), tps, since, now) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	out := make([]TargetReport, len(targets))
	for i, t := range targets {
		tr := TargetReport{Control: t.Control, Title: t.Title, Checks: slices.Clone(t.Prior)}
		if t.Trail != nil {
			r := trails[t.Trail.ARN]
			tr.Checks = append(tr.Checks, judgeDelivery(t.Trail, r.v, r.err, now, maxAge))
		} else {
			tr.Checks = append(tr.Checks, skipped(CheckDelivery, "no trail to read"))
		}
		switch {
		case t.Filter == nil:
			tr.Checks = append(tr.Checks, skipped(CheckPattern, "no metric filter to test"))
		case len(t.Samples) == 0:
			tr.Checks = append(tr.Checks, Check{Name: CheckPattern, Status: Unknown, Resource: t.Filter.Name,
				Detail: "could not tell: no sample records to test the pattern with"})
		default:
			tr.Checks = append(tr.Checks, judgeAgreement(t.Filter, t.Samples, agree[i].v, agree[i].err))
		}
		if a := t.Alarm; a != nil {
			tr.Alarm = a.Name
			r := alarms[a.Region]
			tr.Checks = append(tr.Checks, judgeAlarm(a, r.v, r.err))
			h := histories[alarmKey{a.Region, a.Name}]
			tr.Checks = append(tr.Checks, judgeHistory(a, h.v, h.err))
			for _, tp := range a.Topics {
				region, _, _, _ := topicParts(tp)
				var m *topicMetrics
				var err error
				if r := metrics[region]; r != nil {
					m, err = r.v[tp], r.err
				}
				tr.Checks = append(tr.Checks, judgeSNS(tp, o.Account, since, m, err))
			}
		} else {
			tr.Checks = append(tr.Checks, skipped(CheckAlarm, "no alarm to read"))
		}
		out[i] = tr
	}
	return out, nil
}

func skipped(name CheckName, why string) Check {
	return Check{Name: name, Status: Skipped, Detail: why}
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
