package pattern

import "strings"

// MetricValueCanBePositive reports whether a metric filter's metricValue
// can publish a positive number, which an alarm on "> 0" or ">= 1" needs.
//
// A numeric literal is decided by its sign. A "$.field" value comes from
// each record; no field of the five calls' records is a number that is
// always positive, so it is reported as not ok (conservative: an alarm that
// might never fire is a gap, not a pass). Anything else is not a valid
// metric value.
func MetricValueCanBePositive(metricValue string) (ok bool, reason string) {
	v := strings.TrimSpace(metricValue)
	if strings.HasPrefix(v, "$") {
		return false, "metric value " + v + " is taken from each record; CloudTrail records of the five calls carry no number that is always positive, so the alarm may never fire (use 1)"
	}
	n, isNum := parseNumber(v)
	switch {
	case !isNum:
		return false, "metric value " + quote(metricValue) + " is not a number or a $.field"
	case n > 0:
		return true, ""
	case n == 0:
		return false, "metric value " + v + " publishes 0 for every match, so an alarm on > 0 never fires (use 1)"
	}
	return false, "metric value " + v + " is negative, so an alarm on > 0 never fires (use 1)"
}
