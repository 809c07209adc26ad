package awsx

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/trailwatch/trailwatch/audit"
)

// Assume returns a factory for another account: f's configuration (region,
// endpoint, retries, HTTP client) with the credentials of roleARN, obtained
// with f's own. The role is assumed at once, one sts:AssumeRole call, so a
// role that cannot be assumed fails here with its name and AWS's reason,
// before any read is made as it. The new factory's clients, and its STS
// client for AssumeRole, are its own: one account's retries and throttling
// never use up another's retry budget. externalID and sessionName may be
// empty (sessionName then defaults to trailwatch-<unix time>).
func (f *Factory) Assume(ctx context.Context, roleARN, externalID, sessionName string) (*Factory, error) {
	if err := ValidateRoleARN(roleARN); err != nil {
		return nil, err
	}
	if externalID != "" {
		if err := ValidateExternalID(externalID); err != nil {
			return nil, err
		}
	}
	if sessionName != "" {
		if err := ValidateRoleSessionName(sessionName); err != nil {
			return nil, err
		}
	}
	g := newFactory(f.cfg.Copy())
	g.assumeRole(Settings{AssumeRoleARN: roleARN, ExternalID: externalID, RoleSessionName: sessionName})
	// The credentials cache keeps what this retrieves, so the clients use
	// it without asking STS again (until the session nears its expiry).
	if _, err := g.cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, &roleError{role: roleARN, err: err}
	}
	return g, nil
}

// Partition returns the partition of an ARN ("aws", "aws-cn",
// "aws-us-gov"...), or "aws" when arn is not an ARN.
func Partition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 || parts[0] != "arn" || parts[1] == "" {
		return "aws"
	}
	return parts[1]
}

// RoleARN builds the ARN of the role called name (a name, optionally after
// a path: "path/name") in account, in partition.
func RoleARN(partition, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, strings.TrimPrefix(name, "/"))
}

// Reach returns an audit.Options.Reach that reads other accounts through
// roles, which maps an account to the ARN of a role in it (--chain-role):
// the management account whose organization trail's chain covers a member,
// a central topic's account. Each role is assumed once, when first needed;
// an account without a role, or whose role cannot be assumed, is refused
// with the reason, which leaves its links unknown.
func (f *Factory) Reach(roles map[string]string, sessionName string) func(context.Context, string) (audit.Clients, error) {
	var mu sync.Mutex
	reached := map[string]*Factory{}
	return func(ctx context.Context, account string) (audit.Clients, error) {
		role, ok := roles[account]
		if !ok {
			return nil, fmt.Errorf("no --chain-role names a role in account %s", account)
		}
		mu.Lock()
		defer mu.Unlock()
		if g := reached[account]; g != nil {
			return g.AuditClients(), nil
		}
		g, err := f.Assume(ctx, role, "", sessionName)
		if err != nil {
			return nil, err
		}
		reached[account] = g
		return g.AuditClients(), nil
	}
}
