package chain

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/catalog"
)

// The CIS monitoring controls as chains: each control of the catalog that
// is checked with a metric filter (4.1–4.15) shares the trail, log group,
// topic and subscription links, and has a filter and an alarm of its own.

// Catalog returns the controls of the catalog that have a chain, in CIS
// order. 4.5 is CloudTrailChanges, exactly.
func Catalog() []Control {
	return slices.DeleteFunc(Controls(), func(c Control) bool { return c.Hub })
}

// ControlFor finds the control id names (any of its numbers, as
// catalog.Lookup reads them): a chain, or for CIS 4.16 a Control with Hub
// set and no chain.
func ControlFor(id string) (Control, error) {
	c, err := catalog.Lookup(id)
	if err != nil {
		return Control{}, err
	}
	for _, ctl := range controls() {
		if ctl.ID == c.CIS {
			return ctl, nil
		}
	}
	return controlOf(c), nil
}

// Controls is every control of the catalog: the fifteen chains and CIS
// 4.16 (Security Hub enabled, Hub set).
func Controls() []Control { return slices.Clone(controls()) }

// controls is the catalog's controls, built once: building one proves its
// written text against its published ones, and plan, fix and the audit ask
// for controls many times a run. Callers only read them.
var controls = sync.OnceValue(func() []Control {
	var out []Control
	for _, c := range catalog.All() {
		out = append(out, controlOf(c))
	}
	return out
})

// controlOf is the Control of one catalog row.
func controlOf(c catalog.Control) Control {
	switch {
	case !c.HasPattern():
		return hubControl(c)
	case c.CIS == "4.5":
		return CloudTrailChanges()
	}
	return fromCatalog(c)
}

// ErrNoChain is the error of what needs a filter for a control without one.
var ErrNoChain = errors.New("it is not checked with a metric filter and an alarm")

func hubControl(c catalog.Control) Control {
	return Control{ID: c.CIS, Names: numbers(c), Title: c.Title, Hub: true}
}

func numbers(c catalog.Control) []string {
	var names []string
	if c.CISv12 != "" {
		names = append(names, "CIS AWS Foundations v1.2 "+c.CISv12)
	}
	names = append(names, "CIS v1.4–v5 "+c.CIS, "CIS v6+ "+c.CISv6)
	if c.SecurityHub != "" {
		names = append(names, "AWS Security Hub "+c.SecurityHub)
	}
	return names
}

func fromCatalog(c catalog.Control) Control {
	must, err := c.MustCatchPattern()
	if err != nil {
		panic("chain: the catalog's must-catch pattern of CIS " + c.CIS + " does not parse: " + err.Error()) // a constant
	}
	names := numbers(c)
	var events []string
	for _, cond := range must.Conditions() {
		if cond.Selector == "$.eventName" && cond.Op == "=" && !strings.Contains(cond.Value, "*") {
			events = append(events, cond.Value)
		}
	}
	d := c.Defaults
	slug := strings.TrimPrefix(d.FilterName, "trailwatch-")
	return Control{
		ID:      c.CIS,
		Names:   names,
		Title:   c.Title,
		Events:  events,
		Pattern: writtenText(c),
		Covers: func(p *pattern.Pattern) pattern.Coverage {
			j, err := c.Judge(p)
			if err != nil {
				return pattern.Coverage{}
			}
			cov := pattern.Coverage{Covers: j.Covers, Missed: j.Missed, TooBroad: j.TooBroad, BroadReason: j.BroadReason}
			if j.Covers {
				for _, f := range slices.Concat(j.Warnings, j.Notes) {
					cov.Notes = append(cov.Notes, pattern.Note{Code: f.Code, Message: f.Message, Tool: f.Tool})
				}
			}
			if !j.Covers && len(cov.Missed) == 0 {
				cov.Missed = []pattern.Miss{{Event: "some of its records", Reason: "trailwatch could not prove the pattern catches them: " + j.Implication.Reason}}
			}
			return cov
		},
		Literal: func(p *pattern.Pattern) bool {
			for _, t := range c.Published {
				if q, err := pattern.Parse(t.Pattern); err == nil && pattern.SameText(p, q) {
					return true
				}
			}
			return false
		},
		Related:  func(p *pattern.Pattern) bool { return pattern.Related(p, must) },
		Defaults: Names{Filter: d.FilterName, Metric: d.MetricName, Namespace: d.Namespace, Alarm: d.AlarmName, Topic: DefaultTopicName},
		// An alarm whose filter was deleted is recognised by the words of
		// trailwatch's name for it (CIS-4.1-UnauthorizedAPICalls has
		// "unauthorized", "api" and "calls").
		AlarmWords: [][]string{strings.Split(slug, "-")},
	}
}

// writtenText is the pattern trailwatch writes for c: Security Hub's text
// when it catches what the control must (it then also passes Security
// Hub's exact check), else the first published text that does, else the
// must-catch pattern itself (4.10: Security Hub's text misses
// ModifySecurityGroupRules, which CIS v5 requires).
func writtenText(c catalog.Control) string {
	covers := func(text string) bool {
		p, err := pattern.Parse(text)
		if err != nil {
			return false
		}
		j, err := c.Judge(p)
		return err == nil && j.Covers
	}
	for _, tc := range c.ToolChecks {
		if tc.Kind == catalog.ExactText && strings.HasPrefix(tc.Tool, "Security Hub") && len(tc.Texts) > 0 && covers(tc.Texts[0]) {
			return tc.Texts[0]
		}
	}
	for _, t := range c.Published {
		if covers(t.Pattern) {
			return t.Pattern
		}
	}
	return c.MustCatch
}
