package orgcmd

// This file is the one place that reads an *audit.Report for --org: the
// verdict, the gap codes, and covered_by.

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/org"
)

// CoveredBy is the audit's covered_by: the trail, owned by or delivering
// to another account, whose chain an account is judged through.
type CoveredBy = audit.CoveredBy

// coveredBy is the report's covered_by (nil when the account has its own
// chain, or none).
func coveredBy(r *audit.Report) *CoveredBy { return r.CoveredBy }

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
