package cli

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trailwatch/trailwatch/internal/wrap"
	"github.com/urfave/cli/v2"
)

// helpWidth is the widest line a help page may have.
const helpWidth = 100

// example is one EXAMPLES entry: what it does, and the command line.
type example struct{ what, cmd string }

// examples per command path. The three uses come first where they apply:
// preview, interactive fix, unattended bootstrap.
var examples = map[string][]example{
	"trailwatch": {
		{"Preview: audit the account, then see the changes that would close its gaps", "trailwatch audit --region eu-west-1\ntrailwatch fix --dry-run --region eu-west-1"},
		{"Fix interactively: trailwatch asks where notifications go, then for a confirmation", "trailwatch fix --region eu-west-1"},
		{"Bootstrap an account unattended (CI): nothing is asked", "trailwatch fix --yes --email secops@example.com --region eu-west-1"},
		{"Audit offline, from a saved evidence file", "trailwatch audit --evidence testdata/evidence/no-metric-filter.json"},
	},
	"trailwatch audit": {
		{"Audit the account the default credentials reach", "trailwatch audit --region eu-west-1"},
		{"Audit another account through a role, as JSON for a script", "trailwatch audit --assume-role arn:aws:iam::111122223333:role/audit --output json"},
		{"Keep the responses, and audit them again later without AWS", "trailwatch audit --evidence-out evidence.json\ntrailwatch audit --evidence evidence.json"},
		{"A member account covered by the organization trail: read its chain in the management account", "trailwatch audit --chain-role arn:aws:iam::999988887777:role/trailwatch-audit"},
		{"Every account of the organization, from its management account", "trailwatch audit --org"},
		{"Findings for a CI report view", "trailwatch audit --output junit > trailwatch.xml"},
	},
	"trailwatch plan": {
		{"Preview the changes; nothing is written", "trailwatch plan --email secops@example.com"},
		{"Save the plan for review, then apply exactly it", "trailwatch plan --email secops@example.com --out plan.json\ntrailwatch apply plan.json"},
	},
	"trailwatch fix": {
		{"Preview: print the plan and write nothing", "trailwatch fix --dry-run"},
		{"Fix interactively: asks where notifications go and for a confirmation", "trailwatch fix"},
		{"Bootstrap an account unattended (CI), creating a trail if there is none", "trailwatch fix --yes --email secops@example.com --region eu-west-1"},
		{"Notify an existing topic, through a role in another account", "trailwatch fix --topic-arn arn:aws:sns:eu-west-1:111122223333:secops \\\n  --assume-role arn:aws:iam::111122223333:role/trailwatch"},
	},
	"trailwatch apply": {
		{"Apply a plan saved by plan --out, after a confirmation", "trailwatch apply plan.json"},
		{"Apply it unattended (CI)", "trailwatch apply plan.json --yes"},
	},
	"trailwatch pattern": {
		{"Test a pattern; quote it in single quotes so the shell leaves it alone", "trailwatch pattern test '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }'"},
	},
	"trailwatch pattern test": {
		{"Quote the pattern in single quotes, so the shell passes $, { and | as they are",
			"trailwatch pattern test '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) ||\n  ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }'"},
		{"A pattern that starts with '-' goes after --", "trailwatch pattern test -- '-DescribeTrails'"},
		{"Test a log message (a CloudTrail record) against a pattern", "trailwatch pattern test --message event.json '{ $.eventName = StopLogging }'"},
		{"The verdict as JSON, for a script", "trailwatch pattern test --output json '{ $.eventName = \"StopLogging\" }'"},
	},
	"trailwatch verify": {
		{"Check the path read-only: delivery now, AWS's pattern engine, the alarm's history, SNS failures", "trailwatch verify"},
		{"Fire the alarm once (its subscribers get one test message), then set it back to OK", "trailwatch verify --fire"},
		{"The same unattended, as JSON", "trailwatch verify --fire --yes --output json"},
	},
	"trailwatch controls": {
		{"List the CIS monitoring controls trailwatch knows", "trailwatch controls"},
		{"One control in full, by any of its numbers", "trailwatch controls CloudWatch.13\ntrailwatch controls 'v1.2 3.5'"},
	},
	"trailwatch iam-policy": {
		{"The policy for a read-only audit", "trailwatch iam-policy --for audit > trailwatch-audit.json"},
		{"The policy for fix and apply, bootstrap included", "trailwatch iam-policy --for fix > trailwatch-fix.json"},
		{"The policy for verify --fire", "trailwatch iam-policy --for verify > trailwatch-verify.json"},
	},
}

