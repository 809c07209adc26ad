package verify

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trailwatch/trailwatch/internal/awserr"
)

// Status is a check's outcome.
type Status string

const (
	OK      Status = "ok"      // the link works, as far as this check can see
	Broken  Status = "broken"  // the link is broken: nobody would be notified
	Unknown Status = "unknown" // could not tell (a call denied or failed, a wait ran out)
	Skipped Status = "skipped" // not run (its input is missing, or it was not asked for)
)

// CheckName names a check.
type CheckName string

const (
	CheckAudit    CheckName = "audit"    // the audit's verdict on the chain (a Prior check)
	CheckDelivery CheckName = "delivery" // the trail delivers to CloudWatch Logs now
	CheckPattern  CheckName = "pattern"  // AWS's pattern engine agrees with trailwatch's
	CheckAlarm    CheckName = "alarm"    // the alarm exists, its actions are enabled, it is not in ALARM
	CheckHistory  CheckName = "history"  // the alarm's history shows no failed action
	CheckSNS      CheckName = "sns"      // the topic's NumberOfNotificationsFailed in the last day
)

// Check is one check's result.
type Check struct {
	Name     CheckName `json:"name"`
	Status   Status    `json:"status"`
	Resource string    `json:"resource,omitempty"`
	Detail   string    `json:"detail"`
	// Action is the IAM action of the call that was denied or failed, when
	// Status is unknown because of it.
	Action string `json:"action,omitempty"`

	Samples  []SampleResult `json:"samples,omitempty"`  // pattern
	Actions  []ActionResult `json:"actions,omitempty"`  // history: the latest action per topic
	Delivery *TopicDelivery `json:"delivery,omitempty"` // sns
}

// SampleResult is one sample as each engine judged it.
type SampleResult struct {
	Event     string `json:"event"`
	MustMatch bool   `json:"must_match"`
	// AWS is TestMetricFilter's answer; nil when AWS could not be asked.
	AWS        *bool  `json:"aws"`
	Trailwatch bool   `json:"trailwatch"`
	Message    string `json:"message"`
}

// Disagrees reports whether AWS answered and its answer differs from
// trailwatch's.
func (s SampleResult) Disagrees() bool { return s.AWS != nil && *s.AWS != s.Trailwatch }

// ActionResult is an alarm action as the alarm's history shows it.
type ActionResult struct {
	Topic     string    `json:"topic"`
	Succeeded bool      `json:"succeeded"`
	Time      time.Time `json:"time"`
	Summary   string    `json:"summary"`
}

// TopicDelivery is what SNS counted for a topic over a window.
type TopicDelivery struct {
	Topic     string    `json:"topic"`
	Since     time.Time `json:"since"`
	Failed    float64   `json:"failed"`
	Delivered float64   `json:"delivered"`
	// Failures are the hours with failures (start of the hour, count).
	Failures []Datapoint `json:"failures,omitempty"`
}

// Datapoint is one period of a metric.
type Datapoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// Step is one step of firing an alarm.
type Step struct {
	Name     StepName      `json:"name"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Action   string        `json:"action,omitempty"`
	Duration time.Duration `json:"-"`
}

// MarshalJSON writes Duration as whole milliseconds, "duration_ms".
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		plain
		DurationMS int64 `json:"duration_ms"`
	}{plain(s), s.Duration.Milliseconds()})
}

// StepName names a step of Fire.
type StepName string

const (
	StepCheck StepName = "check" // read the alarm again just before writing
	StepAlarm StepName = "alarm" // SetAlarmState ALARM
	StepWait  StepName = "wait"  // the history shows the action executed or failed
	StepReset StepName = "reset" // SetAlarmState OK
)

// FireResult is what firing an alarm did.
type FireResult struct {
	Alarm  string `json:"alarm"`
	Region string `json:"region"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Steps  []Step `json:"steps"`
	// Actions are the alarm's actions the history showed for this test.
	Actions []ActionResult `json:"actions,omitempty"`
	// ResetCommand is the command to run by hand when the reset to OK
	// failed (the alarm may still be in ALARM).
	ResetCommand string `json:"reset_command,omitempty"`
	// Interrupted is true when the context ended during the test.
	Interrupted bool `json:"interrupted,omitempty"`
}

// TargetReport is one target's results.
type TargetReport struct {
	Control string      `json:"control"`
	Title   string      `json:"title"`
	Alarm   string      `json:"alarm,omitempty"`
	Checks  []Check     `json:"checks"`
	Fire    *FireResult `json:"fire"`
}

// Report is verify's result.
type Report struct {
	Account string         `json:"account"`
	Region  string         `json:"region"`
	Caller  string         `json:"caller"`
	Targets []TargetReport `json:"targets"`
}

// Verdict is Broken when any check or firing found a broken link, otherwise
// Unknown when any could not tell, otherwise OK. Skipped checks do not
// count: without --fire the verdict is about the checks that ran.
func (r *Report) Verdict() Status {
	v := OK
	note := func(s Status) {
		switch {
		case s == Broken:
			v = Broken
		case s == Unknown && v == OK:
			v = Unknown
		}
	}
	for _, t := range r.Targets {
		for _, c := range t.Checks {
			note(c.Status)
		}
		if t.Fire != nil {
			note(t.Fire.Status)
		}
	}
	return v
}

// failure is a call that was denied or failed, as a check reports it.
func failure(service, op string, err error) (action, detail string) {
	action = awserr.Action(service, op)
	switch {
	case awserr.IsDenied(err):
		return action, fmt.Sprintf("could not tell: %s was denied (%s)", action, awserr.Message(err))
	case awserr.IsThrottle(err):
		return action, fmt.Sprintf("could not tell: %s was throttled after retries (%s)", action, awserr.Message(err))
	}
	if status := awserr.HTTPStatus(err); status >= 500 {
		return action, fmt.Sprintf("could not tell: %s failed with HTTP %d (%s)", action, status, awserr.Message(err))
	}
	return action, fmt.Sprintf("could not tell: %s failed: %s", action, awserr.Message(err))
}
