package chain

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The alarm link: an alarm on the filter's metric that goes to ALARM when
// one matching event is logged, judged the way CloudWatch evaluates it
// (CloudWatch user guide, "Evaluating an alarm" and "Configuring how
// CloudWatch alarms treat missing data"). An alarm only runs its actions
// on a state transition, so an alarm that sits in ALARM without any event
// notifies no one when the event comes ("Alarm actions").

// Alarm is a metric alarm as read and judged.
type Alarm struct {
	Name              string            `json:"name"`
	ARN               string            `json:"arn"`
	Region            string            `json:"region"`
	MetricName        string            `json:"metric_name,omitempty"`
	Namespace         string            `json:"metric_namespace,omitempty"`
	Dimensions        map[string]string `json:"dimensions,omitempty"`
	Statistic         string            `json:"statistic,omitempty"`
	Unit              string            `json:"unit,omitempty"`
	Math              bool              `json:"metric_math,omitempty"`
	Period            int32             `json:"period_seconds,omitempty"`
	EvaluationPeriods int32             `json:"evaluation_periods"`
	DatapointsToAlarm int32             `json:"datapoints_to_alarm,omitempty"`
	Threshold         float64           `json:"threshold"`
	Comparison        string            `json:"comparison_operator"`
	TreatMissingData  string            `json:"treat_missing_data,omitempty"`
	ActionsEnabled    bool              `json:"actions_enabled"`
	AlarmActions      []string          `json:"alarm_actions,omitempty"`
	OKActions         []string          `json:"ok_actions,omitempty"`
	InsufficientData  []string          `json:"insufficient_data_actions,omitempty"`
	// Ours: it carries trailwatch's tag. TagsUnread says why the tags
	// could not be read (it is then treated as not trailwatch's).
	Ours       bool   `json:"trailwatch_managed"`
	TagsUnread string `json:"tags_unread,omitempty"`
	// Metric is the filter metric it watches (namespace/name).
	Metric string `json:"watches,omitempty"`
	// Orphan: no filter publishes the metric it watches.
	Orphan bool   `json:"orphan,omitempty"`
	Status Status `json:"status"`
	// Problems say why it cannot fire, each with the setting to change.
	Problems []Problem `json:"problems,omitempty"`
	// Doubts are cases CloudWatch's behaviour leaves open (warnings).
	Doubts []string `json:"doubts,omitempty"`
}

// Problem is one reason an alarm cannot fire, and the setting whose change
// (on trailwatch's own alarm) repairs it.
type Problem struct {
	// Setting is the PutMetricAlarm field at fault, or FilterMetricValue /
	// FilterDefaultValue when the filter feeding the metric is.
	Setting string `json:"setting"`
	Reason  string `json:"reason"`
}

// Reason joins the problems.
func (a Alarm) Reason() string {
	var s []string
	for _, p := range a.Problems {
		s = append(s, p.Reason)
	}
	return strings.Join(s, "; ")
}

// ReadAlarm copies what the judgement needs from an SDK alarm.
func ReadAlarm(m cwtypes.MetricAlarm) Alarm {
	a := Alarm{
		Name: aws.ToString(m.AlarmName), ARN: aws.ToString(m.AlarmArn), Region: RegionOf(aws.ToString(m.AlarmArn)),
		MetricName: aws.ToString(m.MetricName), Namespace: aws.ToString(m.Namespace), Unit: string(m.Unit),
		Statistic: string(m.Statistic), Math: len(m.Metrics) > 0,
		Period: aws.ToInt32(m.Period), EvaluationPeriods: aws.ToInt32(m.EvaluationPeriods), DatapointsToAlarm: aws.ToInt32(m.DatapointsToAlarm),
		Threshold: aws.ToFloat64(m.Threshold), Comparison: string(m.ComparisonOperator), TreatMissingData: aws.ToString(m.TreatMissingData),
		ActionsEnabled: aws.ToBool(m.ActionsEnabled), AlarmActions: m.AlarmActions, OKActions: m.OKActions, InsufficientData: m.InsufficientDataActions,
	}
	if a.Statistic == "" {
		a.Statistic = aws.ToString(m.ExtendedStatistic)
	}
	if len(m.Dimensions) > 0 {
		a.Dimensions = dims(m.Dimensions)
	}
	return a
}

