package prompt

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/huh"
)

var escapes = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// The confirmation's selected button carries "> " in its text, so it shows
// without colour; toggling moves it.
func TestThemeMarksSelectedButton(t *testing.T) {
	for _, ok := range []bool{false, true} {
		v := ok
		c := huh.NewConfirm().Title("Apply these changes?").Affirmative("Apply").Negative("Cancel").Value(&v)
		c.WithTheme(Theme())
		c.Focus()
		view := escapes.ReplaceAllString(c.View(), "")
		selected, other := "> Cancel", "> Apply"
		if ok {
			selected, other = other, selected
		}
		if !strings.Contains(view, selected) || strings.Contains(view, other) {
			t.Errorf("value %v: view does not mark %q alone:\n%s", ok, selected, view)
		}
	}
}
