package verify

import (
	"fmt"
	"slices"
	"strings"

	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Target is one control's chain as far as it exists: what to verify. A
// missing part (nil) skips the checks that need it; Prior says why it is
// missing.
type Target struct {
	// Control identifies the control (a future --control picks targets by
	// it); Title names it for people.
	Control string
	Title   string

	Trail  *Trail
	Filter *Filter
	Alarm  *Alarm
	// Samples are the log messages the filter's pattern is tested with.
	Samples []Sample

	// Prior are results already known before any check runs (the audit's
	// verdict on the chain); they are reported first and count in the
	// verdict like any other check.
	Prior []Check

	// Fire asks for the alarm to be fired (SetAlarmState) by Fire. Only
	// targets with Fire set are ever fired; ChooseFire sets it.
	Fire bool
}

// Trail is the trail that delivers the control's events.
type Trail struct {
	Name       string
	ARN        string // GetTrailStatus takes the ARN, which works for organization trails from a member
	HomeRegion string
}

// Filter is the metric filter on the trail's log group.
type Filter struct {
	LogGroup string
	Region   string // the log group's region
	Name     string
	Pattern  string
}

// Alarm is the alarm on the filter's metric.
type Alarm struct {
	Name           string
	ARN            string
	Region         string
	ActionsEnabled bool
	// Topics are the SNS topic ARNs among its AlarmActions.
	Topics []string
}

// Sample is a log message the filter's pattern must (or must not) match.
type Sample struct {
	Event     string // the CloudTrail eventName of the record
	Message   string
	MustMatch bool
}

// Samples builds the samples for a control from examples (a source of
// realistic CloudTrail records per event name): every record of mustMatch's
// events must match, every record of mustNot's must not. An event in
// mustMatch without a record is an error, since the check would then prove
// nothing about it; mustNot's events are optional.
func Samples(examples func(eventName string) []string, mustMatch, mustNot []string) ([]Sample, error) {
	if examples == nil {
		return nil, nil
	}
	var out []Sample
	for _, ev := range mustMatch {
		recs := examples(ev)
		if len(recs) == 0 {
			return nil, fmt.Errorf("no example record for %s, which the filter must catch", ev)
		}
		for _, m := range recs {
			out = append(out, Sample{Event: ev, Message: m, MustMatch: true})
		}
	}
	for _, ev := range mustNot {
		for _, m := range examples(ev) {
			out = append(out, Sample{Event: ev, Message: m})
		}
	}
	return out, nil
}

// ChooseFire marks the targets to fire. controls names them by Control;
// with none given there must be exactly one target with an alarm, so that
// --fire never fires more than one alarm unless each was named.
func ChooseFire(targets []Target, controls []string) error {
	if len(controls) == 0 {
		var withAlarm []int
		for i, t := range targets {
			if t.Alarm != nil {
				withAlarm = append(withAlarm, i)
			}
		}
		switch len(withAlarm) {
		case 0:
			return nil // nothing to fire; each target's report says why
		case 1:
			targets[withAlarm[0]].Fire = true
			return nil
		}
		return fmt.Errorf("%d controls have an alarm; name the one to fire (%s)", len(withAlarm), strings.Join(controlIDs(targets), ", "))
	}
	for _, c := range controls {
		i := slices.IndexFunc(targets, func(t Target) bool { return t.Control == c })
		if i < 0 {
			return fmt.Errorf("unknown control %q: expected one of %s", c, strings.Join(controlIDs(targets), ", "))
		}
		targets[i].Fire = true
	}
	return nil
}

func controlIDs(ts []Target) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.Control)
	}
	return ids
}

// topicParts splits an SNS topic ARN into region, account and name.
func topicParts(arn string) (region, account, name string, ok bool) {
	p, err := awsarn.Parse(arn)
	if err != nil || p.Service != "sns" || p.Resource == "" {
		return "", "", "", false
	}
	return p.Region, p.AccountID, p.Resource, true
}
