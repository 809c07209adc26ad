package junit

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/internal/fixture"
)

// parsed is what a CI system reads from the report.
type parsed struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Props    []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// Each fixture parses as XML, matches its golden, and the counts agree
// with the verdicts: failure = gap, error = unknown.
func TestWriteParsesAndCounts(t *testing.T) {
	for _, c := range fixture.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.Findings); err != nil {
				t.Fatal(err)
			}
			fixture.Golden(t, c.Name+".xml", buf.Bytes())
			var p parsed
			if err := xml.Unmarshal(buf.Bytes(), &p); err != nil {
				t.Fatalf("not XML: %v", err)
			}
			var wantFail, wantErr int
			accounts := map[string]bool{}
			for _, f := range c.Findings {
				accounts[f.AccountID] = true
				switch f.Status {
				case findings.Failed:
					wantFail++
				case findings.Unknown:
					wantErr++
				}
			}
			if p.Tests != len(c.Findings) || p.Failures != wantFail || p.Errors != wantErr || len(p.Suites) != len(accounts) {
				t.Errorf("tests %d failures %d errors %d suites %d; want %d %d %d %d", p.Tests, p.Failures, p.Errors, len(p.Suites), len(c.Findings), wantFail, wantErr, len(accounts))
			}
			var cases, fails, errs int
			for _, s := range p.Suites {
				var sf, se int
				for _, tc := range s.Cases {
					if tc.Failure != nil {
						sf++
					}
					if tc.Error != nil {
						se++
					}
					if tc.Failure != nil && tc.Error != nil {
						t.Errorf("%s: both failure and error", tc.Name)
					}
				}
				if s.Tests != len(s.Cases) || s.Failures != sf || s.Errors != se {
					t.Errorf("suite %s: attributes %d/%d/%d, elements %d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), sf, se)
				}
				cases, fails, errs = cases+len(s.Cases), fails+sf, errs+se
			}
			if cases != p.Tests || fails != p.Failures || errs != p.Errors {
				t.Errorf("totals %d/%d/%d, elements %d/%d/%d", p.Tests, p.Failures, p.Errors, cases, fails, errs)
			}
		})
	}
}

// Names with quotes, angle brackets and ampersands survive the round trip.
func TestEscaping(t *testing.T) {
	fs := fixture.Org()
	fs[5].Gaps[0].Message = `a "quoted" <name> & more`
	var buf bytes.Buffer
	if err := Write(&buf, fs); err != nil {
		t.Fatal(err)
	}
	var p parsed
	if err := xml.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	last := p.Suites[len(p.Suites)-1].Cases[0]
	if last.Failure == nil || !strings.Contains(last.Failure.Text, `TRAIL_NOT_LOGGING: a "quoted" <name> & more`) {
		t.Errorf("failure text: %+v", last.Failure)
	}
	if last.Failure.Type != "TRAIL_NOT_LOGGING NO_CLOUDWATCH_LOGS" || !strings.Contains(last.Failure.Text, "unknown: sns:ListSubscriptionsByTopic") {
		t.Errorf("failure %+v", last.Failure)
	}
}
