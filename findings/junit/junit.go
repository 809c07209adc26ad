// Package junit writes findings as JUnit XML, the report CI systems render:
// a test suite per account, a test case per control. A failed control is a
// <failure> (its gaps), an unknown one an <error> (the reads that could not
// be made), a passed one a plain test case.
package junit

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/trailwatch/trailwatch/findings"
)

type testsuites struct {
	XMLName  xml.Name    `xml:"testsuites"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Suites   []testsuite `xml:"testsuite"`
}

type testsuite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr"`
	Properties []property `xml:"properties>property"`
	Cases      []testcase `xml:"testcase"`
}

type property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type testcase struct {
	Name      string   `xml:"name,attr"`
	Classname string   `xml:"classname,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *problem `xml:"failure,omitempty"`
	Error     *problem `xml:"error,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

type problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Write writes findings as one JUnit XML document. Nothing is written when a
// finding is invalid.
func Write(w io.Writer, fs []findings.Finding) error {
	if err := findings.Validate(fs); err != nil {
		return err
	}
	doc := testsuites{Name: "trailwatch", Time: "0"}
	index := map[string]int{} // account -> suite, in order of first appearance
	for i := range fs {
		f := &fs[i]
		key := f.AccountID
		n, ok := index[key]
		if !ok {
			n = len(doc.Suites)
			index[key] = n
			doc.Suites = append(doc.Suites, newSuite(f))
		}
		s := &doc.Suites[n]
		c := testcase{Name: f.Control.Heading(), Classname: classname(f), Time: "0", SystemOut: systemOut(f)}
		switch f.Status {
		case findings.Failed:
			c.Failure = &problem{Message: f.Summary(), Type: codes(f), Text: details(f)}
			s.Failures++
		case findings.Unknown:
			c.Error = &problem{Message: f.Summary(), Type: "UNKNOWN_READ", Text: details(f)}
			s.Errors++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, b)
	return err
}

func newSuite(f *findings.Finding) testsuite {
	name := "account " + accountText(f)
	if f.AccountName != "" {
		name += " (" + f.AccountName + ")"
	}
	s := testsuite{
		Name: name, Time: "0",
		// The JUnit schema's timestamp has no time zone; it is UTC.
		Timestamp: f.Time.UTC().Format("2006-01-02T15:04:05"),
		Properties: []property{
			{Name: "account", Value: f.AccountID},
			{Name: "region", Value: f.Region},
			{Name: "partition", Value: f.PartitionOrDefault()},
		},
	}
	if f.AccountName != "" {
		s.Properties = append(s.Properties, property{Name: "account_name", Value: f.AccountName})
	}
	if f.ToolVersion != "" {
		s.Properties = append(s.Properties, property{Name: "trailwatch_version", Value: f.ToolVersion})
	}
	return s
}

func accountText(f *findings.Finding) string {
	if f.AccountID == "" {
		return "(unknown)"
	}
	return f.AccountID
}

// classname groups test cases per account in CI views.
func classname(f *findings.Finding) string {
	account := f.AccountID
	if account == "" {
		account = "unknown-account"
	}
	return "trailwatch." + account + "." + f.Control.ID
}

func codes(f *findings.Finding) string {
	cs := make([]string, len(f.Gaps))
	for i, g := range f.Gaps {
		cs[i] = g.Code
	}
	return strings.Join(cs, " ")
}

// details is the body of a failure or error: every gap and unknown read,
// then what to do.
func details(f *findings.Finding) string {
	var b strings.Builder
	for _, g := range f.Gaps {
		fmt.Fprintf(&b, "%s: %s", g.Code, g.Message)
		if g.Resource != "" {
			fmt.Fprintf(&b, " [%s]", g.Resource)
		}
		b.WriteByte('\n')
	}
	for _, u := range f.Unknown {
		fmt.Fprintf(&b, "unknown: %s\n", u.Text())
	}
	fmt.Fprintf(&b, "%s\n", f.Remediation())
	return b.String()
}

// systemOut lists the chain's resources, the warnings and the organization
// trail, which JUnit has no elements for.
func systemOut(f *findings.Finding) string {
	var b strings.Builder
	for _, r := range f.Resources {
		fmt.Fprintf(&b, "resource %s %s\n", r.Type, r.ID)
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(&b, "warning %s: %s\n", w.Code, w.Message)
	}
	if c := f.CoveredBy; c != nil {
		fmt.Fprintf(&b, "covered by organization trail %s (account %s, %s)\n", c.TrailARN, c.Account, c.Region)
	}
	return b.String()
}