// setHelp renders every help page of app once, in trailwatch's own layout:
// lines within helpWidth, flag defaults written one way ("(default: X)"),
// none for booleans, and an EXAMPLES section. urfave/cli prints the page
// through its template engine, so the text is escaped for it.
func setHelp(app *cli.App) {
	app.CustomAppHelpTemplate = escapeTemplate(appHelp(app))
	for _, c := range app.Commands {
		setCommandHelp(c, "trailwatch")
	}
}

func setCommandHelp(c *cli.Command, parent string) {
	path := parent + " " + c.Name
	c.CustomHelpTemplate = escapeTemplate(commandHelp(c, path))
	for _, sub := range c.Subcommands {
		setCommandHelp(sub, path)
	}
}

func escapeTemplate(s string) string { return strings.ReplaceAll(s, "{{", `{{"{{"}}`) }

func appHelp(app *cli.App) string {
	var b strings.Builder
	section(&b, "NAME", indented("trailwatch - "+app.Usage, 3))
	section(&b, "USAGE", "   trailwatch COMMAND [options]")
	section(&b, "DESCRIPTION", paragraphs(app.Description))
	section(&b, "COMMANDS", commandList(app.Commands))
	section(&b, "OPTIONS", flagList([]flagLine{
		{names: "--help, -h", usage: "show help (also: trailwatch COMMAND --help)"},
		{names: "--version, -v", usage: "print the version and the revision it was built from"},
	}))
	section(&b, "EXAMPLES", exampleList(examples["trailwatch"]))
	return b.String()
}

func commandHelp(c *cli.Command, path string) string {
	var b strings.Builder
	section(&b, "NAME", indented(path+" - "+c.Usage, 3))
	usage := path + " [options]"
	if args := strings.TrimSpace(c.ArgsUsage); args != "" {
		usage = path + " " + args + " [options]" // as cliflags.UsageLine writes it
	}
	var subs []*cli.Command
	for _, s := range c.Subcommands {
		if s.Name != "help" {
			subs = append(subs, s)
		}
	}
	if len(subs) > 0 {
		usage = path + " COMMAND [options]"
	}
	section(&b, "USAGE", "   "+usage)
	if c.Description != "" {
		section(&b, "DESCRIPTION", paragraphs(c.Description))
	}
	if len(subs) > 0 {
		section(&b, "COMMANDS", commandList(subs))
	}
	section(&b, "OPTIONS", flagSections(c.Flags))
	if ex := examples[path]; len(ex) > 0 {
		section(&b, "EXAMPLES", exampleList(ex))
	}
	return b.String()
}

func section(b *strings.Builder, title, body string) {
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "%s:\n%s\n", title, strings.TrimRight(body, "\n"))
}

// paragraphs re-flows text to helpWidth, indented by 3. Paragraphs are
// separated by a blank line; a line that starts with "-" starts a new line.
func paragraphs(text string) string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			l = strings.TrimSpace(l)
			if len(lines) > 0 && !strings.HasPrefix(l, "-") {
				lines[len(lines)-1] += " " + l
				continue
			}
			lines = append(lines, l)
		}
		for _, l := range lines {
			out = append(out, indented(l, 3))
		}
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// indented breaks text at spaces into lines of at most helpWidth, each
// indented by indent spaces.
func indented(text string, indent int) string {
	return wrap.Hanging(strings.Repeat(" ", indent), text, helpWidth)
}

func commandList(cmds []*cli.Command) string {
	var lines []flagLine
	for _, c := range cmds {
		lines = append(lines, flagLine{names: c.Name, usage: c.Usage})
	}
	return flagList(lines)
}

func exampleList(ex []example) string {
	var b strings.Builder
	for i, e := range ex {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(indented(e.what+":", 3) + "\n")
		for _, l := range strings.Split(e.cmd, "\n") {
			b.WriteString("     " + l + "\n")
		}
	}
	return b.String()
}

