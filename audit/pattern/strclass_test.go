package pattern

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func preds(t *testing.T, vals ...string) []strPred {
	t.Helper()
	var out []strPred
	for _, v := range vals {
		var val value
		if strings.HasPrefix(v, "%") {
			p := &parser{src: v}
			var err error
			if val, err = p.parseRegex(); err != nil {
				t.Fatalf("regex %s: %v", v, err)
			}
		} else {
			val = classify(v)
		}
		if p, ok := predOf(val); ok {
			out = append(out, p)
		}
	}
	return out
}

func vectors(ps []strPred, strs []string) []string {
	seen := map[string]bool{}
	for _, s := range strs {
		seen[vector(ps, s)] = true
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestStringClasses: every combination of conditions some string realises
// is represented, rejected values as well as accepted ones.
func TestStringClasses(t *testing.T) {
	tests := []struct {
		rule  string
		preds []string
		want  []string // the combinations, as vectors
	}{
		{"a character-class regex is falsified by a string it rejects", []string{`%^[0-9a-z-]*$%`}, []string{"0", "1"}},
		{"an anchored regex that needs a character", []string{`%^[a-z0-9.]+$%`}, []string{"0", "1"}},
		{"a regex every string matches has one region", []string{`%x*%`}, []string{"1"}},
		{"prefix, suffix and contains in every combination", []string{`ab*`, `*ba`, `*aba*`},
			[]string{"000", "001", "010", "011", "100", "101", "110", "111"}},
		{"equality and a wildcard", []string{`CreateTrail`, `*Trail`}, []string{"00", "01", "11"}},
		{"word boundary", []string{`%\bTrail%`, `%Trail%`}, []string{"00", "01", "11"}},
		{"a number constant compares as text on strings", []string{`7`, `%^[0-9]+$%`}, []string{"00", "01", "11"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			ps := preds(t, tt.preds...)
			got, complete := stringClasses(ps, nil, nil, "")
			if !complete {
				t.Fatal("not complete")
			}
			if diff := cmp.Diff(tt.want, vectors(ps, got)); diff != "" {
				t.Errorf("combinations of %v (-want +got):\n%s\nstrings: %q", tt.preds, diff, got)
			}
		})
	}
}

func TestNumberClasses(t *testing.T) {
	ps := preds(t, `1*`, `%5$%`)
	dom := numberDomain()
	got, complete := stringClasses(ps, &dom, nil, "")
	if !complete {
		t.Fatal("not complete")
	}
	for _, s := range got {
		if _, ok := parseNumber(s); !ok {
			t.Errorf("%q is not a JSON number", s)
		}
	}
	if diff := cmp.Diff([]string{"00", "01", "10", "11"}, vectors(ps, got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// randomPredSource builds a regex from the characters FPS allows, or a
// wildcard constant, over a small alphabet.
func randomPredSource(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		core := []string{"a", "ab", "b-", "0", "Z.", "a0"}[r.IntN(6)]
		return []string{core, "*" + core, core + "*", "*" + core + "*"}[r.IntN(4)]
	}
	atoms := []string{"a", "b", "0", "-", `\.`, "[a-z]", "[0-9]", "[^a]", "[a-z0-9-]", ".", `\d`, `\w`, "Z"}
	var b strings.Builder
	if r.IntN(3) == 0 {
		b.WriteByte('^')
	}
	for range 1 + r.IntN(3) {
		b.WriteString(atoms[r.IntN(len(atoms))])
		b.WriteString([]string{"", "", "*", "+", "?", "{1,2}"}[r.IntN(6)])
	}
	if r.IntN(4) == 0 {
		b.WriteString("|" + atoms[r.IntN(len(atoms))])
	}
	if r.IntN(3) == 0 {
		b.WriteByte('$')
	}
	return "%" + b.String() + "%"
}

// TestStringClassesBruteForce compares the regions found with those of
// every string up to three characters over an alphabet that hits each
// character class the generator uses.
func TestStringClassesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "0", "-", ".", "Z", "\n", "é"}
	var all []string
	var grow func(s string, n int)
	grow = func(s string, n int) {
		all = append(all, s)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(s+c, n-1)
		}
	}
	grow("", 3)
	incomplete := 0
	n := 400 / raceScale
	for i := 0; i < n; i++ {
		var srcs []string
		for range 1 + r.IntN(3) {
			srcs = append(srcs, randomPredSource(r))
		}
		ps := preds(t, srcs...)
		got, complete := stringClasses(ps, nil, nil, "")
		if !complete {
			incomplete++
			continue
		}
		have := map[string]bool{}
		for _, v := range vectors(ps, got) {
			have[v] = true
		}
		for _, s := range all {
			if v := vector(ps, s); !have[v] {
				t.Fatalf("conditions %v: %q realises %s, which no string found does (found %q)", srcs, s, v, got)
			}
		}
	}
	// The comparison means something only if most enumerations finish.
	if incomplete > 3 {
		t.Errorf("%d of %d enumerations ran out of budget", incomplete, n)
	}
}
