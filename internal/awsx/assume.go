package awsx

import (
	"context"
	"fmt"
	"strings"
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
