package iampolicy

import (
	"slices"

	"github.com/trailwatch/trailwatch/internal/org"
)

// orgActions are the calls `--org` makes in the calling account (the
// management account or a delegated administrator) beyond the mode's own:
// it lists the organization's accounts, and assumes the role in each other
// account. The calling account itself is worked on with the caller's
// credentials, so the mode's actions stay in the policy. In each member,
// the role needs the mode's policy (For) and nothing more.
var orgActions = []string{
	"organizations:ListAccounts",
	assumeRole,
}

// assumeRole gets its own statement, limited to the role --org assumes.
const assumeRole = "sts:AssumeRole"

// OrgCalls returns the calls mode makes with --org from the calling
// account, sorted: the mode's calls and orgActions.
func OrgCalls(mode string) ([]string, error) {
	calls, err := Calls(mode)
	if err != nil {
		return nil, err
	}
	out := slices.Concat(calls, orgActions)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ForOrg returns the policy of the calling account of `--org` runs in mode:
// the mode's policy (For), organizations:ListAccounts, and sts:AssumeRole on
// the role called roleName in any account (its partition too: one policy
// works in aws, aws-cn and aws-us-gov; an ARN segment may hold a wildcard,
// per the IAM user guide's "IAM JSON policy elements: Resource").
func ForOrg(mode, roleName string) (Policy, error) {
	if err := org.ValidateRoleName(roleName); err != nil {
		return Policy{}, err
	}
	p, err := For(mode)
	if err != nil {
		return Policy{}, err
	}
	p.Statement = append(p.Statement,
		Statement{Sid: "TrailwatchOrgListAccounts", Effect: "Allow", Action: []string{"organizations:ListAccounts"}, Resource: "*"},
		Statement{Sid: "TrailwatchOrgAssumeRole", Effect: "Allow", Action: []string{assumeRole}, Resource: "arn:*:iam::*:role/" + roleName},
	)
	return p, nil
}
