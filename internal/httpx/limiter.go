package httpx

import (
	"math"
	"sync"
	"time"
)

// The per-key limits of the edge (Limits) are built on one mechanism, a
// leaky bucket per key (a client address, an e-mail address, an account):
// a key's level rises by one per request and drains at n per period, so a
// key left alone is back to nothing within a period and is then
// forgotten, which bounds memory.
//
//   - limiter is a hard budget: n requests at once, refilled over the
//     period. A request is taken before it is served (take), and may be
//     given back when it turns out not to count (giveBack: a sign-in with
//     the right password). Taking first is what makes it hold under
//     parallel requests: were failures counted only once known, any number
//     of attempts started together would all pass a check made before the
//     first of them failed.
//
//   - backoff never refuses: past its free requests it asks for a short
//     delay, growing with the requests and capped at MaxLoginDelay. It
//     slows the sign-ins of one account across all addresses: a refusal per
//     account would let anyone who knows a staff e-mail address lock that
//     person out from anywhere; a capped delay only slows an attacker who
//     spreads over many addresses and costs the owner a second or two at
//     most.

// Backoff delays: after the free attempts, loginDelayBase, then twice as
// long at each further attempt, up to MaxLoginDelay.
const (
	loginDelayBase = 250 * time.Millisecond
	// MaxLoginDelay is the longest delay an account's sign-in waits.
	MaxLoginDelay = 2 * time.Second
)

// backoffSteps is how far past its free attempts an account's level may
// rise: enough to reach MaxLoginDelay, and no further, so that the delay
// is gone again within half a minute of an attack stopping.
var backoffSteps = 1 + int(math.Ceil(math.Log2(float64(MaxLoginDelay)/float64(loginDelayBase))))

// limiter is a budget of n requests per key, refilled over per. It is safe
// for concurrent use; a nil *limiter allows everything.
type limiter[K comparable] struct {
	b *buckets[K]
}

// newLimiter returns a limiter of n requests per key per per; n <= 0
// returns nil, which allows all.
func newLimiter[K comparable](n int, per time.Duration) *limiter[K] {
	if n <= 0 {
		return nil
	}
	return &limiter[K]{b: newBuckets[K](n, per, float64(n))}
}

// take takes one request of key at now. When key has none left it takes
// nothing and reports how long until it has one (at least a second).
func (l *limiter[K]) take(key K, now time.Time) (ok bool, wait time.Duration) {
	return l.try(key, now, true)
}

// peek reports what take would, taking nothing.
func (l *limiter[K]) peek(key K, now time.Time) (ok bool, wait time.Duration) {
	return l.try(key, now, false)
}

func (l *limiter[K]) try(key K, now time.Time, keep bool) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.b.mu.Lock()
	defer l.b.mu.Unlock()
	lk := l.b.at(key, now)
	if over := lk.level + 1 - l.b.capacity; over > 1e-9 {
		return false, max(time.Duration(over*float64(l.b.unit)), time.Second)
	}
	if keep {
		lk.level++
	}
	return true, 0
}

// giveBack returns a request taken with take: it does not count.
func (l *limiter[K]) giveBack(key K, now time.Time) {
	if l != nil {
		l.b.giveBack(key, now)
	}
}

// backoff delays requests per key without ever refusing one: 2 × perMinute
// a minute pass at once, and each one beyond them waits longer, up to
// MaxLoginDelay. It is safe for concurrent use; a nil *backoff never
// delays.
type backoff struct {
	b    *buckets[string]
	free float64
}

// newBackoff returns a backoff letting 2 × perMinute attempts per key per
// minute through without delay, perMinute being the budget of one client
// address; perMinute <= 0 returns nil.
func newBackoff(perMinute int) *backoff {
	if perMinute <= 0 {
		return nil
	}
	free := 2 * perMinute
	return &backoff{b: newBuckets[string](free, time.Minute, float64(free+backoffSteps)), free: float64(free)}
}

// attempt records an attempt of key at now, before it is served, and
// returns how long to wait before serving it.
func (bo *backoff) attempt(key string, now time.Time) time.Duration {
	if bo == nil {
		return 0
	}
	bo.b.mu.Lock()
	defer bo.b.mu.Unlock()
	lk := bo.b.at(key, now)
	lk.level = min(lk.level+1, bo.b.capacity)
	return bo.delay(lk.level)
}

// delay is the wait of an attempt that left its key's level at level.
func (bo *backoff) delay(level float64) time.Duration {
	excess := int(math.Ceil(level - bo.free - 1e-9))
	if excess <= 0 {
		return 0
	}
	return min(loginDelayBase<<(excess-1), MaxLoginDelay)
}

// giveBack takes back an attempt recorded with attempt: it does not count.
func (bo *backoff) giveBack(key string, now time.Time) {
	if bo != nil {
		bo.b.giveBack(key, now)
	}
}

// buckets are leaky buckets by key.
type buckets[K comparable] struct {
	unit     time.Duration // the time one unit of level takes to drain
	capacity float64

	mu        sync.Mutex
	m         map[K]*leak
	lastSweep time.Time
}

type leak struct {
	level float64
	at    time.Time // when level was last drained
}

// newBuckets returns buckets draining n units per period, holding up to
// capacity.
func newBuckets[K comparable](n int, per time.Duration, capacity float64) *buckets[K] {
	return &buckets[K]{unit: per / time.Duration(n), capacity: capacity, m: make(map[K]*leak)}
}

// sweepEvery is how often empty buckets are dropped.
const sweepEvery = time.Minute

// at returns key's bucket drained to now, creating it if needed, and now
// and then drops the buckets that have drained empty. b.mu must be held.
func (b *buckets[K]) at(key K, now time.Time) *leak {
	if now.Sub(b.lastSweep) >= sweepEvery {
		for k, lk := range b.m {
			if b.drain(lk, now); lk.level <= 0 {
				delete(b.m, k)
			}
		}
		b.lastSweep = now
	}
	lk, ok := b.m[key]
	if !ok {
		lk = &leak{at: now}
		b.m[key] = lk
	}
	b.drain(lk, now)
	return lk
}

func (b *buckets[K]) drain(lk *leak, now time.Time) {
	if d := now.Sub(lk.at); d > 0 {
		lk.level = max(0, lk.level-float64(d)/float64(b.unit))
		lk.at = now
	}
}

func (b *buckets[K]) giveBack(key K, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if lk, ok := b.m[key]; ok {
		b.drain(lk, now)
		lk.level = max(0, lk.level-1)
	}
}

// size is the number of keys tracked (for tests).
func (b *buckets[K]) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
