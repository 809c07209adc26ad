// Package formats writes findings in the format a command line names, for
// the single-account audit and --org alike.
package formats

import (
	"fmt"
	"io"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/asff"
	findingscsv "github.com/trailwatch/trailwatch/findings/csv"
	"github.com/trailwatch/trailwatch/findings/junit"
	"github.com/trailwatch/trailwatch/findings/ocsf"
)

// Write writes fs to w as format: "ocsf", "asff", "junit" or "csv".
func Write(w io.Writer, format string, fs []findings.Finding) error {
	switch format {
	case "ocsf":
		return ocsf.Write(w, fs)
	case "asff":
		return asff.Write(w, fs)
	case "junit":
		return junit.Write(w, fs)
	case "csv":
		return findingscsv.Write(w, fs)
	}
	return fmt.Errorf("no findings writer for --output %s", format)
}