func dims(ds []cwtypes.Dimension) map[string]string {
	if len(ds) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, d := range ds {
		out[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	return out
}

// WatchedMetric returns which of ms alarm a reads: its own metric, or a
// MetricStat query of its metric math, by namespace and name (dimensions
// and units are judged by JudgeAlarm). ok is false when it reads none.
func WatchedMetric(a cwtypes.MetricAlarm, ms []Metric) (Metric, bool) {
	for _, m := range ms {
		if aws.ToString(a.MetricName) == m.Name && aws.ToString(a.Namespace) == m.Namespace {
			return m, true
		}
		for _, q := range a.Metrics {
			if q.MetricStat != nil && q.MetricStat.Metric != nil &&
				aws.ToString(q.MetricStat.Metric.MetricName) == m.Name && aws.ToString(q.MetricStat.Metric.Namespace) == m.Namespace {
				return m, true
			}
		}
	}
	return Metric{}, false
}

// JudgeAlarm decides whether alarm m goes to ALARM on one event matching
// the filter that publishes metric (one data point of the filter's metric
// value in one period), and does not sit in ALARM without one. account is
// the audited account (a metric-math query of another account's metric
// reads data this account's filter never writes).
func JudgeAlarm(m cwtypes.MetricAlarm, metric Metric, account string) Alarm {
	a := ReadAlarm(m)
	a.Metric = metric.ID()
	j := judge{a: &a, metric: metric}
	if a.Math {
		j.math(m, account)
	} else {
		j.single(m)
	}
	a.Status = Passed
	if len(a.Problems) > 0 {
		a.Status = Failed
	}
	return a
}

type judge struct {
	a      *Alarm
	metric Metric
}

func (j *judge) problem(setting, format string, args ...any) {
	j.a.Problems = append(j.a.Problems, Problem{Setting: setting, Reason: fmt.Sprintf(format, args...)})
}

func (j *judge) doubt(format string, args ...any) {
	j.a.Doubts = append(j.a.Doubts, fmt.Sprintf(format, args...))
}

// series checks what makes an alarm read the filter's series at all:
// dimensions and unit (a metric with other dimensions, or data published
// with another unit, is not what the filter writes: CloudWatch user guide,
// "Dimensions" and PutMetricAlarm's Unit).
func (j *judge) series(ds []cwtypes.Dimension, unit cwtypes.StandardUnit, where string) {
	want := j.metric.Dimensions
	if got := dims(ds); !maps.Equal(got, want) {
		if len(want) == 0 {
			j.problem("Dimensions", "%s reads %s with dimensions %s, but the filter publishes it without dimensions, so it sees no data", where, j.metric.ID(), fmtDims(got))
		} else {
			j.problem("Dimensions", "%s reads %s with dimensions %s, but the filter publishes %s, so it sees no data", where, j.metric.ID(), fmtDims(got), fmtDims(want))
		}
	}
	if u := string(unit); u != "" {
		published := j.metric.Unit
		if published == "" {
			published = string(cwtypes.StandardUnitNone)
		}
		if u != published {
			j.problem("Unit", "%s reads unit %s, but the filter publishes %s, so it sees no data", where, u, published)
		}
	}
}

func fmtDims(d map[string]string) string {
	if len(d) == 0 {
		return "(none)"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(d)) {
		parts = append(parts, k+"="+d[k])
	}
	return strings.Join(parts, ",")
}

func (j *judge) single(m cwtypes.MetricAlarm) {
	j.series(m.Dimensions, m.Unit, "it")
	one, none, ok := j.points(j.a.Statistic)
	if !ok {
		return
	}
	j.threshold(one, none)
}

// outcome is a statistic's value over one period: present or missing
// (no data point at all).
type outcome struct {
	v       float64
	present bool
}

// points is the statistic of one period with one matching event (one) and
// with none (none). The filter writes its metric value v for the matching
// event and, when it has a default value d, d for every other log event in
// the period; a CloudTrail log group logs other events in nearly every
// period, so with d set "none" is taken to hold other events.
func (j *judge) points(stat string) (one, none outcome, ok bool) {
	v, isNum := metricNumber(j.metric.Value)
	switch {
	case strings.HasPrefix(strings.TrimSpace(j.metric.Value), "$"):
		j.problem("FilterMetricValue", "the filter's metric value %s is taken from each record, and CloudTrail records of these calls carry no number there, so nothing is counted (use 1)", j.metric.Value)
		return one, none, false
	case !isNum:
		j.problem("FilterMetricValue", "the filter's metric value %q is not a number", j.metric.Value)
		return one, none, false
	case v <= 0:
		j.problem("FilterMetricValue", "the filter's metric value is %s, so a matching event never counts as more than nothing (use 1)", fmtNum(v))
		return one, none, false
	}
	d := j.metric.DefaultValue
	if d != nil && *d != 0 {
		j.problem("FilterDefaultValue", "the filter's default value %s is published for every other log event, so the metric never shows the absence of a change and the alarm sits in ALARM (remove the default value)", fmtNum(*d))
		return one, none, false
	}
	zeroFill := d != nil // a default value of 0
	switch {
	case stat == string(cwtypes.StatisticSum) || stat == string(cwtypes.StatisticMaximum):
		one = outcome{v, true}
		if zeroFill {
			none = outcome{0, true}
		}
	case stat == string(cwtypes.StatisticSampleCount):
		if zeroFill {
			j.problem("Statistic", "SampleCount counts every log event once the filter has a default value, not the matching ones (use Sum)")
			return one, none, false
		}
		one = outcome{1, true}
	case stat == string(cwtypes.StatisticMinimum):
		if zeroFill {
			j.problem("Statistic", "Minimum is 0 in any period where another event is logged, because the filter publishes 0 for it (use Sum)")
			return one, none, false
		}
		one = outcome{v, true}
	case stat == string(cwtypes.StatisticAverage):
		one = outcome{v, true}
		if zeroFill {
			j.doubt("Average with the filter's default value 0 is diluted by the other events of the period (one change among n events averages %s/n); whether it crosses the threshold depends on the traffic", fmtNum(v))
			none = outcome{0, true}
		}
	default: // percentiles and other extended statistics
		one = outcome{v, true}
		if zeroFill {
			j.doubt("%s with the filter's default value 0 depends on how many other events the period holds", stat)
			none = outcome{0, true}
		}
	}
	return one, none, true
}

// threshold compares the period values with the alarm's condition:
// the event must breach; no event must not, or the alarm never leaves
// ALARM; and one breaching period must be enough.
func (j *judge) threshold(one, none outcome) {
	a := j.a
	t := a.Threshold
	var breaches func(float64) bool
	op := ">="
	switch cwtypes.ComparisonOperator(a.Comparison) {
	case cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold:
		breaches = func(x float64) bool { return x >= t }
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		breaches = func(x float64) bool { return x > t }
		op = ">"
	case cwtypes.ComparisonOperatorLessThanThreshold, cwtypes.ComparisonOperatorLessThanOrEqualToThreshold:
		j.problem("ComparisonOperator", "it goes off below its threshold (%s), and a change raises the value", a.Comparison)
		return
	case cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold, cwtypes.ComparisonOperatorGreaterThanUpperThreshold, cwtypes.ComparisonOperatorLessThanLowerThreshold:
		j.doubt("comparison %s follows an anomaly detection band, which can absorb a single event", a.Comparison)
		return
	default:
		j.problem("ComparisonOperator", "comparison %q is not one CloudWatch evaluates", a.Comparison)
		return
	}
	if one.present && !breaches(one.v) {
		j.problem("Threshold", "it needs %s %s %s, and one change gives %s", strings.ToLower(a.Statistic), op, fmtNum(t), fmtNum(one.v))
	}
	if n := a.DatapointsToAlarm; n > 1 || (n == 0 && a.EvaluationPeriods > 1) {
		if n == 0 {
			n = a.EvaluationPeriods
		}
		j.problem("DatapointsToAlarm", "it needs %d breaching periods out of %d, and one event makes one", n, max(a.EvaluationPeriods, n))
	}
	switch {
	case none.present && breaches(none.v):
		j.problem("Threshold", "it goes off at %s %s %s, which a period without a change already gives (%s), so it sits in ALARM", strings.ToLower(a.Statistic), op, fmtNum(t), fmtNum(none.v))
	case !none.present:
		switch a.TreatMissingData {
		case "breaching":
			j.problem("TreatMissingData", "it treats the missing data of every quiet period as breaching, so it sits in ALARM and a change causes no transition")
		case "ignore":
			j.problem("TreatMissingData", "it ignores missing data, so after the first event it stays in ALARM and later changes notify no one")
		}
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// WantAlarm is the alarm trailwatch creates: Sum of the metric over 300 s,
// one period, ≥ 1, missing data not breaching, actions enabled.
type WantAlarm struct {
	Name, MetricName, Namespace string
	Actions                     []string
	Description                 string
}

// The settings of WantAlarm, and what a repair sets.
const (
	WantStatistic  = "Sum"
	WantPeriod     = int32(300)
	WantEvalPeriod = int32(1)
	WantThreshold  = 1.0
	WantComparison = "GreaterThanOrEqualToThreshold"
	WantMissing    = "notBreaching"
)

// PutInput is the request that creates w, tagged as trailwatch's.
func (w WantAlarm) PutInput() *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(w.Name), AlarmDescription: aws.String(w.Description),
		MetricName: aws.String(w.MetricName), Namespace: aws.String(w.Namespace),
		Statistic: cwtypes.Statistic(WantStatistic), Period: aws.Int32(WantPeriod), EvaluationPeriods: aws.Int32(WantEvalPeriod),
		Threshold: aws.Float64(WantThreshold), ComparisonOperator: cwtypes.ComparisonOperator(WantComparison),
		TreatMissingData: aws.String(WantMissing), ActionsEnabled: aws.Bool(true), AlarmActions: w.Actions,
		Tags: CloudWatchManagedTags(),
	}
}

// Repair is the request that puts trailwatch's own alarm m right: every
// setting the user gave it is kept (PutMetricAlarm replaces the whole
// alarm, so each is copied), and only the settings named by its problems
// change, to what WantAlarm has; topic is added to its alarm actions and
// its actions are enabled. Tags given to PutMetricAlarm on an existing
// alarm are ignored by CloudWatch, so none are sent.
func Repair(m cwtypes.MetricAlarm, problems []Problem, topic string) *cloudwatch.PutMetricAlarmInput {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: m.AlarmName, AlarmDescription: m.AlarmDescription, ActionsEnabled: aws.Bool(true),
		AlarmActions: m.AlarmActions, OKActions: m.OKActions, InsufficientDataActions: m.InsufficientDataActions,
		MetricName: m.MetricName, Namespace: m.Namespace, Dimensions: m.Dimensions, Unit: m.Unit,
		Statistic: m.Statistic, ExtendedStatistic: m.ExtendedStatistic, Period: m.Period,
		EvaluationPeriods: m.EvaluationPeriods, DatapointsToAlarm: m.DatapointsToAlarm, Threshold: m.Threshold,
		ComparisonOperator: m.ComparisonOperator, TreatMissingData: m.TreatMissingData,
		EvaluateLowSampleCountPercentile: m.EvaluateLowSampleCountPercentile, Metrics: m.Metrics, ThresholdMetricId: m.ThresholdMetricId,
	}
	for _, p := range problems {
		switch p.Setting {
		case "Dimensions":
			in.Dimensions = nil
		case "Unit":
			in.Unit = ""
		case "Statistic":
			in.Statistic, in.ExtendedStatistic = cwtypes.Statistic(WantStatistic), nil
		case "ComparisonOperator":
			in.ComparisonOperator, in.Threshold = cwtypes.ComparisonOperator(WantComparison), aws.Float64(WantThreshold)
		case "Threshold":
			in.Threshold = aws.Float64(WantThreshold)
			if in.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold {
				in.ComparisonOperator = cwtypes.ComparisonOperator(WantComparison)
			}
		case "DatapointsToAlarm":
			in.DatapointsToAlarm = aws.Int32(1)
		case "TreatMissingData":
			in.TreatMissingData = aws.String(WantMissing)
		}
	}
	if topic != "" && !slices.Contains(in.AlarmActions, topic) {
		in.AlarmActions = append([]string{topic}, in.AlarmActions...)
	}
	return in
}

// Repairable reports whether Repair can put m right: every problem is in a
// setting of the alarm itself (not of the filter), and it is a plain metric
// alarm (trailwatch does not rewrite metric math).
// (Problems of the filter are repaired at the filter.)
func Repairable(a Alarm) bool {
	if a.Math {
		return false
	}
	for _, p := range a.Problems {
		if strings.HasPrefix(p.Setting, "Filter") {
			return false
		}
	}
	return true
}
