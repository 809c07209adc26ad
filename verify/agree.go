package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

// maxTestMessages is how many log messages TestMetricFilter takes in one
// call (CloudWatch Logs API reference, TestMetricFilter: logEventMessages,
// 1 to 50 items).
const maxTestMessages = 50

// awsMatches asks TestMetricFilter which of messages the pattern matches.
// TestMetricFilter reads no log group and writes nothing. The messages are
// sent in calls of at most 50; each match names its message by eventNumber,
// counted from 1 in the order sent (the AWS CLI reference's
// test-metric-filter example), and carries the message itself, which is
// checked against it.
func awsMatches(ctx context.Context, logs LogsAPI, filterPattern string, messages []string) (map[string]bool, error) {
	got := make(map[string]bool, len(messages))
	for start := 0; start < len(messages); start += maxTestMessages {
		batch := messages[start:min(start+maxTestMessages, len(messages))]
		out, err := logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{
			FilterPattern:    aws.String(filterPattern),
			LogEventMessages: batch,
		})
		if err != nil {
			return nil, err
		}
		for _, m := range out.Matches {
			msg, ok := placeMatch(batch, m.EventNumber, aws.ToString(m.EventMessage))
			if !ok {
				return nil, fmt.Errorf("TestMetricFilter answered with a match trailwatch cannot place among the messages it sent (eventNumber %d)", m.EventNumber)
			}
			got[msg] = true
		}
	}
	return got, nil
}

// placeMatch finds the message a match record is about: by its 1-based
// eventNumber when the message there is the one echoed (or none is echoed),
// else by the echoed text.
func placeMatch(batch []string, number int64, echoed string) (string, bool) {
	if i := int(number) - 1; i >= 0 && i < len(batch) && (echoed == "" || echoed == batch[i]) {
		return batch[i], true
	}
	for _, m := range batch {
		if m == echoed {
			return m, true
		}
	}
	return "", false
}

// uniqueMessages returns the samples' messages without repeats, in order.
func uniqueMessages(samples []Sample) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range samples {
		if !seen[s.Message] {
			seen[s.Message] = true
			out = append(out, s.Message)
		}
	}
	return out
}

// judgeAgreement compares, for each sample, AWS's answer, trailwatch's
// (pattern.Match) and what the control needs. A disagreement between the
// two engines is Broken and reported with both answers: the audit's proof
// that the filter covers the events rests on trailwatch's engine, so either
// it is wrong or AWS changed. Both engines agreeing that a record the filter
// must catch does not match is Broken too (the filter misses the event).
// Both matching a record it need not catch is only noted: a broad filter
// sends extra alerts, not none.
func judgeAgreement(f *Filter, samples []Sample, awsSays map[string]bool, awsErr error) Check {
	c := Check{Name: CheckPattern, Resource: f.Name}
	p, perr := pattern.Parse(f.Pattern)
	for _, s := range samples {
		r := SampleResult{Event: s.Event, MustMatch: s.MustMatch, Message: s.Message}
		if perr == nil {
			r.Trailwatch = pattern.Match(p, s.Message)
		}
		if awsErr == nil {
			v := awsSays[s.Message]
			r.AWS = &v
		}
		c.Samples = append(c.Samples, r)
	}
	if awsErr != nil {
		c.Status = Unknown
		c.Action, c.Detail = failure("logs", "TestMetricFilter", awsErr)
		c.Detail += "; AWS's pattern engine was not consulted"
		return c
	}
	if perr != nil {
		// CloudWatch Logs accepted this pattern when the filter was made,
		// so trailwatch failing to parse it is itself a disagreement.
		c.Status = Broken
		c.Detail = fmt.Sprintf("DISAGREEMENT: AWS accepts the filter's pattern but trailwatch cannot parse it (%v); trailwatch's verdict on this filter cannot be trusted", perr)
		return c
	}
	var disagree, missed, extra []string
	for _, r := range c.Samples {
		switch {
		case r.Disagrees():
			disagree = append(disagree, fmt.Sprintf("%s (AWS: %s, trailwatch: %s)", r.Event, matchWord(*r.AWS), matchWord(r.Trailwatch)))
		case r.MustMatch && !*r.AWS:
			missed = append(missed, r.Event)
		case !r.MustMatch && *r.AWS:
			extra = append(extra, r.Event)
		}
	}
	matched := 0
	for _, r := range c.Samples {
		if r.AWS != nil && *r.AWS == r.MustMatch {
			matched++
		}
	}
	switch {
	case len(disagree) > 0:
		c.Status = Broken
		c.Detail = fmt.Sprintf("DISAGREEMENT: AWS's pattern engine and trailwatch's answer differently on %d of %d records: %s. Either trailwatch's engine is wrong or AWS changed; the audit's verdict on this filter cannot be trusted",
			len(disagree), len(c.Samples), strings.Join(dedupe(disagree), "; "))
	case len(missed) > 0:
		c.Status = Broken
		c.Detail = fmt.Sprintf("both engines agree the filter does not catch %s", strings.Join(dedupe(missed), ", "))
	default:
		c.Status = OK
		c.Detail = fmt.Sprintf("AWS's engine and trailwatch's agree on all %d records (%d as the control needs)", len(c.Samples), matched)
	}
	if len(extra) > 0 {
		c.Detail += fmt.Sprintf("; the filter also matches %s, which it need not catch", strings.Join(dedupe(extra), ", "))
	}
	return c
}

func matchWord(b bool) string {
	if b {
		return "match"
	}
	return "no match"
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
