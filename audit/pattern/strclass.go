package pattern

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The prover needs, for each field, one value from every region of the
// value space that the pattern's conditions tell apart. For strings a
// region is a combination of which string conditions hold: equal to a
// constant, a leading or trailing * wildcard, a %regex%. Every such
// condition is a regular language, so the combinations that some string
// realises are found exactly by exploring the product of their automata:
// stringClasses walks it breadth first and keeps, for every combination it
// reaches, the shortest string (or a realistic sample with the same
// combination). A value a condition rejects is found as surely as one it
// accepts, which is what the regex and wildcard soundness rests on.

// strPred is one string test: the language a condition's constant
// accepts, as an unanchored search (how Match applies a %regex%).
type strPred struct {
	exact string // the constant, when the test is string equality
	isEq  bool
	re    *regexp.Regexp
	prog  *syntax.Prog
}

// predOf turns a condition's constant into the string test it applies.
// A lone * (present with any value) tests nothing: it holds for every
// string, so it has no test.
func predOf(v value) (strPred, bool) {
	switch v.Kind {
	case valAny:
		return strPred{}, false
	case valNumber:
		return eqPred(v.Text), true
	case valRegex:
		return newPred(v.Text, "", false)
	}
	pat := v.Text
	pre := strings.HasPrefix(pat, "*")
	suf := len(pat) > 1 && strings.HasSuffix(pat, "*")
	core := pat
	if pre {
		core = core[1:]
	}
	if suf {
		core = core[:len(core)-1]
	}
	q := regexp.QuoteMeta(core)
	switch {
	case pre && suf:
		return newPred(q, "", false)
	case pre:
		return newPred(q+`$`, "", false)
	case suf:
		return newPred(`^`+q, "", false)
	}
	return eqPred(pat), true
}

func eqPred(s string) strPred {
	p, _ := newPred(`^`+regexp.QuoteMeta(s)+`$`, s, true)
	return p
}

// newPred compiles src as regexp.Compile does (Perl flags: ^ and $ match
// only at the ends of the text, . does not match a newline).
func newPred(src, exact string, isEq bool) (strPred, bool) {
	re, err := regexp.Compile(src)
	if err != nil {
		return strPred{}, false
	}
	sx, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return strPred{}, false
	}
	prog, err := syntax.Compile(sx.Simplify())
	if err != nil {
		return strPred{}, false
	}
	return strPred{exact: exact, isEq: isEq, re: re, prog: prog}, true
}

