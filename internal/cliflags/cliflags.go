// Package cliflags holds the flags several trailwatch commands share (AWS
// access, output format, colour) and turns them into settings. Command
// packages import it; it imports no command package, so internal/cli can
// import them all.
package cliflags

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Flag names, for commands that read them directly.
const (
	Profile         = "profile"
	Region          = "region"
	EndpointURL     = "endpoint-url"
	AssumeRole      = "assume-role"
	ExternalID      = "external-id"
	RoleSessionName = "role-session-name"
	Timeout         = "timeout"
	Output          = "output"
	NoColor         = "no-color"
)

// Category groups the AWS flags in help output.
const Category = "AWS access"

// AWSFlags are the flags that choose the account, credentials and endpoint.
// AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION and AWS_ENDPOINT_URL are read
// by the SDK itself, so the flags bind no environment variables; a flag set
// on the command line wins over them.
func AWSFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: Profile, Category: Category, Usage: "named `PROFILE` from the shared AWS config", DefaultText: "$AWS_PROFILE"},
		&cli.StringFlag{Name: Region, Category: Category, Usage: "`REGION` to work from, such as us-east-1", DefaultText: "$AWS_REGION or the profile's region"},
		&cli.StringFlag{Name: EndpointURL, Category: Category, Usage: "send every AWS call to `URL`, such as an emulator", DefaultText: "$AWS_ENDPOINT_URL"},
		&cli.StringFlag{Name: AssumeRole, Category: Category, Usage: "`ARN` of a role to assume with the caller's credentials, to work in the role's account"},
		&cli.StringFlag{Name: ExternalID, Category: Category, Usage: "external `ID` the role's trust policy requires (with --assume-role)"},
		&cli.StringFlag{Name: RoleSessionName, Category: Category, Usage: "`NAME` of the session for the assumed role, with --assume-role", DefaultText: "trailwatch-<unix time>"},
		&cli.DurationFlag{Name: Timeout, Category: Category, Usage: "give up when the command's AWS work takes longer than `DURATION`, " +
			"such as 90s or 5m; time at prompts is not counted; 0: no limit, though each attempt of a call still ends after 30s"},
	}
}

// DefaultTimeout is --timeout's default for a command: an audit makes a few
// dozen reads that AWS answers in well under a second each; fix and apply
// also write, and may wait a minute or two for a new IAM role to reach
// CloudTrail.
func DefaultTimeout(command string) time.Duration {
	switch command {
	case "fix", "apply", "verify":
		return 10 * time.Minute
	}
	return 2 * time.Minute
}

// SettingsFrom reads the AWS flags of c.
func SettingsFrom(c *cli.Context) awsx.Settings {
	return awsx.Settings{
		Profile:         c.String(Profile),
		Region:          c.String(Region),
		EndpointURL:     c.String(EndpointURL),
		AssumeRoleARN:   c.String(AssumeRole),
		ExternalID:      c.String(ExternalID),
		RoleSessionName: c.String(RoleSessionName),
	}
}

// AccountFlags are the single-valued flags that choose the account and
// how it is reached (ChainRole, repeatable, comes besides them).
var AccountFlags = []string{Profile, Region, EndpointURL, AssumeRole, ExternalID, RoleSessionName}

// AWSFlagsSet returns the AWS flags given on the command line, for commands
// that must refuse them (an offline audit of an evidence file).
func AWSFlagsSet(c *cli.Context) []string {
	var set []string
	for _, name := range append(slices.Clone(AccountFlags), ChainRole) {
		if c.IsSet(name) {
			set = append(set, "--"+name)
		}
	}
	return set
}

// Format is an output format.
type Format string

const (
	Text Format = "text"
	JSON Format = "json"
	// Findings formats, which only audit writes (package findings).
	OCSF  Format = "ocsf"
	ASFF  Format = "asff"
	JUnit Format = "junit"
	CSV   Format = "csv"
)

// FindingFormats are the formats audit writes besides text and json; pass
// them as extra to OutputFlags, OutputFrom and ParseFormat.
var FindingFormats = []Format{OCSF, ASFF, JUnit, CSV}

// IsFindings reports whether f is one of FindingFormats.
func (f Format) IsFindings() bool { return slices.Contains(FindingFormats, f) }

// OutputFlags are --output and --no-color; --output accepts text, json and
// the extra formats.
func OutputFlags(extra ...Format) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: Output, Aliases: []string{"o"}, Value: string(Text), Usage: "output `FORMAT`: " + formatList(extra)},
		&cli.BoolFlag{Name: NoColor, Usage: "never colour the output; colour is used only on a terminal, and NO_COLOR turns it off too"},
	}
}

// OutputFrom returns the validated --output value.
func OutputFrom(c *cli.Context, extra ...Format) (Format, error) {
	f, err := ParseFormat(c.String(Output), extra...)
	if err != nil {
		return "", Usage(c.Command, err)
	}
	return f, nil
}

// ParseFormat validates an --output value: text, json or one of extra.
func ParseFormat(s string, extra ...Format) (Format, error) {
	f := Format(s)
	if f == Text || f == JSON || slices.Contains(extra, f) {
		return f, nil
	}
	return "", fmt.Errorf("invalid --output %q: expected %s", s, formatList(extra))
}

// formatList is "text or json", or "text, json, ocsf or csv".
func formatList(extra []Format) string {
	names := []string{string(Text), string(JSON)}
	for _, f := range extra {
		names = append(names, string(f))
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Color reports whether the command may colour its output: stdout is a
// terminal, NO_COLOR is unset and --no-color was not given.
func Color(c *cli.Context, io *term.IO) bool {
	return io.Color() && !c.Bool(NoColor)
}

// NoArgs refuses positional arguments for a command that takes none, so a
// stray word (a mistyped flag value, say) is an error rather than ignored.
func NoArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return Usage(c.Command, fmt.Errorf("%s takes no arguments, got %q", c.Command.Name, c.Args().Slice()))
	}
	return nil
}

// UsageError is a command line that cannot run as written: a mistyped
// command or flag, a missing or extra argument, a flag value of the wrong
// form. The command line prints the command's usage line after it.
type UsageError struct {
	Command *cli.Command // nil for the program itself
	Err     error
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage marks err as a usage error of command c (nil: the program).
func Usage(c *cli.Command, err error) error { return &UsageError{Command: c, Err: err} }

// UsageLine is how command c is called, such as "trailwatch apply FILE
// [options]"; for nil, how the program is.
func UsageLine(c *cli.Command) string {
	if c == nil {
		return "trailwatch COMMAND [options]"
	}
	name := c.HelpName
	if name == "" {
		name = "trailwatch " + c.Name
	}
	for _, sub := range c.Subcommands {
		if sub.Name != "help" { // urfave/cli adds a help subcommand to each command
			return name + " COMMAND [options]"
		}
	}
	line := name + " [options]"
	if args := strings.TrimSpace(c.ArgsUsage); args != "" {
		line = name + " " + args + " [options]"
	}
	return line
}
