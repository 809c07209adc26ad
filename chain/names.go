package chain

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MaxNameTries bounds the -2, -3... suffixes tried for a taken name.
const MaxNameTries = 20

// Owner says whose a name is.
type Owner int

const (
	// Free: no resource holds the name.
	Free Owner = iota
	// Ours: a resource trailwatch made holds it (tagged, or for a metric
	// filter, named by trailwatch).
	Ours
	// Orphan: a resource that can only be an interrupted trailwatch
	// create holds it (an empty, untagged bucket with trailwatch's exact
	// name, say); trailwatch adopts it and marks it.
	Orphan
	// Foreign: someone else's; trailwatch never changes it and uses the
	// next name.
	Foreign
)

func (o Owner) String() string {
	switch o {
	case Free:
		return "free"
	case Ours:
		return "trailwatch's"
	case Orphan:
		return "an interrupted trailwatch create's"
	}
	return "someone else's"
}

// Candidates are the names trailwatch may use for want, in order: want,
// want-2, ... want-MaxNameTries.
func Candidates(want string) []string {
	out := []string{want}
	for i := 2; i <= MaxNameTries; i++ {
		out = append(out, want+"-"+strconv.Itoa(i))
	}
	return out
}

// IsCandidate reports whether name is want or one of its suffixed
// variants: a name trailwatch gives to what it makes.
func IsCandidate(name, want string) bool {
	if name == want {
		return true
	}
	rest, ok := strings.CutPrefix(name, want+"-")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(rest)
	return err == nil && n >= 2 && n <= MaxNameTries && strconv.Itoa(n) == rest
}

// Probe says whose name is.
type Probe func(ctx context.Context, name string) (Owner, error)

// AllTakenError says every candidate name is someone else's.
type AllTakenError struct {
	What, Want, Flag string
}

func (e *AllTakenError) Error() string {
	return fmt.Sprintf("%s names %q to %q-%d are all taken by resources trailwatch did not make; pass %s", e.What, e.Want, e.Want, MaxNameTries, e.Flag)
}

// Claim walks Candidates(want) and returns the first name that is free,
// trailwatch's or an orphan of an interrupted create: the one name-claim
// rule for every resource trailwatch names. what and flag are for the error
// when every name is taken ("topic", "--topic-name").
func Claim(ctx context.Context, want, what, flag string, probe Probe) (string, Owner, error) {
	for _, name := range Candidates(want) {
		o, err := probe(ctx, name)
		if err != nil {
			return "", 0, err
		}
		if o != Foreign {
			return name, o, nil
		}
	}
	return "", 0, &AllTakenError{What: what, Want: want, Flag: flag}
}

// Renamed says why got differs from want ("" when it does not).
func Renamed(want, got string) string {
	if want == got {
		return ""
	}
	return fmt.Sprintf("; %q is taken by a resource trailwatch did not make, so it uses %q", want, got)
}
