package verifycmd

// The one place that reads an *audit.Report for verify.

import (
	"fmt"
	"strings"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/verify"
)

// ControlID names the CloudTrail-changes control among verify's targets
// (what a --control flag will take).
const ControlID = "cloudtrail-changes"

// negativeEvents are CloudTrail calls the control's filter need not catch:
// their records test that AWS's engine and trailwatch's also agree on a
// "no match". They are reads of CloudTrail itself, the closest neighbours
// of the five events.
var negativeEvents = []string{"DescribeTrails", "GetTrailStatus", "LookupEvents"}

// Targets turns the audit's report into verify's targets: the chain closest
// to complete, as far as it exists, with the audit's verdict as the first
// check. examples supplies the sample records (nil: none, and the pattern
// check says it could not tell).
func Targets(r *audit.Report, examples func(eventName string) []string) ([]verify.Target, error) {
	t := verify.Target{
		Control: ControlID,
		Title:   "CloudTrail configuration changes [" + strings.Join(r.Controls, " | ") + "]",
		Prior:   []verify.Check{auditCheck(r)},
	}
	f := r.Facts
	if tr := f.Trail; tr != nil {
		t.Trail = &verify.Trail{Name: tr.Name, ARN: tr.ARN, HomeRegion: tr.HomeRegion}
	}
	if f.Filter != nil && f.LogGroup != nil {
		t.Filter = &verify.Filter{LogGroup: f.LogGroup.Name, Region: f.LogGroup.Region, Name: f.Filter.Name, Pattern: f.Filter.Pattern}
		samples, err := verify.Samples(examples, pattern.Events(), negativeEvents)
		if err != nil {
			return nil, fmt.Errorf("sample records: %w", err)
		}
		t.Samples = samples
	}
	// Only an alarm that fires on one event is worth firing: the reported
	// chain's, when its alarm link passes.
	if a := f.Alarm; a != nil && r.Link(audit.LinkAlarm).Status == audit.Passed {
		region := a.Region
		if region == "" && f.LogGroup != nil {
			region = f.LogGroup.Region // alarms are read in the log group's region
		}
		t.Alarm = &verify.Alarm{Name: a.Name, ARN: a.ARN, Region: region, ActionsEnabled: a.ActionsEnabled,
			Topics: chain.SNSTopics(a.AlarmActions)}
	}
	return []verify.Target{t}, nil
}

// auditCheck is the audit's verdict on the whole chain as a check: the
// gaps it found are broken links, its unknown reads are things it could not
// tell.
func auditCheck(r *audit.Report) verify.Check {
	c := verify.Check{Name: verify.CheckAudit}
	switch {
	case r.Compliant != nil && *r.Compliant:
		c.Status, c.Detail = verify.OK, "the chain is complete (trail, logging, management events, log group, metric filter, alarm, topic, confirmed subscription)"
	case r.Compliant != nil:
		c.Status = verify.Broken
		var gaps []string
		for _, g := range r.Gaps {
			gaps = append(gaps, fmt.Sprintf("%s (%s)", g.Code, g.Message))
		}
		c.Detail = "gaps: " + strings.Join(gaps, "; ") + "; trailwatch plan shows how to close them"
	default:
		c.Status = verify.Unknown
		var reads []string
		for _, u := range r.Unknown {
			reads = append(reads, fmt.Sprintf("%s (%s)", u.Action, u.Message))
		}
		if len(r.Unknown) > 0 {
			c.Action = r.Unknown[0].Action
		}
		c.Detail = "could not tell: the audit could not read " + strings.Join(reads, "; ")
	}
	if cov := r.CoveredBy; cov != nil {
		// The filter, alarm and topic live there: so do the checks and the
		// firing that prove them.
		c.Detail += fmt.Sprintf("; the account is covered by trail %s, whose chain lives in account %s: run trailwatch verify there", cov.TrailARN, cov.Account)
	}
	return c
}
