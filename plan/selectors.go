package plan

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// MaxEventSelectors is CloudTrail's limit on basic event selectors per trail.
const MaxEventSelectors = 5

// MaxAdvancedSelectors is the limit trailwatch keeps for advanced selectors.
const MaxAdvancedSelectors = 5

// ManagementSelectorName names the advanced selector trailwatch adds.
const ManagementSelectorName = "Management events (trailwatch)"

// SelectorChange is the result of AddManagementEvents.
type SelectorChange struct {
	Selectors []cttypes.EventSelector
	Advanced  []cttypes.AdvancedEventSelector
	Changed   bool
	Summary   string
}

// CapturesAllManagement reports whether the selectors log every management
// event, read and write, including CloudTrail's own. Both lists empty means
// CloudTrail's default, which does. Advanced selectors win when both are set.
func CapturesAllManagement(basic []cttypes.EventSelector, adv []cttypes.AdvancedEventSelector) bool {
	if len(basic) == 0 && len(adv) == 0 {
		return true
	}
	if len(adv) > 0 {
		reads, writes := false, false
		for _, s := range adv {
			rd, wr, ok := advMgmtScope(s)
			if ok {
				reads, writes = reads || rd, writes || wr
			}
		}
		return reads && writes
	}
	for _, s := range basic {
		if mgmtAll(s) {
			return true
		}
	}
	return false
}

func mgmtAll(s cttypes.EventSelector) bool {
	inc := s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
	rw := s.ReadWriteType == "" || s.ReadWriteType == cttypes.ReadWriteTypeAll
	for _, src := range s.ExcludeManagementEventSources {
		if src == cloudTrailSource {
			return false
		}
	}
	return inc && rw
}

const cloudTrailSource = "cloudtrail.amazonaws.com"

// advMgmt reports whether an advanced selector selects management events at
// all (eventCategory = Management) and which of its fields are readOnly.
func advMgmt(s cttypes.AdvancedEventSelector) (management bool, readOnlyFields []int) {
	for i, f := range s.FieldSelectors {
		switch aws.ToString(f.Field) {
		case "eventCategory":
			for _, v := range f.Equals {
				if v == "Management" {
					management = true
				}
			}
		case "readOnly":
			readOnlyFields = append(readOnlyFields, i)
		}
	}
	return management, readOnlyFields
}

// advMgmtScope says which management events (reads, writes) an advanced
// selector captures for cloudtrail.amazonaws.com; ok is false when it is not
// a management selector or filters in a way that may drop those events.
func advMgmtScope(s cttypes.AdvancedEventSelector) (reads, writes, ok bool) {
	mgmt := false
	reads, writes = true, true
	for _, f := range s.FieldSelectors {
		other := len(f.StartsWith) + len(f.EndsWith) + len(f.NotStartsWith) + len(f.NotEndsWith)
		switch aws.ToString(f.Field) {
		case "eventCategory":
			if len(f.NotEquals)+other > 0 {
				return false, false, false
			}
			for _, v := range f.Equals {
				mgmt = mgmt || v == "Management"
			}
		case "readOnly":
			if other > 0 {
				return false, false, false
			}
			if len(f.Equals) > 0 {
				reads = reads && containsStr(f.Equals, "true")
				writes = writes && containsStr(f.Equals, "false")
			}
			if containsStr(f.NotEquals, "true") {
				reads = false
			}
			if containsStr(f.NotEquals, "false") {
				writes = false
			}
		case "eventSource":
			if containsStr(f.NotEquals, cloudTrailSource) || len(f.Equals)+len(f.StartsWith)+len(f.EndsWith) > 0 {
				return false, false, false
			}
			for _, p := range f.NotStartsWith {
				if len(p) <= len(cloudTrailSource) && cloudTrailSource[:len(p)] == p {
					return false, false, false
				}
			}
			for _, p := range f.NotEndsWith {
				if len(p) <= len(cloudTrailSource) && cloudTrailSource[len(cloudTrailSource)-len(p):] == p {
					return false, false, false
				}
			}
		default:
			return false, false, false
		}
	}
	return reads, writes, mgmt
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// AddManagementEvents returns selectors that keep every existing selector
// and also capture all management events. Basic selectors stay basic and
// advanced stay advanced; data-event selectors are never touched. A
// management-only selector is widened in place; otherwise one selector is
// added, unless the trail is at the limit, which is an error that says so.
func AddManagementEvents(basic []cttypes.EventSelector, adv []cttypes.AdvancedEventSelector) (SelectorChange, error) {
	if CapturesAllManagement(basic, adv) {
		return SelectorChange{Selectors: basic, Advanced: adv, Summary: "already captures all management events"}, nil
	}
	if len(adv) > 0 {
		out := make([]cttypes.AdvancedEventSelector, len(adv))
		copy(out, adv)
		for i, s := range out {
			mgmt, narrowing := advMgmt(s)
			if !mgmt || len(narrowing) == 0 {
				continue
			}
			// Drop the readOnly narrowing of a management selector.
			var fields []cttypes.AdvancedFieldSelector
			for j, f := range s.FieldSelectors {
				if !contains(narrowing, j) {
					fields = append(fields, f)
				}
			}
			n := s
			n.FieldSelectors = fields
			if rd, wr, ok := advMgmtScope(n); ok && rd && wr {
				out[i] = n
				return SelectorChange{Advanced: out, Changed: true,
					Summary: fmt.Sprintf("widen advanced selector %q to read and write management events", aws.ToString(s.Name))}, nil
			}
		}
		if len(adv) >= MaxAdvancedSelectors {
			return SelectorChange{}, fmt.Errorf("trail has %d advanced event selectors and none captures all management events; trailwatch adds one only below %d, so widen one yourself", len(adv), MaxAdvancedSelectors)
		}
		out = append(out, cttypes.AdvancedEventSelector{
			Name: aws.String(ManagementSelectorName),
			FieldSelectors: []cttypes.AdvancedFieldSelector{{
				Field:  aws.String("eventCategory"),
				Equals: []string{"Management"},
			}},
		})
		return SelectorChange{Advanced: out, Changed: true, Summary: "add an advanced selector for all management events"}, nil
	}
	out := make([]cttypes.EventSelector, len(basic))
	copy(out, basic)
	for i, s := range out {
		if len(s.DataResources) == 0 {
			n := s
			n.IncludeManagementEvents = aws.Bool(true)
			n.ReadWriteType = cttypes.ReadWriteTypeAll
			var keep []string
			for _, src := range s.ExcludeManagementEventSources {
				if src != cloudTrailSource {
					keep = append(keep, src)
				}
			}
			n.ExcludeManagementEventSources = keep
			out[i] = n
			return SelectorChange{Selectors: out, Changed: true,
				Summary: fmt.Sprintf("widen event selector %d (no data events) to read and write management events", i+1)}, nil
		}
	}
	if len(basic) >= MaxEventSelectors {
		return SelectorChange{}, fmt.Errorf("trail has %d event selectors, CloudTrail's limit, all with data events; trailwatch will not change their scope, so include management events in one yourself", len(basic))
	}
	out = append(out, cttypes.EventSelector{
		IncludeManagementEvents: aws.Bool(true),
		ReadWriteType:           cttypes.ReadWriteTypeAll,
	})
	return SelectorChange{Selectors: out, Changed: true, Summary: "add an event selector for read and write management events"}, nil
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
