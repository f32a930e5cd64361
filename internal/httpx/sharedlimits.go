package httpx

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"
)

// LimitStore keeps the levels of the limits' leaky buckets where every
// server of one database reads and writes them (internal/postgres), so
// that the servers behind one load balancer hold a client to one budget:
// limits.bookings_per_minute and limits.logins_per_minute hold for the
// whole group, not per server. Config.SharedLimits; nil keeps the buckets
// in the process (one server per database: SQLite).
//
// The keys it is given are already hashed (sharedKey): neither client
// addresses nor e-mail addresses are written to the database.
type LimitStore interface {
	// Bump drains the bucket of key in the named limit to now, at one unit
	// of level per unit of time, then adds delta (+1 a request, -1 one
	// given back, 0 to only read it), keeping the level within [0, max].
	// With strict, an add that would take the level over max adds nothing
	// and ok is false. It returns the level after.
	Bump(ctx context.Context, limit, key string, unit time.Duration, max, delta float64, strict bool, now time.Time) (level float64, ok bool, err error)
}

// shared is one limit's buckets in a LimitStore. When the store fails (the
// database is down), the limit falls back to the server's own buckets, so
// a client is still held to a budget per server, and says so once in the
// log until the store answers again.
type shared struct {
	store    LimitStore
	name     string
	unit     time.Duration
	capacity float64
	logger   *slog.Logger
	failing  *atomic.Bool // shared by every limit of one Limits
}

// newShared returns the shared form of a limit of n per per holding up to
// capacity; nil when there is no store or the limit is off.
func newShared(l *Limits, name string, n int, per time.Duration, capacity float64) *shared {
	if l.store == nil || n <= 0 {
		return nil
	}
	return &shared{store: l.store, name: name, unit: per / time.Duration(n), capacity: capacity, logger: l.logger, failing: &l.storeFailing}
}

func (s *shared) bump(ctx context.Context, key string, delta float64, strict bool, now time.Time) (float64, bool, bool) {
	// A request cut short must not leave the store's call half done for
	// the next one: the bump runs to its end, bounded on its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	level, ok, err := s.store.Bump(ctx, s.name, sharedKey(s.name, key), s.unit, s.capacity, delta, strict, now)
	if err != nil {
		if !s.failing.Swap(true) {
			s.logger.Warn("rate limits: the shared store fails; each server counts on its own until it answers", "limit", s.name, "err", err)
		}
		return 0, false, false
	}
	if s.failing.Swap(false) {
		s.logger.Info("rate limits: the shared store answers again", "limit", s.name)
	}
	return level, ok, true
}

// take is limiter.take on the store; answered is false when the store
// failed (the caller then asks its own buckets).
func (s *shared) take(ctx context.Context, key string, now time.Time) (ok bool, wait time.Duration, answered bool) {
	level, ok, answered := s.bump(ctx, key, 1, true, now)
	if !answered || ok {
		return ok, 0, answered
	}
	return false, s.wait(level), true
}

// peek is limiter.peek on the store.
func (s *shared) peek(ctx context.Context, key string, now time.Time) (ok bool, wait time.Duration, answered bool) {
	level, _, answered := s.bump(ctx, key, 0, false, now)
	if !answered {
		return false, 0, false
	}
	if level+1-s.capacity > 1e-9 {
		return false, s.wait(level), true
	}
	return true, 0, true
}

// attempt is backoff.attempt on the store: the level after the attempt.
func (s *shared) attempt(ctx context.Context, key string, now time.Time) (level float64, answered bool) {
	level, _, answered = s.bump(ctx, key, 1, false, now)
	return level, answered
}

func (s *shared) giveBack(ctx context.Context, key string, now time.Time) bool {
	_, _, answered := s.bump(ctx, key, -1, false, now)
	return answered
}

// wait is how long until a bucket at level has room for one more request
// (at least a second), as limiter.try says it.
func (s *shared) wait(level float64) time.Duration {
	over := level + 1 - s.capacity
	return max(time.Duration(over*float64(s.unit)), time.Second)
}

// sharedKey is the store's key of key in limit: a hash, so that no client
// address or e-mail address is written to the database.
func sharedKey(limit, key string) string {
	h := sha256.Sum256([]byte(limit + "\x00" + key))
	return base64.RawURLEncoding.EncodeToString(h[:18])
}

// The limits with their shared forms. Each function asks the store when
// there is one and falls back to the server's own buckets when there is
// none or it fails.

func takeEither[K comparable](ctx context.Context, m *limiter[K], s *shared, key K, skey string, now time.Time) (bool, time.Duration) {
	if s != nil {
		if ok, wait, answered := s.take(ctx, skey, now); answered {
			return ok, wait
		}
	}
	return m.take(key, now)
}

func peekEither[K comparable](ctx context.Context, m *limiter[K], s *shared, key K, skey string, now time.Time) (bool, time.Duration) {
	if s != nil {
		if ok, wait, answered := s.peek(ctx, skey, now); answered {
			return ok, wait
		}
	}
	return m.peek(key, now)
}

func giveBackEither[K comparable](ctx context.Context, m *limiter[K], s *shared, key K, skey string, now time.Time) {
	if s != nil && s.giveBack(ctx, skey, now) {
		return
	}
	m.giveBack(key, now)
}

// attemptEither is backoff.attempt, on the store when there is one.
func attemptEither(ctx context.Context, bo *backoff, s *shared, key string, now time.Time) time.Duration {
	if s != nil {
		if level, answered := s.attempt(ctx, key, now); answered {
			return bo.delay(level)
		}
	}
	return bo.attempt(key, now)
}

func backoffGiveBackEither(ctx context.Context, bo *backoff, s *shared, key string, now time.Time) {
	if s != nil && s.giveBack(ctx, key, now) {
		return
	}
	bo.giveBack(key, now)
}

// addrKey is the string form of a client key for the store.
func addrKey(a netip.Addr) string { return a.String() }
