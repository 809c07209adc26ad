package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// A member account covered by another account's chain (see Run).

// throughOwner audits the covering trail's chain in its owner account and
// reports it as this account's, with covered_by set. When the owner cannot
// be reached, or does not show the trail, r stands, its chain links beyond
// the member's sight unknown, with the reason.
func (g *gathered) throughOwner(ctx context.Context, r *Report) (*Report, error) {
	cov := r.CoveredBy
	opts := OwnerOptions(g.opts, cov)
	if g.opts.Owners != nil {
		or, err := g.opts.Owners(ctx, cov, opts)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return Unreachable(r, err), nil
		}
		return Cover(r, or), nil
	}
	oc, err := g.clientsFor(ctx, cov.Account)
	if err != nil {
		return Unreachable(r, err), nil
	}
	or, err := Run(ctx, oc, opts)
	if err != nil {
		return nil, err
	}
	return Cover(r, or), nil
}

// Unreachable is member when the account its chain lives in could not be
// reached: its links there stay unknown, and why is among its unknown
// reads.
func Unreachable(member *Report, err error) *Report {
	cov := member.CoveredBy
	if cov == nil {
		return member
	}
	out := *member
	out.Unknown = append(slices.Clone(member.Unknown), UnknownRead{Link: LinkMetricFilter, API: "AssumeRole", Action: "sts:AssumeRole",
		Account: cov.Account, Message: fmt.Sprintf("account %s, where the chain lives, could not be reached: %s", cov.Account, awserr.Message(err))})
	return &out
}

// OwnerOptions are the options that audit the covering trail's chain in
// its owner account, for Cover: opts limited to that trail.
func OwnerOptions(opts Options, cov *CoveredBy) Options {
	opts.Trail = cov.TrailARN
	opts.Owners = nil
	opts.rounds = nil
	return opts
}

// Cover judges the covered account of member (a report with CoveredBy set)
// by owner, the report of the covering trail's chain in its owner account
// (Run with OwnerOptions). The result is the owner's chain, gaps, unknown
// reads and facts, as the member's, with covered_by naming the trail, the
// owner and who read it; it is computed once per trail and shared by every
// member it covers. When owner is not that chain's report (another account
// answered, or the trail is not there), member stands with the reason
// among its unknown reads.
func Cover(member, owner *Report) *Report {
	cov := member.CoveredBy
	if cov == nil {
		return member
	}
	stand := func(u UnknownRead) *Report {
		out := *member
		out.Unknown = append(slices.Clone(member.Unknown), u)
		return &out
	}
	switch {
	case owner.Account != "" && owner.Account != cov.Account:
		return stand(UnknownRead{Link: LinkMetricFilter, API: "GetCallerIdentity", Action: "sts:GetCallerIdentity", Account: cov.Account,
			Message: fmt.Sprintf("the credentials for account %s reached account %s instead; give a role in account %s", cov.Account, owner.Account, cov.Account)})
	case owner.Facts.Trail == nil || owner.Facts.Trail.ARN != cov.TrailARN:
		return stand(UnknownRead{Link: LinkMetricFilter, API: "DescribeTrails", Action: "cloudtrail:DescribeTrails", Resource: cov.TrailARN, Account: cov.Account,
			Message: fmt.Sprintf("account %s, read as %s, does not show trail %s", cov.Account, owner.Caller, cov.TrailARN)})
	}
	out := *owner
	out.Account, out.Caller, out.Region, out.Strict = member.Account, member.Caller, member.Region, member.Strict
	via := *cov
	via.Via = owner.Caller
	out.CoveredBy = &via
	// The owner's reads that failed are to be granted there.
	out.Unknown = slices.Clone(owner.Unknown)
	for i := range out.Unknown {
		if out.Unknown[i].Account == "" {
			out.Unknown[i].Account = cov.Account
		}
	}
	out.Warnings = append(slices.Clone(member.Warnings), owner.Warnings...)
	return &out
}

// reach is one other account's clients, asked for once.
type reach struct {
	once sync.Once
	c    Clients
	err  error
}

// clientsFor returns opts.Reach's clients for account, asking once per
// account.
func (g *gathered) clientsFor(ctx context.Context, account string) (Clients, error) {
	if g.opts.Reach == nil {
		return nil, errors.New("no access to other accounts")
	}
	g.reachMu.Lock()
	r := g.reached[account]
	if r == nil {
		r = &reach{}
		g.reached[account] = r
	}
	g.reachMu.Unlock()
	r.once.Do(func() { r.c, r.err = g.opts.Reach(ctx, account) })
	return r.c, r.err
}

// snsFor is the SNS client to read topic with: through opts.Reach when the
// topic belongs to another account that can be reached (a central topic in
// an Audit account), else the audit's own, which reads it as far as the
// topic's policy allows.
func (g *gathered) snsFor(ctx context.Context, c Clients, topic, region string) SNSAPI {
	if acct := chain.AccountOf(topic); g.foreign(acct) && g.opts.Reach != nil {
		if oc, err := g.clientsFor(ctx, acct); err == nil {
			return oc.SNS(region)
		}
	}
	return c.SNS(region)
}

// kmsFor is snsFor's twin for a key: GetKeyPolicy works only in the key's
// own account (KMS API reference, GetKeyPolicy: no cross-account use).
func (g *gathered) kmsFor(ctx context.Context, c Clients, account, region string) KMSAPI {
	if g.foreign(account) && g.opts.Reach != nil {
		if oc, err := g.clientsFor(ctx, account); err == nil {
			return oc.KMS(region)
		}
	}
	return c.KMS(region)
}

// sync waits at a round's start for the other audits of a RunControls.
func (g *gathered) sync() {
	if g.opts.rounds != nil {
		g.opts.rounds.wait()
	}
}
