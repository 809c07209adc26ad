package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/trailwatch/trailwatch/audit"
)

// State is the part of an audit a plan depends on. Its digest goes into a
// saved plan; apply recomputes it from a fresh audit and refuses a plan made
// from a different state.
type State struct {
	Account string       `json:"account"`
	Region  string       `json:"region"`
	Gaps    []audit.Code `json:"gaps"`
	Facts   audit.Facts  `json:"facts"`
	// Lookups are what the name probes found before planning.
	Lookups Lookups `json:"lookups,omitempty"`
}

// StateOf extracts the state from a report, in a canonical order.
func StateOf(r *audit.Report, c Choices, lk Lookups) State {
	s := State{Account: r.Account, Region: r.Region, Facts: r.Facts}
	for _, g := range r.Gaps {
		s.Gaps = append(s.Gaps, g.Code)
	}
	slices.Sort(s.Gaps)
	s.Gaps = slices.Compact(s.Gaps)
	s.Lookups = slices.Clone(lk)
	slices.SortFunc(s.Lookups, func(a, b Lookup) int { return strings.Compare(string(a.Kind)+a.Want, string(b.Kind)+b.Want) })
	// Copy slices before sorting so the caller's report is untouched.
	s.Facts.Alarms = slices.Clone(r.Facts.Alarms)
	sort.Slice(s.Facts.Alarms, func(i, j int) bool { return s.Facts.Alarms[i].Name < s.Facts.Alarms[j].Name })
	for i := range s.Facts.Alarms {
		a := &s.Facts.Alarms[i]
		a.AlarmActions = sortedCopy(a.AlarmActions)
		a.TagsUnread = "" // its wording is the SDK's; Ours says what matters
	}
	s.Facts.Topics = slices.Clone(r.Facts.Topics)
	sort.Slice(s.Facts.Topics, func(i, j int) bool { return s.Facts.Topics[i].ARN < s.Facts.Topics[j].ARN })
	for i := range s.Facts.Topics {
		t := &s.Facts.Topics[i]
		t.ConfirmedEndpoints = sortedCopy(t.ConfirmedEndpoints)
		t.PendingEndpoints = sortedCopy(t.PendingEndpoints)
	}
	s.Facts.SingleRegionTrails = sortedCopy(r.Facts.SingleRegionTrails)
	return s
}

func sortedCopy(xs []string) []string {
	if xs == nil {
		return nil
	}
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// canonicalJSON encodes v with object keys sorted and no insignificant
// whitespace, so equal values hash equally.
func canonicalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic) // maps marshal with sorted keys
}

// Digest is "sha256:" and the hex SHA-256 of the state's canonical JSON.
func (s State) Digest() string {
	b, err := canonicalJSON(s)
	if err != nil {
		panic(fmt.Sprintf("plan: state digest: %v", err)) // State holds only JSON-safe types
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Diff lists what differs between s (then) and now, one line per field,
// as "path: old → new".
func (s State) Diff(now State) []string {
	a, b := flatten(s), flatten(now)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		va, oka := a[k]
		vb, okb := b[k]
		switch {
		case !oka:
			out = append(out, fmt.Sprintf("%s: (none) → %s", k, vb))
		case !okb:
			out = append(out, fmt.Sprintf("%s: %s → (none)", k, va))
		case va != vb:
			out = append(out, fmt.Sprintf("%s: %s → %s", k, va, vb))
		}
	}
	sort.Strings(out)
	return out
}

func flatten(s State) map[string]string {
	b, _ := canonicalJSON(s)
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&v)
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
		case []any:
			// Lists of scalars print whole; lists of objects by index.
			scalar := true
			for _, x := range t {
				switch x.(type) {
				case map[string]any, []any:
					scalar = false
				}
			}
			if scalar {
				parts := make([]string, len(t))
				for i, x := range t {
					parts[i] = fmt.Sprint(x)
				}
				out[prefix] = "[" + strings.Join(parts, ", ") + "]"
				return
			}
			for i, x := range t {
				walk(fmt.Sprintf("%s[%d]", prefix, i), x)
			}
		case nil:
			out[prefix] = "(none)" // as a field that is absent reads
		default:
			out[prefix] = fmt.Sprint(t)
		}
	}
	walk("", v)
	return out
}

// StaleError says the account changed since the plan was made.
type StaleError struct {
	Changes []string
}

func (e *StaleError) Error() string {
	return "saved plan is stale: the account changed since it was made, so nothing was applied; run plan again and review the new plan. What changed:\n  " +
		strings.Join(e.Changes, "\n  ")
}

// CheckFresh compares the state a plan was made from with the state a new
// audit and new name probes show.
func CheckFresh(p *Plan, now *audit.Report, lk Lookups) error {
	cur := StateOf(now, p.Choices, lk)
	if cur.Digest() == p.State.Digest() {
		return nil
	}
	ch := p.State.Diff(cur)
	if len(ch) == 0 {
		ch = []string{"(the state digest differs, but no field does; the plan file may come from another trailwatch version)"}
	}
	return &StaleError{Changes: ch}
}
