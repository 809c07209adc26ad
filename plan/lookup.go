package plan

import (
	"slices"

	"github.com/trailwatch/trailwatch/chain"
)

// Lookup is what a read-only probe found for a resource the plan would
// create, before the plan is shown (remediate.Lookup makes the probes): the
// name to use, whose it is, and, for one of trailwatch's that exists
// already, what still differs from what trailwatch wants. The plan then
// shows "create" only for what does not exist, and "update" only for what
// will change, so what apply does is what the plan said.
type Lookup struct {
	Kind   Kind   `json:"kind"`
	Region string `json:"region,omitempty"`
	Want   string `json:"want"` // the name asked for
	Name   string `json:"name"` // the name to use (Want, or Want-N when taken)
	// Owner is Free (create), Ours or Orphan (exists: adopt, then update
	// what differs).
	Owner chain.Owner `json:"owner"`
	// Changes lists what differs on an existing resource; empty means it
	// is already as trailwatch wants it.
	Changes []string `json:"changes,omitempty"`
	// Unread says why the probe could not tell (a denied read): the plan
	// then assumes the name is free, and apply checks again.
	Unread string `json:"unread,omitempty"`
}

// Exists reports whether the name is held by trailwatch's resource.
func (l Lookup) Exists() bool {
	return l.Unread == "" && (l.Owner == chain.Ours || l.Owner == chain.Orphan)
}

// Lookups are the probes for one plan.
type Lookups []Lookup

func (ls Lookups) find(k Kind, want string) (Lookup, bool) {
	i := slices.IndexFunc(ls, func(l Lookup) bool { return l.Kind == k && l.Want == want })
	if i < 0 {
		return Lookup{}, false
	}
	return ls[i], true
}

// Probes lists the create steps of p whose names must be probed: the
// resources whose existence the audit does not read (bucket, trail, log
// group, role, topic).
func (p *Plan) Probes() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Action != Create {
			continue
		}
		switch s.Address.Kind {
		case KindTrailBucket, KindTrail, KindLogGroup, KindLogsRole, KindTopic:
			out = append(out, s)
		}
	}
	return out
}
