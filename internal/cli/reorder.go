package cli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorder moves the flags of the command a command line resolves to in front
// of its positional arguments, so `trailwatch apply plan.json --yes` parses
// like `trailwatch apply --yes plan.json`. urfave/cli v2 (like Go's flag
// package) stops parsing flags at the first positional argument.
//
// args[0] is the program name. The command path (`pattern test`) is kept as
// it is; after it, a token starting with "-" is a flag, and one naming a flag
// that takes a value also carries the next token, unless written --flag=value.
// Boolean and unknown flags take no value (an unknown flag is then reported by
// the parser). Everything after "--" is positional. The result puts the flags
// first, then "--" and the positionals, so a positional is never mistaken for
// a flag. A lone "-" (stdin) is positional.
func reorder(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]

	// Resolve the command path.
	var cmd *cli.Command
	cmds := app.Commands
	for len(rest) > 0 {
		next := findCommand(cmds, rest[0])
		if next == nil {
			break
		}
		cmd = next
		out = append(out, rest[0])
		rest = rest[1:]
		cmds = cmd.Subcommands
	}
	if cmd == nil || len(cmd.Subcommands) > 0 && cmd.Action == nil {
		// No command, or a group without an action of its own: the
		// parser reports what is wrong with the rest.
		return append(out, rest...)
	}

	var flags, positional []string
	dashdash := false
	for i := 0; i < len(rest); i++ {
		tok := rest[i]
		if dashdash || tok == "-" || !strings.HasPrefix(tok, "-") {
			positional = append(positional, tok)
			continue
		}
		if tok == "--" {
			dashdash = true
			continue
		}
		flags = append(flags, tok)
		name := strings.TrimLeft(tok, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue(cmd, name) && i+1 < len(rest) {
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

func takesValue(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if tv, ok := f.(interface{ TakesValue() bool }); ok {
				return tv.TakesValue()
			}
			return false
		}
	}
	return false
}
