// Package cliflags holds the flags several trailwatch commands share (AWS
// access, output format, colour) and turns them into settings. Command
// packages import it; it imports no command package, so internal/cli can
// import them all.
package cliflags

import (
	"fmt"

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
		&cli.StringFlag{Name: Profile, Category: Category, Usage: "named `PROFILE` from the shared AWS config (default: $AWS_PROFILE)"},
		&cli.StringFlag{Name: Region, Category: Category, Usage: "`REGION` to work from, such as us-east-1 (default: $AWS_REGION or the profile's region)"},
		&cli.StringFlag{Name: EndpointURL, Category: Category, Usage: "send every AWS call to `URL`, such as an emulator (default: $AWS_ENDPOINT_URL)"},
		&cli.StringFlag{Name: AssumeRole, Category: Category, Usage: "`ARN` of a role to assume with the caller's credentials, to work in the role's account"},
		&cli.StringFlag{Name: ExternalID, Category: Category, Usage: "external `ID` the role's trust policy requires (with --assume-role)"},
		&cli.StringFlag{Name: RoleSessionName, Category: Category, Usage: "`NAME` of the session for the assumed role (with --assume-role; default trailwatch-<time>)"},
	}
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

// AWSFlagsSet returns the AWS flags given on the command line, for commands
// that must refuse them (an offline audit of an evidence file).
func AWSFlagsSet(c *cli.Context) []string {
	var set []string
	for _, name := range []string{Profile, Region, EndpointURL, AssumeRole, ExternalID, RoleSessionName} {
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
)

// OutputFlags are --output and --no-color.
func OutputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: Output, Aliases: []string{"o"}, Value: string(Text), Usage: "output `FORMAT`: text or json"},
		&cli.BoolFlag{Name: NoColor, Usage: "never colour the output (colour is used only on a terminal; NO_COLOR is honoured)"},
	}
}

// OutputFrom returns the validated --output value.
func OutputFrom(c *cli.Context) (Format, error) {
	return ParseFormat(c.String(Output))
}

// ParseFormat validates an --output value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Text, JSON:
		return f, nil
	}
	return "", fmt.Errorf("invalid --output %q: expected text or json", s)
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
		return fmt.Errorf("%s takes no arguments, got %q", c.Command.Name, c.Args().Slice())
	}
	return nil
}
