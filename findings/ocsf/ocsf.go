// Package ocsf writes findings as OCSF 1.6 Compliance Finding events
// (class_uid 2003), the schema the new Security Hub and Security Lake store
// findings in: one event per control per account, as a JSON array.
//
// Attribute names, types and enum values follow the OCSF schema, version
// 1.6.0 (schema.ocsf.io; the ocsf/ocsf-schema repository, tag 1.6.0:
// events/findings/compliance_finding.json and the objects it uses).
package ocsf

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/trailwatch/trailwatch/findings"
)

// SchemaVersion is the OCSF version written in metadata.version.
const SchemaVersion = "1.6.0"

// Classification of every event: the Findings category (2), the Compliance
// Finding class (3 in that category, so class_uid 2003), activity Create (1);
// type_uid is class_uid * 100 + activity_id.
const (
	categoryUID  = 2
	categoryName = "Findings"
	classUID     = 2003
	className    = "Compliance Finding"
	activityID   = 1
	activityName = "Create"
)

// findingType is the finding type Security Hub gives CIS control findings,
// from the ASFF type taxonomy.
const findingType = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"

// Event is one Compliance Finding. Only the attributes trailwatch fills
// are declared.
type Event struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int64  `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	// The finding's status_id/status are left out on purpose: OCSF says the
	// consumer sets them (New, In Progress, Resolved...), not the producer.
	Time        int64        `json:"time"` // milliseconds since the epoch
	Message     string       `json:"message"`
	Metadata    Metadata     `json:"metadata"`
	Cloud       Cloud        `json:"cloud"`
	FindingInfo FindingInfo  `json:"finding_info"`
	Compliance  Compliance   `json:"compliance"`
	Resources   []Resource   `json:"resources"`
	Remediation *Remediation `json:"remediation,omitempty"`
	Unmapped    *Unmapped    `json:"unmapped,omitempty"`
}

type Metadata struct {
	Version  string   `json:"version"`
	Product  Product  `json:"product"`
	Profiles []string `json:"profiles"`
}

type Product struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type Cloud struct {
	Provider       string   `json:"provider"`
	Region         string   `json:"region"`
	CloudPartition string   `json:"cloud_partition"`
	Account        *Account `json:"account,omitempty"`
}

type Account struct {
	UID    string `json:"uid"`
	Name   string `json:"name,omitempty"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type FindingInfo struct {
	UID         string   `json:"uid"`
	Title       string   `json:"title"`
	Desc        string   `json:"desc"`
	Types       []string `json:"types"`
	CreatedTime int64    `json:"created_time"`
}

type Compliance struct {
	Control       string       `json:"control"`
	Standards     []string     `json:"standards"`
	Requirements  []string     `json:"requirements"`
	StatusID      int          `json:"status_id"`
	Status        string       `json:"status"`
	StatusDetails []string     `json:"status_details,omitempty"`
	Checks        []Check      `json:"checks"`
	Assessments   []Assessment `json:"assessments,omitempty"`
}

// Check is the control as one catalogue numbers it.
type Check struct {
	UID       string   `json:"uid"`
	Name      string   `json:"name"`
	Standards []string `json:"standards"`
	StatusID  int      `json:"status_id"`
	Status    string   `json:"status"`
}

// Assessment is one gap: a condition the account does not meet.
type Assessment struct {
	UID           string `json:"uid"`
	Name          string `json:"name"`
	Desc          string `json:"desc"`
	MeetsCriteria bool   `json:"meets_criteria"`
}

type Resource struct {
	UID            string `json:"uid"`
	Name           string `json:"name,omitempty"`
	Type           string `json:"type"`
	Region         string `json:"region,omitempty"`
	CloudPartition string `json:"cloud_partition"`
	RoleID         int    `json:"role_id"`
	Role           string `json:"role"`
	Owner          *Owner `json:"owner,omitempty"`
}

// Owner is an OCSF user object carrying only the owning account.
type Owner struct {
	Account Account `json:"account"`
}

type Remediation struct {
	Desc string `json:"desc"`
}

// Unmapped holds what OCSF has no attribute for: the reads that could not
// be made, the warnings, and the organization trail the chain rests on.
type Unmapped struct {
	Trailwatch Extra `json:"trailwatch"`
}

type Extra struct {
	ControlID    string        `json:"control_id"`
	Status       string        `json:"status"`
	ToolVersion  string        `json:"tool_version,omitempty"`
	UnknownReads []UnknownRead `json:"unknown_reads,omitempty"`
	Warnings     []Warning     `json:"warnings,omitempty"`
	CoveredBy    *CoveredBy    `json:"covered_by,omitempty"`
}

type UnknownRead struct {
	Link     string `json:"link,omitempty"`
	API      string `json:"api,omitempty"`
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	Account  string `json:"account,omitempty"`
	Message  string `json:"message"`
}

type Warning struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource,omitempty"`
}

type CoveredBy struct {
	TrailARN string `json:"trail_arn"`
	Account  string `json:"account"`
	Region   string `json:"region"`
}

