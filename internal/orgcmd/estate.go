// Package orgcmd runs audit, plan and fix over a whole organization
// (`--org`): it lists the accounts (internal/org), works on each with
// bounded concurrency through the per-account flow the single-account
// commands use (audit.Run, fixcmd.PlanAccount, fixcmd.ApplyAccount), and
// reports one line per account, a summary, or one JSON document.
package orgcmd

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/findings/securityhub"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	"github.com/trailwatch/trailwatch/internal/org"
)

// Estate is the organization as a run sees it: the accounts to work on and
// how to reach each.
type Estate struct {
	Caller   string // the calling account
	Region   string // the region every account is worked in
	Accounts []org.Account
	// Reach gives the clients of account (the caller's own for the calling
	// account, the role's for the others).
	Reach func(ctx context.Context, account string) (*fixcmd.Env, error)
	// RoleARN names the role Reach assumes in account, for messages.
	RoleARN func(account string) string
	// Forget releases what Reach keeps for account once its work is done.
	Forget func(account string)

	mu     sync.Mutex
	owners map[string]*ownerChain // by trail ARN and options
}

// ownerChain is a covering trail's chain, audited once in its owner
// account for the whole run.
type ownerChain struct {
	once sync.Once
	r    *audit.Report
	err  error
}

// wire lets an account's audit read other accounts through the
// organization's role (a central topic's account) and judge a member by its
// covering chain, which is audited once per trail for every member.
func (e *Estate) wire(env *fixcmd.Env) *fixcmd.Env {
	env.Reach = func(ctx context.Context, account string) (audit.Clients, error) {
		x, err := e.Reach(ctx, account)
		if err != nil {
			return nil, err
		}
		return x.Audit, nil
	}
	env.Owners = e.owner
	return env
}

// owner is audit.Options.Owners for the run.
func (e *Estate) owner(ctx context.Context, cov *audit.CoveredBy, opts audit.Options) (*audit.Report, error) {
	key := fmt.Sprintf("%s\x00%s\x00%t\x00%s", cov.Account, cov.TrailARN, opts.Strict, opts.Control.ID)
	e.mu.Lock()
	if e.owners == nil {
		e.owners = map[string]*ownerChain{}
	}
	o := e.owners[key]
	if o == nil {
		o = &ownerChain{}
		e.owners[key] = o
	}
	e.mu.Unlock()
	o.once.Do(func() {
		env, err := e.Reach(ctx, cov.Account)
		if err != nil {
			o.err = err
			return
		}
		o.r, o.err = audit.Run(ctx, env.Audit, opts)
	})
	return o.r, o.err
}

// Target is what --org was told: how to reach the accounts and which.
type Target struct {
	Settings    awsx.Settings // the caller's AWS access (--profile, --assume-role...)
	RoleName    string        // --org-role
	ExternalID  string        // --external-id, for the role in each account
	SessionName string        // --role-session-name
	Selection   org.Selection // --accounts, --exclude-accounts
}

// Connect identifies the caller, lists the organization's active accounts
// and prepares to reach each through the role.
func Connect(t Target) func(ctx context.Context) (*Estate, error) {
	return func(ctx context.Context) (*Estate, error) {
		f, err := awsx.Connect(ctx, t.Settings)
		if err != nil {
			return nil, err
		}
		id, err := f.Identity(ctx)
		if err != nil {
			return nil, fmt.Errorf("--org needs the calling account's id (sts:GetCallerIdentity): %w", err)
		}
		accounts, err := org.List(ctx, organizations.NewFromConfig(f.Config()), t.Selection)
		if err != nil {
			return nil, err
		}
		acc, err := org.NewAccess(f, id, t.RoleName, t.ExternalID, t.SessionName)
		if err != nil {
			return nil, err
		}
		return &Estate{
			Caller: id.Account, Region: f.Region(), Accounts: accounts,
			Reach: func(ctx context.Context, account string) (*fixcmd.Env, error) {
				g, err := acc.Reach(ctx, account)
				if err != nil {
					return nil, err
				}
				return fixcmd.EnvFromFactory(g), nil
			},
			RoleARN: func(account string) string {
				if account == id.Account {
					return ""
				}
				return acc.RoleARN(account)
			},
			Forget: acc.Forget,
		}, nil
	}
}

// reach gets an account's clients, or its result when it cannot be reached:
// unknown (the role could not be assumed, with AWS's reason) or failed (the
// run was interrupted).
func (e *Estate) reach(ctx context.Context, a org.Account) (*fixcmd.Env, *AccountResult) {
	env, err := e.Reach(ctx, a.ID)
	if err == nil {
		return e.wire(env), nil
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		r := failed(a, e.Region, errors.New("interrupted"))
		return nil, &r
	}
	r := fromReport(a, unreachable(a, e.Region, e.roleARN(a.ID), err))
	return nil, &r
}

func (e *Estate) roleARN(account string) string {
	if e.RoleARN == nil {
		return ""
	}
	return e.RoleARN(account)
}

func (e *Estate) forget(account string) {
	if e.Forget != nil {
		e.Forget(account)
	}
}

// hubClient is securityhub.ClientFor over the organization: an account's
// Security Hub with that account's credentials.
func (e *Estate) hubClient(ctx context.Context, account, region string) (securityhub.API, error) {
	env, err := e.Reach(ctx, account)
	if err != nil {
		return nil, err
	}
	if env.Factory == nil {
		return nil, fmt.Errorf("account %s: no AWS configuration to reach Security Hub with", account)
	}
	return env.Factory.SecurityHub(region), nil
}
