// Package csv writes findings as CSV, one row per control per account, for
// spreadsheets and for merging the output of many runs.
//
// CSV is flat: the chain is not expressed link by link (resources are listed
// as identifiers only), and lists (gaps, unknown reads, warnings) are joined
// into one cell each.
package csv

import (
	stdcsv "encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/findings"
)

// Header is the first row. The columns are stable: new ones are only added
// at the end.
var Header = []string{
	"account_id", "account_name", "region", "partition",
	"control", "cis_v1_2", "cis_v1_4_v5", "cis_v6", "security_hub", "title",
	"status", "gaps", "details", "unknown_actions", "warnings", "resources",
	"covered_by_trail", "covered_by_account", "audited_at", "trailwatch_version",
}

// listSep joins the items of a list in one cell.
const listSep = "; "

// Write writes a header and one row per finding. Nothing is written when a
// finding is invalid.
func Write(w io.Writer, fs []findings.Finding) error {
	if err := findings.Validate(fs); err != nil {
		return err
	}
	cw := stdcsv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	for i := range fs {
		if err := cw.Write(row(&fs[i])); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

func row(f *findings.Finding) []string {
	var gaps, details, actions, warnings, resources []string
	for _, g := range f.Gaps {
		gaps = append(gaps, g.Code)
		details = append(details, g.Code+": "+g.Message)
	}
	for _, u := range f.Unknown {
		actions = append(actions, u.Action)
		details = append(details, "unknown: "+u.Text())
	}
	for _, w := range f.Warnings {
		warnings = append(warnings, w.Code)
	}
	for _, r := range f.Resources {
		resources = append(resources, r.ID)
	}
	var trail, trailAccount string
	if c := f.CoveredBy; c != nil {
		trail, trailAccount = c.TrailARN, c.Account
	}
	cells := []string{
		f.AccountID, f.AccountName, f.Region, f.PartitionOrDefault(),
		f.Control.ID, f.Control.CISv12, f.Control.CISv14, f.Control.CISv6, f.Control.SecurityHub, f.Control.Title,
		string(f.Status), strings.Join(gaps, listSep), strings.Join(details, listSep), strings.Join(actions, listSep),
		strings.Join(warnings, listSep), strings.Join(resources, listSep),
		trail, trailAccount, f.Time.UTC().Format(time.RFC3339), f.ToolVersion,
	}
	for i, c := range cells {
		cells[i] = defuse(c)
	}
	return cells
}

// defuse keeps a spreadsheet from running a cell as a formula: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP, "CSV Injection"). Resource names and AWS error messages
// end up in cells, and their authors are not necessarily the reader.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
