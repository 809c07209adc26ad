package chain

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"
)

func cisAlarm(mod ...func(*cwtypes.MetricAlarm)) cwtypes.MetricAlarm {
	a := cwtypes.MetricAlarm{
		AlarmName: aws.String("a"), AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:111122223333:alarm:a"),
		MetricName: aws.String("M"), Namespace: aws.String("N"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(300),
		EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData: aws.String("notBreaching"), ActionsEnabled: aws.Bool(true),
	}
	for _, m := range mod {
		m(&a)
	}
	return a
}

func stat(q string, m Metric, s string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(q), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{MetricName: aws.String(m.Name), Namespace: aws.String(m.Namespace)}, Period: aws.Int32(300), Stat: aws.String(s)}}
}

func expr(q, e string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(q), Expression: aws.String(e), ReturnData: aws.Bool(true)}
}

func mathAlarm(qs ...cwtypes.MetricDataQuery) func(*cwtypes.MetricAlarm) {
	return func(a *cwtypes.MetricAlarm) {
		a.MetricName, a.Namespace, a.Statistic, a.Period = nil, nil, "", nil
		a.Metrics = qs
	}
}

// TestJudgeAlarm: the alarm must go to ALARM on one matching event in one
// period, and not sit in ALARM without one. Each row says which part of
// CloudWatch's documented evaluation decides it.
func TestJudgeAlarm(t *testing.T) {
	one := Metric{Name: "M", Namespace: "N", Value: "1"}
	zero := 0.0
	tests := []struct {
		name     string
		metric   Metric
		mod      []func(*cwtypes.MetricAlarm)
		problems []string // settings at fault; none means it fires
		doubt    bool
		why      string
	}{
		{name: "CIS settings", metric: one, why: "one event is Sum 1 >= 1 in one period of one"},
		{name: "threshold 1000 with Sum", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.Threshold = aws.Float64(1000) }),
			problems: []string{"Threshold"}, why: "one event gives Sum 1, never >= 1000"},
		{name: "GreaterThan 1", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.ComparisonOperator = cwtypes.ComparisonOperatorGreaterThanThreshold }),
			problems: []string{"Threshold"}, why: "1 is not > 1"},
		{name: "GreaterThan 0", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) {
			a.ComparisonOperator, a.Threshold = cwtypes.ComparisonOperatorGreaterThanThreshold, aws.Float64(0)
		}), why: "1 > 0, and a quiet period has no data (notBreaching)"},
		{name: "LessThan", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.ComparisonOperator = cwtypes.ComparisonOperatorLessThanThreshold }),
			problems: []string{"ComparisonOperator"}, why: "an event raises the value; a LessThan alarm goes off on low values"},
		{name: "anomaly band", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) {
			a.ComparisonOperator = cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold
		}), doubt: true, why: "the band is learned from the metric and may absorb one event: cannot be decided offline"},
		{name: "3 of 3 datapoints", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.EvaluationPeriods, a.DatapointsToAlarm = aws.Int32(3), aws.Int32(3) }),
			problems: []string{"DatapointsToAlarm"}, why: "M of N: one event makes one breaching datapoint"},
		{name: "3 periods without DatapointsToAlarm", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.EvaluationPeriods = aws.Int32(3) }),
			problems: []string{"DatapointsToAlarm"}, why: "DatapointsToAlarm defaults to EvaluationPeriods"},
		{name: "1 of 3 datapoints", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.EvaluationPeriods, a.DatapointsToAlarm = aws.Int32(3), aws.Int32(1) }),
			why: "one breaching datapoint in the last three periods is enough"},
		{name: "unit Count on a unitless metric", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.Unit = cwtypes.StandardUnitCount }),
			problems: []string{"Unit"}, why: "a filter without a unit publishes None; an alarm with a unit sees only data of that unit"},
		{name: "unit matching the filter's", metric: Metric{Name: "M", Namespace: "N", Value: "1", Unit: "Count"}, mod: mods(func(a *cwtypes.MetricAlarm) { a.Unit = cwtypes.StandardUnitCount }),
			why: "same unit, same data"},
		{name: "dimensions the filter does not publish", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) {
			a.Dimensions = []cwtypes.Dimension{{Name: aws.String("Trail"), Value: aws.String("x")}}
		}), problems: []string{"Dimensions"}, why: "a metric with other dimensions is another metric and gets no data"},
		{name: "TreatMissingData breaching", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.TreatMissingData = aws.String("breaching") }),
			problems: []string{"TreatMissingData"}, why: "every quiet period breaches: stuck in ALARM, so a change causes no transition"},
		{name: "TreatMissingData ignore", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.TreatMissingData = aws.String("ignore") }),
			problems: []string{"TreatMissingData"}, why: "ignore keeps the state: after the first event it stays in ALARM"},
		{name: "TreatMissingData missing", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.TreatMissingData = aws.String("missing") }),
			why: "quiet periods lead to INSUFFICIENT_DATA, from which an event is a transition to ALARM"},
		{name: "metric value 0", metric: Metric{Name: "M", Namespace: "N", Value: "0"},
			problems: []string{"FilterMetricValue"}, why: "each match publishes 0"},
		{name: "metric value -1", metric: Metric{Name: "M", Namespace: "N", Value: "-1"},
			problems: []string{"FilterMetricValue"}, why: "negative"},
		{name: "metric value from a field", metric: Metric{Name: "M", Namespace: "N", Value: "$.eventName"},
			problems: []string{"FilterMetricValue"}, why: "not a number in these records"},
		{name: "default value 1", metric: Metric{Name: "M", Namespace: "N", Value: "1", DefaultValue: aws.Float64(1)},
			problems: []string{"FilterDefaultValue"}, why: "every other log event publishes 1: stuck in ALARM"},
		{name: "default value 0 with Sum", metric: Metric{Name: "M", Namespace: "N", Value: "1", DefaultValue: &zero},
			why: "quiet periods give Sum 0, not breaching; an event gives 1"},
		{name: "default value 0 with Average", metric: Metric{Name: "M", Namespace: "N", Value: "1", DefaultValue: &zero},
			mod: mods(func(a *cwtypes.MetricAlarm) { a.Statistic = cwtypes.StatisticAverage }), doubt: true,
			why: "one change among n events averages 1/n: depends on the traffic"},
		{name: "default value 0 with Minimum", metric: Metric{Name: "M", Namespace: "N", Value: "1", DefaultValue: &zero},
			mod: mods(func(a *cwtypes.MetricAlarm) { a.Statistic = cwtypes.StatisticMinimum }), problems: []string{"Statistic"},
			why: "Minimum is 0 whenever another event is logged in the period"},
		{name: "SampleCount without a default value", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.Statistic = cwtypes.StatisticSampleCount }),
			why: "one event is one sample"},
		{name: "p99 without a default value", metric: one, mod: mods(func(a *cwtypes.MetricAlarm) { a.Statistic, a.ExtendedStatistic = "", aws.String("p99") }),
			why: "the percentile of one point is that point"},
		{name: "math FILL(m1, 0)", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), expr("e1", "FILL(m1, 0)"))),
			why: "one event: 1; none: 0, which does not breach"},
		{name: "math m1 * 100 >= 1", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), expr("e1", "m1 * 100"))),
			why: "one event: 100"},
		{name: "math m1 - 1", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), expr("e1", "m1 - 1"))),
			problems: []string{"Threshold"}, why: "one event: 0, not >= 1"},
		{name: "math FILL(m1, 1) stuck", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), expr("e1", "FILL(m1, 1)"))),
			problems: []string{"Metrics"}, why: "1 with the event and without: it never changes, and sits in ALARM"},
		{name: "math not depending on the metric", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), expr("e1", "5"))),
			problems: []string{"Metrics"}, why: "the same value with and without the event"},
		{name: "math on another account's metric", metric: one, mod: mods(mathAlarm(func() cwtypes.MetricDataQuery {
			q := stat("m1", one, "Sum")
			q.AccountId = aws.String("999988887777")
			return q
		}(), expr("e1", "m1"))), problems: []string{"Metrics"}, why: "the filter writes the metric in this account"},
		{name: "math with another metric", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), stat("m2", Metric{Name: "Other", Namespace: "N"}, "Sum"), expr("e1", "m1 + m2"))),
			doubt: true, why: "m2 is unknown here"},
		{name: "math with an unmodelled function", metric: one, mod: mods(mathAlarm(stat("m1", one, "Sum"), expr("e1", "RATE(m1)"))),
			doubt: true, why: "RATE is not evaluated offline"},
		{name: "math returning the metric itself", metric: one, mod: mods(mathAlarm(func() cwtypes.MetricDataQuery {
			q := stat("m1", one, "Sum")
			q.ReturnData = aws.Bool(true)
			return q
		}())), why: "ReturnData on the metric query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := JudgeAlarm(cisAlarm(tt.mod...), tt.metric, "111122223333")
			var got []string
			for _, p := range a.Problems {
				got = append(got, p.Setting)
			}
			if diff := cmp.Diff(tt.problems, got); diff != "" {
				t.Errorf("%s: problems (-want +got)\n%s\n%s", tt.why, diff, a.Reason())
			}
			if (len(a.Doubts) > 0) != tt.doubt {
				t.Errorf("%s: doubts %q", tt.why, a.Doubts)
			}
			if want := map[bool]Status{true: Passed, false: Failed}[len(tt.problems) == 0]; a.Status != want {
				t.Errorf("status %s, want %s", a.Status, want)
			}
		})
	}
}

