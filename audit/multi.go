package audit

import (
	"context"
	"slices"
	"sync"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/safe"
)

// Several CIS monitoring controls in one audit (issue 12): the trail, log
// group, topic and subscription are shared; each control has its filter and
// alarm.

// Multi is the audit of several controls of one account.
type Multi struct {
	Account string `json:"account"`
	Caller  string `json:"caller,omitempty"`
	Region  string `json:"region"`
	Strict  bool   `json:"strict"`
	// Compliant is true when every control is, false when one has a gap,
	// and null when none has a gap but one could not be read.
	Compliant *bool `json:"compliant"`
	// Shared are the links every control's chain has in common (the trail,
	// its logging and events, its log group) when all run through the same
	// trail; empty otherwise.
	Shared []Link `json:"shared"`
	// Reports are the controls' reports, in the order asked.
	Reports []*Report `json:"results"`
}

// sharedLinks are the links of the trail and its delivery, which every
// control's chain on the same trail shares.
var sharedLinks = []LinkName{LinkTrail, LinkLogging, LinkManagementEvents, LinkCloudWatchLogs}

// RunControls audits the account for each of ctls at once. The reads are
// shared: a list every control needs is read once, so the audit costs the
// round trips of one. opts.Names.Topic names trailwatch's topic, shared by
// every alarm; the other names are each control's.
func RunControls(ctx context.Context, c Clients, ctls []chain.Control, opts Options) (*Multi, error) {
	s := newShared(c)
	if inner := opts.Reach; inner != nil {
		// Other accounts (a covering chain's owner) are reached once, for
		// every control, and their reads shared too; a refusal is
		// remembered, not asked again per control.
		var mu sync.Mutex
		others := map[string]*reach{}
		opts.Reach = func(ctx context.Context, account string) (Clients, error) {
			mu.Lock()
			r := others[account]
			if r == nil {
				r = &reach{}
				others[account] = r
			}
			mu.Unlock()
			r.once.Do(func() {
				oc, err := inner(ctx, account)
				if err != nil {
					r.err = err
					return
				}
				r.c = newShared(oc)
			})
			return r.c, r.err
		}
	}
	opts.rounds = newBarrier(len(ctls))
	reports := make([]*Report, len(ctls))
	errs := make([]error, len(ctls))
	var g safe.Group
	for i, ctl := range ctls {
		g.Go(func() {
			o := opts
			o.Control = ctl
			o.Names = chain.Names{Topic: opts.Names.Topic}
			reports[i], errs[i] = Run(ctx, s, o)
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return combine(reports), nil
}

// combine makes the Multi of reports.
func combine(reports []*Report) *Multi {
	m := &Multi{Reports: reports, Shared: []Link{}}
	if len(reports) == 0 {
		return m
	}
	first := reports[0]
	m.Account, m.Caller, m.Region, m.Strict = first.Account, first.Caller, first.Region, first.Strict
	gaps, unknown := false, false
	for _, r := range reports {
		switch {
		case r.Compliant == nil:
			unknown = true
		case !*r.Compliant:
			gaps = true
		}
	}
	switch {
	case gaps:
		m.Compliant = new(bool)
	case !unknown:
		t := true
		m.Compliant = &t
	}
	// Only chains share links (CIS 4.16 has none of them).
	var chains []*Report
	for _, r := range reports {
		if r.Link(LinkTrail).Name != "" {
			chains = append(chains, r)
		}
	}
	same := len(chains) > 0
	for _, r := range chains {
		for _, n := range sharedLinks {
			if r.Link(n) != chains[0].Link(n) {
				same = false
			}
		}
	}
	if same {
		for _, n := range sharedLinks {
			m.Shared = append(m.Shared, chains[0].Link(n))
		}
	}
	return m
}

// ownLinks are r's links that m does not show as shared.
func (m *Multi) ownLinks(r *Report) []Link {
	if len(m.Shared) == 0 {
		return r.Chain
	}
	return slices.DeleteFunc(slices.Clone(r.Chain), func(l Link) bool { return slices.Contains(sharedLinks, l.Name) })
}

// barrier holds each of n audits at a round's start until all have reached
// it (or left), so the reads of a round start together and the shared ones
// are made once, in one round trip.
type barrier struct {
	mu      sync.Mutex
	cond    *sync.Cond
	n       int // audits still running
	arrived int
	gen     int
}

func newBarrier(n int) *barrier {
	b := &barrier{n: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *barrier) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	gen := b.gen
	b.arrived++
	b.release()
	for gen == b.gen {
		b.cond.Wait()
	}
}

// leave is called once by an audit when it ends: the others no longer wait
// for it.
func (b *barrier) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n--
	b.release()
}

// release opens the barrier when every running audit has arrived.
func (b *barrier) release() {
	if b.arrived > 0 && b.arrived >= b.n {
		b.arrived = 0
		b.gen++
		b.cond.Broadcast()
	}
}
