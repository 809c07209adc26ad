// Package findings is the neutral model of an audit's results as security
// teams consume them: one Finding per control per account. The writers in
// its subpackages turn findings into OCSF (ocsf), ASFF (asff), JUnit XML
// (junit) and CSV (csv); securityhub imports the ASFF findings into AWS
// Security Hub.
//
// The model knows nothing of how an audit is run or reported; fromaudit.go
// is the one place that converts today's audit report into it.
package findings

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/chain"
)

// Status is a control's verdict in one account.
type Status string

const (
	Passed Status = "passed"
	Failed Status = "failed"
	// Unknown: a read the verdict needs was denied or failed, so the control
	// is neither passed nor failed.
	Unknown Status = "unknown"
)

// Severity is how bad a failed control is, in Security Hub's labels.
type Severity string

const (
	Informational Severity = "INFORMATIONAL"
	Low           Severity = "LOW"
	Medium        Severity = "MEDIUM"
	High          Severity = "HIGH"
	Critical      Severity = "CRITICAL"
)

// Finding is the result of one control in one account.
type Finding struct {
	AccountID   string // 12 digits; "" when the account could not be identified
	AccountName string // optional, e.g. from Organizations
	Region      string // the region the audit ran from
	Partition   string // aws, aws-cn, aws-us-gov, ...; "" means aws
	Control     Control
	Status      Status
	Gaps        []Gap
	Unknown     []UnknownRead
	Warnings    []Warning
	// Resources of the reported chain (the chain closest to complete), in
	// chain order.
	Resources []Resource
	// CoveredBy is set when the chain rests on an organization trail that
	// another account owns.
	CoveredBy *Coverage
	Time      time.Time // when the audit ran
	// ToolVersion is trailwatch's version.
	ToolVersion string
}

// Gap is something missing that trailwatch fix can create.
type Gap struct {
	Code     string
	Message  string
	Resource string // optional
}

// UnknownRead is a read that was denied or failed after retries.
type UnknownRead struct {
	Link     string // the chain link it belongs to, or "account"
	API      string // the call, e.g. GetTrailStatus
	Action   string // the IAM action to grant, e.g. cloudtrail:GetTrailStatus
	Resource string // optional
	Account  string // the owner, when another account must be read; optional
	Message  string
}

// Warning is informational: it never changes the verdict.
type Warning struct {
	Code     string
	Message  string
	Resource string // optional
}

// ResourceType names a resource kind with its CloudFormation type name, the
// names Security Hub's control pages use.
type ResourceType string

const (
	Trail        ResourceType = "AWS::CloudTrail::Trail"
	LogGroup     ResourceType = "AWS::Logs::LogGroup"
	MetricFilter ResourceType = "AWS::Logs::MetricFilter"
	Alarm        ResourceType = "AWS::CloudWatch::Alarm"
	Topic        ResourceType = "AWS::SNS::Topic"
)

// Resource is one resource of the reported chain.
type Resource struct {
	Type ResourceType
	// ID is the ARN, or for a resource that has none (a metric filter) an
	// identifier unique in the partition.
	ID      string
	Name    string // optional, human-readable
	Region  string
	Account string // the owner
}

// Coverage names the organization trail a member account's chain rests on.
type Coverage struct {
	TrailARN string
	Account  string // the trail's owner (the management or delegated admin account)
	Region   string // the trail's home region
}

// ID is the finding's stable identifier: the same control in the same
// account always gets the same ID, so a rerun updates the finding in a
// findings store (Security Hub's BatchImportFindings matches on it) instead
// of adding a second one.
func (f *Finding) ID() string {
	account := f.AccountID
	if account == "" {
		account = "unknown-account"
	}
	return "trailwatch/" + account + "/" + f.Control.ID
}

// PartitionOrDefault returns the partition, "aws" when unset.
func (f *Finding) PartitionOrDefault() string {
	if f.Partition == "" {
		return "aws"
	}
	return f.Partition
}

// SeverityNow is the severity of this result: the control's severity when
// it failed, informational otherwise. Security Hub's guidance files passed
// and warning (unknown) checks as informational ("Severity" in the ASFF
// reference).
func (f *Finding) SeverityNow() Severity {
	if f.Status == Failed {
		return f.Control.Severity
	}
	return Informational
}

var (
	accountRE   = regexp.MustCompile(`^[0-9]{12}$`)
	controlIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
)

// Validate checks a set of findings before any of them is written, so a
// writer never emits half a document: each finding is complete, and no two
// share an ID.
func Validate(fs []Finding) error {
	seen := map[string]int{}
	for i := range fs {
		f := &fs[i]
		if err := f.validate(); err != nil {
			return fmt.Errorf("finding %d (%s): %w", i+1, f.ID(), err)
		}
		if j, ok := seen[f.ID()]; ok {
			return fmt.Errorf("findings %d and %d are both %s: one finding per control per account", j+1, i+1, f.ID())
		}
		seen[f.ID()] = i
	}
	return nil
}

