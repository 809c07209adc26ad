package remediate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/safe"
	"github.com/trailwatch/trailwatch/plan"
)

// The probes say, read-only, whose a name is and what differs on
// trailwatch's own resource of that name. Lookup runs them before the plan
// is shown, so the plan says create only for what does not exist; each
// step runs its probe again just before writing.

// state is one probe's answer.
type state struct {
	owner   chain.Owner
	changes []string // what differs on trailwatch's existing resource
}

// Lookup probes the names the plan p (built with no lookups) would create
// resources under. The trail and log group names are settled first, because
// the role's policies and the bucket's policy name them. A probe whose read
// is denied is recorded as unread: the plan then assumes the name is free,
// and apply checks again.
func Lookup(ctx context.Context, p *plan.Plan, c Clients) (plan.Lookups, error) {
	a := &applier{p: p, c: c, resolved: map[string]string{}}
	steps := p.Probes()
	var out plan.Lookups
	var mu sync.Mutex
	run := func(kinds ...plan.Kind) error {
		var wg safe.Group
		errs := make([]error, len(steps))
		for i, s := range steps {
			if !slices.Contains(kinds, s.Address.Kind) {
				continue
			}
			wg.Go(func() {
				l, err := a.lookup(ctx, s)
				if err != nil {
					errs[i] = err
					return
				}
				mu.Lock()
				out = append(out, l)
				if l.Unread == "" {
					a.resolve(s.ID, a.resolvedValue(s, l.Name))
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	if err := run(plan.KindTrail, plan.KindLogGroup, plan.KindTopic); err != nil {
		return nil, err
	}
	if err := run(plan.KindLogsRole, plan.KindTrailBucket); err != nil {
		return nil, err
	}
	return out, nil
}

// resolvedValue is what later steps read of a settled name: the ARN for a
// trail and a role, the name otherwise.
func (a *applier) resolvedValue(s plan.Step, name string) string {
	switch s.Address.Kind {
	case plan.KindTrail:
		return chain.TrailARN(chain.PartitionOf(s.Params.Trail.ARN), s.Address.Region, a.p.Account, name)
	case plan.KindLogsRole:
		return chain.RoleARN(chain.PartitionOf(a.anyARN()), a.p.Account, name)
	}
	return name
}

func (a *applier) lookup(ctx context.Context, s plan.Step) (plan.Lookup, error) {
	l := plan.Lookup{Kind: s.Address.Kind, Region: s.Address.Region, Want: s.Address.Name, Name: s.Address.Name}
	var st state
	probe := func(ctx context.Context, name string) (chain.Owner, error) {
		var err error
		st, err = a.probe(ctx, s, name)
		return st.owner, err
	}
	name, _, err := chain.Claim(ctx, l.Want, string(l.Kind), flagFor(l.Kind), probe)
	var taken *chain.AllTakenError
	switch {
	case errors.As(err, &taken):
		return l, err
	case err != nil && (awserr.IsDenied(err) || awserr.IsThrottle(err)):
		l.Unread = err.Error()
		return l, nil
	case err != nil:
		return l, fmt.Errorf("look up %s %q: %w", l.Kind, l.Want, err)
	}
	l.Name, l.Owner, l.Changes = name, st.owner, st.changes
	return l, nil
}

func flagFor(k plan.Kind) string {
	switch k {
	case plan.KindTrailBucket:
		return "--trail-bucket"
	case plan.KindTrail:
		return "--trail-name"
	case plan.KindLogGroup:
		return "--log-group-name"
	case plan.KindLogsRole:
		return "--role-name"
	case plan.KindTopic:
		return "--topic-name or --topic-arn"
	case plan.KindAlarm:
		return "--alarm-name"
	case plan.KindMetricFilter:
		return "--filter-name"
	}
	return "another name"
}

// probe says whose name is for step s's kind, and what differs on
// trailwatch's resource of that name.
func (a *applier) probe(ctx context.Context, s plan.Step, name string) (state, error) {
	p := s.Params
	switch s.Address.Kind {
	case plan.KindTrailBucket:
		return a.probeBucket(ctx, a.c.S3(a.bucketRegion(s.Address.Region)), name, p.Bucket)
	case plan.KindTrail:
		return a.probeTrail(ctx, s.Address.Region, name, p.Trail)
	case plan.KindLogGroup:
		return a.probeLogGroup(ctx, s.Address.Region, name, p.LogGroup)
	case plan.KindLogsRole:
		return a.probeRole(ctx, name, p.LogsRole)
	case plan.KindTopic:
		return a.probeTopic(ctx, s.Address.Region, name, p.Topic)
	}
	return state{}, fmt.Errorf("no probe for %s", s.Address.Kind)
}
