package pattern

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Miss is one of the five events the pattern does not always match.
type Miss struct {
	Event  string
	Reason string // the excluding condition and the witness record's values
}

// Coverage is the verdict of Covers.
type Coverage struct {
	Covers      bool
	Missed      []Miss
	TooBroad    bool   // also matches unrelated events: informational, not a gap
	BroadReason string // which unrelated records it matches
}

// searchBudget caps the nodes one coverage search visits. A pattern that
// needs more is reported as not proven to cover, never as covering.
const searchBudget = 50000

// Covers decides whether p matches every CloudTrail record of CreateTrail,
// UpdateTrail, DeleteTrail, StartLogging and StopLogging, whoever called and
// whether the call succeeded.
//
// Why the method is sound for JSON patterns: a condition reads one value
// (through its selector) and its truth depends only on which region of the
// value space that value lies in: absent, null, true, false, object, array,
// a number below/at/between/above each numeric constant, or a string equal
// to / matching / differing from each string constant. For every path the
// pattern mentions, variants() produces a value in every region (a string
// in every realisable combination of constants for plain, prefix, suffix and
// contains constants; for regexes a witness of each and the empty string).
// The pattern is a formula without negation over such conditions, so it is
// false on some record iff it is false on some combination of one variant per
// path; falsify() searches those combinations (with pruning, and splitting
// a top-level && into independent searches), so a narrowing condition on any
// field, known or not, is found. Fields that are the same in every record of
// the five calls (eventSource, readOnly, ...) are held fixed, and fields every
// record has are only given string values, so the search never invents an
// impossible record. Wildcard selectors are exact when one element per
// container suffices: the formula is monotone and every condition but NOT
// EXISTS is existential, so removing elements can only falsify more.
//
// Term, regex and space-delimited patterns read the raw text; they are
// checked against a family of record texts whose variable parts take
// realistic, empty and fresh values, so a term counts only when it lies in
// the text every record of the event shares.
func Covers(p *Pattern) Coverage {
	var cov Coverage
	if p == nil {
		return cov
	}
	switch p.lang {
	case langJSON:
		cov.Missed = coverJSON(p)
	default:
		cov.Missed = coverText(p)
	}
	cov.Covers = len(cov.Missed) == 0
	cov.TooBroad, cov.BroadReason = tooBroad(p)
	return cov
}

func tooBroad(p *Pattern) (bool, string) {
	if p.lang == langEmpty {
		return true, "an empty pattern matches every log event"
	}
	var hits []string
	for _, u := range unrelatedRecords() {
		var m bool
		if p.lang == langJSON {
			m = evalJSON(p.expr, any(u.Rec))
		} else {
			m = Match(p, recordText(u.Rec))
		}
		if m {
			hits = append(hits, u.Name+" ("+u.Why+")")
		}
	}
	if len(hits) == 0 {
		return false, ""
	}
	return true, "also matches " + strings.Join(hits, ", ")
}

// ---- JSON coverage ----

type pathElem struct {
	Key   string
	Idx   int
	IsIdx bool
}

// anyKey stands for the member a .* step reaches.
const anyKey = "anyKey"

type absentT struct{}

// absent marks a variant that removes the field.
var absent = absentT{}

type variant struct {
	v         any
	container bool // v is a prototype container to clone
}

type slot struct {
	path       []pathElem
	parent     int // -1: a member of the record itself
	last       int // index of the last slot in this slot's subtree
	variants   []variant
	relevant   bool
	incomplete string // why variants may miss a region ("" when exhaustive)
}

type cnode struct {
	kind  int // 0 atom, 1 and, 2 or
	kids  []*cnode
	c     cond
	needs int // the atom is decided once slots [0, needs] are assigned
	deps  []int
}

type coverer struct {
	slots  []slot
	index  map[string]int
	rec    map[string]any
	budget int
}

func pathKey(p []pathElem) string {
	var b strings.Builder
	for _, e := range p {
		if e.IsIdx {
			b.WriteString("\x00[" + strconv.Itoa(e.Idx))
		} else {
			b.WriteString("\x00." + e.Key)
		}
	}
	return b.String()
}