// flagLine is one row of an options or commands list.
type flagLine struct{ names, usage string }

// flagList aligns the usages in a column and wraps them within helpWidth;
// a name too long for the column puts its usage on the next line.
func flagList(lines []flagLine) string {
	const maxCol = 32
	col := 0
	for _, l := range lines {
		if n := len(l.names); n <= maxCol && n > col {
			col = n
		}
	}
	start := 3 + col + 2
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("   " + l.names)
		if len(l.names) > col {
			b.WriteString("\n" + strings.Repeat(" ", start))
		} else {
			b.WriteString(strings.Repeat(" ", start-3-len(l.names)))
		}
		b.WriteString(wrap.From(l.usage, start, start, helpWidth) + "\n")
	}
	return b.String()
}

// flagSections lists flags without a category first, then one block per
// category, each sorted by name, with help last among the first.
func flagSections(flags []cli.Flag) string {
	var cats []string
	byCat := map[string][]flagLine{}
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		cat := ""
		if cf, ok := f.(cli.CategorizableFlag); ok {
			cat = cf.GetCategory()
		}
		if _, ok := byCat[cat]; !ok && cat != "" {
			cats = append(cats, cat)
		}
		byCat[cat] = append(byCat[cat], describeFlag(f))
	}
	slices.Sort(cats)
	var b strings.Builder
	first := append(sortLines(byCat[""]), flagLine{names: "--help, -h", usage: "show this help"})
	b.WriteString(flagList(first))
	for _, c := range cats {
		b.WriteString("\n   " + c + ":\n")
		b.WriteString(flagList(sortLines(byCat[c])))
	}
	return b.String()
}

func sortLines(l []flagLine) []flagLine {
	slices.SortFunc(l, func(a, b flagLine) int { return strings.Compare(a.names, b.names) })
	return l
}

var (
	placeholder = regexp.MustCompile("`([^`]*)`")
	// The ways a default was written inside a usage string.
	defaultInParens = regexp.MustCompile(`\s*\(default:? ([^()]*)\)$`)
	defaultInAside  = regexp.MustCompile(`; default:? ([^()]*)\)$`)
	defaultTrailing = regexp.MustCompile(`;\s*default:? (.*)$`)
)

// describeFlag is a flag's row: its names with the value placeholder, its
// usage, and its default written one way: "(default: X)", none for a
// boolean or an empty value.
func describeFlag(f cli.Flag) flagLine {
	df, _ := f.(cli.DocGenerationFlag)
	usage, ph := "", ""
	if df != nil {
		usage = df.GetUsage()
		if m := placeholder.FindStringSubmatch(usage); m != nil {
			ph = m[1]
		}
		usage = placeholder.ReplaceAllString(usage, "$1")
		if ph == "" && df.TakesValue() {
			ph = "value"
		}
	}
	def := ""
	switch {
	case defaultInParens.MatchString(usage):
		def = defaultInParens.FindStringSubmatch(usage)[1]
		usage = defaultInParens.ReplaceAllString(usage, "")
	case defaultInAside.MatchString(usage):
		def = defaultInAside.FindStringSubmatch(usage)[1]
		usage = defaultInAside.ReplaceAllString(usage, ")")
	case defaultTrailing.MatchString(usage):
		def = defaultTrailing.FindStringSubmatch(usage)[1]
		usage = defaultTrailing.ReplaceAllString(usage, "")
	}
	switch v := f.(type) {
	case *cli.BoolFlag:
		def = ""
	case *cli.StringFlag:
		def = cmp.Or(v.DefaultText, v.Value, def)
	case *cli.IntFlag:
		if v.Value != 0 {
			def = strconv.Itoa(v.Value)
		}
		def = cmp.Or(v.DefaultText, def)
	case *cli.DurationFlag:
		if v.Value > 0 {
			def = duration(v.Value)
		}
		def = cmp.Or(v.DefaultText, def)
	}
	if def != "" {
		usage += " (default: " + def + ")"
	}
	var names []string
	for _, n := range f.Names() {
		if len(n) == 1 {
			names = append(names, "-"+n)
		} else {
			names = append(names, "--"+n)
		}
	}
	if ph != "" {
		names[len(names)-1] += " " + ph
	}
	return flagLine{names: strings.Join(names, ", "), usage: usage}
}
