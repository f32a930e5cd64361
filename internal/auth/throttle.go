package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits failed logins per key (an account's e-mail address or a
// client address): a token bucket of perMinute tokens refilled over a
// minute, one token per failure. Checking does not take a token, so a
// correct password is never refused while the bucket has a token left.
// It is safe for concurrent use.
type Throttle struct {
	perMinute int

	mu        sync.Mutex
	buckets   map[string]*throttleBucket
	lastSweep time.Time
}

type throttleBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewThrottle returns a throttle allowing perMinute failures per key per
// minute; perMinute <= 0 returns nil, and a nil *Throttle allows all.
func NewThrottle(perMinute int) *Throttle {
	if perMinute <= 0 {
		return nil
	}
	return &Throttle{perMinute: perMinute, buckets: make(map[string]*throttleBucket)}
}

// idleAfter is when an untouched bucket is full again and can be dropped.
const idleAfter = 2 * time.Minute

// Check reports whether key may try to log in at now; if not, wait is how
// long until it may.
func (t *Throttle) Check(key string, now time.Time) (ok bool, wait time.Duration) {
	if t == nil {
		return true, 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b, found := t.buckets[key]
	if !found || b.lim.TokensAt(now) >= 1 {
		return true, 0
	}
	r := b.lim.ReserveN(now, 1)
	wait = r.DelayFrom(now)
	r.CancelAt(now)
	return false, max(wait, time.Second)
}

// Fail records a failed login of key at now.
func (t *Throttle) Fail(key string, now time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.lastSweep) > idleAfter {
		for k, b := range t.buckets {
			if now.Sub(b.seen) > idleAfter {
				delete(t.buckets, k)
			}
		}
		t.lastSweep = now
	}
	b, found := t.buckets[key]
	if !found {
		b = &throttleBucket{lim: rate.NewLimiter(rate.Limit(float64(t.perMinute)/60), t.perMinute)}
		t.buckets[key] = b
	}
	b.seen = now
	b.lim.AllowN(now, 1)
}