// concrete turns a selector into the path of one value it can reach; scope
// is how many leading elements precede the first wildcard.
func concrete(sel selector) (path []pathElem, scope int) {
	scope = -1
	for i, st := range sel {
		switch st.Kind {
		case stepKey:
			path = append(path, pathElem{Key: st.Key})
		case stepIndex:
			path = append(path, pathElem{Idx: st.Index, IsIdx: true})
		case stepAnyKey:
			path = append(path, pathElem{Key: anyKey})
		case stepAnyIndex:
			path = append(path, pathElem{IsIdx: true})
		}
		if scope < 0 && (st.Kind == stepAnyKey || st.Kind == stepAnyIndex) {
			scope = i
		}
	}
	if scope < 0 {
		scope = len(path)
	}
	return path, scope
}

func coverJSON(p *Pattern) []Miss {
	c := &coverer{index: map[string]int{}}
	// Slots: every concrete path and all its prefixes, ordered so a parent
	// comes before its subtree and a subtree is contiguous.
	consts := map[string][]value{}
	var atoms []cond
	collect(p.expr, &atoms)
	keys := map[string][]pathElem{}
	for _, a := range atoms {
		path, _ := concrete(a.Sel)
		for i := 1; i <= len(path); i++ {
			keys[pathKey(path[:i])] = path[:i]
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for i, k := range sorted {
		c.index[k] = i
		c.slots = append(c.slots, slot{path: keys[k], parent: -1})
		// A slot's regions are those of every condition that can read it:
		// the ones naming its path and the wildcard ones reaching it.
		for _, a := range atoms {
			if !a.Op.unary() && reaches(a.Sel, keys[k]) {
				consts[k] = append(consts[k], a.Val)
			}
		}
	}
	for i := range c.slots {
		s := &c.slots[i]
		if len(s.path) > 1 {
			s.parent = c.index[pathKey(s.path[:len(s.path)-1])]
		}
		s.last = i
		for j := i + 1; j < len(c.slots) && strings.HasPrefix(sorted[j], sorted[i]+"\x00"); j++ {
			s.last = j
		}
	}
	var misses []Miss
	root := c.compile(p.expr)
	// A top-level && is false as soon as one conjunct is: search each
	// conjunct on its own, which keeps independent conditions linear.
	parts := []*cnode{root}
	if root.kind == 1 {
		parts = root.kids
	}
	// One record serves every search: falsify undoes what it sets. It holds
	// only the members whose value is the same in every record of the
	// event; every other member is a slot or absent. Members the pattern
	// does not name matter only to a wildcard (.* or [*]), which would see
	// them; their values vary from record to record, so the record must not
	// hold realistic ones ($.userIdentity.* = "arn:...:user/alice" would
	// otherwise look like it covers). Dropping them is sound: every
	// condition but NOT EXISTS holds when some reached value satisfies it,
	// so fewer members falsify more, and a NOT EXISTS on a wildcard is
	// falsified by the slot the wildcard itself names.
	c.rec = fixedRecord()
	for _, ev := range Events() {
		c.rec["eventName"] = ev
		for i := range c.slots {
			c.slots[i].variants = c.variants(i, ev, consts[sorted[i]])
		}
		var reason string
		for _, part := range parts {
			c.budget = searchBudget
			for i := range c.slots {
				c.slots[i].relevant = false
			}
			for _, d := range part.deps {
				for j := d; j >= 0; j = c.slots[j].parent {
					c.slots[j].relevant = true
				}
			}
			r, found := c.falsify(part, root, 0)
			if found {
				reason = r
				break
			}
			if c.budget <= 0 {
				reason = "the pattern is too complex to prove it matches every " + ev + " record"
				break
			}
			for _, sl := range c.slots {
				if sl.relevant && sl.incomplete != "" {
					reason = "not proven that the pattern matches every " + ev + " record: " + sl.incomplete
					break
				}
			}
			if reason != "" {
				break
			}
		}
		if reason != "" {
			misses = append(misses, Miss{Event: ev, Reason: reason})
		}
	}
	return misses
}

// reaches reports whether sel can select the value at path (a concrete
// path as concrete builds it, wildcards written as anyKey and index 0).
func reaches(sel selector, path []pathElem) bool {
	if len(sel) != len(path) {
		return false
	}
	for i, st := range sel {
		e := path[i]
		switch st.Kind {
		case stepKey:
			if e.IsIdx || e.Key != st.Key {
				return false
			}
		case stepIndex:
			if !e.IsIdx || e.Idx != st.Index {
				return false
			}
		case stepAnyIndex:
			if !e.IsIdx {
				return false
			}
		}
	}
	return true
}

func collect(e expr, out *[]cond) {
	switch e := e.(type) {
	case orExpr:
		for _, k := range e.Any {
			collect(k, out)
		}
	case andExpr:
		for _, k := range e.All {
			collect(k, out)
		}
	case cond:
		*out = append(*out, e)
	}
}

func (c *coverer) compile(e expr) *cnode {
	n := &cnode{}
	var kids []expr
	switch e := e.(type) {
	case orExpr:
		n.kind, kids = 2, e.Any
	case andExpr:
		n.kind, kids = 1, e.All
	case cond:
		n.c = e
		path, scope := concrete(e.Sel)
		// A wildcard reaches everything under the container it starts at,
		// so the atom depends on that whole subtree.
		top := c.index[pathKey(path[:max(scope, 1)])]
		n.needs = c.slots[top].last
		for i := top; i <= n.needs; i++ {
			n.deps = append(n.deps, i)
		}
		if scope == 0 {
			n.needs = len(c.slots) - 1
			n.deps = n.deps[:0]
			for i := range c.slots {
				n.deps = append(n.deps, i)
			}
		}
		return n
	}
	for _, k := range kids {
		kn := c.compile(k)
		n.kids = append(n.kids, kn)
		n.needs = max(n.needs, kn.needs)
		n.deps = append(n.deps, kn.deps...)
	}
	return n
}

const (
	tFalse = iota
	tTrue
	tUnknown
)

// eval3 evaluates n with slots [0, d) assigned: an atom whose slots are
// not all assigned is unknown (Kleene logic).
func (c *coverer) eval3(n *cnode, d int) int {
	switch n.kind {
	case 0:
		if n.needs >= d {
			return tUnknown
		}
		if evalCond(n.c, any(c.rec)) {
			return tTrue
		}
		return tFalse
	case 1:
		r := tTrue
		for _, k := range n.kids {
			switch c.eval3(k, d) {
			case tFalse:
				return tFalse
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	default:
		r := tFalse
		for _, k := range n.kids {
			switch c.eval3(k, d) {
			case tTrue:
				return tTrue
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	}
}

// falsify looks for an assignment of slots [d, ...) that makes part false;
// it returns the reason (built while the witness is in place).
func (c *coverer) falsify(part, root *cnode, d int) (string, bool) {
	c.budget--
	if c.budget <= 0 {
		return "", false
	}
	switch c.eval3(part, d) {
	case tTrue:
		return "", false
	case tFalse:
		return c.explain(part), true
	}
	if d >= len(c.slots) {
		return "", false // unreachable: all assigned means decided
	}
	s := c.slots[d]
	parent, key, ok := c.locate(s)
	if !s.relevant || !ok {
		// Irrelevant, or its parent is not a container: it stays absent.
		return c.falsify(part, root, d+1)
	}
	for _, v := range s.variants {
		undo := c.set(parent, key, v)
		r, found := c.falsify(part, root, d+1)
		undo()
		if found || c.budget <= 0 {
			return r, found
		}
	}
	return "", false
}

// locate finds the container that holds slot s in the current record.
func (c *coverer) locate(s slot) (any, pathElem, bool) {
	var cur any = c.rec
	for _, e := range s.path[:len(s.path)-1] {
		switch x := cur.(type) {
		case map[string]any:
			if e.IsIdx {
				return nil, pathElem{}, false
			}
			v, ok := x[e.Key]
			if !ok {
				return nil, pathElem{}, false
			}
			cur = v
		case []any:
			if !e.IsIdx || e.Idx >= len(x) {
				return nil, pathElem{}, false
			}
			cur = x[e.Idx]
		default:
			return nil, pathElem{}, false
		}
	}
	last := s.path[len(s.path)-1]
	switch x := cur.(type) {
	case map[string]any:
		return x, last, !last.IsIdx
	case []any:
		return x, last, last.IsIdx && last.Idx < len(x)
	}
	return nil, pathElem{}, false
}

// arrayFiller fills array positions below a mentioned index; an empty
// object satisfies no comparison.
func arrayFiller() any { return map[string]any{} }

func (c *coverer) set(parent any, key pathElem, v variant) func() {
	val := v.v
	if v.container {
		val = cloneValue(val)
	}
	switch x := parent.(type) {
	case map[string]any:
		old, had := x[key.Key]
		if val == any(absent) {
			delete(x, key.Key)
		} else {
			x[key.Key] = val
		}
		return func() {
			if had {
				x[key.Key] = old
			} else {
				delete(x, key.Key)
			}
		}
	case []any:
		old := x[key.Idx]
		if val == any(absent) {
			val = arrayFiller()
		}
		x[key.Idx] = val
		return func() { x[key.Idx] = old }
	}
	return func() {}
}

// variants lists one value from every region of slot i's value space that
// the conditions on it distinguish.
func (c *coverer) variants(i int, event string, consts []value) []variant {
	s := c.slots[i]
	top := len(s.path) == 1 && !s.path[0].IsIdx
	name := ""
	if top {
		name = s.path[0].Key
	}
	if top {
		if name == "eventName" {
			return []variant{{v: event}}
		}
		if v, ok := fixedFields()[name]; ok {
			return []variant{{v: v}}
		}
	}
	// Children decide which containers matter.
	var objKids, arrKids bool
	maxIdx := -1
	for j := i + 1; j <= s.last; j++ {
		if c.slots[j].parent != i {
			continue
		}
		if e := c.slots[j].path[len(c.slots[j].path)-1]; e.IsIdx {
			arrKids = true
			maxIdx = max(maxIdx, e.Idx)
		} else {
			objKids = true
		}
	}
	var containers []variant
	if top && (name == "userIdentity" || name == "requestParameters" || name == "responseElements") {
		// Always an object (responseElements may also be null); its
		// members are slots when named and otherwise absent, as above.
		containers = append(containers, variant{v: map[string]any{}, container: true})
	} else {
		if objKids || !arrKids {
			containers = append(containers, variant{v: map[string]any{}, container: true})
		}
		if arrKids || !objKids {
			n := max(maxIdx+1, 1)
			a := make([]any, n)
			for k := range a {
				a[k] = arrayFiller()
			}
			containers = append(containers, variant{v: a, container: true})
		}
	}
	samples := []string{freshString(name), legacySample(name)}
	if len(s.path) == 2 && s.path[0].Key == "userIdentity" && s.path[1].Key == "type" {
		samples = IdentityTypes()
	}
	strs, why := textVariants(consts, samples, freshString(name))
	c.slots[i].incomplete = why
	switch {
	case top && name == "userIdentity", top && name == "requestParameters":
		return containers
	case top && name == "responseElements":
		return append(containers, variant{v: nil})
	case top && alwaysStrings()[name], len(s.path) == 2 && s.path[0].Key == "userIdentity" && s.path[1].Key == "type":
		return stringsOnly(strs)
	case top && (name == "errorCode" || name == "errorMessage"):
		return append([]variant{{v: absent}}, stringsOnly(strs)...)
	}
	if i < s.last && len(consts) == 0 {
		// Only a way to its children: what matters is container or not.
		return append([]variant{{v: absent}}, containers...)
	}
	out := []variant{{v: absent}, {v: nil}, {v: true}, {v: false}}
	nums, why := numberVariants(consts)
	if why != "" {
		c.slots[i].incomplete = why
	}
	for _, n := range nums {
		out = append(out, variant{v: n})
	}
	out = append(out, stringsOnly(strs)...)
	return append(out, containers...)
}

func stringsOnly(ss []string) []variant {
	seen := map[string]bool{}
	var out []variant
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, variant{v: s})
		}
	}
	return out
}

// freshString names a value that reads well in a reason for field.
func freshString(field string) string {
	return map[string]string{
		"errorCode":       "AccessDenied",
		"errorMessage":    "User is not authorized to perform this operation",
		"sourceIPAddress": "198.51.100.7",
		"awsRegion":       "eu-west-1",
		"userAgent":       "console.amazonaws.com",
	}[field]
}

// legacySample is the value field has in baseRecord, a realistic value to
// show when one is in the region needed.
func legacySample(field string) string {
	if v, ok := baseRecord("StopLogging")[field].(string); ok && field != "eventName" {
		return v
	}
	return freshString(field)
}

// textVariants returns a string from every region the string conditions
// among consts tell apart (see stringClasses), and why the list may be
// incomplete ("" when it is not).
func textVariants(consts []value, samples []string, fresh string) ([]string, string) {
	var preds []strPred
	for _, v := range consts {
		if p, ok := predOf(v); ok {
			preds = append(preds, p)
		}
	}
	strs, complete := stringClasses(preds, nil, samples, fresh)
	if !complete {
		return strs, "its string conditions have too many combinations to try them all"
	}
	return strs, ""
}

// numberVariants returns a number from every region the conditions among
// consts tell apart. Numeric constants split the number line (each
// constant, a point between neighbours, one below, one above); wildcards
// and regexes read a number's text, whose regions are found as for strings
// within JSON's number grammar. Both at once are not enumerated: the list
// is then marked incomplete.
func numberVariants(consts []value) ([]json.Number, string) {
	var nums []float64
	var text []strPred
	for _, v := range consts {
		switch v.Kind {
		case valNumber:
			nums = append(nums, v.Num)
		case valString, valRegex:
			if p, ok := predOf(v); ok && !p.isEq {
				text = append(text, p) // an equality with a non-number never holds for a number
			}
		}
	}
	var out []json.Number
	if len(text) > 0 {
		dom := numberDomain()
		strs, complete := stringClasses(text, &dom, []string{"7", "0", "-1", "100", "1.5"}, "")
		for _, s := range strs {
			out = append(out, json.Number(s))
		}
		if !complete {
			return out, "its conditions on a number's text have too many combinations to try them all"
		}
		if len(nums) > 0 {
			return append(out, pointsAround(nums)...), "it compares the same field both as a number and by its text"
		}
		return out, ""
	}
	if len(nums) == 0 {
		return []json.Number{"7"}, ""
	}
	return pointsAround(nums), ""
}

// pointsAround is each constant, a point between each adjacent pair, one
// below and one above.
func pointsAround(nums []float64) []json.Number {
	sort.Float64s(nums)
	pts := []float64{nums[0] - 1}
	for i, n := range nums {
		pts = append(pts, n)
		if i+1 < len(nums) && nums[i+1] > n {
			pts = append(pts, n+(nums[i+1]-n)/2)
		}
	}
	pts = append(pts, nums[len(nums)-1]+1)
	var out []json.Number
	for _, f := range pts {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			continue
		}
		out = append(out, json.Number(strconv.FormatFloat(f, 'g', -1, 64)))
	}
	return out
}

// explain names the conditions that make n false on the current record,
// and the witness values they saw.
func (c *coverer) explain(n *cnode) string {
	atoms := c.blame(n)
	var conds, seen []string
	onlyName := true
	for _, a := range atoms {
		if !isEventName(a.Sel) {
			onlyName = false
		}
	}
	if onlyName {
		return fmt.Sprintf("no condition in the pattern matches $.eventName = %q", c.rec["eventName"])
	}
	done := map[string]bool{}
	for _, a := range atoms {
		if isEventName(a.Sel) {
			continue
		}
		conds = append(conds, a.String())
		if k := a.Sel.String(); !done[k] {
			done[k] = true
			seen = append(seen, c.describe(a.Sel))
		}
	}
	return strings.Join(seen, " and ") + " is excluded by `" + strings.Join(conds, "` and `") + "`" + c.hint(atoms)
}

// hint explains a comparison that can never hold for the witness's type,
// the usual cause being "= true" on a boolean.
func (c *coverer) hint(atoms []cond) string {
	for _, a := range atoms {
		if a.Op != opEq && a.Op != opNe {
			continue
		}
		kind := ""
		walk(any(c.rec), a.Sel, func(v any) bool {
			switch v.(type) {
			case bool:
				kind = "boolean"
			case map[string]any, []any:
				kind = "object or array"
			}
			return kind == ""
		})
		switch kind {
		case "boolean":
			return " (= and != never match a JSON boolean; use IS TRUE or IS FALSE)"
		case "object or array":
			return " (= and != never match an object or array)"
		}
	}
	return ""
}

func isEventName(s selector) bool {
	return len(s) == 1 && s[0].Kind == stepKey && s[0].Key == "eventName"
}

// blame collects the false atoms responsible for n being false.
func (c *coverer) blame(n *cnode) []cond {
	switch n.kind {
	case 0:
		return []cond{n.c}
	case 1:
		var pick []cond
		for _, k := range n.kids {
			if c.eval3(k, len(c.slots)) == tFalse {
				b := c.blame(k)
				if pick == nil {
					pick = b
				}
				for _, a := range b {
					if !isEventName(a.Sel) {
						return b // prefer a conjunct that is not about the event name
					}
				}
			}
		}
		return pick
	default:
		var all []cond
		for _, k := range n.kids {
			all = append(all, c.blame(k)...)
		}
		return all
	}
}

// describe says what the witness record holds at sel.
func (c *coverer) describe(sel selector) string {
	var vals []string
	walk(any(c.rec), sel, func(v any) bool {
		vals = append(vals, showValue(v))
		return true
	})
	path := sel.String()
	switch {
	case len(vals) == 0:
		if path == "$.errorCode" || path == "$.errorMessage" {
			return "a successful call (" + path + " absent)"
		}
		return "a record with " + path + " absent"
	case path == "$.errorCode" || path == "$.errorMessage":
		return "a failed call (" + path + " = " + vals[0] + ")"
	case path == "$.userIdentity.type":
		return "a call by " + strings.Trim(vals[0], `"`) + " (" + path + " = " + vals[0] + ")"
	}
	return "a record with " + path + " = " + strings.Join(vals, ", ")
}

func showValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return "{...}"
	case []any:
		return "[...]"
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// ---- text coverage (terms, regex, space-delimited) ----

// textWitness is one record text of an event and how it was made.
type textWitness struct {
	text string
	desc string
}

// textFamily writes each event's records for every caller type, success and
// failure, with variable values realistic, empty, or one of two fresh
// characters absent from the pattern, the last also with a fresh member
// between every two members. A piece of text present in all of them lies
// inside one member every record shares (a key with its fixed value),
// because a fresh character cannot be part of a term.
func textFamily(event string, p *Pattern) []textWitness {
	fresh := freshChars(p)
	var out []textWitness
	for _, typ := range IdentityTypes() {
		for _, failed := range []bool{false, true} {
			for fill := 0; fill <= len(fresh); fill++ {
				r := baseRecord(event)
				r["userIdentity"] = identity(typ)
				how := "successful"
				if failed {
					how = "failed"
					r["errorCode"] = "AccessDenied"
					r["errorMessage"] = "User is not authorized to perform this operation"
					r["responseElements"] = nil
				}
				desc := fmt.Sprintf("a %s %s call by %s", how, event, typ)
				if fill > 0 {
					fillStrings(r, fresh[fill-1])
					desc += fmt.Sprintf(" with every variable value set to %q", fresh[fill-1])
				}
				out = append(out, textWitness{text: recordText(r), desc: desc})
				if fill > 0 {
					out = append(out, textWitness{text: paddedText(r, fresh[fill-1]),
						desc: desc + fmt.Sprintf(" and a member %q:%q before and after each member", fresh[fill-1], fresh[fill-1])})
				}
			}
		}
	}
	return out
}

// fillStrings replaces every variable string in r with s.
func fillStrings(r map[string]any, s string) {
	fixed := fixedFields()
	var fill func(v any) any
	fill = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fill(e)
			}
			return x
		case []any:
			for i, e := range x {
				x[i] = fill(e)
			}
			return x
		case string:
			return s
		}
		return v
	}
	for k, v := range r {
		if _, ok := fixed[k]; ok || k == "eventName" {
			continue
		}
		r[k] = fill(v)
	}
}

