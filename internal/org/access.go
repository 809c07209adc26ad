package org

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
)

// DefaultRole is the role --org assumes in each account unless told
// otherwise. Organizations creates it in every account it creates (not in
// invited ones), with administrator rights (Organizations user guide,
// "Accessing member accounts"); the README shows a narrower one to create.
const DefaultRole = "OrganizationAccountAccessRole"

// Access reaches the organization's accounts: the calling account with the
// caller's own credentials, every other through RoleName.
type Access struct {
	Base   *awsx.Factory // the caller's credentials
	Caller awsx.Identity // who Base is
	// RoleName is the role assumed in each other account (a name, maybe
	// after a path); ExternalID and SessionName go with it when set.
	RoleName    string
	ExternalID  string
	SessionName string

	mu      sync.Mutex
	reached map[string]*reach
}

type reach struct {
	once sync.Once
	f    *awsx.Factory
	err  error
}

// NewAccess checks the role name and returns an Access.
func NewAccess(base *awsx.Factory, caller awsx.Identity, roleName, externalID, sessionName string) (*Access, error) {
	if err := ValidateRoleName(roleName); err != nil {
		return nil, err
	}
	return &Access{Base: base, Caller: caller, RoleName: roleName, ExternalID: externalID, SessionName: sessionName}, nil
}

// ValidateRoleName checks an --org-role value: an IAM role name, maybe after
// a path, never an ARN (the account differs for each).
func ValidateRoleName(name string) error {
	if strings.HasPrefix(name, "arn:") {
		return fmt.Errorf("--org-role %q: give the role's NAME, the same in every account (such as %s), not an ARN", name, DefaultRole)
	}
	if name == "" || len(name) > 512 || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//") {
		return fmt.Errorf("--org-role %q: expected a role name such as %s, or path/name", name, DefaultRole)
	}
	for _, seg := range strings.Split(name, "/") {
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r)) {
				return fmt.Errorf("--org-role %q: %q is not allowed in an IAM role name (letters, digits and +=,.@_- only)", name, r)
			}
		}
	}
	return nil
}

// RoleARN is the role assumed in account, in the caller's partition.
func (a *Access) RoleARN(account string) string {
	return chain.RoleARN(chain.PartitionOf(a.Caller.ARN), account, a.RoleName)
}

// Reach returns the factory for account: the caller's own for the calling
// account, otherwise the role's, assumed once per run and shared (so a
// second look at the same account, such as the owner of a chain that
// others use, assumes nothing new). The error names the role and AWS's
// reason.
func (a *Access) Reach(ctx context.Context, account string) (*awsx.Factory, error) {
	if account == a.Caller.Account {
		return a.Base, nil
	}
	a.mu.Lock()
	if a.reached == nil {
		a.reached = map[string]*reach{}
	}
	r, ok := a.reached[account]
	if !ok {
		r = &reach{}
		a.reached[account] = r
	}
	a.mu.Unlock()
	r.once.Do(func() {
		r.f, r.err = a.Base.Assume(ctx, a.RoleARN(account), a.ExternalID, a.SessionName)
	})
	return r.f, r.err
}

// Forget drops what Reach keeps for account, once its work is done, so a
// run over many accounts holds the clients of only those in flight.
func (a *Access) Forget(account string) {
	a.mu.Lock()
	delete(a.reached, account)
	a.mu.Unlock()
}
