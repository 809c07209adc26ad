package findings

// This file is the only place that knows audit.Report. Today's report is one
// account and one control (CIS 4.5); when the report grows more controls
// and accounts, only this conversion changes.

import (
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/catalog"
	"github.com/trailwatch/trailwatch/chain"
)

// CloudTrailChanges is the control today's audit checks: a metric filter and
// an alarm for CloudTrail configuration changes. Security Hub rates
// CloudWatch.5 Low (Security Hub user guide, CloudWatch controls).
var CloudTrailChanges = controlOf("4.5")

// controlOf is the finding's control for a report's CIS number (4.5 when
// the report names none), from the catalog. Security Hub rates
// CloudWatch.1–14 Low.
func controlOf(id string) Control {
	if id == "" {
		id = "4.5"
	}
	c, err := catalog.Lookup(id)
	if err != nil {
		// The audit reports only catalogued controls; should another come,
		// it is named as it came rather than as a control it is not.
		return Control{ID: "cis-" + id, Title: "CIS " + id, CISv14: id, Severity: Low}
	}
	title := "Ensure a log metric filter and alarm exist for " + c.Title
	if !c.HasPattern() {
		title = "Ensure AWS Security Hub is enabled" // 4.16, the one without a chain
	}
	return Control{ID: "cis-" + c.CIS, Title: title,
		CISv12: c.CISv12, CISv14: c.CIS, CISv6: c.CISv6, SecurityHub: c.SecurityHub, Severity: Low}
}

// FromReport converts one audit report into its findings: one, for the
// control the report covers. at is when the audit ran; version is
// trailwatch's.
func FromReport(r *audit.Report, at time.Time, version string) []Finding {
	f := Finding{
		AccountID:   r.Account,
		Region:      r.Region,
		Control:     controlOf(r.Control),
		Time:        at.UTC(),
		ToolVersion: version,
	}
	switch {
	case r.Compliant == nil:
		f.Status = Unknown
	case *r.Compliant:
		f.Status = Passed
	default:
		f.Status = Failed
	}
	for _, g := range r.Gaps {
		f.Gaps = append(f.Gaps, Gap{Code: string(g.Code), Message: g.Message, Resource: g.Resource})
	}
	for _, u := range r.Unknown {
		f.Unknown = append(f.Unknown, UnknownRead{
			Link: string(u.Link), API: u.API, Action: u.Action,
			Resource: u.Resource, Account: u.Account, Message: u.Message,
		})
	}
	for _, w := range r.Warnings {
		f.Warnings = append(f.Warnings, Warning{Code: w.Code, Message: w.Message, Resource: w.Resource})
	}
	f.Resources = resources(&r.Facts)
	f.Partition = partition(&r.Facts, r.Region)
	if c := r.CoveredBy; c != nil {
		f.CoveredBy = &Coverage{TrailARN: c.TrailARN, Account: c.Account, Region: c.Region}
	}
	return []Finding{f}
}

// resources lists the chain's resources as read, in chain order.
func resources(facts *audit.Facts) []Resource {
	var out []Resource
	if t := facts.Trail; t != nil && t.ARN != "" {
		out = append(out, Resource{Type: Trail, ID: t.ARN, Name: t.Name, Region: t.HomeRegion, Account: t.Owner})
	}
	lg := facts.LogGroup
	if lg != nil && !lg.Missing && lg.ARN != "" {
		out = append(out, Resource{Type: LogGroup, ID: strings.TrimSuffix(lg.ARN, ":*"), Name: lg.Name, Region: lg.Region, Account: lg.Account})
	}
	if fl := facts.Filter; fl != nil && lg != nil && lg.ARN != "" {
		// A metric filter has no ARN; its name is unique within its log
		// group, so the group's ARN and the name identify it.
		out = append(out, Resource{
			Type: MetricFilter, ID: strings.TrimSuffix(lg.ARN, ":*") + ":metric-filter:" + fl.Name,
			Name: fl.Name, Region: lg.Region, Account: lg.Account,
		})
	}
	// The reported chain's alarm and topic, not every one that bears on
	// the control.
	if a := facts.Alarm; a != nil && a.ARN != "" {
		out = append(out, fromARN(Alarm, a.ARN, a.Name))
	}
	if t := facts.Topic; t != nil && t.ARN != "" {
		out = append(out, fromARN(Topic, t.ARN, ""))
	}
	return out
}

func fromARN(typ ResourceType, arn, name string) Resource {
	r := Resource{Type: typ, ID: arn, Name: name}
	if a, err := chain.ParseARN(arn); err == nil {
		r.Region, r.Account = a.Region, a.Account
		if r.Name == "" {
			r.Name = a.Resource
		}
	}
	return r
}

// partition comes from the chain's ARNs, else from the region's name.
func partition(facts *audit.Facts, region string) string {
	var arns []string
	if facts.Trail != nil {
		arns = append(arns, facts.Trail.ARN)
	}
	if facts.LogGroup != nil {
		arns = append(arns, facts.LogGroup.ARN)
	}
	for _, s := range arns {
		if a, err := chain.ParseARN(s); err == nil && a.Partition != "" {
			return a.Partition
		}
	}
	return chain.RegionPartition(region)
}
