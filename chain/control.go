package chain

import (
	"slices"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// Control is what the filter and alarm links need to know about the CIS
// control a chain serves.
type Control struct {
	ID    string   // CIS v1.4–v5 number, e.g. "4.5"
	Names []string // the control's number in each catalogue, oldest first
	Title string
	// Events are the events the control is about (for messages).
	Events []string
	// Pattern is the filter pattern trailwatch writes: the published text.
	Pattern string
	// Covers says whether a filter pattern catches every record the
	// control is about, and which it misses.
	Covers func(*pattern.Pattern) pattern.Coverage
	// Literal says whether a pattern is the published text (whitespace,
	// quoting and term order aside), which --strict requires.
	Literal func(*pattern.Pattern) bool
	// Related says whether a pattern is about the control's records at
	// all (see pattern.Related).
	Related func(*pattern.Pattern) bool
	// Defaults are the names trailwatch gives what it creates.
	Defaults Names
	// Hub: the control is CIS 4.16, AWS Security Hub enabled, which has no
	// chain (no filter, alarm or topic): its one link is LinkSecurityHub.
	Hub bool
	// AlarmWords help recognise an alarm of this control whose metric no
	// filter publishes any more (its filter was deleted): an alarm whose
	// name or metric name contains every word of one entry (any case).
	AlarmWords [][]string
}

// Names of what trailwatch creates for a control.
type Names struct {
	Filter    string `json:"filter_name"`
	Metric    string `json:"metric_name"`
	Namespace string `json:"namespace"`
	Alarm     string `json:"alarm_name"`
	Topic     string `json:"topic_name"`
}

// The names trailwatch gives CIS 4.5's filter, metric, alarm and topic.
const (
	DefaultFilterName = "trailwatch-cloudtrail-config-changes"
	DefaultMetricName = "CloudTrailConfigChanges"
	DefaultNamespace  = "CISBenchmark"
	DefaultAlarmName  = "trailwatch-cloudtrail-config-changes"
	DefaultTopicName  = "trailwatch-cloudtrail-config-changes"
)

// CloudTrailChanges is CIS 4.5: changes to CloudTrail's configuration.
func CloudTrailChanges() Control {
	must, err := pattern.Parse(pattern.CIS)
	if err != nil {
		panic("chain: the CIS pattern does not parse: " + err.Error()) // a constant
	}
	return Control{
		ID:      "4.5",
		Names:   []string{"CIS AWS Foundations v1.2 3.5", "CIS v1.4–v5 4.5", "CIS v6+ 5.5", "AWS Security Hub CloudWatch.5"},
		Title:   "CloudTrail configuration changes",
		Events:  pattern.Events(),
		Pattern: pattern.CIS,
		Covers:  pattern.Covers,
		Literal: pattern.Literal,
		Related: func(p *pattern.Pattern) bool { return pattern.Related(p, must) },
		Defaults: Names{
			Filter:    DefaultFilterName,
			Metric:    DefaultMetricName,
			Namespace: DefaultNamespace,
			Alarm:     DefaultAlarmName,
			Topic:     DefaultTopicName,
		},
		// CIS's cloudtrail_cfg_changes_metric, terraform-aws-modules'
		// CloudTrailCfgChanges, Security Hub's CIS-4.5-CloudTrailChanges,
		// and names such as TrailChanges.
		AlarmWords: [][]string{{"trail", "change"}, {"trail", "cfg"}, {"trail", "config"}},
	}
}

// Merge fills the empty names of n from d.
func (n Names) Merge(d Names) Names {
	for _, p := range []struct {
		v *string
		d string
	}{{&n.Filter, d.Filter}, {&n.Metric, d.Metric}, {&n.Namespace, d.Namespace}, {&n.Alarm, d.Alarm}, {&n.Topic, d.Topic}} {
		if *p.v == "" {
			*p.v = p.d
		}
	}
	return n
}

// Control IDs, for callers that list them.
func (c Control) String() string { return c.ID + " " + c.Title }

// HasWords reports whether s contains every word (case-insensitively).
func hasWords(s string, words []string) bool {
	return !slices.ContainsFunc(words, func(w string) bool { return !containsFold(s, w) })
}

// NamedFor reports whether an alarm or metric name says it is about this
// control (every word of one of AlarmWords, in any case).
func (c Control) NamedFor(name string) bool {
	for _, ws := range c.AlarmWords {
		if hasWords(name, ws) {
			return true
		}
	}
	return false
}
