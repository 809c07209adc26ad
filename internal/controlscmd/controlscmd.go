// Package controlscmd is "trailwatch controls": the catalog of CIS
// monitoring controls, listed or one control in full.
package controlscmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/catalog"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Command returns the "controls" command.
func Command(streams func() *term.IO) *cli.Command {
	return &cli.Command{
		Name:      "controls",
		Usage:     "list the CIS monitoring controls trailwatch knows, or show one in full",
		ArgsUsage: "[ID]",
		Description: "Without ID, lists every control with its number in each catalogue (CIS v1.4–v5, v1.2, v6+,\n" +
			"Security Hub). With ID (any of those numbers, e.g. 4.5, 3.5, 5.5 or CloudWatch.5), shows the\n" +
			"records its filter must catch, the published texts, the readings where sources disagree and\n" +
			"the default names.",
		Flags: []cli.Flag{cliflags.OutputFlags()[0]},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return fmt.Errorf("controls takes at most one ID, got %q", c.Args().Slice())
			}
			format, err := cliflags.OutputFrom(c)
			if err != nil {
				return err
			}
			out := streams().Out
			if c.NArg() == 0 {
				return List(out, format == cliflags.JSON)
			}
			ctl, err := catalog.Lookup(c.Args().First())
			if err != nil {
				return err
			}
			return Show(out, ctl, format == cliflags.JSON)
		},
	}
}

// controlJSON is the --output json shape of a control.
type controlJSON struct {
	CIS          string        `json:"cis"`
	CISv12       string        `json:"cis_v1_2,omitempty"`
	CISv6        string        `json:"cis_v6"`
	SecurityHub  string        `json:"security_hub,omitempty"`
	Title        string        `json:"title"`
	MustCatch    string        `json:"must_catch,omitempty"`
	MustCatchWhy string        `json:"must_catch_why"`
	Published    []textJSON    `json:"published,omitempty"`
	Readings     []readingJSON `json:"readings,omitempty"`
	Defaults     *defaultsJSON `json:"defaults,omitempty"`
}

type textJSON struct {
	Source  string `json:"source"`
	Pattern string `json:"pattern"`
}

type readingJSON struct {
	Topic    string   `json:"topic"`
	Enforced string   `json:"enforced"`
	Why      string   `json:"why"`
	Sources  []string `json:"sources"`
}

type defaultsJSON struct {
	MetricName string `json:"metric_name"`
	Namespace  string `json:"namespace"`
	FilterName string `json:"filter_name"`
	AlarmName  string `json:"alarm_name"`
}

func toJSON(c catalog.Control, full bool) controlJSON {
	j := controlJSON{CIS: c.CIS, CISv12: c.CISv12, CISv6: c.CISv6, SecurityHub: c.SecurityHub, Title: c.Title}
	if !full {
		return j
	}
	j.MustCatch, j.MustCatchWhy = c.MustCatch, c.MustCatchWhy
	for _, t := range c.Published {
		j.Published = append(j.Published, textJSON{t.Source, t.Pattern})
	}
	for _, r := range c.Readings {
		j.Readings = append(j.Readings, readingJSON{r.Topic, r.Enforced, r.Why, r.Sources})
	}
	if c.HasPattern() {
		d := c.Defaults
		j.Defaults = &defaultsJSON{d.MetricName, d.Namespace, d.FilterName, d.AlarmName}
	}
	return j
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// List writes the table of controls.
func List(w io.Writer, asJSON bool) error {
	if asJSON {
		var all []controlJSON
		for _, c := range catalog.All() {
			all = append(all, toJSON(c, false))
		}
		return writeJSON(w, all)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CIS\tv1.2\tv6+\tSECURITY HUB\tTITLE")
	for _, c := range catalog.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.CIS, dash(c.CISv12), dash(c.CISv6), dash(c.SecurityHub), c.Title)
	}
	return tw.Flush()
}

// Show writes one control in full.
func Show(w io.Writer, c catalog.Control, asJSON bool) error {
	if asJSON {
		return writeJSON(w, toJSON(c, true))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", c)
	if !c.HasPattern() {
		fmt.Fprintf(&b, "%s\n", c.MustCatchWhy)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "must catch: %s\n            %s\n\npublished:\n", c.MustCatch, c.MustCatchWhy)
	for _, t := range c.Published {
		fmt.Fprintf(&b, "  - %s\n    %s\n", t.Source, t.Pattern)
	}
	if len(c.Readings) > 0 {
		b.WriteString("\nwhere sources disagree:\n")
		for _, r := range c.Readings {
			fmt.Fprintf(&b, "  - %s: %s\n    why: %s\n    sources: %s\n", r.Topic, r.Enforced, r.Why, strings.Join(r.Sources, "; "))
		}
	}
	d := c.Defaults
	fmt.Fprintf(&b, "\ndefaults: metric %s, namespace %s, filter %s, alarm %s\n", d.MetricName, d.Namespace, d.FilterName, d.AlarmName)
	_, err := io.WriteString(w, b.String())
	return err
}
