package remediate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/plan"
)

// Status of one step after Apply.
type Status string

const (
	Done       Status = "done"        // written
	NoChange   Status = "no change"   // already as planned; nothing written
	Failed     Status = "failed"      // the write (or its re-check) failed
	NotStarted Status = "not started" // a step before it failed, or the run was cancelled
)

// StepResult is what happened to one step.
type StepResult struct {
	ID      string       `json:"id"`
	Action  plan.Action  `json:"action"`
	Address plan.Address `json:"address"`
	Status  Status       `json:"status"`
	// Resource is the name or ARN actually written (a taken name gets another).
	Resource string `json:"resource,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// Pending is true for a subscription waiting for its confirmation link.
	Pending bool   `json:"pending,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Result lists every step of the plan with its outcome, in plan order.
type Result struct {
	Steps     []StepResult `json:"steps"`
	Cancelled bool         `json:"cancelled,omitempty"`
}

// Count returns how many steps ended with status s.
func (r *Result) Count(s Status) int {
	n := 0
	for _, x := range r.Steps {
		if x.Status == s {
			n++
		}
	}
	return n
}

// Pending lists subscriptions waiting for confirmation.
func (r *Result) Pending() []StepResult {
	var out []StepResult
	for _, x := range r.Steps {
		if x.Pending {
			out = append(out, x)
		}
	}
	return out
}

// Options tune Apply.
type Options struct {
	// PropagationAttempts bounds UpdateTrail retries while a new role
	// propagates through IAM (default 12), PropagationDelay spaces them
	// (default 5s).
	PropagationAttempts int
	PropagationDelay    time.Duration
	// Sleep waits between retries; it must return early with ctx.Err() when
	// ctx is cancelled. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress is called as each step ends (for live output).
	Progress func(StepResult)
}

func (o *Options) defaults() {
	if o.PropagationAttempts <= 0 {
		o.PropagationAttempts = 12
	}
	if o.PropagationDelay <= 0 {
		o.PropagationDelay = 5 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
}

// StepError says which step failed; Apply wraps the AWS error in it.
type StepError struct {
	Step plan.Step
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %s (%s %s) failed: %v", e.Step.ID, e.Step.Action.Verb(), e.Step.Address, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// ErrCancelled is returned (wrapped) when ctx was cancelled between steps.
var ErrCancelled = errors.New("cancelled")

// outcome is what a step function reports.
type outcome struct {
	changed  bool
	resource string
	detail   string
	pending  bool
}

// Apply runs the plan's steps in order. Before each write it reads the
// resource again: a step already done is skipped ("no change"). On the first
// failure it stops; the result shows what was done, what failed and what was
// not started, and the error is a *StepError. When ctx is cancelled no new
// step starts, the step in flight finishes (its calls do not see the
// cancellation), and the error wraps ErrCancelled.
func Apply(ctx context.Context, p *plan.Plan, c Clients, opts Options) (*Result, error) {
	opts.defaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if m := p.Missing(); len(m) > 0 {
		return nil, fmt.Errorf("the plan still needs %s; nothing was written", m[0])
	}
	res := &Result{}
	for _, s := range p.Steps {
		res.Steps = append(res.Steps, StepResult{ID: s.ID, Action: s.Action, Address: s.Address, Status: NotStarted})
	}
	a := &applier{p: p, c: c, opts: opts, resolved: map[string]string{}}
	for i, s := range p.Steps {
		if ctx.Err() != nil {
			res.Cancelled = true
			return res, fmt.Errorf("%w before step %s (%s); %d of %d steps done", ErrCancelled, s.ID, s.Address, i, len(p.Steps))
		}
		out, err := a.step(ctx, s)
		r := &res.Steps[i]
		r.Resource, r.Detail, r.Pending = out.resource, out.detail, out.pending
		if err != nil {
			r.Status, r.Error = Failed, err.Error()
			if opts.Progress != nil {
				opts.Progress(*r)
			}
			return res, &StepError{Step: s, Err: err}
		}
		r.Status = NoChange
		if out.changed {
			r.Status = Done
		}
		if opts.Progress != nil {
			opts.Progress(*r)
		}
	}
	return res, nil
}

type applier struct {
	p    *plan.Plan
	c    Clients
	opts Options
	// resolved holds what a step actually wrote, by step ID: the log group
	// name, the role ARN, the topic ARN. Later steps read it, so a name
	// changed at apply time flows through.
	// Lookup probes concurrently, so it is guarded; use resolve and
	// resolvedAs, never the map.
	resolved   map[string]string
	resolvedMu sync.Mutex
}

// resolve records what step id wrote (or found).
func (a *applier) resolve(id, v string) {
	a.resolvedMu.Lock()
	defer a.resolvedMu.Unlock()
	a.resolved[id] = v
}

// resolvedAs is what step id wrote or found, if it is known.
func (a *applier) resolvedAs(id string) (string, bool) {
	a.resolvedMu.Lock()
	defer a.resolvedMu.Unlock()
	v, ok := a.resolved[id]
	return v, ok
}

// InFlightGrace is how long a step's calls may still run once ctx is
// cancelled (Ctrl-C, SIGTERM, --timeout): enough for a write AWS is
// answering to finish, not enough to hold the process on one whose answer
// never comes.
const InFlightGrace = 5 * time.Second

// step runs one step. Its AWS calls use a context that ignores cancellation
// for InFlightGrace (the call in flight finishes); only waits between
// retries see ctx.
func (a *applier) step(ctx context.Context, s plan.Step) (outcome, error) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(InFlightGrace, cancel) })()
	p := s.Params
	region := s.Address.Region
	switch s.Address.Kind {
	case plan.KindTrailBucket:
		return a.bucket(wctx, s)
	case plan.KindTrail:
		return a.createTrail(ctx, wctx, region, p.Trail)
	case plan.KindTrailLogging:
		return a.trailLogging(wctx, region, p.TrailLogging)
	case plan.KindEventSelectors:
		return a.eventSelectors(wctx, region, p.EventSelectors)
	case plan.KindLogGroup:
		return a.logGroup(wctx, s)
	case plan.KindLogsRole:
		return a.role(wctx, s)
	case plan.KindTrailCloudWatch:
		return a.trailCloudWatch(ctx, wctx, region, p.TrailCloudWatch)
	case plan.KindMetricFilter:
		return a.metricFilter(wctx, s)
	case plan.KindTopic:
		return a.topic(wctx, s)
	case plan.KindTopicPolicy:
		return a.topicPolicy(wctx, region, p.TopicPolicy)
	case plan.KindSubscription:
		return a.subscription(wctx, region, p.Subscription)
	case plan.KindAlarm:
		return a.alarm(wctx, s)
	case plan.KindSecurityHub:
		return a.securityHub(wctx, region, p.SecurityHub)
	}
	return outcome{}, fmt.Errorf("unknown step kind %s", s.Address.Kind)
}

// ref returns what the step with id resolved to, or planned.
func (a *applier) ref(id, planned string) string {
	if v, ok := a.resolvedAs(id); ok && v != "" {
		return v
	}
	return planned
}

// settle re-checks, just before writing, the name a create step planned:
// still free or trailwatch's, it is used; taken since by someone else, the
// next free name is (chain.Claim, the one name-claim rule).
func (a *applier) settle(ctx context.Context, s plan.Step) (string, state, error) {
	var st state
	name, _, err := chain.Claim(ctx, s.Address.Name, string(s.Address.Kind), flagFor(s.Address.Kind), func(ctx context.Context, n string) (chain.Owner, error) {
		var err error
		st, err = a.probe(ctx, s, n)
		return st.owner, err
	})
	return name, st, err
}
