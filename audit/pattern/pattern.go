// Package pattern parses CloudWatch Logs filter patterns, matches them
// against log messages, and decides whether a pattern catches every
// CloudTrail record of the five trail-configuration calls (CIS 4.5).
package pattern

import "fmt"

// CIS is the filter pattern the CIS benchmark prints for the control.
const CIS = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`

// Events returns the five CloudTrail calls the control is about, in CIS order.
// A function rather than a var so callers cannot mutate shared state.
func Events() []string {
	return []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}
}

// SyntaxError says where (byte offset) and why a pattern would be rejected.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter pattern: at offset %d: %s", e.Pos, e.Msg)
}

// Pattern is a parsed filter pattern.
type Pattern struct {
	src string
}

// String prints a canonical form that Parse accepts.
func (p *Pattern) String() string { return p.src }

// Parse parses a filter pattern in any of the three languages.
func Parse(s string) (*Pattern, error) { return &Pattern{src: s}, nil }

// Match reports whether p matches the log message.
func Match(p *Pattern, message string) bool { return false }

// Miss is one of the five events the pattern does not always match.
type Miss struct {
	Event  string
	Reason string
}

// Coverage is the verdict of Covers.
type Coverage struct {
	Covers      bool
	Missed      []Miss
	TooBroad    bool
	BroadReason string
}

// Covers decides whether p matches every CloudTrail record of the five events.
func Covers(p *Pattern) Coverage { return Coverage{} }

// Literal reports whether p is the CIS text modulo whitespace, quoting and order.
func Literal(p *Pattern) bool { return false }

// MetricValueCanBePositive reports whether a metric filter's metricValue can
// publish a positive value, which an alarm on "> 0" / ">= 1" needs.
func MetricValueCanBePositive(metricValue string) (ok bool, reason string) { return true, "" }
