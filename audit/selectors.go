package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

const cloudTrailSource = "cloudtrail.amazonaws.com"

// mgmtVerdict is whether a trail's event selectors capture all management
// events (reads and writes).
type mgmtVerdict struct {
	ok       bool
	detail   string
	excluded []string // management event sources excluded, sorted
}

// managementEvents judges GetEventSelectors output. No selectors at all is
// AWS's default: every management event, reads and writes. Advanced
// selectors take precedence when present (a trail has one kind or the
// other). Omitted IncludeManagementEvents and ReadWriteType take the API's
// defaults (true and All).
func managementEvents(out *cloudtrail.GetEventSelectorsOutput) mgmtVerdict {
	if out == nil || (len(out.EventSelectors) == 0 && len(out.AdvancedEventSelectors) == 0) {
		return mgmtVerdict{ok: true, detail: "no custom event selectors: AWS default, all management events"}
	}
	if len(out.AdvancedEventSelectors) > 0 {
		return advancedManagement(out.AdvancedEventSelectors)
	}
	return basicManagement(out.EventSelectors)
}

func basicManagement(sels []cttypes.EventSelector) mgmtVerdict {
	var v mgmtVerdict
	var why []string
	excluded := map[string]bool{}
	for i, s := range sels {
		include := s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
		rw := s.ReadWriteType
		if rw == "" {
			rw = cttypes.ReadWriteTypeAll
		}
		if !include {
			why = append(why, fmt.Sprintf("selector %d: IncludeManagementEvents is false", i+1))
			continue
		}
		for _, src := range s.ExcludeManagementEventSources {
			excluded[src] = true
		}
		if slices.Contains(s.ExcludeManagementEventSources, cloudTrailSource) {
			why = append(why, fmt.Sprintf("selector %d: excludes %s", i+1, cloudTrailSource))
			continue
		}
		if rw != cttypes.ReadWriteTypeAll {
			why = append(why, fmt.Sprintf("selector %d: ReadWriteType is %s, not All", i+1, rw))
			continue
		}
		v.ok = true
		v.detail = fmt.Sprintf("event selector %d: IncludeManagementEvents true, ReadWriteType All", i+1)
	}
	v.excluded = sortedKeys(excluded)
	if !v.ok {
		v.detail = "no event selector captures all management events (" + strings.Join(why, "; ") + ")"
	}
	return v
}

func advancedManagement(sels []cttypes.AdvancedEventSelector) mgmtVerdict {
	var v mgmtVerdict
	var reads, writes bool
	var why []string
	excluded := map[string]bool{}
	for i, s := range sels {
		name := aws.ToString(s.Name)
		if name == "" {
			name = fmt.Sprintf("advanced selector %d", i+1)
		}
		mgmt := false
		var local, localEx []string
		rd, wr := true, true
		ok := true
		for _, f := range s.FieldSelectors {
			field := aws.ToString(f.Field)
			switch field {
			case "eventCategory":
				mgmt = slices.Contains(f.Equals, "Management") && len(f.NotEquals)+len(f.StartsWith)+len(f.EndsWith)+len(f.NotStartsWith)+len(f.NotEndsWith) == 0
			case "readOnly":
				if len(f.StartsWith)+len(f.EndsWith)+len(f.NotStartsWith)+len(f.NotEndsWith) > 0 {
					ok = false
					local = append(local, name+": readOnly uses a prefix/suffix condition")
					continue
				}
				if len(f.Equals) > 0 {
					rd = rd && slices.Contains(f.Equals, "true")
					wr = wr && slices.Contains(f.Equals, "false")
				}
				if slices.Contains(f.NotEquals, "true") {
					rd = false
				}
				if slices.Contains(f.NotEquals, "false") {
					wr = false
				}
			case "eventSource":
				for _, src := range f.NotEquals {
					localEx = append(localEx, src)
				}
				if slices.Contains(f.NotEquals, cloudTrailSource) {
					ok = false
					local = append(local, name+": excludes "+cloudTrailSource)
				}
				if len(f.Equals)+len(f.StartsWith)+len(f.EndsWith) > 0 {
					ok = false
					local = append(local, name+": limited to some event sources")
				}
				for _, p := range f.NotStartsWith {
					localEx = append(localEx, p+"*")
					if strings.HasPrefix(cloudTrailSource, p) {
						ok = false
						local = append(local, name+": excludes "+cloudTrailSource+" (NotStartsWith "+p+")")
					}
				}
				for _, p := range f.NotEndsWith {
					localEx = append(localEx, "*"+p)
					if strings.HasSuffix(cloudTrailSource, p) {
						ok = false
						local = append(local, name+": excludes "+cloudTrailSource+" (NotEndsWith "+p+")")
					}
				}
			default:
				ok = false
				local = append(local, name+": also filters on "+field)
			}
		}
		if !mgmt {
			continue
		}
		why = append(why, local...)
		for _, e := range localEx {
			excluded[e] = true
		}
		if !ok {
			continue
		}
		reads = reads || rd
		writes = writes || wr
	}
	v.excluded = sortedKeys(excluded)
	switch {
	case reads && writes:
		v.ok = true
		v.detail = "advanced event selectors capture read and write management events"
	case writes:
		v.detail = "advanced event selectors capture only write management events"
	case reads:
		v.detail = "advanced event selectors capture only read management events"
	default:
		v.detail = "no advanced event selector with eventCategory = Management"
	}
	if !v.ok && len(why) > 0 {
		v.detail += " (" + strings.Join(why, "; ") + ")"
	}
	return v
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
