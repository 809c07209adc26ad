package orgcmd

import (
	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/remediate"
)

// Verdict is one account's outcome.
type Verdict string

const (
	Compliant Verdict = "compliant"
	Gaps      Verdict = "gaps"
	Unknown   Verdict = "unknown" // a read was denied or failed, or the role could not be assumed
	Failed    Verdict = "failed"  // the work stopped (a failed write, an interruption)
)

// AccountResult is one account's outcome in an --org run.
type AccountResult struct {
	Account org.Account
	Verdict Verdict
	// CoveredBy is set when the account is judged through another
	// account's organization trail.
	CoveredBy *CoveredBy
	// Report is the account's audit: the one after applying, for fix.
	Report *audit.Report
	// Error says why the work failed (Verdict Failed) or could not be
	// planned.
	Error string
	// Plan is the account's plan (plan, fix); nil when none could be made.
	Plan *plan.Plan
	// Applied is what fix did in the account; nil when nothing was applied.
	Applied *remediate.Result
}

// fromReport fills the verdict and covered_by from r.
func fromReport(a org.Account, r *audit.Report) AccountResult {
	return AccountResult{Account: a, Verdict: verdictOf(r), CoveredBy: coveredBy(r), Report: r}
}

// failed is an account whose work stopped with err.
func failed(a org.Account, region string, err error) AccountResult {
	r := &audit.Report{Account: a.ID, Region: region}
	return AccountResult{Account: a, Verdict: Failed, Report: r, Error: err.Error()}
}

// bad reports whether the account counts against the run (exit 1).
func (r AccountResult) bad() bool { return r.Verdict == Unknown || r.Verdict == Failed }

// Summary counts the accounts by verdict.
type Summary struct {
	Caller    string `json:"caller_account"`
	Region    string `json:"region"`
	Accounts  int    `json:"accounts"`
	Compliant int    `json:"compliant"`
	Gaps      int    `json:"gaps"`
	Unknown   int    `json:"unknown"`
	Failed    int    `json:"failed"`
	// WithChanges counts the accounts whose plan has steps (plan, and fix
	// before applying).
	WithChanges *int `json:"with_changes,omitempty"`
	// Changed counts the accounts fix wrote to.
	Changed *int `json:"changed,omitempty"`
}

func summarize(caller, region string, rs []AccountResult) Summary {
	s := Summary{Caller: caller, Region: region, Accounts: len(rs)}
	for _, r := range rs {
		switch r.Verdict {
		case Compliant:
			s.Compliant++
		case Gaps:
			s.Gaps++
		case Unknown:
			s.Unknown++
		case Failed:
			s.Failed++
		}
	}
	return s
}

// compliant is the organization's verdict: false when an account has gaps
// (whatever the others), otherwise unknown (nil) when an account could not
// be judged, otherwise true.
func compliant(rs []AccountResult) *bool {
	f, t := false, true
	unknown := false
	for _, r := range rs {
		if r.Verdict == Gaps {
			return &f
		}
		unknown = unknown || r.bad()
	}
	if unknown {
		return nil
	}
	return &t
}

// status is the exit status: 1 when an account is unknown or failed, else
// 2 when one has gaps (or, with pending, steps still to apply), else 0.
func status(rs []AccountResult, pending bool) error {
	gaps := pending
	for _, r := range rs {
		if r.bad() {
			return exitcode.Silent(exitcode.Error)
		}
		gaps = gaps || r.Verdict == Gaps
	}
	if gaps {
		return exitcode.Silent(exitcode.Changes)
	}
	return nil
}
