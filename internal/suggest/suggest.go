// Package suggest finds the word a user probably meant: the closest command,
// flag or AWS region to one that does not exist.
package suggest

// Distance is the number of single-character insertions, deletions,
// substitutions and swaps of two neighbours that turn a into b (the optimal
// string alignment distance), so "wset" is one edit from "west".
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j].
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// Nearest returns the candidate closest to word (the first of equals) and
// its distance; ok is false when there are no candidates.
func Nearest(word string, candidates []string) (best string, dist int, ok bool) {
	for _, c := range candidates {
		if d := Distance(word, c); !ok || d < dist {
			best, dist, ok = c, d, true
		}
	}
	return best, dist, ok
}

// Typo returns the candidate word was probably meant to be: one that starts
// with word (an abbreviation of at least three characters), or the nearest
// within a third of word's length in edits (at least one). Otherwise "".
func Typo(word string, candidates []string) string {
	if len(word) >= 3 {
		for _, c := range candidates {
			if len(c) > len(word) && c[:len(word)] == word {
				return c
			}
		}
	}
	best, d, ok := Nearest(word, candidates)
	if !ok || d == 0 || d > max(1, len([]rune(word))/3) {
		return ""
	}
	return best
}
