package pattern

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Verdict is the answer to "does the filter catch every record the
// must-catch pattern catches?".
type Verdict int

const (
	// Holds: proven; every CloudTrail record the must-catch pattern matches,
	// the filter matches too.
	Holds Verdict = iota
	// DoesNotHold: a witness record (checked with Match) is matched by the
	// must-catch pattern and not by the filter.
	DoesNotHold
	// NotProven: no witness was found, but the prover could not rule one
	// out; never read as "holds".
	NotProven
)

func (v Verdict) String() string {
	switch v {
	case Holds:
		return "holds"
	case DoesNotHold:
		return "does not hold"
	}
	return "not proven"
}

// Implication is Implies' answer.
type Implication struct {
	Verdict Verdict
	// Misses has one entry per event name (or, when the must-catch pattern
	// does not fix the event name, per kind of event name) whose records
	// the filter does not provably catch: with a Witness when it misses
	// one, without when that is not proven. Empty when the verdict is Holds.
	Misses []Miss
	// Reason sums the misses up in a sentence ("" when it holds).
	Reason string
}

// Witness returns the first witness record, or "".
func (im Implication) Witness() string {
	for _, m := range im.Misses {
		if m.Witness != "" {
			return m.Witness
		}
	}
	return ""
}

// searchBudget caps the nodes one search visits. A pattern that needs more
// is reported as not proven, never as holding.
const searchBudget = 50000

// Implies decides whether filter matches every CloudTrail record that
// mustCatch matches, reading records as the facts describe them (Facts).
//
// Why the method is sound for JSON patterns: a condition reads the values
// its selector reaches, and its truth depends only on which region of the
// value space each lies in: absent, null, true, false, object, array, a
// number below/at/between/above each numeric constant, or a string in one
// combination of the string conditions (strclass.go). The records are
// split by event name (the names mustCatch allows, or one name per region
// of the event-name conditions); within a case, every member either pattern
// reads is a slot whose variants hold one value of every region, within
// what the facts allow, and the search looks for an assignment that makes
// mustCatch true and filter false (each top-level conjunct of the filter
// on its own), pruning with three-valued evaluation. Members nobody reads
// are left out: every condition but NOT EXISTS holds when some reached
// value satisfies it, so fewer members can only make the filter falser,
// and each wildcard condition has a member (or element) of its own that
// can take any region, which serves the must-catch side and NOT EXISTS;
// members the facts say are always there are slots whenever a wildcard
// could reach them. A found assignment is completed into a realistic
// record and checked with Match before it is reported.
//
// Term, regex and space-delimited filters read the raw text; they are
// decided against a family of record texts (text.go) when the must-catch
// pattern pins only the event name and members the facts fix, and
// otherwise only refuted by an example record or reported as not proven.
func Implies(filter, mustCatch *Pattern) Implication {
	switch {
	case filter == nil || mustCatch == nil:
		return notProven("no pattern to compare")
	case filter.lang == langEmpty:
		return Implication{Verdict: Holds} // an empty filter matches every event
	}
	var must expr
	switch mustCatch.lang {
	case langEmpty:
	case langJSON:
		must = mustCatch.expr
	default:
		return huntOnly(filter, mustCatch, "the must-catch pattern is not a JSON pattern, so the records it matches cannot be enumerated")
	}
	if filter.lang == langJSON {
		return proveJSON(filter, mustCatch, must)
	}
	return proveText(filter, mustCatch, must)
}

func notProven(why string) Implication {
	return Implication{Verdict: NotProven, Reason: "not proven: " + why}
}

// verdictOf turns misses into an implication.
func verdictOf(misses []Miss) Implication {
	im := Implication{Verdict: Holds, Misses: misses}
	if len(misses) == 0 {
		return im
	}
	im.Verdict = NotProven
	for _, m := range misses {
		if m.Witness != "" {
			im.Verdict = DoesNotHold
		}
	}
	var parts []string
	for _, m := range misses {
		parts = append(parts, m.Event+": "+m.Reason)
	}
	im.Reason = strings.Join(parts, "; ")
	return im
}

// huntOnly looks for a witness among the example records: the answer when
// the records mustCatch matches cannot be enumerated.
func huntOnly(filter, mustCatch *Pattern, why string) Implication {
	for _, ev := range knownEventNames() {
		for _, text := range ExampleRecords(ev) {
			if Match(mustCatch, text) && !Match(filter, text) {
				return verdictOf([]Miss{{Event: ev, Reason: "this " + ev + " record is matched by the must-catch pattern and not by the filter", Witness: text}})
			}
		}
	}
	return notProven(why)
}