func (f *Finding) validate() error {
	var problems []string
	if f.AccountID != "" && !accountRE.MatchString(f.AccountID) {
		problems = append(problems, fmt.Sprintf("account id %q is not 12 digits", f.AccountID))
	}
	if f.Region == "" {
		problems = append(problems, "no region")
	}
	if !chain.KnownPartition(f.PartitionOrDefault()) {
		problems = append(problems, fmt.Sprintf("unknown partition %q", f.Partition))
	}
	if err := f.Control.validate(); err != nil {
		problems = append(problems, err.Error())
	}
	switch f.Status {
	case Passed:
		if len(f.Gaps) > 0 {
			problems = append(problems, "passed with gaps")
		}
	case Failed:
		if len(f.Gaps) == 0 {
			problems = append(problems, "failed without a gap")
		}
	case Unknown:
		if len(f.Unknown) == 0 {
			problems = append(problems, "unknown without an unknown read")
		}
	default:
		problems = append(problems, fmt.Sprintf("status %q is not passed, failed or unknown", f.Status))
	}
	for _, g := range f.Gaps {
		if g.Code == "" || g.Message == "" {
			problems = append(problems, "a gap without a code or message")
		}
	}
	for _, u := range f.Unknown {
		if u.Action == "" || u.Message == "" {
			problems = append(problems, "an unknown read without an IAM action or message")
		}
	}
	for _, r := range f.Resources {
		if r.Type == "" || r.ID == "" {
			problems = append(problems, "a resource without a type or id")
		}
	}
	if f.Time.IsZero() {
		problems = append(problems, "no audit time")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// Summary is a one-line statement of the result, for titles and messages.
func (f *Finding) Summary() string {
	switch f.Status {
	case Passed:
		return "passed"
	case Failed:
		codes := make([]string, len(f.Gaps))
		for i, g := range f.Gaps {
			codes[i] = g.Code
		}
		return "failed: " + strings.Join(codes, ", ")
	default:
		actions := make([]string, len(f.Unknown))
		for i, u := range f.Unknown {
			actions[i] = u.Action
		}
		return "unknown: could not read (" + strings.Join(actions, ", ") + ")"
	}
}

// Text says what one unknown read was, for formats that carry text.
func (u UnknownRead) Text() string {
	s := u.Action
	if u.Resource != "" {
		s += " on " + u.Resource
	}
	if u.Account != "" {
		s += " (account " + u.Account + ")"
	}
	return s + ": " + u.Message
}

// Remediation says what to do about the result, naming the trailwatch
// command that does it. It is plain text, at most 512 characters (Security
// Hub's limit for Remediation.Recommendation.Text).
func (f *Finding) Remediation() string {
	where := "--region " + f.Region
	var s string
	switch f.Status {
	case Passed:
		s = "Nothing to do: the chain is complete. If a link breaks, `trailwatch fix " + where + "` recreates what is missing."
	case Failed:
		codes := make([]string, len(f.Gaps))
		for i, g := range f.Gaps {
			codes[i] = g.Code
		}
		s = "Run `trailwatch fix " + where + "` with credentials for account " + f.accountText() +
			" to create what is missing (" + strings.Join(codes, ", ") + "); `trailwatch plan " + where + "` lists the steps first."
	default:
		seen := map[string]bool{}
		var actions []string
		for _, u := range f.Unknown {
			if !seen[u.Action] {
				seen[u.Action] = true
				actions = append(actions, u.Action)
			}
		}
		s = "Grant the auditing role " + strings.Join(actions, ", ") + " (`trailwatch iam-policy --for audit` prints the whole policy) and run `trailwatch audit " + where +
			"` again; then `trailwatch fix " + where + "` creates anything missing."
	}
	if f.CoveredBy != nil {
		s += " The chain rests on organization trail " + f.CoveredBy.TrailARN + " of account " + f.CoveredBy.Account + "."
	}
	return Truncate(s, 512)
}

func (f *Finding) accountText() string {
	if f.AccountID == "" {
		return "(unknown)"
	}
	return f.AccountID
}

// Truncate shortens s to at most n characters (runes), ending with "…" when
// it cut something; formats with length limits use it.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Description is the result in a few sentences: the control, the verdict,
// and each gap's and unknown read's message.
func (f *Finding) Description() string {
	parts := []string{sentence(f.Control.Title + ": " + f.Summary())}
	for _, g := range f.Gaps {
		parts = append(parts, sentence(g.Message))
	}
	for _, u := range f.Unknown {
		parts = append(parts, sentence("Could not read "+u.Text()))
	}
	return strings.Join(parts, " ")
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
