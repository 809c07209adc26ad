package cliflags

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
)

// ChainRole names roles in other accounts the audit reads the chain
// through.
const ChainRole = "chain-role"

// ChainRoleFlag is --chain-role, for audit, plan and fix.
func ChainRoleFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: ChainRole, Category: Category,
		Usage: "`ARN` of a role in another account to read the chain there: the account the organization trail's " +
			"log group is in, or the alarm topic's account; repeat for several accounts"}
}

// ChainRoles reads --chain-role: the role ARN for each account, one role
// per account.
func ChainRoles(c *cli.Context) (map[string]string, error) {
	roles := map[string]string{}
	for _, arn := range c.StringSlice(ChainRole) {
		if err := awsx.ValidateRoleARN(arn); err != nil {
			return nil, fmt.Errorf("--%s: %w", ChainRole, err)
		}
		acct := chain.AccountOf(arn)
		if prev, dup := roles[acct]; dup && prev != arn {
			return nil, fmt.Errorf("--%s: two roles in account %s (%s and %s); give one", ChainRole, acct, prev, arn)
		}
		roles[acct] = arn
	}
	return roles, nil
}
