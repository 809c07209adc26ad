package wrap

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFrom(t *testing.T) {
	tests := []struct {
		in                 string
		col, indent, width int
		want               string
	}{
		{"", 0, 0, 10, ""},
		{"one two three", 0, 0, 80, "one two three"},
		{"one two three", 0, 0, 7, "one two\nthree"},
		{"one  two\nthree", 0, 2, 9, "one two\n  three"},
		{"one two", 5, 0, 9, "one\ntwo"}, // starts at column 5
		{"a arn:aws:sns:us-east-1:111122223333:alerts b", 0, 0, 10, "a\narn:aws:sns:us-east-1:111122223333:alerts\nb"},
		{"v1.4–v5 4.5 x", 0, 0, 11, "v1.4–v5 4.5\nx"}, // runes, not bytes
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, From(tt.in, tt.col, tt.indent, tt.width)); diff != "" {
			t.Errorf("From(%q, %d, %d, %d) (-want +got):\n%s", tt.in, tt.col, tt.indent, tt.width, diff)
		}
	}
}

func TestHanging(t *testing.T) {
	got := Hanging("    ", "access denied: User: arn:aws:iam::111122223333:user/auditor is not authorized", 40)
	want := "    access denied: User:\n    arn:aws:iam::111122223333:user/auditor\n    is not authorized"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Hanging("  x  ", " ", 40); got != "  x" {
		t.Errorf("empty text: %q", got)
	}
}
