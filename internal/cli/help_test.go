package cli

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/term"
)

// Every help page: lines within 100 columns, an EXAMPLES section, no
// "(default: false)" on booleans, defaults written one way "(default: X)",
// and every flag of the command listed.
func TestHelpPages(t *testing.T) {
	io, _, _, _ := term.Test(false)
	app := NewApp(io)
	pages := map[string][]cli.Flag{"": nil}
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			path := append(append([]string{}, prefix...), c.Name)
			pages[strings.Join(path, " ")] = c.Flags
			walk(path, c.Subcommands)
		}
	}
	walk(nil, app.Commands)
	if len(pages) < 8 {
		t.Fatalf("only %d pages", len(pages))
	}
	oddDefault := regexp.MustCompile(`\(default [^:]|; default|default: false|default: "`)
	for path, flags := range pages {
		args := append(strings.Fields(path), "--help")
		code, out, errOut := run(t, args...)
		if code != 0 || errOut != "" {
			t.Errorf("%s --help: exit %d, stderr %q", path, code, errOut)
		}
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > helpWidth {
				t.Errorf("%s --help line %d is %d columns: %q", path, i+1, n, line)
			}
		}
		if !strings.Contains(out, "\nEXAMPLES:\n") {
			t.Errorf("%s --help has no EXAMPLES section", path)
		}
		if m := oddDefault.FindString(out); m != "" {
			t.Errorf("%s --help writes a default as %q", path, m)
		}
		if strings.Contains(out, "{{") {
			t.Errorf("%s --help shows template text", path)
		}
		for _, f := range flags {
			if !strings.Contains(out, "--"+f.Names()[0]) {
				t.Errorf("%s --help does not list --%s", path, f.Names()[0])
			}
		}
	}
	// The same page through `trailwatch help COMMAND`.
	_, viaFlag, _ := run(t, "fix", "--help")
	_, viaHelp, _ := run(t, "help", "fix")
	if viaFlag != viaHelp {
		t.Error("trailwatch help fix differs from trailwatch fix --help")
	}
}

func TestDescribeFlag(t *testing.T) {
	for _, tc := range []struct {
		flag cli.Flag
		want flagLine
	}{
		{&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "apply without asking"}, flagLine{"--yes, -y", "apply without asking"}},
		{&cli.StringFlag{Name: "alarm-name", Usage: "alarm `NAME` (default trailwatch-x)"}, flagLine{"--alarm-name NAME", "alarm NAME (default: trailwatch-x)"}},
		{&cli.StringFlag{Name: "bucket", Usage: "`BUCKET` for logs (merged); default: a new bucket"}, flagLine{"--bucket BUCKET", "BUCKET for logs (merged) (default: a new bucket)"}},
		{&cli.StringFlag{Name: "role", Usage: "`NAME` of the session (with --role; default x-<time>)"}, flagLine{"--role NAME", "NAME of the session (with --role) (default: x-<time>)"}},
		{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`"}, flagLine{"--output, -o FORMAT", "output FORMAT (default: text)"}},
		{&cli.IntFlag{Name: "days", Value: 365, Usage: "`DAYS` kept"}, flagLine{"--days DAYS", "DAYS kept (default: 365)"}},
		{&cli.StringFlag{Name: "profile", Usage: "`PROFILE` to use", DefaultText: "$AWS_PROFILE"}, flagLine{"--profile PROFILE", "PROFILE to use (default: $AWS_PROFILE)"}},
		{&cli.StringFlag{Name: "plain", Usage: "no placeholder"}, flagLine{"--plain value", "no placeholder"}},
	} {
		if got := describeFlag(tc.flag); got != tc.want {
			t.Errorf("describeFlag(%s) = %+v, want %+v", tc.flag.Names()[0], got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 40)
	for _, line := range strings.Split(indented(long, 3), "\n") {
		if len(line) > helpWidth || !strings.HasPrefix(line, "   word") {
			t.Errorf("line %q", line)
		}
	}
}