// numberDomain is JSON's number grammar: the texts a JSON number can have.
func numberDomain() strPred {
	p, _ := newPred(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`, "", false)
	return p
}

// classBudget caps the automaton states one enumeration visits; past it the
// enumeration is incomplete and the prover says "not proven".
const classBudget = 20000

// vector is which predicates a string satisfies, as a key.
func vector(preds []strPred, s string) string {
	b := make([]byte, len(preds))
	for i, p := range preds {
		if p.re.MatchString(s) {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
	}
	return string(b)
}

// stringClasses returns one string for every combination of preds that a
// string in domain (nil: any string) realises, samples first when they
// realise one, and whether the list is complete.
func stringClasses(preds []strPred, domain *strPred, samples []string, fresh string) ([]string, bool) {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if domain != nil && !domain.re.MatchString(s) {
			return
		}
		if k := vector(preds, s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	for _, s := range samples {
		add(s)
	}
	allEq := true
	for _, p := range preds {
		allEq = allEq && p.isEq
	}
	if allEq && domain == nil {
		// Equality tests only: each constant is its own region, and every
		// other string is in one more.
		for _, p := range preds {
			add(p.exact)
		}
		add(freshOutside(preds, fresh))
		return out, true
	}
	if len(preds) < 20 && len(seen) == 1<<len(preds) {
		return out, true
	}
	found, complete := explore(preds, domain)
	for _, s := range found {
		add(s)
	}
	return out, complete
}

// freshOutside is a string no equality test accepts, named after hint.
func freshOutside(preds []strPred, hint string) string {
	if hint == "" {
		hint = "other-value"
	}
	s := hint
	for n := 2; ; n++ {
		clash := false
		for _, p := range preds {
			clash = clash || p.re.MatchString(s)
		}
		if !clash {
			return s
		}
		s = hint + "-" + strconv.Itoa(n)
	}
}

// nfa state of one predicate while reading a string: the program counters
// waiting for the next character (before following empty transitions), or
// done once a match has been seen (a search matches for good).
type predState struct {
	done bool
	pcs  []uint32
}

// prevKind is what an empty-width assertion needs to know about the
// previous character.
const (
	prevStart = iota
	prevNewline
	prevWord
	prevOther
)

func kindOf(r rune) int {
	switch {
	case r == '\n':
		return prevNewline
	case syntax.IsWordChar(r):
		return prevWord
	}
	return prevOther
}

func runeOfKind(k int) rune {
	switch k {
	case prevStart:
		return -1
	case prevNewline:
		return '\n'
	case prevWord:
		return 'a'
	}
	return ' '
}

type exploreState struct {
	prev  int
	preds []predState
	str   string
}

func (s exploreState) key() string {
	var b strings.Builder
	b.WriteByte(byte('0' + s.prev))
	for _, p := range s.preds {
		if p.done {
			b.WriteString("|M")
			continue
		}
		b.WriteByte('|')
		for _, pc := range p.pcs {
			b.WriteString(strconv.FormatUint(uint64(pc), 36))
			b.WriteByte(',')
		}
	}
	return b.String()
}

// explore walks the product automaton of preds (and domain, which must
// hold) breadth first, returning the shortest string for every combination
// it reaches at the end of a string, and whether it visited every state.
func explore(preds []strPred, domain *strPred) ([]string, bool) {
	all := preds
	if domain != nil {
		all = append(append([]strPred(nil), preds...), *domain)
	}
	alphabet, ok := alphabetOf(all)
	if !ok {
		return nil, false
	}
	start := exploreState{prev: prevStart, preds: make([]predState, len(all))}
	visited := map[string]bool{start.key(): true}
	queue := []exploreState{start}
	seen := map[string]bool{}
	var out []string
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		// The combination of a string ending here.
		end := runeOfKind(st.prev)
		ctx := syntax.EmptyOpContext(end, -1)
		if st.prev == prevStart {
			ctx = syntax.EmptyOpContext(-1, -1)
		}
		vec := make([]byte, len(preds))
		inDomain := true
		for i, p := range all {
			m := st.preds[i].done
			if !m {
				_, m = closure(p.prog, st.preds[i].pcs, ctx)
			}
			if i < len(preds) {
				vec[i] = '0'
				if m {
					vec[i] = '1'
				}
			} else {
				inDomain = m
			}
		}
		if inDomain && !seen[string(vec)] {
			seen[string(vec)] = true
			out = append(out, st.str)
			if len(preds) < 20 && len(seen) == 1<<len(preds) {
				return out, true
			}
		}
		for _, r := range alphabet {
			next := exploreState{prev: kindOf(r), preds: make([]predState, len(all)), str: st.str + string(r)}
			ctx := syntax.EmptyOpContext(runeOfKind(st.prev), r)
			for i, p := range all {
				if st.preds[i].done {
					next.preds[i].done = true
					continue
				}
				insts, m := closure(p.prog, st.preds[i].pcs, ctx)
				if m {
					next.preds[i].done = true
					continue
				}
				var pcs []uint32
				for _, pc := range insts {
					in := &p.prog.Inst[pc]
					if in.MatchRune(r) {
						pcs = append(pcs, in.Out)
					}
				}
				sort.Slice(pcs, func(a, b int) bool { return pcs[a] < pcs[b] })
				pcs = dedupe(pcs)
				next.preds[i].pcs = pcs
			}
			k := next.key()
			if visited[k] {
				continue
			}
			if len(visited) >= classBudget {
				return out, false
			}
			visited[k] = true
			queue = append(queue, next)
		}
	}
	return out, true
}

func dedupe(pcs []uint32) []uint32 {
	out := pcs[:0]
	for i, pc := range pcs {
		if i == 0 || pc != pcs[i-1] {
			out = append(out, pc)
		}
	}
	return out
}

// closure follows the empty transitions from the waiting counters plus a
// new thread at the program's start (the search may begin here), under the
// empty-width context ctx. It returns the instructions that read a
// character and whether a match is reached.
func closure(prog *syntax.Prog, pcs []uint32, ctx syntax.EmptyOp) ([]uint32, bool) {
	seen := make(map[uint32]bool, 8)
	var runes []uint32
	matched := false
	stack := append([]uint32{uint32(prog.Start)}, pcs...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstNop, syntax.InstCapture:
			stack = append(stack, in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^ctx == 0 {
				stack = append(stack, in.Out)
			}
		case syntax.InstMatch:
			matched = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runes = append(runes, pc)
		}
	}
	return runes, matched
}

// alphabetOf splits the characters into classes that every predicate treats
// alike (the same instructions accept them, and they are alike for ^, $ and
// \b) and returns one readable character per class. It refuses programs
// that fold case, which these patterns cannot ask for.
func alphabetOf(preds []strPred) ([]rune, bool) {
	cuts := map[rune]bool{0: true, '\n': true, '\n' + 1: true, '0': true, '9' + 1: true, 'A': true, 'Z' + 1: true,
		'_': true, '_' + 1: true, 'a': true, 'z' + 1: true, 0xD800: true, 0xE000: true}
	for _, p := range preds {
		for _, in := range p.prog.Inst {
			switch in.Op {
			case syntax.InstRune:
				rs := in.Rune
				if len(rs) == 1 {
					rs = []rune{rs[0], rs[0]}
				}
				fold := syntax.Flags(in.Arg)&syntax.FoldCase != 0
				for i := 0; i+1 < len(rs); i += 2 {
					cuts[rs[i]] = true
					cuts[rs[i+1]+1] = true
					if !fold {
						continue
					}
					// The compiler writes [eE] as e folded; every
					// character of the fold orbit is its own class.
					if rs[i+1]-rs[i] > 256 {
						return nil, false
					}
					for c := rs[i]; c <= rs[i+1]; c++ {
						for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
							cuts[f] = true
							cuts[f+1] = true
						}
					}
				}
			case syntax.InstRune1:
				cuts[in.Rune[0]] = true
				cuts[in.Rune[0]+1] = true
			}
		}
	}
	var pts []rune
	for c := range cuts {
		if c <= utf8.MaxRune {
			pts = append(pts, c)
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i] < pts[j] })
	pts = append(pts, utf8.MaxRune+1)
	var out []rune
	for i := 0; i+1 < len(pts); i++ {
		lo, hi := pts[i], pts[i+1]-1
		if lo >= 0xD800 && hi <= 0xDFFF {
			continue // surrogates are not characters
		}
		out = append(out, readable(lo, hi))
	}
	// Readable characters first, so the shortest strings found read well.
	sort.SliceStable(out, func(i, j int) bool { return readRank(out[i]) < readRank(out[j]) })
	return out, true
}

const readableChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:/ #@"

func readRank(r rune) int {
	if i := strings.IndexRune(readableChars, r); i >= 0 {
		return i
	}
	if r > ' ' && r <= '~' {
		return len(readableChars) + int(r)
	}
	return 1000 + int(r)
}

// readable picks a character of [lo, hi] that reads well in a witness.
func readable(lo, hi rune) rune {
	for _, r := range readableChars {
		if r >= lo && r <= hi {
			return r
		}
	}
	for r := max(lo, ' '); r <= min(hi, '~'); r++ {
		return r
	}
	return lo
}