// freshChars picks the empty string and two characters that occur nowhere
// in the pattern's terms or regexes.
func freshChars(p *Pattern) []string {
	var text strings.Builder
	text.WriteString(p.regex.Text)
	for _, t := range p.terms {
		text.WriteString(t.Text)
	}
	text.WriteString(p.String())
	out := []string{""}
	for _, r := range "QZXJqzxj#~" {
		if !strings.ContainsRune(text.String(), r) {
			out = append(out, string(r))
			if len(out) == 3 {
				break
			}
		}
	}
	return out
}

func coverText(p *Pattern) []Miss {
	var misses []Miss
	for _, ev := range Events() {
		reason := ""
		for _, w := range textFamily(ev, p) {
			if !Match(p, w.text) {
				reason = textReason(p, w)
				break
			}
		}
		if reason == "" && p.lang == langTerms {
			// Any text can appear in a variable value such as userAgent, so
			// an excluded term excludes some record of every event.
			for _, t := range p.terms {
				if t.Kind != termNot {
					continue
				}
				r := baseRecord(ev)
				r["userAgent"] = "tool/" + t.Text
				if !Match(p, recordText(r)) {
					reason = fmt.Sprintf("a call to %s whose userAgent contains %q is excluded by `-%s`", ev, t.Text, termString(t.Text))
					break
				}
			}
		}
		if reason != "" {
			misses = append(misses, Miss{Event: ev, Reason: reason})
		}
	}
	return misses
}

