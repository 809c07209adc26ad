package chain

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// The management-events link: a trail's event selectors must log every
// management event, reads and writes, including CloudTrail's own (the five
// calls come from cloudtrail.amazonaws.com). The audit judges selectors
// with JudgeEvents; plan and remediate widen them with AddManagementEvents,
// which is built on the same judgement.

const cloudTrailSource = "cloudtrail.amazonaws.com"

// MaxEventSelectors is CloudTrail's limit on basic event selectors per trail.
const MaxEventSelectors = 5

// MaxAdvancedSelectors is the limit trailwatch keeps for advanced selectors.
const MaxAdvancedSelectors = 5

// ManagementSelectorName names the advanced selector trailwatch adds.
const ManagementSelectorName = "Management events (trailwatch)"

// Events is the judgement of a trail's selectors.
type Events struct {
	Verdict
	// Excluded lists management event sources the selectors exclude
	// (informational when cloudtrail.amazonaws.com is not among them).
	Excluded []string
}

// JudgeEvents judges GetEventSelectors' answer. No selectors at all is AWS's
// default: every management event, reads and writes. Advanced selectors
// take precedence when present (a trail has one kind or the other).
// Omitted IncludeManagementEvents and ReadWriteType take the API's defaults
// (true and All). Reads and writes may come from different selectors: a
// ReadOnly and a WriteOnly selector together log every management event
// (CloudTrail user guide, "Logging management events": a trail logs an
// event when any of its selectors selects it).
func JudgeEvents(basic []cttypes.EventSelector, adv []cttypes.AdvancedEventSelector) Events {
	if len(basic) == 0 && len(adv) == 0 {
		return Events{Verdict: pass("no custom event selectors, so all management events are logged").on("EventSelectors")}
	}
	if len(adv) > 0 {
		return advancedEvents(adv)
	}
	return basicEvents(basic)
}

func basicEvents(sels []cttypes.EventSelector) Events {
	var v Events
	var why []string
	excluded := map[string]bool{}
	reads, writes := false, false
	var readFrom, writeFrom []string
	for i, s := range sels {
		include := s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
		if !include {
			why = append(why, fmt.Sprintf("selector %d leaves management events out", i+1))
			continue
		}
		for _, src := range s.ExcludeManagementEventSources {
			excluded[src] = true
		}
		if slices.Contains(s.ExcludeManagementEventSources, cloudTrailSource) {
			why = append(why, fmt.Sprintf("selector %d leaves out %s", i+1, cloudTrailSource))
			continue
		}
		n := fmt.Sprintf("%d", i+1)
		switch s.ReadWriteType {
		case "", cttypes.ReadWriteTypeAll:
			reads, writes = true, true
			readFrom, writeFrom = append(readFrom, n), append(writeFrom, n)
		case cttypes.ReadWriteTypeReadOnly:
			reads = true
			readFrom = append(readFrom, n)
			why = append(why, fmt.Sprintf("selector %d logs only reads", i+1))
		case cttypes.ReadWriteTypeWriteOnly:
			writes = true
			writeFrom = append(writeFrom, n)
			why = append(why, fmt.Sprintf("selector %d logs only writes", i+1))
		default:
			why = append(why, fmt.Sprintf("selector %d has read/write type %s, which CloudTrail does not define", i+1, s.ReadWriteType))
		}
	}
	v.Excluded = slices.Sorted(maps.Keys(excluded))
	switch {
	case reads && writes && slices.Equal(readFrom, writeFrom) && len(readFrom) > 0:
		v.Verdict = pass(fmt.Sprintf("selector %s logs all management events, reads and writes", readFrom[0])).on("EventSelectors")
	case reads && writes:
		v.Verdict = pass(fmt.Sprintf("selectors %s (reads) and %s (writes) together log all management events", strings.Join(readFrom, ", "), strings.Join(writeFrom, ", "))).on("EventSelectors")
	default:
		v.Verdict = fail("no event selector logs all management events: " + strings.Join(why, "; ")).on("EventSelectors")
	}
	return v
}

// advScope says which management events (reads, writes) one advanced
// selector logs for cloudtrail.amazonaws.com. mgmt is false when it is not
// a management selector; why says what narrows it (and then reads and
// writes are false).
func advScope(s cttypes.AdvancedEventSelector) (mgmt, reads, writes bool, why []string, excluded []string) {
	name := aws.ToString(s.Name)
	if name == "" {
		name = "advanced selector"
	}
	reads, writes = true, true
	ok := true
	narrow := func(format string, a ...any) {
		ok = false
		why = append(why, name+": "+fmt.Sprintf(format, a...))
	}
	for _, f := range s.FieldSelectors {
		affix := len(f.StartsWith) + len(f.EndsWith) + len(f.NotStartsWith) + len(f.NotEndsWith)
		switch field := aws.ToString(f.Field); field {
		case "eventCategory":
			mgmt = slices.Contains(f.Equals, "Management") && len(f.NotEquals)+affix == 0
		case "readOnly":
			if affix > 0 {
				narrow("readOnly uses a prefix/suffix condition")
				continue
			}
			if len(f.Equals) > 0 {
				reads = reads && slices.Contains(f.Equals, "true")
				writes = writes && slices.Contains(f.Equals, "false")
			}
			if slices.Contains(f.NotEquals, "true") {
				reads = false
			}
			if slices.Contains(f.NotEquals, "false") {
				writes = false
			}
		case "eventSource":
			excluded = append(excluded, f.NotEquals...)
			if slices.Contains(f.NotEquals, cloudTrailSource) {
				narrow("excludes %s", cloudTrailSource)
			}
			if len(f.Equals)+len(f.StartsWith)+len(f.EndsWith) > 0 {
				narrow("limited to some event sources")
			}
			for _, p := range f.NotStartsWith {
				excluded = append(excluded, p+"*")
				if strings.HasPrefix(cloudTrailSource, p) {
					narrow("excludes %s (NotStartsWith %s)", cloudTrailSource, p)
				}
			}
			for _, p := range f.NotEndsWith {
				excluded = append(excluded, "*"+p)
				if strings.HasSuffix(cloudTrailSource, p) {
					narrow("excludes %s (NotEndsWith %s)", cloudTrailSource, p)
				}
			}
		default:
			narrow("also filters on %s", field)
		}
	}
	if !ok {
		reads, writes = false, false
	}
	return mgmt, reads, writes, why, excluded
}