func mods(f ...func(*cwtypes.MetricAlarm)) []func(*cwtypes.MetricAlarm) { return f }

// A repair changes only the settings at fault and keeps what the user set.
func TestRepairKeepsTheRest(t *testing.T) {
	m := cisAlarm(func(a *cwtypes.MetricAlarm) {
		a.Threshold = aws.Float64(1000)
		a.EvaluationPeriods, a.DatapointsToAlarm = aws.Int32(5), aws.Int32(3)
		a.OKActions = []string{"arn:aws:sns:us-east-1:111122223333:ok"}
		a.InsufficientDataActions = []string{"arn:aws:sns:us-east-1:111122223333:insufficient"}
		a.AlarmActions = []string{"arn:aws:sns:us-east-1:111122223333:pager"}
		a.AlarmDescription = aws.String("the user's words")
		a.Unit = cwtypes.StandardUnitCount
		a.ActionsEnabled = aws.Bool(false)
	})
	j := JudgeAlarm(m, Metric{Name: "M", Namespace: "N", Value: "1", Unit: "Count"}, "111122223333")
	in := Repair(m, j.Problems, "arn:aws:sns:us-east-1:111122223333:trailwatch")
	if aws.ToFloat64(in.Threshold) != 1 || aws.ToInt32(in.DatapointsToAlarm) != 1 || aws.ToInt32(in.EvaluationPeriods) != 5 {
		t.Errorf("threshold %v, datapoints %v of %v", aws.ToFloat64(in.Threshold), aws.ToInt32(in.DatapointsToAlarm), aws.ToInt32(in.EvaluationPeriods))
	}
	if in.Unit != cwtypes.StandardUnitCount || aws.ToString(in.AlarmDescription) != "the user's words" || !aws.ToBool(in.ActionsEnabled) {
		t.Errorf("unit %s, description %q, enabled %v", in.Unit, aws.ToString(in.AlarmDescription), aws.ToBool(in.ActionsEnabled))
	}
	if diff := cmp.Diff([]string{"arn:aws:sns:us-east-1:111122223333:trailwatch", "arn:aws:sns:us-east-1:111122223333:pager"}, in.AlarmActions); diff != "" {
		t.Error(diff)
	}
	if len(in.OKActions) != 1 || len(in.InsufficientDataActions) != 1 || in.Tags != nil {
		t.Errorf("ok %v, insufficient %v, tags %v", in.OKActions, in.InsufficientDataActions, in.Tags)
	}
	again := JudgeAlarm(cwAlarmFrom(in), Metric{Name: "M", Namespace: "N", Value: "1", Unit: "Count"}, "111122223333")
	if again.Status != Passed {
		t.Errorf("after the repair: %s", again.Reason())
	}
}

