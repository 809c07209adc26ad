package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"
)

func reorderApp() *cli.App {
	noop := func(*cli.Context) error { return nil }
	return &cli.App{Commands: []*cli.Command{
		{Name: "apply", Action: noop, Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}},
			&cli.StringFlag{Name: "region"},
		}},
		{Name: "pattern", Subcommands: []*cli.Command{
			{Name: "test", Action: noop, Flags: []cli.Flag{
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}},
				&cli.StringFlag{Name: "message"},
				&cli.BoolFlag{Name: "no-color"},
			}},
		}},
		{Name: "audit", Aliases: []string{"a"}, Action: noop, Flags: []cli.Flag{
			&cli.BoolFlag{Name: "strict"},
			&cli.StringFlag{Name: "output"},
		}},
	}}
}

func TestReorder(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no args", []string{"tw"}, []string{"tw"}},
		{"flags already first", []string{"tw", "apply", "--yes", "plan.json"}, []string{"tw", "apply", "--yes", "--", "plan.json"}},
		{"bool flag after arg", []string{"tw", "apply", "plan.json", "--yes"}, []string{"tw", "apply", "--yes", "--", "plan.json"}},
		{"value flag after arg", []string{"tw", "apply", "plan.json", "--region", "eu-west-1", "--yes"},
			[]string{"tw", "apply", "--region", "eu-west-1", "--yes", "--", "plan.json"}},
		{"flag=value", []string{"tw", "apply", "plan.json", "--region=eu-west-1"}, []string{"tw", "apply", "--region=eu-west-1", "--", "plan.json"}},
		{"bool=value", []string{"tw", "apply", "plan.json", "--yes=false"}, []string{"tw", "apply", "--yes=false", "--", "plan.json"}},
		{"short alias", []string{"tw", "apply", "plan.json", "-y"}, []string{"tw", "apply", "-y", "--", "plan.json"}},
		{"subcommand", []string{"tw", "pattern", "test", "{ $.eventName = CreateTrail }", "--output", "json"},
			[]string{"tw", "pattern", "test", "--output", "json", "--", "{ $.eventName = CreateTrail }"}},
		{"short value flag", []string{"tw", "pattern", "test", "P", "-o", "json"}, []string{"tw", "pattern", "test", "-o", "json", "--", "P"}},
		{"value that looks like a flag", []string{"tw", "pattern", "test", "P", "--message", "-"},
			[]string{"tw", "pattern", "test", "--message", "-", "--", "P"}},
		{"stdin dash is positional", []string{"tw", "pattern", "test", "-", "--no-color"}, []string{"tw", "pattern", "test", "--no-color", "--", "-"}},
		{"double dash protects args", []string{"tw", "pattern", "test", "--no-color", "--", "-CreateTrail", "--output"},
			[]string{"tw", "pattern", "test", "--no-color", "--", "-CreateTrail", "--output"}},
		{"unknown flag takes no value", []string{"tw", "audit", "--bogus", "x"}, []string{"tw", "audit", "--bogus", "--", "x"}},
		{"alias command", []string{"tw", "a", "--strict"}, []string{"tw", "a", "--strict"}},
		{"value flag at end without value", []string{"tw", "audit", "--output"}, []string{"tw", "audit", "--output"}},
		{"group without subcommand", []string{"tw", "pattern", "x", "--output", "json"}, []string{"tw", "pattern", "x", "--output", "json"}},
		{"unknown command", []string{"tw", "bogus", "--x", "y"}, []string{"tw", "bogus", "--x", "y"}},
		{"global flag first", []string{"tw", "--help"}, []string{"tw", "--help"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := reorder(reorderApp(), tc.args)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reorder(%q) (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

// The reordered line parses: flags reach the command and arguments stay.
func TestReorderParses(t *testing.T) {
	var yes bool
	var region string
	var args []string
	app := &cli.App{
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{
			Name: "apply",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "yes"},
				&cli.StringFlag{Name: "region"},
			},
			Action: func(c *cli.Context) error {
				yes, region, args = c.Bool("yes"), c.String("region"), c.Args().Slice()
				return nil
			},
		}},
	}
	line := []string{"tw", "apply", "plan.json", "--yes", "--region", "eu-west-1", "--", "--odd"}
	if err := app.Run(reorder(app, line)); err != nil {
		t.Fatal(err)
	}
	if !yes || region != "eu-west-1" {
		t.Errorf("yes=%v region=%q", yes, region)
	}
	if diff := cmp.Diff([]string{"plan.json", "--odd"}, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}
