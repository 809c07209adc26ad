// Package wrap breaks prose at word boundaries into lines of a given width,
// for reports and help read in a terminal of 80 or 100 columns.
package wrap

import (
	"strings"
	"unicode/utf8"
)

// From lays out s from column col (the caller has written the columns
// before it), breaking it at spaces before width and starting each new line
// with indent spaces. A word longer than a line (an ARN, say) stays whole,
// so it can still be copied.
func From(s string, col, indent, width int) string {
	var b strings.Builder
	for i, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		switch {
		case i > 0 && col+1+n > width:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		case i > 0:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}

// Hanging lays s out in width columns after first; the following lines are
// indented as wide as first.
func Hanging(first, s string, width int) string {
	pad := utf8.RuneCountInString(first)
	if strings.TrimSpace(s) == "" {
		return strings.TrimRight(first, " ")
	}
	return first + From(s, pad, pad, width)
}
