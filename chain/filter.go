package chain

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// The metric-filter link: a filter on the trail's log group whose pattern
// catches every record of the control's events (decided by evaluating the
// pattern, never by comparing text), publishing a metric an alarm can
// watch.

// Metric is one metric a filter publishes (one metric transformation).
type Metric struct {
	Name      string `json:"metric_name"`
	Namespace string `json:"metric_namespace"`
	Value     string `json:"metric_value"`
	// Unit is "" when the filter sets none (CloudWatch then stores None).
	Unit string `json:"unit,omitempty"`
	// Dimensions map dimension names to the record fields they take
	// their values from.
	Dimensions map[string]string `json:"dimensions,omitempty"`
	// DefaultValue is emitted for every log event the pattern does not
	// match, when set.
	DefaultValue *float64 `json:"default_value,omitempty"`
}

// ID is namespace/name.
func (m Metric) ID() string { return m.Namespace + "/" + m.Name }

// Filter is a metric filter as read and judged for a control.
type Filter struct {
	Name     string   `json:"name"`
	LogGroup string   `json:"log_group"`
	Pattern  string   `json:"pattern"`
	Metrics  []Metric `json:"metrics"`
	// Related: the pattern is about the control's records at all;
	// unrelated filters (another control's) are not judged further.
	Related bool `json:"related"`
	Covers  bool `json:"covers"`
	Literal bool `json:"literal"`
	// Missed names the control's events the pattern does not always match.
	Missed      []pattern.Miss `json:"missed,omitempty"`
	TooBroad    bool           `json:"too_broad,omitempty"`
	BroadReason string         `json:"broad_reason,omitempty"`
	// Notes are what else is known of a pattern that covers (another
	// tool's text check it fails, a trap in its text): audit warnings.
	Notes      []pattern.Note `json:"notes,omitempty"`
	ParseError string         `json:"parse_error,omitempty"`
	// Ours: trailwatch named it (filters cannot carry tags, so trailwatch
	// knows its own by the names it gives them: IsCandidate).
	Ours    bool   `json:"trailwatch_managed"`
	Status  Status `json:"status"`
	Reason  string `json:"reason,omitempty"` // why it does not pass
	Summary string `json:"-"`                // a line for the report when it passes
}

// Passes is the filter link's verdict for this filter.
func (f Filter) Passes() bool { return f.Status == Passed }

// MetricsOf reads a filter's transformations.
func MetricsOf(f cwltypes.MetricFilter) []Metric {
	var out []Metric
	for _, t := range f.MetricTransformations {
		m := Metric{Name: aws.ToString(t.MetricName), Namespace: aws.ToString(t.MetricNamespace), Value: aws.ToString(t.MetricValue), Unit: string(t.Unit), DefaultValue: t.DefaultValue}
		if len(t.Dimensions) > 0 {
			m.Dimensions = t.Dimensions
		}
		out = append(out, m)
	}
	return out
}

// JudgeFilter judges one filter for ctl. ownName is the filter name
// trailwatch uses (to recognise its own).
func JudgeFilter(f cwltypes.MetricFilter, group string, ctl Control, strict bool, ownName string) Filter {
	j := Filter{Name: aws.ToString(f.FilterName), LogGroup: group, Pattern: aws.ToString(f.FilterPattern), Metrics: MetricsOf(f)}
	j.Ours = IsCandidate(j.Name, ownName)
	j.Status = Failed
	p, err := pattern.Parse(j.Pattern)
	if err != nil {
		j.ParseError = err.Error()
		j.Reason = fmt.Sprintf("pattern does not parse: %v", err)
		return j
	}
	cov := ctl.Covers(p)
	j.Covers, j.Missed, j.TooBroad, j.BroadReason, j.Notes = cov.Covers, cov.Missed, cov.TooBroad, cov.BroadReason, cov.Notes
	// About the control: it names its records, or catches some of its
	// events whoever calls ({ $.eventSource = cloudtrail.amazonaws.com }).
	j.Related = ctl.Related(p) || len(cov.Missed) < len(ctl.Events)
	j.Literal = ctl.Literal(p)
	_, usable := j.Usable()
	switch {
	case !j.Covers:
		j.Reason = "the pattern misses " + DescribeMisses(j.Missed)
	case len(j.Metrics) == 0:
		j.Reason = "filter publishes no metric"
	case !usable:
		j.Reason = "it publishes only per-dimension series (" + dimensionList(j.Metrics) + "), so no one alarm sees every event"
	case strict && !j.Literal:
		j.Reason = "pattern covers the events but is not the literal CIS pattern (--strict)"
	default:
		j.Status = Passed
	}
	return j
}

// Usable returns the metrics of f an alarm can watch to see every matching
// event: those without dimensions. A metric with dimensions is published
// as one series per combination of values taken from the record; CloudWatch
// does not aggregate custom metrics across dimensions (CloudWatch user
// guide, "Dimensions"), so no alarm sees them all.
func (f Filter) Usable() ([]Metric, bool) {
	var out []Metric
	for _, m := range f.Metrics {
		if len(m.Dimensions) == 0 && m.Name != "" {
			out = append(out, m)
		}
	}
	return out, len(out) > 0
}

func dimensionList(ms []Metric) string {
	var parts []string
	for _, m := range ms {
		for k, v := range m.Dimensions {
			parts = append(parts, fmt.Sprintf("%s from %s on %s", k, v, m.ID()))
		}
	}
	return strings.Join(parts, ", ")
}

// DescribeMisses names the missed events, grouping those missed for the
// same reason.
func DescribeMisses(ms []pattern.Miss) string {
	if len(ms) == 0 {
		return "some of the control's events"
	}
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
			parts[i] += ": " + r
		}
	}
	return strings.Join(parts, "; ")
}

// WantFilter is the filter trailwatch writes for ctl: the published
// pattern, counting 1 per matching event, no dimensions, no default value.
type WantFilter struct {
	Name, LogGroup, Pattern, MetricName, Namespace, MetricValue string
}

// NewWantFilter is trailwatch's filter for ctl on group publishing metric.
func NewWantFilter(ctl Control, name, group, metric, namespace string) WantFilter {
	return WantFilter{Name: name, LogGroup: group, Pattern: ctl.Pattern, MetricName: metric, Namespace: namespace, MetricValue: "1"}
}

// Same reports whether an existing filter is exactly what w writes.
func (w WantFilter) Same(f cwltypes.MetricFilter) bool {
	if aws.ToString(f.FilterPattern) != w.Pattern || len(f.MetricTransformations) != 1 {
		return false
	}
	m := f.MetricTransformations[0]
	return aws.ToString(m.MetricName) == w.MetricName && aws.ToString(m.MetricNamespace) == w.Namespace &&
		aws.ToString(m.MetricValue) == w.MetricValue && len(m.Dimensions) == 0 && m.DefaultValue == nil && (m.Unit == "" || m.Unit == "None")
}

// metricNumber reads a filter's metricValue when it is a number.
func metricNumber(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return f, err == nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
