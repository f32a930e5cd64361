package auth

import (
	"context"
	"errors"
	"sync/atomic"
)

// Password checks are expensive on purpose: one argon2id verification
// with DefaultParams holds 64 MiB and two cores for tens of milliseconds.
// Unbounded, a burst of sign-in attempts (sixty at once took a server to
// 4.5 GB) starves everything else the server does. A Checker runs at most
// a few at a time, lets a few more wait their turn, and turns the rest
// away at once with ErrBusy, so the memory of password checks is bounded
// by concurrent × the hash's memory cost whatever arrives.

// Default bounds of a Checker.
const (
	// DefaultConcurrentChecks is how many password checks run at once:
	// 128 MiB with DefaultParams, and each check uses two threads.
	DefaultConcurrentChecks = 2
	// DefaultWaitingChecks is how many more may wait for their turn: a
	// waiting check holds no hash memory, and with DefaultParams the last
	// of them starts within a few seconds.
	DefaultWaitingChecks = 64
)

// ErrBusy is returned by a Checker when as many checks as it allows are
// running and waiting: the caller should answer "try again shortly".
var ErrBusy = errors.New("auth: too many password checks at once")

// Checker runs password checks (VerifyPassword and DummyVerify) with
// bounded concurrency. It is safe for concurrent use.
type Checker struct {
	dummy   Params        // costs of DummyVerify
	slots   chan struct{} // a token per running check
	waiting chan struct{} // a token per check waiting for a slot

	running, peak, done atomic.Int64
}

// NewChecker returns a checker that runs at most concurrent checks at
// once (at least 1) with at most waiting more queued behind them;
// dummy are the costs of the work done for an unknown account (Dummy),
// which should match those of the stored hashes.
func NewChecker(dummy Params, concurrent, waiting int) *Checker {
	return &Checker{
		dummy:   dummy,
		slots:   make(chan struct{}, max(1, concurrent)),
		waiting: make(chan struct{}, max(0, waiting)),
	}
}

// Verify is VerifyPassword run in turn: it waits for a slot while fewer
// than the allowed number wait, and returns ErrBusy at once otherwise, or
// ctx's error if ctx ends while it waits.
func (c *Checker) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	// A hash that does not parse is an error before any work.
	if _, _, _, err := parsePHC(encoded); err != nil {
		return false, err
	}
	release, err := c.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return VerifyPassword(encoded, pw)
}

// Dummy is DummyVerify with the checker's dummy costs, run in turn as
// Verify is: a sign-in for an unknown account takes as long, and waits as
// long, as one with a wrong password.
func (c *Checker) Dummy(ctx context.Context, pw string) error {
	release, err := c.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	DummyVerify(pw, c.dummy)
	return nil
}

// acquire takes a slot, waiting for one if the waiting room has space.
func (c *Checker) acquire(ctx context.Context) (release func(), err error) {
	select {
	case c.slots <- struct{}{}:
	default:
		select {
		case c.waiting <- struct{}{}:
		default:
			return nil, ErrBusy
		}
		select {
		case c.slots <- struct{}{}:
			<-c.waiting
		case <-ctx.Done():
			<-c.waiting
			return nil, ctx.Err()
		}
	}
	n := c.running.Add(1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	return func() {
		c.running.Add(-1)
		c.done.Add(1)
		<-c.slots
	}, nil
}

// CheckerStats describe a Checker's work so far.
type CheckerStats struct {
	Running int // checks running now
	Waiting int // checks waiting for a slot now
	Peak    int // the most checks that ever ran at once
	Done    int // checks finished
}

// Stats returns the checker's counters: the memory password checks hold
// is at most Peak × the hash's memory cost.
func (c *Checker) Stats() CheckerStats {
	return CheckerStats{
		Running: int(c.running.Load()),
		Waiting: len(c.waiting),
		Peak:    int(c.peak.Load()),
		Done:    int(c.done.Load()),
	}
}
