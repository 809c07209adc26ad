package findings

import (
	"errors"
	"fmt"
	"strings"
)

// Control is one control with its number in every catalogue that has it.
// An empty number means the catalogue does not have the control.
type Control struct {
	// ID is trailwatch's stable key for the control, such as "cis-4.5". It
	// is part of every finding's ID, so it must never change once released.
	ID    string
	Title string
	// The control's number per catalogue: CIS AWS Foundations Benchmark
	// v1.2.0 (such as "3.5"), v1.4.0 to v5.0.0 ("4.5"), v6.0.0 onward
	// ("5.5"), and AWS Security Hub's control ID ("CloudWatch.5").
	CISv12      string
	CISv14      string
	CISv6       string
	SecurityHub string
	// Severity when the control fails.
	Severity Severity
}

// Catalogue is a numbering of controls.
type Catalogue string

const (
	CatalogueCISv12      Catalogue = "cis-v1.2"
	CatalogueCISv14      Catalogue = "cis-v1.4-v5"
	CatalogueCISv6       Catalogue = "cis-v6"
	CatalogueSecurityHub Catalogue = "security-hub"
)

// Catalogues lists the catalogues oldest first, the order every writer uses.
var Catalogues = []Catalogue{CatalogueCISv12, CatalogueCISv14, CatalogueCISv6, CatalogueSecurityHub}

const cisName = "CIS AWS Foundations Benchmark"

// Standards are the published versions each catalogue spans, named as
// Security Hub names standards in Compliance.RelatedRequirements
// ("CIS AWS Foundations Benchmark v1.2.0/3.5", see the Security Hub user
// guide's CloudWatch controls page). The CIS benchmark kept its monitoring
// section's numbering from v1.4.0 through v5.0.0 and moved it to section 5
// in v6.0.0.
func (c Catalogue) Standards() []string {
	switch c {
	case CatalogueCISv12:
		return []string{cisName + " v1.2.0"}
	case CatalogueCISv14:
		vs := []string{"v1.4.0", "v1.5.0", "v2.0.0", "v3.0.0", "v4.0.0", "v5.0.0"}
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = cisName + " " + v
		}
		return out
	case CatalogueCISv6:
		return []string{cisName + " v6.0.0"}
	case CatalogueSecurityHub:
		return []string{"AWS Security Hub"}
	}
	return nil
}

// Name is the catalogue as people call it.
func (c Catalogue) Name() string {
	switch c {
	case CatalogueCISv12:
		return "CIS v1.2"
	case CatalogueCISv14:
		return "CIS v1.4–v5"
	case CatalogueCISv6:
		return "CIS v6+"
	case CatalogueSecurityHub:
		return "Security Hub"
	}
	return string(c)
}

// Number returns the control's number in catalogue c, "" when c does not
// have the control.
func (c Control) Number(cat Catalogue) string {
	switch cat {
	case CatalogueCISv12:
		return c.CISv12
	case CatalogueCISv14:
		return c.CISv14
	case CatalogueCISv6:
		return c.CISv6
	case CatalogueSecurityHub:
		return c.SecurityHub
	}
	return ""
}

// Requirements lists "STANDARD/NUMBER" for every standard version that has
// the control, oldest first: Security Hub's form of
// Compliance.RelatedRequirements, used by the OCSF writer as well.
func (c Control) Requirements() []string {
	var out []string
	for _, cat := range Catalogues {
		n := c.Number(cat)
		if n == "" {
			continue
		}
		for _, s := range cat.Standards() {
			out = append(out, s+"/"+n)
		}
	}
	return out
}

// Standards lists the CIS standard versions that have the control (Security
// Hub's control IDs are not a standard).
func (c Control) Standards() []string {
	var out []string
	for _, cat := range Catalogues {
		if cat == CatalogueSecurityHub || c.Number(cat) == "" {
			continue
		}
		out = append(out, cat.Standards()...)
	}
	return out
}

// Label is the control's numbers joined for titles, e.g.
// "CIS 3.5 / 4.5 / 5.5, CloudWatch.5".
func (c Control) Label() string {
	var cis []string
	for _, n := range []string{c.CISv12, c.CISv14, c.CISv6} {
		if n != "" {
			cis = append(cis, n)
		}
	}
	var parts []string
	if len(cis) > 0 {
		parts = append(parts, "CIS "+strings.Join(cis, " / "))
	}
	if c.SecurityHub != "" {
		parts = append(parts, c.SecurityHub)
	}
	if len(parts) == 0 {
		return c.ID
	}
	return strings.Join(parts, ", ")
}

func (c Control) validate() error {
	var problems []string
	if !controlIDRE.MatchString(c.ID) {
		problems = append(problems, fmt.Sprintf("control id %q is not a lower-case key such as cis-4.5", c.ID))
	}
	if c.Title == "" {
		problems = append(problems, "control without a title")
	}
	if c.CISv12 == "" && c.CISv14 == "" && c.CISv6 == "" && c.SecurityHub == "" {
		problems = append(problems, "control in no catalogue")
	}
	switch c.Severity {
	case Informational, Low, Medium, High, Critical:
	default:
		problems = append(problems, fmt.Sprintf("control severity %q is not one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL", c.Severity))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Heading is the control's label and title, e.g.
// "CIS 3.5 / 4.5 / 5.5, CloudWatch.5: Ensure a log metric filter...".
func (c Control) Heading() string { return c.Label() + ": " + c.Title }
