package awsx

import (
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/suggest"
)

//go:generate go run gen_regions.go

// KnownRegion reports whether r is a region in the AWS SDK's partition data
// (regions_gen.go). A region launched after that SDK release is not known,
// so an unknown region is only an error once a call to it fails.
func KnownRegion(r string) bool {
	for _, rs := range knownRegions {
		if slices.Contains(rs, r) {
			return true
		}
	}
	return false
}

// ClosestRegion is the known region nearest to r by edit distance.
func ClosestRegion(r string) string {
	var all []string
	for _, rs := range knownRegions {
		all = append(all, rs...)
	}
	sort.Strings(all)
	best, _, _ := suggest.Nearest(r, all)
	return best
}

// UnknownRegionError is a call that failed in a region the SDK's partition
// data does not list: most likely a typo (eu-wset-1), which otherwise shows
// as a DNS failure, or, behind a proxy that refuses unknown hosts, as a
// denial that reads like a missing IAM permission.
type UnknownRegionError struct {
	Region  string
	From    string // where the region was set: --region, AWS_REGION, ...
	Closest string
	Err     error // the failure of the first call
}

func (e *UnknownRegionError) Error() string {
	msg := fmt.Sprintf("unknown AWS region %q (from %s): did you mean %s?", e.Region, e.From, e.Closest)
	if awserr.Unreachable(e.Err) {
		return msg + " (no AWS endpoint answered for it)"
	}
	return msg + " (the first call to it failed: " + awserr.Explain(e.Err) + ")"
}

func (e *UnknownRegionError) Unwrap() error { return e.Err }

// regionSource says where the configured region came from, for messages.
func regionSource(s Settings) string {
	switch {
	case s.Region != "":
		return "--region"
	case os.Getenv("AWS_REGION") != "":
		return "AWS_REGION"
	case os.Getenv("AWS_DEFAULT_REGION") != "":
		return "AWS_DEFAULT_REGION"
	case s.Profile != "":
		return "profile " + s.Profile
	}
	return "the shared config"
}