// Enum values (OCSF 1.6 dictionary and objects).
var (
	severityIDs = map[findings.Severity]struct {
		id   int
		name string
	}{
		findings.Informational: {1, "Informational"},
		findings.Low:           {2, "Low"},
		findings.Medium:        {3, "Medium"},
		findings.High:          {4, "High"},
		findings.Critical:      {5, "Critical"},
	}
	// compliance.status_id and check.status_id: 1 Pass, 2 Warning ("did not
	// yield a result due to missing information"), 3 Fail.
	complianceIDs = map[findings.Status]struct {
		id   int
		name string
	}{
		findings.Passed:  {1, "Pass"},
		findings.Unknown: {2, "Warning"},
		findings.Failed:  {3, "Fail"},
	}
)

const (
	awsAccountTypeID = 10 // account.type_id "AWS Account"
	roleTarget       = 1  // resource_details.role_id "Target"
	roleRelated      = 4  // resource_details.role_id "Related"
)

// Events converts findings into OCSF events, after checking them.
func Events(fs []findings.Finding) ([]Event, error) {
	if err := findings.Validate(fs); err != nil {
		return nil, err
	}
	out := make([]Event, len(fs))
	for i := range fs {
		out[i] = event(&fs[i])
	}
	return out, nil
}

// Write writes findings as a JSON array of OCSF events. Nothing is written
// when a finding is invalid.
func Write(w io.Writer, fs []findings.Finding) error {
	events, err := Events(fs)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		return fmt.Errorf("encode OCSF: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func event(f *findings.Finding) Event {
	sev := severityIDs[f.SeverityNow()]
	st := complianceIDs[f.Status]
	ms := f.Time.UnixMilli()
	partition := f.PartitionOrDefault()
	var account *Account
	if f.AccountID != "" {
		account = &Account{UID: f.AccountID, Name: f.AccountName, TypeID: awsAccountTypeID, Type: "AWS Account"}
	}
	e := Event{
		ActivityID: activityID, ActivityName: activityName,
		CategoryUID: categoryUID, CategoryName: categoryName,
		ClassUID: classUID, ClassName: className,
		TypeUID: classUID*100 + activityID, TypeName: className + ": " + activityName,
		SeverityID: sev.id, Severity: sev.name,
		Time:    ms,
		Message: f.Control.Label() + " in account " + accountText(f) + ": " + f.Summary(),
		Metadata: Metadata{
			Version:  SchemaVersion,
			Product:  Product{Name: "trailwatch", VendorName: "trailwatch", Version: f.ToolVersion},
			Profiles: []string{"cloud"},
		},
		Cloud: Cloud{Provider: "AWS", Region: f.Region, CloudPartition: partition, Account: account},
		FindingInfo: FindingInfo{
			UID:         f.ID(),
			Title:       f.Control.Heading(),
			Desc:        f.Description(),
			Types:       []string{findingType},
			CreatedTime: ms,
		},
		Compliance: Compliance{
			Control:      f.Control.ID,
			Standards:    f.Control.Standards(),
			Requirements: f.Control.Requirements(),
			StatusID:     st.id,
			Status:       st.name,
		},
		Resources:   []Resource{},
		Remediation: &Remediation{Desc: f.Remediation()},
	}
	for _, cat := range findings.Catalogues {
		n := f.Control.Number(cat)
		if n == "" {
			continue
		}
		e.Compliance.Checks = append(e.Compliance.Checks, Check{
			UID: n, Name: f.Control.Title, Standards: cat.Standards(), StatusID: st.id, Status: st.name,
		})
	}
	for _, g := range f.Gaps {
		e.Compliance.Assessments = append(e.Compliance.Assessments, Assessment{UID: g.Code, Name: g.Code, Desc: g.Message, MeetsCriteria: false})
		e.Compliance.StatusDetails = append(e.Compliance.StatusDetails, g.Code+": "+g.Message)
	}
	for _, u := range f.Unknown {
		e.Compliance.StatusDetails = append(e.Compliance.StatusDetails, "unknown: "+u.Text())
	}
	if account != nil {
		e.Resources = append(e.Resources, Resource{
			UID: "AWS::::Account:" + f.AccountID, Name: f.AccountName, Type: "AWS::::Account", Region: f.Region,
			CloudPartition: partition, RoleID: roleTarget, Role: "Target", Owner: &Owner{Account: *account},
		})
	}
	for _, r := range f.Resources {
		res := Resource{
			UID: r.ID, Name: r.Name, Type: string(r.Type), Region: r.Region,
			CloudPartition: partition, RoleID: roleRelated, Role: "Related",
		}
		if r.Account != "" {
			res.Owner = &Owner{Account: Account{UID: r.Account, TypeID: awsAccountTypeID, Type: "AWS Account"}}
		}
		e.Resources = append(e.Resources, res)
	}
	extra := Extra{ControlID: f.Control.ID, Status: string(f.Status), ToolVersion: f.ToolVersion}
	for _, u := range f.Unknown {
		extra.UnknownReads = append(extra.UnknownReads, UnknownRead(u))
	}
	for _, w := range f.Warnings {
		extra.Warnings = append(extra.Warnings, Warning(w))
	}
	if c := f.CoveredBy; c != nil {
		extra.CoveredBy = &CoveredBy{TrailARN: c.TrailARN, Account: c.Account, Region: c.Region}
	}
	e.Unmapped = &Unmapped{Trailwatch: extra}
	return e
}

func accountText(f *findings.Finding) string {
	if f.AccountID == "" {
		return "(unknown)"
	}
	return f.AccountID
}