func advancedEvents(sels []cttypes.AdvancedEventSelector) Events {
	var v Events
	var reads, writes bool
	var why []string
	excluded := map[string]bool{}
	for _, s := range sels {
		mgmt, rd, wr, w, ex := advScope(s)
		if !mgmt {
			continue
		}
		why = append(why, w...)
		for _, e := range ex {
			excluded[e] = true
		}
		reads, writes = reads || rd, writes || wr
	}
	v.Excluded = slices.Sorted(maps.Keys(excluded))
	detail := ""
	switch {
	case reads && writes:
		v.Verdict = pass("advanced event selectors log all management events, reads and writes").on("AdvancedEventSelectors")
		return v
	case writes:
		detail = "advanced event selectors log only management writes"
	case reads:
		detail = "advanced event selectors log only management reads"
	default:
		detail = "no advanced event selector logs management events (eventCategory = Management)"
	}
	if len(why) > 0 {
		detail += " (" + strings.Join(why, "; ") + ")"
	}
	v.Verdict = fail(detail).on("AdvancedEventSelectors")
	return v
}

// SelectorChange is the result of AddManagementEvents.
type SelectorChange struct {
	Selectors []cttypes.EventSelector
	Advanced  []cttypes.AdvancedEventSelector
	Changed   bool
	Summary   string
}

// AddManagementEvents returns selectors that keep every existing selector
// and also capture all management events. Basic selectors stay basic and
// advanced stay advanced; data-event selectors are never touched. A
// management-only selector is widened in place; otherwise one selector is
// added, unless the trail is at the limit, which is an error that says so.
func AddManagementEvents(basic []cttypes.EventSelector, adv []cttypes.AdvancedEventSelector) (SelectorChange, error) {
	if JudgeEvents(basic, adv).Status == Passed {
		return SelectorChange{Selectors: basic, Advanced: adv, Summary: "already captures all management events"}, nil
	}
	if len(adv) > 0 {
		out := slices.Clone(adv)
		for i, s := range out {
			if mgmt, _, _, _, _ := advScope(s); !mgmt {
				continue
			}
			// Drop the readOnly narrowing of a management selector.
			n := s
			n.FieldSelectors = slices.DeleteFunc(slices.Clone(s.FieldSelectors), func(f cttypes.AdvancedFieldSelector) bool {
				return aws.ToString(f.Field) == "readOnly"
			})
			if len(n.FieldSelectors) == len(s.FieldSelectors) {
				continue
			}
			if _, rd, wr, _, _ := advScope(n); rd && wr {
				out[i] = n
				return SelectorChange{Advanced: out, Changed: true,
					Summary: fmt.Sprintf("widen advanced selector %q to read and write management events", aws.ToString(s.Name))}, nil
			}
		}
		if len(adv) >= MaxAdvancedSelectors {
			return SelectorChange{}, fmt.Errorf("trail has %d advanced event selectors and none captures all management events; trailwatch adds one only below %d, so widen one yourself", len(adv), MaxAdvancedSelectors)
		}
		out = append(out, cttypes.AdvancedEventSelector{
			Name:           aws.String(ManagementSelectorName),
			FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}},
		})
		return SelectorChange{Advanced: out, Changed: true, Summary: "add an advanced selector for all management events"}, nil
	}
	out := slices.Clone(basic)
	for i, s := range out {
		if len(s.DataResources) == 0 {
			n := s
			n.IncludeManagementEvents = aws.Bool(true)
			n.ReadWriteType = cttypes.ReadWriteTypeAll
			n.ExcludeManagementEventSources = slices.DeleteFunc(slices.Clone(s.ExcludeManagementEventSources), func(src string) bool { return src == cloudTrailSource })
			out[i] = n
			return SelectorChange{Selectors: out, Changed: true,
				Summary: fmt.Sprintf("widen event selector %d (no data events) to read and write management events", i+1)}, nil
		}
	}
	if len(basic) >= MaxEventSelectors {
		return SelectorChange{}, fmt.Errorf("trail has %d event selectors, CloudTrail's limit, all with data events; trailwatch will not change their scope, so include management events in one yourself", len(basic))
	}
	out = append(out, cttypes.EventSelector{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll})
	return SelectorChange{Selectors: out, Changed: true, Summary: "add an event selector for read and write management events"}, nil
}