func termString(s string) string {
	if bareTerm(s) {
		return s
	}
	return quote(s)
}

func textReason(p *Pattern, w textWitness) string {
	switch p.lang {
	case langTerms:
		hasAll := false
		for _, t := range p.terms {
			hasAll = hasAll || t.Kind == termAll
		}
		var missing []string
		for _, t := range p.terms {
			in := strings.Contains(w.text, t.Text)
			switch {
			case t.Kind == termAll && !in:
				return fmt.Sprintf("%s does not contain the term `%s`", w.desc, termString(t.Text))
			case t.Kind == termNot && in:
				return fmt.Sprintf("%s contains the excluded term `-%s`", w.desc, termString(t.Text))
			case t.Kind == termAny && !hasAll:
				missing = append(missing, "?"+termString(t.Text))
			}
		}
		return fmt.Sprintf("%s contains none of `%s`", w.desc, strings.Join(missing, " "))
	case langRegex:
		return fmt.Sprintf("%s is not matched by `%%%s%%`", w.desc, p.regex.Text)
	}
	return fmt.Sprintf("%s is not matched by the space-delimited pattern (its text is compact JSON)", w.desc)
}

// Literal reports whether p is the CIS text modulo whitespace, quoting,
// parentheses and the order of the five terms: a JSON pattern that is the
// || of exactly the five $.eventName = Event comparisons, each once, with no
// wildcard. Security Hub and --strict require this form.
func Literal(p *Pattern) bool {
	if p == nil || p.lang != langJSON {
		return false
	}
	or, ok := p.expr.(orExpr)
	if !ok || len(or.Any) != len(Events()) {
		return false
	}
	want := map[string]bool{}
	for _, e := range Events() {
		want[e] = true
	}
	for _, e := range or.Any {
		c, ok := e.(cond)
		if !ok || c.Op != opEq || !isEventName(c.Sel) || c.Val.Kind != valString || !want[c.Val.Text] {
			return false
		}
		delete(want, c.Val.Text)
	}
	return len(want) == 0
}
