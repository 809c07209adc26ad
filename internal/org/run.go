package org

import (
	"context"
	"sync"

	"github.com/trailwatch/trailwatch/internal/safe"
)

// DefaultConcurrency is how many accounts are worked on at once unless
// told otherwise. Each account's audit is a few sequential round trips
// that spend nearly all their time waiting on the network, so the wall
// time falls almost linearly with concurrency (see BenchmarkOrgAudit in
// internal/orgcmd and the README's figures). 16 keeps the caller's
// sts:AssumeRole rate modest (about 16 per account duration) and leaves
// headroom on a small machine.
const DefaultConcurrency = 16

// MaxConcurrency bounds --concurrency: past it the caller's STS quota, not
// the machine, sets the pace (README, "How far one run goes").
const MaxConcurrency = 256

// Each runs fn for every account with at most concurrency in flight and
// returns the results in the accounts' order. done, when not nil, is called
// after each account finishes (from the worker's goroutine, one call at a
// time), with the index and the result: progress displays use it. When ctx
// ends, accounts not yet started are not started; their results come from
// skipped(account), which says why.
func Each[T any](ctx context.Context, accounts []Account, concurrency int, fn func(context.Context, Account) T, skipped func(Account) T, done func(int, T)) []T {
	if concurrency < 1 {
		concurrency = 1
	}
	concurrency = min(concurrency, len(accounts))
	results := make([]T, len(accounts))
	next := make(chan int)
	var mu sync.Mutex // serialises done
	var wg sync.WaitGroup
	var crashed *safe.Panic // the first account whose fn panicked
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var r T
				if ctx.Err() != nil {
					r = skipped(accounts[i])
				} else if p := safe.Capture(func() { r = fn(ctx, accounts[i]) }); p != nil {
					// Go on draining, so the sender never blocks; the
					// panic is raised once every worker is done.
					mu.Lock()
					if crashed == nil {
						crashed = p
					}
					mu.Unlock()
					continue
				}
				results[i] = r
				if done != nil {
					mu.Lock()
					done(i, r)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range accounts {
		next <- i
	}
	close(next)
	wg.Wait()
	if crashed != nil {
		panic(*crashed)
	}
	return results
}
