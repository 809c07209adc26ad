package suggest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"eu-wset-1", "eu-west-1", 1}, // a swap is one edit
		{"us-est-1", "us-east-1", 1},
		{"kitten", "sitting", 3},
		{"dry-rn", "dry-run", 1},
		{"ca", "abc", 3},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestTypo(t *testing.T) {
	cmds := []string{"audit", "plan", "fix", "apply", "pattern", "iam-policy", "help"}
	flags := []string{"dry-run", "yes", "email", "endpoint-url", "output", "region"}
	got := map[string]string{}
	for _, w := range []string{"audti", "aplpy", "plna", "fxi", "patern", "frobnicate", "x"} {
		got[w] = Typo(w, cmds)
	}
	for _, w := range []string{"dry-rn", "dryrun", "endpoint", "regoin", "nope", "out"} {
		got["--"+w] = Typo(w, flags)
	}
	want := map[string]string{
		"audti": "audit", "aplpy": "apply", "plna": "plan", "fxi": "fix", "patern": "pattern", "frobnicate": "", "x": "",
		"--dry-rn": "dry-run", "--dryrun": "dry-run", "--endpoint": "endpoint-url", "--regoin": "region", "--nope": "", "--out": "output",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Typo (-want +got):\n%s", diff)
	}
}

func TestNearest(t *testing.T) {
	best, d, ok := Nearest("us-east-3", []string{"eu-west-1", "us-east-1", "us-east-2"})
	if best != "us-east-1" || d != 1 || !ok {
		t.Errorf("Nearest = %q, %d, %v", best, d, ok)
	}
	if _, _, ok := Nearest("x", nil); ok {
		t.Error("Nearest of no candidates is ok")
	}
}
