// Package asff writes findings in the AWS Security Finding Format, the
// format Security Hub's BatchImportFindings takes: one finding per control
// per account, with a stable Id so a rerun updates the finding rather than
// adding another.
//
// Field names, limits and enum values follow the Security Hub API reference
// (AwsSecurityFinding, Compliance, FindingProviderFields, Resource,
// Remediation) and the user guide ("BatchImportFindings for finding
// providers", "Severity", "Resources", the finding type taxonomy).
package asff

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/trailwatch/trailwatch/findings"
)

// SchemaVersion is the only ASFF schema version.
const SchemaVersion = "2018-10-08"

// FindingType is the type Security Hub gives CIS control findings (ASFF
// type taxonomy: namespace/category/classifier).
const FindingType = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"

// Limits from the API reference.
const (
	maxTitle        = 256
	maxDescription  = 1024
	maxAccountName  = 50
	maxResources    = 32
	maxRequirements = 32
	maxFieldValue   = 2048
	maxWarnings     = 10 // ProductFields holds at most 50 pairs in all
)

// Document is what Write emits: the body of a BatchImportFindings request,
// so `aws securityhub batch-import-findings --cli-input-json file://FILE`
// accepts it as it is (up to 100 findings).
type Document struct {
	Findings []Finding `json:"Findings"`
}

// Finding is an AwsSecurityFinding with the attributes trailwatch fills.
type Finding struct {
	SchemaVersion         string                `json:"SchemaVersion"`
	Id                    string                `json:"Id"`
	ProductArn            string                `json:"ProductArn"`
	ProductName           string                `json:"ProductName"`
	CompanyName           string                `json:"CompanyName"`
	GeneratorId           string                `json:"GeneratorId"`
	AwsAccountId          string                `json:"AwsAccountId"`
	AwsAccountName        string                `json:"AwsAccountName,omitempty"`
	CreatedAt             string                `json:"CreatedAt"`
	UpdatedAt             string                `json:"UpdatedAt"`
	Title                 string                `json:"Title"`
	Description           string                `json:"Description"`
	FindingProviderFields FindingProviderFields `json:"FindingProviderFields"`
	Compliance            Compliance            `json:"Compliance"`
	Remediation           Remediation           `json:"Remediation"`
	Resources             []Resource            `json:"Resources"`
	ProductFields         map[string]string     `json:"ProductFields"`
	RecordState           string                `json:"RecordState"`
}

// FindingProviderFields carries severity and types: BatchImportFindings
// callers set them here, not in the top-level Severity and Types.
type FindingProviderFields struct {
	Severity Severity `json:"Severity"`
	Types    []string `json:"Types"`
}

type Severity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

type Compliance struct {
	Status              string         `json:"Status"`
	RelatedRequirements []string       `json:"RelatedRequirements"`
	StatusReasons       []StatusReason `json:"StatusReasons,omitempty"`
}

type StatusReason struct {
	ReasonCode  string `json:"ReasonCode"`
	Description string `json:"Description"`
}

type Remediation struct {
	Recommendation Recommendation `json:"Recommendation"`
}

type Recommendation struct {
	Text string `json:"Text"`
}

type Resource struct {
	Type      string `json:"Type"`
	Id        string `json:"Id"`
	Partition string `json:"Partition"`
	Region    string `json:"Region"`
}

// ReasonUnknownRead is the StatusReasons code of a read that was denied or
// failed; gaps use their own codes.
const ReasonUnknownRead = "UNKNOWN_READ"

var complianceStatus = map[findings.Status]string{
	findings.Passed: "PASSED",
	findings.Failed: "FAILED",
	// WARNING: "some information is missing" (Compliance.Status in the API
	// reference), which is what an unknown read is.
	findings.Unknown: "WARNING",
}

// resourceTypes maps the model's types to ASFF's; a metric filter has no
// ASFF type, so it is Other.
var resourceTypes = map[findings.ResourceType]string{
	findings.Trail:        "AwsCloudTrailTrail",
	findings.LogGroup:     "AwsLogsLogGroup",
	findings.MetricFilter: "Other",
	findings.Alarm:        "AwsCloudWatchAlarm",
	findings.Topic:        "AwsSnsTopic",
}

// ProductARN is the default product ARN of a custom integration in the
// account and region: findings under it must be imported by that account.
func ProductARN(partition, region, account string) string {
	return "arn:" + partition + ":securityhub:" + region + ":" + account + ":product/" + account + "/default"
}