// cwAlarmFrom is the alarm CloudWatch holds after PutMetricAlarm(in).
func cwAlarmFrom(in *cloudwatch.PutMetricAlarmInput) cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{AlarmName: in.AlarmName, MetricName: in.MetricName, Namespace: in.Namespace, Dimensions: in.Dimensions,
		Unit: in.Unit, Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic, Period: in.Period,
		EvaluationPeriods: in.EvaluationPeriods, DatapointsToAlarm: in.DatapointsToAlarm, Threshold: in.Threshold,
		ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData, ActionsEnabled: in.ActionsEnabled,
		AlarmActions: in.AlarmActions, Metrics: in.Metrics}
}

func TestEvalMath(t *testing.T) {
	env := map[string]outcome{"m1": {1, true}, "gone": {}}
	for _, tt := range []struct {
		expr string
		want outcome
		err  string
	}{
		{"m1", outcome{1, true}, ""},
		{"2 * (m1 + 3) - 1", outcome{7, true}, ""},
		{"m1 ^ 2 + gone", outcome{}, ""},
		{"FILL(gone, 0)", outcome{0, true}, ""},
		{"IF(m1 > 0, 10, 20)", outcome{10, true}, ""},
		{"IF(gone > 0, 10, 20)", outcome{}, ""},
		{"IF([], 1)", outcome{}, "IF() takes a condition"},
		{"SUM([m1, gone, 2])", outcome{3, true}, ""},
		{"MAX([gone])", outcome{}, ""},
		{"m1 >= 1 AND NOT gone", outcome{}, ""},
		{"ABS(-3)", outcome{3, true}, ""},
		{"ANOMALY_DETECTION_BAND(m1)", outcome{}, "not modelled"},
		{"m2", outcome{}, "unknown name"},
		{"(m1", outcome{}, "missing )"},
	} {
		got, err := evalMath(tt.expr, env, map[string]string{})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.expr, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s = %+v, %v; want %+v", tt.expr, got, err, tt.want)
		}
	}
}

// An alarm's expression is anyone's text: evalMath answers or errs, never
// panics.
func FuzzEvalMath(f *testing.F) {
	for _, s := range []string{"m1", "2 * (m1 + 3) - 1", "FILL(gone, 0)", "IF(m1 > 0, 10, 20)", "SUM([m1, gone, 2])", "IF([], 1)", "MAX([])", "ABS()", "-(-m1)", "m1 >= 1 AND NOT gone"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_, _ = evalMath(expr, map[string]outcome{"m1": {1, true}, "gone": {}}, map[string]string{})
	})
}