// knownEventNames lists every event the facts or examples know, sorted.
// The list is built once; callers must not change it.
var knownEventNames = sync.OnceValue(func() []string {
	seen := map[string]bool{"ConsoleLogin": true}
	for _, f := range Facts() {
		for _, e := range f.Events {
			seen[e] = true
		}
	}
	for e := range AmbiguousEvents() {
		seen[e] = true
	}
	for e := range extraExamples() {
		seen[e] = true
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
})

// ---- cases: one event name at a time ----

// proofCase is the records of one event name. factsEvent is the name whose
// facts apply ("" when the name stands for a region of names).
type proofCase struct {
	name, factsEvent string
}

// namesOf returns the event names e can match (finite) or false when e
// does not limit them to a list.
func namesOf(e expr) ([]string, bool) {
	return valuesOf(e, func(c cond) ([]string, bool) {
		if isEventName(c.Sel) && c.Op == opEq {
			if v := c.Val; v.Kind == valNumber || v.Kind == valString && !isWildcard(v.Text) {
				return []string{v.Text}, true
			}
		}
		return nil, false
	})
}

// valuesOf is the finite list of values e lets through, as leaf reads
// them off one condition: an && keeps what all its limiting operands
// allow, an || limits only when every operand does.
func valuesOf(e expr, leaf func(cond) ([]string, bool)) ([]string, bool) {
	switch e := e.(type) {
	case cond:
		return leaf(e)
	case andExpr:
		var out []string
		finite := false
		for _, k := range e.All {
			ns, ok := valuesOf(k, leaf)
			if !ok {
				continue
			}
			if !finite {
				out, finite = ns, true
				continue
			}
			out = intersect(out, ns)
		}
		return out, finite
	case orExpr:
		var out []string
		for _, k := range e.Any {
			ns, ok := valuesOf(k, leaf)
			if !ok {
				return nil, false
			}
			out = union(out, ns)
		}
		return out, true
	}
	return nil, false
}

// isWildcard: a leading or trailing * makes a value a pattern, not a name.
func isWildcard(v string) bool {
	return strings.HasPrefix(v, "*") || len(v) > 1 && strings.HasSuffix(v, "*")
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, y := range b {
		found := false
		for _, x := range out {
			found = found || x == y
		}
		if !found {
			out = append(out, y)
		}
	}
	return out
}

// nameSamples are event names to stand for "some other call": real calls
// whose records the examples can show.
func nameSamples() []string {
	return []string{"RunInstances", "GetBucketAcl", "DescribeTrails", "GetTrail"}
}

// casesFor lists the cases: the names must allows, or one representative
// per region of the event-name conditions in atoms. It says why the list
// may be incomplete.
func casesFor(must expr, atoms []*atom) ([]proofCase, string) {
	if must != nil {
		if names, ok := namesOf(must); ok {
			out := make([]proofCase, len(names))
			for i, n := range names {
				out[i] = proofCase{name: n, factsEvent: n}
			}
			return out, ""
		}
	}
	namePath := []pathElem{{Key: "eventName"}}
	var preds []strPred
	for _, a := range atoms {
		if !a.c.Op.unary() && reaches(a.c.Sel, namePath) {
			if p, ok := predOf(a.c.Val); ok {
				preds = append(preds, p)
			}
		}
	}
	reps, complete := stringClasses(preds, nil, nameSamples(), "RunInstances")
	var out []proofCase
	for _, r := range reps {
		c := proofCase{name: r}
		// A name equal to a constant is a region of its own: its facts hold
		// for the whole region.
		for _, p := range preds {
			if p.isEq && p.exact == r {
				c.factsEvent = r
			}
		}
		out = append(out, c)
	}
	if !complete {
		return out, "the conditions on $.eventName have too many combinations to try them all"
	}
	return out, ""
}

// ---- the JSON prover ----

// pathElem is one step of a concrete path. Wild > 0 marks the member or
// element a wildcard step of one condition reaches: every wildcard has one
// of its own, so several existential conditions can each have theirs.
type pathElem struct {
	Key     string
	Idx     int
	IsIdx   bool
	Wild    int
	WildIdx bool // the wildcard is [*], which reaches only array elements
}

type absentT struct{}

// absent marks a variant that removes the member.
var absent = absentT{}

type variant struct {
	v         any
	container bool // v is a prototype container to clone
}

type slot struct {
	path     []pathElem
	parent   int // -1: a member of the record itself
	last     int // index of the last slot in this slot's subtree
	variants []variant
	relevant bool
	// Members only wildcards read, with the same shape, are
	// interchangeable: a value swap between them changes no condition. The
	// search gives such a slot a variant no earlier than symPrev's (-1:
	// none), which tries each multiset of values once instead of each
	// arrangement.
	symPrev    int
	choice     int
	wildOnly   bool
	incomplete string // why variants may miss a region ("" when exhaustive)
	consts     []value
}

// atom is one condition of either pattern with its concrete path; scope is
// how many leading steps precede the first wildcard.
type atom struct {
	c     cond
	path  []pathElem
	scope int
	top   int // the slot of the container its first wildcard starts at (or of its path)
}

type cnode struct {
	kind  int // 0 atom, 1 and, 2 or
	kids  []*cnode
	c     cond
	a     *atom
	needs int // the atom is decided once slots [0, needs] are assigned
	top   int // an atom reads slots [top, needs]
}

type prover struct {
	atoms    []*atom
	slots    []slot
	index    map[string]int
	wildKey  map[int]string
	wildIdx  map[int]int
	rec      map[string]any
	budget   int
	witness  map[string]any
	event    string // the case's facts event
	samples  map[string][]string
	compiled int    // atoms compiled so far
	decided  int    // slots [0, decided) were assigned when the witness was found
	found    *cnode // the filter conjunct the witness falsifies
	must     *cnode
}

func pathKey(p []pathElem) string {
	if len(p) == 1 && p[0].Wild == 0 && !p[0].IsIdx {
		return "\x00." + p[0].Key // the common case, in one allocation
	}
	var b []byte
	for _, e := range p {
		switch {
		case e.Wild > 0:
			b = append(b, "\x00*"...)
			b = strconv.AppendInt(b, int64(e.Wild), 10)
		case e.IsIdx:
			b = append(b, "\x00["...)
			b = strconv.AppendInt(b, int64(e.Idx), 10)
		default:
			b = append(b, "\x00."...)
			b = append(b, e.Key...)
		}
	}
	return string(b)
}

// dotted is the fact name of a path of plain keys ("" otherwise).
func dotted(p []pathElem) string {
	var parts []string
	for _, e := range p {
		if e.Wild > 0 || e.IsIdx {
			return ""
		}
		parts = append(parts, e.Key)
	}
	return strings.Join(parts, ".")
}

// concrete turns a selector into a path, numbering its wildcards from next.
func concrete(sel selector, next *int) (path []pathElem, scope int) {
	scope = -1
	for i, st := range sel {
		switch st.Kind {
		case stepKey:
			path = append(path, pathElem{Key: st.Key})
		case stepIndex:
			path = append(path, pathElem{Idx: st.Index, IsIdx: true})
		case stepAnyKey, stepAnyIndex:
			*next++
			path = append(path, pathElem{Wild: *next, WildIdx: st.Kind == stepAnyIndex})
			if scope < 0 {
				scope = i
			}
		}
	}
	if scope < 0 {
		scope = len(path)
	}
	return path, scope
}

// reaches reports whether sel can select the value at path. It errs on the
// side of yes (a wildcard member may sit in an object or an array): a
// condition counted as reaching a slot only adds regions to its variants.
func reaches(sel selector, path []pathElem) bool {
	if len(sel) != len(path) {
		return false
	}
	for i, st := range sel {
		e := path[i]
		switch st.Kind {
		case stepKey:
			if e.Wild > 0 || e.IsIdx || e.Key != st.Key {
				return false
			}
		case stepIndex:
			if e.Wild > 0 || !e.IsIdx || e.Idx != st.Index {
				return false
			}
		case stepAnyIndex:
			if e.Wild == 0 && !e.IsIdx {
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

// presentMembers are the members the facts say every record has under the
// container at field ("" for the record), as child field names.
func presentMembers(field string) []string {
	var out []string
	for f, fact := range facts()[""] {
		parent, name := "", f
		if i := strings.LastIndexByte(f, '.'); i >= 0 {
			parent, name = f[:i], f[i+1:]
		}
		if parent != field {
			continue
		}
		switch fact.Shape {
		case PresentString, PresentObject, ObjectOrNull, Fixed:
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// newProver lays out the slots both patterns read.
func newProver(exprs ...expr) *prover {
	pv := &prover{index: map[string]int{}, wildKey: map[int]string{}, wildIdx: map[int]int{}}
	conds := make([]cond, 0, 16)
	for _, e := range exprs {
		if e != nil {
			collect(e, &conds)
		}
	}
	next := 0
	keys := map[string][]pathElem{}
	addPath := func(p []pathElem) {
		for i := 1; i <= len(p); i++ {
			keys[pathKey(p[:i])] = p[:i]
		}
	}
	names := map[string]bool{}
	store := make([]atom, len(conds))
	pv.atoms = make([]*atom, len(conds))
	for i, c := range conds {
		path, scope := concrete(c.Sel, &next)
		store[i] = atom{c: c, path: path, scope: scope}
		pv.atoms[i] = &store[i]
		addPath(path)
		for _, e := range path {
			names[e.Key] = true
		}
	}
	// A wildcard sees the members every record has: they are slots, so a
	// record the search builds holds them as real records do.
	for _, a := range pv.atoms {
		for i, e := range a.path {
			if e.Wild == 0 {
				continue
			}
			var grow func(prefix []pathElem)
			grow = func(prefix []pathElem) {
				field := dotted(prefix)
				if field == "" && len(prefix) > 0 {
					return
				}
				for _, m := range presentMembers(field) {
					p := append(append([]pathElem(nil), prefix...), pathElem{Key: m})
					addPath(p)
					grow(p)
				}
			}
			grow(a.path[:i])
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for i, k := range sorted {
		pv.index[k] = i
		pv.slots = append(pv.slots, slot{path: keys[k], parent: -1})
	}
	for i := range pv.slots {
		s := &pv.slots[i]
		if len(s.path) > 1 {
			s.parent = pv.index[pathKey(s.path[:len(s.path)-1])]
		}
		s.last = i
		for j := i + 1; j < len(pv.slots) && strings.HasPrefix(sorted[j], sorted[i]+"\x00"); j++ {
			s.last = j
		}
		// A slot's regions are those of every condition that can read it.
		s.wildOnly = s.last == i && dotted(s.path) != ""
		for _, a := range pv.atoms {
			if !reaches(a.c.Sel, s.path) {
				continue
			}
			if a.scope == len(a.path) {
				s.wildOnly = false // a condition names it
			}
			if !a.c.Op.unary() {
				s.consts = append(s.consts, a.c.Val)
			}
		}
	}
	for _, a := range pv.atoms {
		if a.scope > 0 {
			a.top = pv.index[pathKey(a.path[:a.scope])]
		}
	}
	// Wildcard members get a key no pattern names, and wildcard elements an
	// index past every index the patterns name in that array.
	maxIdx := map[int]int{}
	for _, s := range pv.slots {
		if e := s.path[len(s.path)-1]; e.IsIdx && e.Wild == 0 {
			maxIdx[s.parent] = max(maxIdx[s.parent], e.Idx+1)
		}
	}
	ord := map[int]int{}
	for _, s := range pv.slots {
		e := s.path[len(s.path)-1]
		if e.Wild == 0 {
			continue
		}
		pv.wildIdx[e.Wild] = maxIdx[s.parent] + ord[s.parent]
		ord[s.parent]++
		k := "otherMember" + strconv.Itoa(e.Wild)
		for names[k] {
			k += "_"
		}
		pv.wildKey[e.Wild] = k
	}
	return pv
}

func (pv *prover) compile(e expr) *cnode {
	if e == nil {
		return nil
	}
	n := &cnode{}
	var kids []expr
	switch e := e.(type) {
	case orExpr:
		n.kind, kids = 2, e.Any
	case andExpr:
		n.kind, kids = 1, e.All
	case cond:
		// compile visits conditions in the order newProver collected them.
		a := pv.atoms[pv.compiled]
		pv.compiled++
		n.c, n.a = e, a
		// A wildcard reaches everything under the container it starts at,
		// so the atom depends on that whole subtree.
		if a.scope == 0 {
			n.top, n.needs = 0, len(pv.slots)-1
			return n
		}
		n.top = a.top
		n.needs = pv.slots[n.top].last
		return n
	}
	n.kids = make([]*cnode, 0, len(kids))
	for _, k := range kids {
		kn := pv.compile(k)
		n.kids = append(n.kids, kn)
		n.needs = max(n.needs, kn.needs)
	}
	return n
}

const (
	tFalse = iota
	tTrue
	tUnknown
)

// eval3 evaluates n with slots [0, d) assigned: an atom whose slots are not
// all assigned is unknown (Kleene logic). A nil node is true.
func (pv *prover) eval3(n *cnode, d int) int {
	if n == nil {
		return tTrue
	}
	switch n.kind {
	case 0:
		if n.needs >= d {
			return tUnknown
		}
		if evalCond(n.c, any(pv.rec)) {
			return tTrue
		}
		return tFalse
	case 1:
		r := tTrue
		for _, k := range n.kids {
			switch pv.eval3(k, d) {
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
			switch pv.eval3(k, d) {
			case tTrue:
				return tTrue
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	}
}

// falsify looks for an assignment of slots [d, ...) that makes must true
// and part false; it returns the reason, built while the witness is in
// place, and keeps a copy of the witness.
func (pv *prover) falsify(part, must *cnode, d int) (string, bool) {
	pv.budget--
	if pv.budget <= 0 {
		return "", false
	}
	m := pv.eval3(must, d)
	if m == tFalse {
		return "", false
	}
	f := pv.eval3(part, d)
	if f == tTrue {
		return "", false
	}
	if f == tFalse && m == tTrue {
		pv.witness = cloneValue(pv.rec).(map[string]any)
		pv.decided = d
		return pv.explain(part), true
	}
	if d >= len(pv.slots) {
		return "", false // unreachable: all assigned means decided
	}
	s := pv.slots[d]
	parent, key, ok := pv.locate(s)
	if !s.relevant || !ok {
		// Irrelevant, or its parent is not a container: it stays absent.
		return pv.falsify(part, must, d+1)
	}
	start := 0
	if s.symPrev >= 0 {
		start = pv.slots[s.symPrev].choice
	}
	for k := start; k < len(s.variants); k++ {
		pv.slots[d].choice = k
		u := pv.set(parent, key, s.variants[k])
		r, found := pv.falsify(part, must, d+1)
		u.undo()
		if found || pv.budget <= 0 {
			return r, found
		}
	}
	return "", false
}

// step resolves one path element in container cur.
func (pv *prover) step(cur any, e pathElem) (any, bool) {
	switch x := cur.(type) {
	case map[string]any:
		if e.IsIdx || e.WildIdx {
			return nil, false
		}
		k := e.Key
		if e.Wild > 0 {
			k = pv.wildKey[e.Wild]
		}
		v, ok := x[k]
		return v, ok
	case []any:
		i := e.Idx
		if e.Wild > 0 {
			i = pv.wildIdx[e.Wild]
		} else if !e.IsIdx {
			return nil, false
		}
		if i >= len(x) {
			return nil, false
		}
		return x[i], true
	}
	return nil, false
}

// locate finds the container that holds slot s in the current record.
func (pv *prover) locate(s slot) (any, pathElem, bool) {
	var cur any = pv.rec
	for _, e := range s.path[:len(s.path)-1] {
		v, ok := pv.step(cur, e)
		if !ok {
			return nil, pathElem{}, false
		}
		cur = v
	}
	last := s.path[len(s.path)-1]
	switch x := cur.(type) {
	case map[string]any:
		return x, last, !last.IsIdx && !last.WildIdx
	case []any:
		i := last.Idx
		if last.Wild > 0 {
			i = pv.wildIdx[last.Wild]
		} else if !last.IsIdx {
			return nil, pathElem{}, false
		}
		return x, last, i < len(x)
	}
	return nil, pathElem{}, false
}

// arrayFiller fills array positions no slot sets; an empty object
// satisfies no comparison.
func arrayFiller() any { return map[string]any{} }

// undo restores what set changed.
type undo struct {
	m   map[string]any
	k   string
	a   []any
	i   int
	old any
	had bool
}

func (u undo) undo() {
	switch {
	case u.m != nil && u.had:
		u.m[u.k] = u.old
	case u.m != nil:
		delete(u.m, u.k)
	case u.a != nil:
		u.a[u.i] = u.old
	}
}

func (pv *prover) set(parent any, key pathElem, v variant) undo {
	val := v.v
	if v.container {
		val = cloneValue(val)
	}
	switch x := parent.(type) {
	case map[string]any:
		k := key.Key
		if key.Wild > 0 {
			k = pv.wildKey[key.Wild]
		}
		old, had := x[k]
		if val == any(absent) {
			delete(x, k)
		} else {
			x[k] = val
		}
		return undo{m: x, k: k, old: old, had: had}
	case []any:
		i := key.Idx
		if key.Wild > 0 {
			i = pv.wildIdx[key.Wild]
		}
		old := x[i]
		if val == any(absent) {
			val = arrayFiller()
		}
		x[i] = val
		return undo{a: x, i: i, old: old}
	}
	return undo{}
}

// variants lists one value from every region of slot i's value space that
// the conditions on it distinguish, within what the facts allow, and says
// why the list may be incomplete.
func (pv *prover) variants(i int) ([]variant, string) {
	s := pv.slots[i]
	field := dotted(s.path)
	if field == "eventName" {
		return []variant{{v: pv.rec["eventName"]}}, ""
	}
	shape, fixed := Unconstrained, any(nil)
	if field != "" {
		shape, fixed = shapeOf(pv.event, field)
	}
	if shape == Fixed {
		return []variant{{v: fixed}}, ""
	}
	// Children decide which containers matter.
	var objKids, arrKids bool
	size := 0
	for j := i + 1; j <= s.last; j++ {
		if pv.slots[j].parent != i {
			continue
		}
		e := pv.slots[j].path[len(pv.slots[j].path)-1]
		switch {
		case e.Wild > 0:
			arrKids = true
			objKids = objKids || !e.WildIdx
			size = max(size, pv.wildIdx[e.Wild]+1)
		case e.IsIdx:
			arrKids = true
			size = max(size, e.Idx+1)
		default:
			objKids = true
		}
	}
	obj := variant{v: map[string]any{}, container: true}
	var containers []variant
	if objKids || !arrKids {
		containers = append(containers, obj)
	}
	if arrKids || !objKids {
		a := make([]any, max(size, 1))
		for k := range a {
			a[k] = arrayFiller()
		}
		containers = append(containers, variant{v: a, container: true})
		if arrKids {
			// An array with no elements: the only way for a [*] to reach
			// nothing while the array is there.
			containers = append(containers, variant{v: []any{}, container: true})
		}
	}
	strs := func() ([]variant, string) {
		ss, why := textVariants(s.consts, pv.samplesOf(field), freshString(lastKey(field)))
		out := make([]variant, len(ss))
		for k, x := range ss {
			out[k] = variant{v: x}
		}
		return out, why
	}
	switch shape {
	case PresentString:
		return strs()
	case OptionalString:
		out, why := strs()
		return append(out, variant{v: absent}), why
	case PresentObject:
		return []variant{obj}, ""
	case ObjectOrNull:
		return []variant{obj, {v: nil}}, ""
	case OptionalBool:
		return []variant{{v: true}, {v: false}, {v: absent}}, ""
	}
	if i < s.last && len(s.consts) == 0 {
		// Only a way to its children: what matters is container or not.
		return append([]variant{{v: absent}}, containers...), ""
	}
	out := []variant{{v: absent}, {v: nil}, {v: true}, {v: false}}
	nums, why := numberVariants(s.consts)
	for _, n := range nums {
		out = append(out, variant{v: n})
	}
	ss, why2 := strs()
	out = append(out, ss...)
	if why == "" {
		why = why2
	}
	return append(out, containers...), why
}

func lastKey(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[i+1:]
	}
	return field
}

// samplesOf returns realistic values of field in the case's records, to
// stand for their region when they are in it.
func (pv *prover) samplesOf(field string) []string {
	if field == "" {
		return nil
	}
	if pv.samples == nil {
		pv.samples = map[string][]string{}
		event := pv.event
		if event == "" {
			event = "RunInstances"
		}
		maps := exampleMaps(event)
		if len(maps) == 0 {
			maps = exampleMaps("RunInstances")
		}
		for _, m := range maps {
			var walkStr func(prefix string, v any)
			walkStr = func(prefix string, v any) {
				switch x := v.(type) {
				case map[string]any:
					for k, c := range x {
						p := k
						if prefix != "" {
							p = prefix + "." + k
						}
						walkStr(p, c)
					}
				case string:
					for _, have := range pv.samples[prefix] {
						if have == x {
							return
						}
					}
					pv.samples[prefix] = append(pv.samples[prefix], x)
				}
			}
			walkStr("", m)
		}
	}
	out := []string{}
	if s := freshString(lastKey(field)); s != "" {
		out = append(out, s)
	}
	if field == "userIdentity.type" {
		out = append(out, IdentityTypes()...)
	}
	return append(out, pv.samples[field]...)
}

// freshString names a value that reads well in a reason for a member.
func freshString(key string) string {
	return map[string]string{
		"errorCode":       "AccessDenied",
		"errorMessage":    "User is not authorized to perform this operation",
		"sourceIPAddress": "198.51.100.7",
		"awsRegion":       "eu-west-1",
		"userAgent":       "console.amazonaws.com",
	}[key]
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

// proveJSON answers Implies for a JSON filter.
func proveJSON(filter, mustCatch *Pattern, must expr) Implication {
	pv := newProver(filter.expr, must)
	fRoot := pv.compile(filter.expr)
	mRoot := pv.compile(must)
	cases, casesWhy := casesFor(must, pv.atoms)
	parts := []*cnode{fRoot}
	if fRoot.kind == 1 {
		parts = fRoot.kids
	}
	var misses []Miss
	for _, pc := range cases {
		pv.event = pc.factsEvent
		pv.samples = nil
		if pv.rec == nil {
			pv.rec = map[string]any{}
		}
		clear(pv.rec)
		for k, v := range fixedTop()[pc.factsEvent] {
			pv.rec[k] = v
		}
		pv.rec["eventName"] = pc.name
		prevSym := map[int]int{} // parent → the last interchangeable slot under it
		for i := range pv.slots {
			s := &pv.slots[i]
			s.symPrev = -1
			shape, _ := shapeOf(pv.event, dotted(s.path))
			sym := s.wildOnly && shape == PresentString && dotted(s.path) != "eventName"
			if j, ok := prevSym[s.parent]; ok && sym {
				s.variants, s.incomplete, s.symPrev = pv.slots[j].variants, pv.slots[j].incomplete, j
			} else {
				s.variants, s.incomplete = pv.variants(i)
			}
			if sym {
				prevSym[s.parent] = i
			}
		}
		miss, found, missed := pv.search(parts, mRoot, pc)
		if !missed {
			continue
		}
		if found {
			if w, ok := pv.verify(filter, mustCatch, pc); ok {
				miss.Witness = w
			} else {
				// Never expected; reported rather than trusted.
				miss.Reason = "not proven: the witness the search built did not check out with Match (" + miss.Reason + ")"
			}
		}
		misses = append(misses, miss)
	}
	if casesWhy != "" && len(misses) == 0 {
		return notProven(casesWhy)
	}
	return verdictOf(misses)
}

// search runs the search of one case and returns its miss: found when a
// witness is in pv.witness, missed false when the filter provably catches
// the case's records.
func (pv *prover) search(parts []*cnode, mRoot *cnode, pc proofCase) (m Miss, found, missed bool) {
	for _, part := range parts {
		pv.budget = searchBudget
		for i := range pv.slots {
			pv.slots[i].relevant = false
		}
		pv.markRelevant(part)
		pv.markRelevant(mRoot)
		r, found := pv.falsify(part, mRoot, 0)
		if found {
			pv.found, pv.must = part, mRoot
			return Miss{Event: pc.name, Reason: r}, true, true
		}
		if pv.budget <= 0 {
			return Miss{Event: pc.name, Reason: "the pattern is too complex to prove it matches every " + pc.name + " record"}, false, true
		}
		for _, sl := range pv.slots {
			if sl.relevant && sl.incomplete != "" {
				return Miss{Event: pc.name, Reason: "not proven that the pattern matches every " + pc.name + " record: " + slotName(sl) + " " + sl.incomplete}, false, true
			}
		}
	}
	return Miss{}, false, false
}

// markRelevant marks the slots n's atoms read, and their ancestors.
func (pv *prover) markRelevant(n *cnode) {
	if n == nil {
		return
	}
	if n.kind != 0 {
		for _, k := range n.kids {
			pv.markRelevant(k)
		}
		return
	}
	for d := n.top; d <= n.needs; d++ {
		for j := d; j >= 0 && !pv.slots[j].relevant; j = pv.slots[j].parent {
			pv.slots[j].relevant = true
		}
	}
}

// slotName is a slot's path as a selector reads.
func slotName(s slot) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, e := range s.path {
		switch {
		case e.WildIdx:
			b.WriteString("[*]")
		case e.Wild > 0:
			b.WriteString(".*")
		case e.IsIdx:
			b.WriteString("[" + strconv.Itoa(e.Idx) + "]")
		default:
			b.WriteString("." + e.Key)
		}
	}
	return b.String()
}

// verify turns the search's witness into a record text that Match
// confirms (complete), reporting false if it does not: never expected, and
// then the case is reported as not proven rather than trusted.
func (pv *prover) verify(filter, mustCatch *Pattern, pc proofCase) (string, bool) {
	text := recordText(pv.complete(pv.witness, pc))
	return text, Match(mustCatch, text) && !Match(filter, text)
}

// complete fills the search's witness out into a realistic record of its
// event. The witness holds the members the search decided; every other
// member comes from an example record, except under a container that a
// wildcard condition the search decided reads, where an extra member would
// change what it saw. Nothing else can change the answer: what the search
// did not assign was not needed to decide it.
func (pv *prover) complete(w map[string]any, pc proofCase) map[string]any {
	src, _ := w["eventSource"].(string)
	failed := false
	if code, ok := w["errorCode"].(string); ok && code != "" {
		failed = true
	}
	var base map[string]any
	maps := exampleMaps(pc.name)
	for _, m := range maps {
		_, mFailed := m["errorMessage"]
		if (src == "" || m["eventSource"] == src) && mFailed == failed {
			base = m // the first: an IAM user's call
			break
		}
	}
	if base == nil && len(maps) > 0 {
		base = maps[0]
	}
	if base == nil {
		if src == "" {
			src = "ec2.amazonaws.com"
		}
		base = exampleRecord(src, pc.name, "IAMUser", failed)
	}
	// A container is frozen when a wildcard condition reading it was
	// decided: it saw exactly the members the witness holds there.
	wild := map[string]bool{}
	var used []*atom
	var gather func(n *cnode)
	gather = func(n *cnode) {
		if n == nil {
			return
		}
		if n.kind == 0 {
			used = append(used, n.a)
		}
		for _, k := range n.kids {
			gather(k)
		}
	}
	gather(pv.found)
	gather(pv.must)
	for _, a := range used {
		if a.scope == len(a.path) {
			continue
		}
		needs := len(pv.slots) - 1
		if a.scope > 0 {
			needs = pv.slots[pv.index[pathKey(a.path[:a.scope])]].last
		}
		if needs >= pv.decided {
			continue
		}
		for i, e := range a.path {
			if e.Wild > 0 {
				wild[pathKey(a.path[:i])] = true
			}
		}
	}
	assigned := func(path []pathElem) (bool, bool) {
		i, ok := pv.index[pathKey(path)]
		return ok, ok && i < pv.decided && pv.slots[i].relevant
	}
	out := cloneValue(w).(map[string]any)
	var merge func(dst, src map[string]any, prefix []pathElem)
	merge = func(dst, src map[string]any, prefix []pathElem) {
		if wild[pathKey(prefix)] {
			return
		}
		for k, v := range src {
			p := append(append([]pathElem(nil), prefix...), pathElem{Key: k})
			isSlot, isSet := assigned(p)
			if isSet {
				if sub, ok := dst[k].(map[string]any); ok {
					if vm, ok := v.(map[string]any); ok {
						merge(sub, vm, p)
					}
				}
				continue
			}
			if _, have := dst[k]; !have || isSlot {
				dst[k] = cloneValue(v)
			}
		}
	}
	merge(out, base, nil)
	if failed {
		// A failed call as CloudTrail writes it, unless the search decided.
		if _, isSet := assigned([]pathElem{{Key: "errorMessage"}}); !isSet && !wild[""] {
			if _, ok := out["errorMessage"]; !ok {
				out["errorMessage"] = "User: arn:aws:iam::" + exampleAccount + ":user/alice is not authorized to perform this operation"
			}
		}
		if _, isSet := assigned([]pathElem{{Key: "responseElements"}}); !isSet {
			out["responseElements"] = nil
		}
	}
	return out
}

// ---- reasons ----

// explain names the conditions that make n false on the current record,
// and the witness values they saw.
func (pv *prover) explain(n *cnode) string {
	atoms := pv.blame(n)
	var conds, seen []string
	onlyName := true
	for _, a := range atoms {
		if !isEventName(a.Sel) {
			onlyName = false
		}
	}
	if onlyName {
		return fmt.Sprintf("no condition in the pattern matches $.eventName = %q", pv.rec["eventName"])
	}
	done := map[string]bool{}
	for _, a := range atoms {
		if isEventName(a.Sel) {
			continue
		}
		conds = append(conds, a.String())
		if k := a.Sel.String(); !done[k] {
			done[k] = true
			seen = append(seen, pv.describe(a.Sel))
		}
	}
	return strings.Join(seen, " and ") + " is excluded by `" + strings.Join(conds, "` and `") + "`" + pv.hint(atoms)
}

// hint explains a comparison that can never hold for the witness's type,
// the usual cause being "= true" on a boolean.
func (pv *prover) hint(atoms []cond) string {
	for _, a := range atoms {
		if a.Op != opEq && a.Op != opNe {
			continue
		}
		kind := ""
		walk(any(pv.rec), a.Sel, func(v any) bool {
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
func (pv *prover) blame(n *cnode) []cond {
	switch n.kind {
	case 0:
		return []cond{n.c}
	case 1:
		var pick []cond
		for _, k := range n.kids {
			if pv.eval3(k, len(pv.slots)) == tFalse {
				b := pv.blame(k)
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
			all = append(all, pv.blame(k)...)
		}
		return all
	}
}

// describe says what the witness record holds at sel.
func (pv *prover) describe(sel selector) string {
	var vals []string
	walk(any(pv.rec), sel, func(v any) bool {
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
	case json.Number:
		return string(x)
	}
	return fmt.Sprint(v)
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
