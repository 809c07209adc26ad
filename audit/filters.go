package audit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// metricID is one metric a filter publishes.
type metricID struct {
	name, namespace, value string
	unit                   string // "" when the filter sets none (CloudWatch stores None)
	dims                   bool   // the transformation publishes dimensions
}

// filterEval is one metric filter, judged once.
type filterEval struct {
	name, pattern string
	metrics       []metricID
	parseErr      error
	cov           pattern.Coverage
	literal       bool
	passes        bool
	reason        string // why it does not pass
}

func evalFilter(f cwltypes.MetricFilter, strict bool) *filterEval {
	fe := &filterEval{name: aws.ToString(f.FilterName), pattern: aws.ToString(f.FilterPattern)}
	for _, t := range f.MetricTransformations {
		fe.metrics = append(fe.metrics, metricID{
			name:      aws.ToString(t.MetricName),
			namespace: aws.ToString(t.MetricNamespace),
			value:     aws.ToString(t.MetricValue),
			unit:      string(t.Unit),
			dims:      len(t.Dimensions) > 0,
		})
	}
	p, err := pattern.Parse(fe.pattern)
	if err != nil {
		fe.parseErr = err
		fe.reason = fmt.Sprintf("pattern does not parse: %v", err)
		return fe
	}
	fe.cov = pattern.Covers(p)
	fe.literal = pattern.Literal(p)
	switch {
	case !fe.cov.Covers:
		fe.reason = "pattern misses " + describeMisses(fe.cov.Missed)
	case len(fe.metrics) == 0:
		fe.reason = "filter publishes no metric"
	case strict && !fe.literal:
		fe.reason = "pattern covers the five events but is not the literal CIS pattern (--strict)"
	default:
		fe.passes = true
	}
	return fe
}

func describeMisses(ms []pattern.Miss) string {
	if len(ms) == 0 {
		return "some of the five events"
	}
	// Events that fail for the same reason are named together.
	var reasons []string
	events := map[string][]string{}
	for _, m := range ms {
		if _, ok := events[m.Reason]; !ok {
			reasons = append(reasons, m.Reason)
		}
		events[m.Reason] = append(events[m.Reason], m.Event)
	}
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = strings.Join(events[r], ", ")
		if r != "" {
			parts[i] += " (" + r + ")"
		}
	}
	return strings.Join(parts, "; ")
}

func (fe *filterEval) facts() *FilterFacts {
	ff := &FilterFacts{Name: fe.name, Pattern: fe.pattern, Literal: fe.literal, Covers: fe.cov.Covers && fe.parseErr == nil, Passes: fe.passes, Reason: fe.reason}
	if len(fe.metrics) > 0 {
		m := fe.metrics[0]
		ff.MetricName, ff.MetricNamespace, ff.MetricValue = m.name, m.namespace, m.value
	}
	for _, m := range fe.cov.Missed {
		ff.Missed = append(ff.Missed, m.Event)
	}
	return ff
}

// watches reports whether alarm a watches metric m: the same name and
// namespace with no dimensions, directly or as a MetricStat of a metric-math
// alarm. A metric published with dimensions has no dimensionless series, so
// no alarm watches all of it.
func watches(a cwtypes.MetricAlarm, m metricID) bool {
	if m.dims || m.name == "" {
		return false
	}
	if aws.ToString(a.MetricName) == m.name && aws.ToString(a.Namespace) == m.namespace && len(a.Dimensions) == 0 {
		return true
	}
	for _, q := range a.Metrics {
		if q.MetricStat == nil || q.MetricStat.Metric == nil {
			continue
		}
		mm := q.MetricStat.Metric
		if aws.ToString(mm.MetricName) == m.name && aws.ToString(mm.Namespace) == m.namespace && len(mm.Dimensions) == 0 {
			return true
		}
	}
	return false
}

func (fe *filterEval) watchedBy(a cwtypes.MetricAlarm) bool {
	for _, m := range fe.metrics {
		if watches(a, m) {
			return true
		}
	}
	return false
}

