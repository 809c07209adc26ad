package orgcmd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/cliflags"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/orgcmd"
	"github.com/trailwatch/trailwatch/internal/term"
)

const callLatency = 20 * time.Millisecond

// oneAccountTrips is one account's sequential round trips, sts:AssumeRole
// included, measured on the fake with the benchmark's latency.
func oneAccountTrips(b *testing.B) int {
	var last *fa.Account
	build := func(id string) *fa.Account {
		last = chainFor(id)
		last.Latency = callLatency
		return last
	}
	e := fakeEstate([]org.Account{{ID: "222222222222"}}, build, nil, callLatency)
	io, _, _, _ := term.Test(false)
	_ = orgcmd.RunAudit(context.Background(), orgcmd.Options{IO: io, Format: cliflags.JSON, Concurrency: 1,
		Connect: func(context.Context) (*orgcmd.Estate, error) { return e, nil }})
	return 1 + fa.RoundTrips(last.Calls()) // the AssumeRole, then the audit's rounds
}

// BenchmarkOrgAudit audits an organization of fake accounts, each call
// taking 20 ms, at the default concurrency, and reports the wall time
// against the ideal (accounts ÷ concurrency × one account's sequential
// round trips × 20 ms), and the memory kept once the run is over (the
// results, which the report needs) and at its peak. Run it with
//
//	go test ./internal/orgcmd -run - -bench OrgAudit -benchtime 1x
func BenchmarkOrgAudit(b *testing.B) {
	trips := oneAccountTrips(b)
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			accounts := make([]org.Account, n)
			for i := range accounts {
				accounts[i] = org.Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("acct-%d", i)}
			}
			build := func(id string) *fa.Account {
				a := chainFor(id)
				a.Latency = callLatency
				return a
			}
			conc := org.DefaultConcurrency
			ideal := time.Duration((n+conc-1)/conc*trips) * callLatency
			b.ReportAllocs()
			var wall time.Duration
			var retained, peak uint64
			var jsonBytes int
			for b.Loop() {
				var before runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				var maxHeap atomic.Uint64
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					t := time.NewTicker(5 * time.Millisecond)
					defer t.Stop()
					for {
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						if m.HeapAlloc > maxHeap.Load() {
							maxHeap.Store(m.HeapAlloc)
						}
						select {
						case <-stop:
							return
						case <-t.C:
						}
					}
				})
				// The report is written to a counter, not kept: what is
				// retained is the results the run returns.
				var results []orgcmd.AccountResult
				start := time.Now()
				results = orgcmd.AuditAccounts(context.Background(), fakeEstate(accounts, build, nil, callLatency), orgcmd.Options{
					IO: mustIO(), Concurrency: conc})
				wall = time.Since(start)
				close(stop)
				wg.Wait()
				var after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&after)
				retained = after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
				peak = maxHeap.Load() - min(maxHeap.Load(), before.HeapAlloc)
				if len(results) != n || results[n-1].Verdict != orgcmd.Compliant {
					b.Fatalf("%d results, last %+v", len(results), results[n-1].Verdict)
				}
				j, _ := json.Marshal(results[0].Report)
				jsonBytes = len(j)
				runtime.KeepAlive(results)
			}
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(ideal.Seconds(), "ideal-s")
			b.ReportMetric(float64(wall)/float64(ideal), "wall/ideal")
			b.ReportMetric(float64(trips), "roundtrips/account")
			b.ReportMetric(float64(retained)/float64(n), "retained-B/account")
			b.ReportMetric(float64(jsonBytes), "report-json-B/account")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

func mustIO() *term.IO { io, _, _, _ := term.Test(false); return io }
