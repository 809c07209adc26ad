package awsx

import (
	"context"
	"fmt"
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
	// f's configuration already tracks calls (newFactory): a second
	// trackCalls would report each call twice.
	g := &Factory{cfg: f.cfg.Copy(), pathStyleS3: f.pathStyleS3}
	g.assumeRole(Settings{AssumeRoleARN: roleARN, ExternalID: externalID, RoleSessionName: sessionName})
	// The credentials cache keeps what this retrieves, so the clients use
	// it without asking STS again (until the session nears its expiry).
	if _, err := g.cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, &roleError{role: roleARN, err: err}
	}
	return g, nil
}

// Reach returns an audit.Options.Reach that reads other accounts through
// roles, which maps an account to the ARN of a role in it (--chain-role):
// the management account whose organization trail's chain covers a member,
// a central topic's account. Each role is assumed once, when first needed;
// an account without a role, or whose role cannot be assumed, is refused
// with the reason, which leaves its links unknown.
func (f *Factory) Reach(roles map[string]string, sessionName string) func(context.Context, string) (audit.Clients, error) {
	type reach struct {
		once sync.Once
		f    *Factory
		err  error
	}
	var mu sync.Mutex
	reached := map[string]*reach{}
	return func(ctx context.Context, account string) (audit.Clients, error) {
		role, ok := roles[account]
		if !ok {
			return nil, fmt.Errorf("no --chain-role names a role in account %s", account)
		}
		// One AssumeRole per account; the lock is not held across it, so
		// other accounts are not kept waiting.
		mu.Lock()
		r := reached[account]
		if r == nil {
			r = &reach{}
			reached[account] = r
		}
		mu.Unlock()
		r.once.Do(func() { r.f, r.err = f.Assume(ctx, role, "", sessionName) })
		if r.err != nil {
			return nil, r.err
		}
		return r.f.AuditClients(), nil
	}
}