// fireProblems says why alarm a may not fire on a single matching record
// (one data point whose every statistic is the filter's metric value v,
// SampleCount 1) of metric m. Metric-math alarms are not judged.
func fireProblems(a cwtypes.MetricAlarm, m metricID) []string {
	var out []string
	if aws.ToString(a.MetricName) == "" {
		return nil
	}
	metricValue := m.value
	// An alarm with a unit sees only data published with that unit; a
	// filter without one publishes None.
	if u := string(a.Unit); u != "" {
		published := m.unit
		if published == "" {
			published = string(cwtypes.StandardUnitNone)
		}
		if u != published {
			out = append(out, fmt.Sprintf("it watches unit %s, but the filter publishes %s, so it sees no data", u, published))
		}
	}
	n := aws.ToInt32(a.DatapointsToAlarm)
	if n == 0 {
		n = aws.ToInt32(a.EvaluationPeriods)
	}
	if n > 1 {
		out = append(out, fmt.Sprintf("needs %d breaching data points, and one event makes one", n))
	}
	switch a.ComparisonOperator {
	case cwtypes.ComparisonOperatorLessThanThreshold, cwtypes.ComparisonOperatorLessThanOrEqualToThreshold, cwtypes.ComparisonOperatorLessThanLowerThreshold:
		// Even when one event's value is below the threshold, such an alarm
		// also sits in ALARM whenever the filter's default value is
		// published, and ALARM to ALARM notifies no one.
		return append(out, fmt.Sprintf("comparison %s alarms on low values, not on an event", a.ComparisonOperator))
	case cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold, cwtypes.ComparisonOperatorGreaterThanUpperThreshold:
		return append(out, fmt.Sprintf("comparison %s follows an anomaly band, which may absorb a single event", a.ComparisonOperator))
	}
	var v float64
	stat := string(a.Statistic)
	if a.Statistic == cwtypes.StatisticSampleCount {
		v = 1
	} else {
		if stat == "" {
			stat = aws.ToString(a.ExtendedStatistic)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(metricValue), 64)
		if err != nil {
			return out // a value taken from the record: cannot tell
		}
		v = f
	}
	t := aws.ToFloat64(a.Threshold)
	fires := true
	switch a.ComparisonOperator {
	case cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold:
		fires = v >= t
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		fires = v > t
	}
	if !fires {
		out = append(out, fmt.Sprintf("one event gives %s %s, which is not %s %s", stat, fmtNum(v), a.ComparisonOperator, fmtNum(t)))
	}
	return out
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// evalFilters judges every filter read, once.
func (g *gathered) evalFilters(strict bool) {
	g.fevals = map[lgKey][]*filterEval{}
	for k, r := range g.filters {
		if r.err != nil {
			continue
		}
		var fes []*filterEval
		for _, f := range r.v {
			fes = append(fes, evalFilter(f, strict))
		}
		sort.SliceStable(fes, func(i, j int) bool { return fes[i].name < fes[j].name })
		g.fevals[k] = fes
	}
}

func (td *trailData) lgKey() (lgKey, bool) {
	if td.lg == nil {
		return lgKey{}, false
	}
	return lgKey{td.lg.Region, td.lg.Account, td.lg.Name}, true
}

// passingFilters are the filters on td's log group that pass.
func (g *gathered) passingFilters(td *trailData) []*filterEval {
	k, ok := td.lgKey()
	if !ok {
		return nil
	}
	var out []*filterEval
	for _, fe := range g.fevals[k] {
		if fe.passes {
			out = append(out, fe)
		}
	}
	return out
}

// alarmsOn are the alarms in td's log-group region that watch fe's metric,
// sorted by name.
func (g *gathered) alarmsOn(td *trailData, fe *filterEval) []cwtypes.MetricAlarm {
	if td.lg == nil || fe == nil {
		return nil
	}
	r := g.alarms[td.lg.Region]
	if r == nil || r.err != nil {
		return nil
	}
	var out []cwtypes.MetricAlarm
	for _, a := range r.v {
		if fe.watchedBy(a) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return aws.ToString(out[i].AlarmName) < aws.ToString(out[j].AlarmName)
	})
	return out
}
