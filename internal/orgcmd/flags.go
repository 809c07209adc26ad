package orgcmd

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
)

// Flag names.
const (
	FlagOrg             = "org"
	FlagOrgRole         = "org-role"
	FlagAccounts        = "accounts"
	FlagExcludeAccounts = "exclude-accounts"
	FlagConcurrency     = "concurrency"
)

const category = "Organization"

// Flags are the --org flags audit, plan and fix take.
func Flags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: FlagOrg, Category: category, Usage: "work on every active account of the organization (run from the management account or a delegated administrator)"},
		&cli.StringFlag{Name: FlagOrgRole, Category: category, Value: org.DefaultRole, Usage: "`NAME` of the role to assume in each account (with --org; --external-id and --role-session-name apply to it)"},
		&cli.StringFlag{Name: FlagAccounts, Category: category, Usage: "only these account `IDS` (comma-separated; with --org)"},
		&cli.StringFlag{Name: FlagExcludeAccounts, Category: category, Usage: "leave out these account `IDS` (comma-separated; with --org)"},
		&cli.IntFlag{Name: FlagConcurrency, Category: category, Value: org.DefaultConcurrency, Usage: fmt.Sprintf("accounts worked on at once, `N` from 1 to %d (with --org)", org.MaxConcurrency)},
	}
}

// Extend adds the --org flags to the audit, plan and fix commands among
// cmds and makes them run over the organization when --org is given; other
// commands are left as they are.
func Extend(cmds []*cli.Command, streams func() *term.IO, version string) {
	for _, c := range cmds {
		switch c.Name {
		case "audit", "plan", "fix":
		default:
			continue
		}
		c.Flags = append(c.Flags, Flags()...)
		name, single := c.Name, c.Action
		c.Action = func(ctx *cli.Context) error {
			if !ctx.Bool(FlagOrg) {
				if set := setWithoutOrg(ctx); len(set) > 0 {
					return fmt.Errorf("%s only work with --org", strings.Join(set, ", "))
				}
				return single(ctx)
			}
			return run(ctx, name, streams(), version)
		}
	}
}

func setWithoutOrg(c *cli.Context) []string {
	var set []string
	for _, n := range []string{FlagOrgRole, FlagAccounts, FlagExcludeAccounts, FlagConcurrency} {
		if c.IsSet(n) {
			set = append(set, "--"+n)
		}
	}
	return set
}

// refused are flags that make no sense across an organization.
var refused = map[string][]string{
	// --org reaches every account, a chain's owner and a topic's account
	// included, through --org-role: --chain-role has nothing to add.
	"audit": {"evidence", "evidence-out", cliflags.ChainRole},
	"plan":  {"out", cliflags.ChainRole},
	"fix":   {cliflags.ChainRole},
}

func run(c *cli.Context, name string, io *term.IO, version string) error {
	if err := cliflags.NoArgs(c); err != nil {
		return err
	}
	for _, f := range refused[name] {
		if c.IsSet(f) {
			return fmt.Errorf("--%s works on one account; it cannot be combined with --org", f)
		}
	}
	o, err := options(c, io)
	if err != nil {
		return err
	}
	o.Version = version
	switch name {
	case "audit":
		return RunAudit(c.Context, o)
	case "plan":
		return RunPlan(c.Context, o)
	}
	o.Yes, o.DryRun = c.Bool("yes"), c.Bool("dry-run")
	return RunFix(c.Context, o)
}

// options reads and checks the flags of an --org run.
func options(c *cli.Context, io *term.IO) (Options, error) {
	var extra []cliflags.Format
	if c.Command.Name == "audit" {
		extra = cliflags.FindingFormats
	}
	format, err := cliflags.OutputFrom(c, extra...)
	if err != nil {
		return Options{}, err
	}
	n := c.Int(FlagConcurrency)
	if n < 1 || n > org.MaxConcurrency {
		return Options{}, fmt.Errorf("--concurrency %d: expected 1 to %d", n, org.MaxConcurrency)
	}
	if err := org.ValidateRoleName(c.String(FlagOrgRole)); err != nil {
		return Options{}, err
	}
	only, err := org.ParseIDs(FlagAccounts, c.String(FlagAccounts))
	if err != nil {
		return Options{}, err
	}
	exclude, err := org.ParseIDs(FlagExcludeAccounts, c.String(FlagExcludeAccounts))
	if err != nil {
		return Options{}, err
	}
	s := cliflags.SettingsFrom(c)
	t := Target{RoleName: c.String(FlagOrgRole), ExternalID: s.ExternalID, SessionName: s.RoleSessionName,
		Selection: org.Selection{Only: only, Exclude: exclude}}
	if s.AssumeRoleARN == "" {
		// Without --assume-role these two are the organization role's only.
		s.ExternalID, s.RoleSessionName = "", ""
	}
	t.Settings = s
	o := Options{IO: io, Format: format, Color: cliflags.Color(c, io), Strict: c.Bool("strict"), Concurrency: n,
		Connect: Connect(t), Prompter: prompt.New(io.In, io.Out)}
	if c.Command.Name == "audit" {
		o.SecurityHub = c.Bool("security-hub")
		if o.Control, err = oneControl(c.StringSlice("control")); err != nil {
			return Options{}, err
		}
	}
	if c.Command.Name != "audit" {
		if o.Choices, err = fixcmd.ChoicesFrom(c); err != nil {
			return Options{}, err
		}
	}
	return o, nil
}

// oneControl is audit --org's --control: one control a run (the report of
// each account is one control's), CIS 4.5 when none is given.
func oneControl(ids []string) (chain.Control, error) {
	switch {
	case len(ids) == 0:
		return chain.CloudTrailChanges(), nil
	case len(ids) > 1 || strings.EqualFold(strings.TrimSpace(ids[0]), "all"):
		return chain.Control{}, fmt.Errorf("--control %s: --org audits one control a run; give one --control", strings.Join(ids, ", "))
	}
	ctl, err := chain.ControlFor(ids[0])
	if err != nil {
		return chain.Control{}, fmt.Errorf("--control %s: %w", ids[0], err)
	}
	return ctl, nil
}
