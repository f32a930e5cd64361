package auth

import (
	"math"
	"sync"
	"time"
)

// Sign-in limits. Two mechanisms, keyed by strings the caller chooses:
//
//   - Throttle is a hard budget per client address. An attempt is taken
//     from it before the password is checked (Take) and given back when the
//     password was right (Return). Taking first is what makes it hold under
//     parallel requests: were failures counted only once known, any number
//     of attempts started together would all pass a check made before the
//     first of them failed.
//
//   - Backoff is per account, across addresses. It never refuses: past its
//     free attempts (twice an address's budget, so that one address alone
//     never slows an account down) it asks for a short delay before the
//     check, growing with the attempts and capped at MaxLoginDelay. A refusal per account
//     would let anyone who knows a staff e-mail address lock that person
//     out from anywhere; a capped delay only slows an attacker who spreads
//     over many addresses and costs the owner a second or two at most.
//
// Both are leaky buckets: a key's level rises by one per attempt and drains
// at perMinute per minute, so a key left alone is back to nothing within a
// minute or two and is then forgotten, which bounds memory.

// Backoff delays: after the free attempts, loginDelayBase, then twice as
// long at each further attempt, up to MaxLoginDelay.
const (
	loginDelayBase = 250 * time.Millisecond
	// MaxLoginDelay is the longest delay Backoff asks for.
	MaxLoginDelay = 2 * time.Second
)

// backoffSteps is how far past its free attempts an account's level may
// rise: enough to reach MaxLoginDelay, and no further, so that the delay
// is gone again within half a minute of an attack stopping.
var backoffSteps = 1 + int(math.Ceil(math.Log2(float64(MaxLoginDelay)/float64(loginDelayBase))))

// Throttle is a budget of sign-in attempts per key (a client address):
// perMinute attempts at once, refilled over a minute. It is safe for
// concurrent use; a nil *Throttle allows everything.
type Throttle struct {
	b *buckets
}

// NewThrottle returns a throttle allowing perMinute attempts per key per
// minute; perMinute <= 0 returns nil, which allows all.
func NewThrottle(perMinute int) *Throttle {
	if perMinute <= 0 {
		return nil
	}
	return &Throttle{b: newBuckets(perMinute, float64(perMinute))}
}

// Take takes one attempt of key at now, before its password is checked.
// When key has none left it takes nothing and reports how long until it
// has (at least a second).
func (t *Throttle) Take(key string, now time.Time) (ok bool, wait time.Duration) {
	if t == nil {
		return true, 0
	}
	t.b.mu.Lock()
	defer t.b.mu.Unlock()
	lk := t.b.at(key, now)
	if over := lk.level + 1 - t.b.capacity; over > 1e-9 {
		wait = time.Duration(over / t.b.perSecond * float64(time.Second))
		return false, max(wait, time.Second)
	}
	lk.level++
	return true, 0
}

// Return gives back an attempt taken with Take: its password was right,
// or it was never checked.
func (t *Throttle) Return(key string, now time.Time) {
	if t != nil {
		t.b.giveBack(key, now)
	}
}

// Backoff slows down sign-in attempts per key (an account) without ever
// refusing one: 2 × perMinute attempts a minute pass at once, and each
// attempt beyond them waits longer, up to MaxLoginDelay. It is safe for
// concurrent use; a nil *Backoff never delays.
type Backoff struct {
	b    *buckets
	free float64
}

// NewBackoff returns a backoff letting 2 × perMinute attempts per key per
// minute through without delay, perMinute being the budget of one client
// address (Throttle); perMinute <= 0 returns nil.
func NewBackoff(perMinute int) *Backoff {
	if perMinute <= 0 {
		return nil
	}
	free := 2 * perMinute
	return &Backoff{b: newBuckets(free, float64(free+backoffSteps)), free: float64(free)}
}

// Attempt records an attempt of key at now, before its password is
// checked, and returns how long to wait before checking it.
func (bo *Backoff) Attempt(key string, now time.Time) time.Duration {
	if bo == nil {
		return 0
	}
	bo.b.mu.Lock()
	defer bo.b.mu.Unlock()
	lk := bo.b.at(key, now)
	lk.level = min(lk.level+1, bo.b.capacity)
	excess := int(math.Ceil(lk.level - bo.free - 1e-9))
	if excess <= 0 {
		return 0
	}
	return min(loginDelayBase<<(excess-1), MaxLoginDelay)
}

// Return takes back an attempt recorded with Attempt: its password was
// right, or it was never checked.
func (bo *Backoff) Return(key string, now time.Time) {
	if bo != nil {
		bo.b.giveBack(key, now)
	}
}

// buckets are leaky buckets by key.
type buckets struct {
	perSecond float64 // drain rate
	capacity  float64

	mu        sync.Mutex
	m         map[string]*leak
	lastSweep time.Time
}

type leak struct {
	level float64
	at    time.Time // when level was last drained
}

func newBuckets(perMinute int, capacity float64) *buckets {
	return &buckets{perSecond: float64(perMinute) / 60, capacity: capacity, m: make(map[string]*leak)}
}

// sweepEvery is how often empty buckets are dropped.
const sweepEvery = time.Minute

// at returns key's bucket drained to now, creating it if needed, and now
// and then drops the buckets that have drained empty. b.mu must be held.
func (b *buckets) at(key string, now time.Time) *leak {
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

func (b *buckets) drain(lk *leak, now time.Time) {
	if d := now.Sub(lk.at); d > 0 {
		lk.level = max(0, lk.level-d.Seconds()*b.perSecond)
		lk.at = now
	}
}

func (b *buckets) giveBack(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if lk, ok := b.m[key]; ok {
		b.drain(lk, now)
		lk.level = max(0, lk.level-1)
	}
}

// size is the number of keys tracked (for tests).
func (b *buckets) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
