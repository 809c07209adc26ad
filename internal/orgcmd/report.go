package orgcmd

// This file is the one place that reads an *audit.Report for --org: the
// verdict, the gap codes, and covered_by. When the audit core reports the
// member view itself (covered_by, the chain read in the owner account),
// coveredBy is the one function to re-point.

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/org"
)

// CoveredBy names the organization trail, owned by another account, whose
// chain an account is judged through.
type CoveredBy struct {
	TrailARN string `json:"trail_arn"`
	Account  string `json:"owner_account"`
	Region   string `json:"region"` // the trail's home region
}

// coveredBy is the organization trail of another account that the report's
// chain runs through, or nil when the account has its own chain (or none).
// Until the audit reports it, it comes from the reported trail: an
// organization trail whose owner is not the audited account.
func coveredBy(r *audit.Report) *CoveredBy {
	t := r.Facts.Trail
	if t == nil || !t.Organization || t.Owner == "" || t.Owner == r.Account {
		return nil
	}
	return &CoveredBy{TrailARN: t.ARN, Account: t.Owner, Region: t.HomeRegion}
}

// trailName is the reported chain's trail, for the text table.
func trailName(r *audit.Report) string {
	if r.Facts.Trail == nil {
		return ""
	}
	return r.Facts.Trail.Name
}

// verdictOf is the report's verdict.
func verdictOf(r *audit.Report) Verdict {
	switch {
	case r.Compliant == nil:
		return Unknown
	case *r.Compliant:
		return Compliant
	}
	return Gaps
}

// gapCodes lists the report's gap codes in chain order.
func gapCodes(r *audit.Report) []string {
	var out []string
	for _, g := range r.Gaps {
		if c := string(g.Code); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// unknownActions lists the IAM actions of the report's unknown reads.
func unknownActions(r *audit.Report) []string {
	var out []string
	for _, u := range r.Unknown {
		a := u.Action
		if a == "" {
			a = u.API
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// unreachable is the report of an account whose role could not be assumed:
// nothing in it could be read, so its verdict is unknown, and the one
// unknown read is sts:AssumeRole on the role, with AWS's reason.
func unreachable(a org.Account, region, roleARN string, err error) *audit.Report {
	return &audit.Report{
		Account:  a.ID,
		Region:   region,
		Controls: slices.Clone(chain.CloudTrailChanges().Names),
		Unknown: []audit.UnknownRead{{
			Link: audit.LinkAccount, API: "AssumeRole", Action: "sts:AssumeRole",
			Resource: roleARN, Account: a.ID, Message: reason(err),
		}},
	}
}

// reason is AWS's answer ("AccessDenied: User ... is not authorized ..."),
// without the layers of wrapping the SDK adds, or the error as it is when
// AWS did not answer.
func reason(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	return err.Error()
}

// normalized is a copy of r as `audit --output json` prints it: the lists
// are arrays, never null.
func normalized(r *audit.Report) audit.Report {
	out := *r
	if out.Chain == nil {
		out.Chain = []audit.Link{}
	}
	if out.Gaps == nil {
		out.Gaps = []audit.Gap{}
	}
	if out.Warnings == nil {
		out.Warnings = []audit.Warning{}
	}
	if out.Unknown == nil {
		out.Unknown = []audit.UnknownRead{}
	}
	if out.Controls == nil {
		out.Controls = []string{}
	}
	return out
}