// Findings converts findings to ASFF, after checking them. Every finding
// needs an account ID: AwsAccountId is required.
func Findings(fs []findings.Finding) ([]Finding, error) {
	if err := findings.Validate(fs); err != nil {
		return nil, err
	}
	out := make([]Finding, len(fs))
	for i := range fs {
		f := &fs[i]
		if f.AccountID == "" {
			return nil, fmt.Errorf("finding %s has no account id (the audit could not identify the account, see its unknown sts:GetCallerIdentity read); ASFF requires AwsAccountId", f.ID())
		}
		out[i] = convert(f)
	}
	return out, nil
}

// Write writes findings as a BatchImportFindings request body. Nothing is
// written when a finding is invalid.
func Write(w io.Writer, fs []findings.Finding) error {
	out, err := Findings(fs)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(Document{Findings: out}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode ASFF: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func convert(f *findings.Finding) Finding {
	partition := f.PartitionOrDefault()
	ts := f.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	reqs := f.Control.Requirements()
	if len(reqs) > maxRequirements {
		reqs = reqs[:maxRequirements]
	}
	a := Finding{
		SchemaVersion: SchemaVersion,
		Id:            f.ID(),
		ProductArn:    ProductARN(partition, f.Region, f.AccountID),
		ProductName:   "trailwatch",
		CompanyName:   "trailwatch",
		GeneratorId:   "trailwatch/" + f.Control.ID,
		AwsAccountId:  f.AccountID,
		// trailwatch keeps no state between runs, so CreatedAt is this
		// audit's time too. Security Hub applies an update only when its
		// UpdatedAt is later than the stored finding's.
		CreatedAt:      ts,
		UpdatedAt:      ts,
		AwsAccountName: findings.Truncate(f.AccountName, maxAccountName),
		Title:          findings.Truncate(f.Control.Heading(), maxTitle),
		Description:    findings.Truncate(f.Description(), maxDescription),
		FindingProviderFields: FindingProviderFields{
			Severity: Severity{Label: string(f.SeverityNow()), Original: string(f.SeverityNow())},
			Types:    []string{FindingType},
		},
		Compliance: Compliance{
			Status:              complianceStatus[f.Status],
			RelatedRequirements: reqs,
		},
		Remediation:   Remediation{Recommendation: Recommendation{Text: f.Remediation()}},
		ProductFields: productFields(f),
		RecordState:   "ACTIVE",
	}
	for _, g := range f.Gaps {
		a.Compliance.StatusReasons = append(a.Compliance.StatusReasons, StatusReason{
			ReasonCode: g.Code, Description: findings.Truncate(g.Message, maxFieldValue),
		})
	}
	for _, u := range f.Unknown {
		a.Compliance.StatusReasons = append(a.Compliance.StatusReasons, StatusReason{
			ReasonCode: ReasonUnknownRead, Description: findings.Truncate(u.Text(), maxFieldValue),
		})
	}
	// The account is the subject of the control (Security Hub's own CIS
	// findings name it as AwsAccount "AWS::::Account:ID"); the chain's
	// resources follow.
	a.Resources = append(a.Resources, Resource{Type: "AwsAccount", Id: "AWS::::Account:" + f.AccountID, Partition: partition, Region: f.Region})
	for _, r := range f.Resources {
		if len(a.Resources) == maxResources {
			a.ProductFields["trailwatch/ResourcesOmitted"] = fmt.Sprint(len(f.Resources) + 1 - maxResources)
			break
		}
		region := r.Region
		if region == "" {
			region = f.Region
		}
		typ := resourceTypes[r.Type]
		if typ == "" {
			typ = "Other"
		}
		a.Resources = append(a.Resources, Resource{Type: typ, Id: r.ID, Partition: partition, Region: region})
	}
	return a
}

func productFields(f *findings.Finding) map[string]string {
	pf := map[string]string{
		"trailwatch/ControlId": f.Control.ID,
		"trailwatch/Status":    string(f.Status),
	}
	if f.ToolVersion != "" {
		pf["trailwatch/ToolVersion"] = f.ToolVersion
	}
	for _, cat := range findings.Catalogues {
		if n := f.Control.Number(cat); n != "" {
			pf["trailwatch/Control/"+string(cat)] = n
		}
	}
	if c := f.CoveredBy; c != nil {
		pf["trailwatch/CoveredBy/TrailArn"] = c.TrailARN
		pf["trailwatch/CoveredBy/Account"] = c.Account
		pf["trailwatch/CoveredBy/Region"] = c.Region
	}
	for i, w := range f.Warnings {
		if i == maxWarnings {
			pf["trailwatch/WarningsOmitted"] = fmt.Sprint(len(f.Warnings) - maxWarnings)
			break
		}
		pf[fmt.Sprintf("trailwatch/Warning/%d", i+1)] = findings.Truncate(w.Code+": "+w.Message, maxFieldValue)
	}
	return pf
}
