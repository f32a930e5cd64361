package postgres

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

func TestSchemaHasRateLimits(t *testing.T) {
	if !strings.Contains(schemaSQL, rateLimitsSQL) {
		t.Error("schema.sql lacks the rate_limits table exactly as its migration creates it")
	}
}

// openLimits opens n stores on one database, as n servers would.
func openLimits(t *testing.T, n int) []*LimitStore {
	t.Helper()
	url := pgtest.Database(t)
	var out []*LimitStore
	for range n {
		st, err := Open(context.Background(), url, Options{MaxConns: 20})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.OpenConns(context.Background(), 20); err != nil {
			t.Fatal(err)
		}
		out = append(out, NewLimitStore(st.DB))
	}
	return out
}

// Two servers, 40 attempts each at once on one key with a budget of 10:
// exactly 10 pass, whichever server they came through.
func TestLimitStoreSharedBudget(t *testing.T) {
	stores := openLimits(t, 2)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var passed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 80 {
		st := stores[i%2]
		wg.Go(func() {
			<-start
			_, ok, err := st.Bump(ctx, "bookings", "k", 6*time.Second, 10, 1, true, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				passed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if got := passed.Load(); got != 10 {
		t.Fatalf("%d of 80 attempts passed a budget of 10 shared by two servers", got)
	}
	// Another key has its own budget.
	if _, ok, err := stores[1].Bump(ctx, "bookings", "other", 6*time.Second, 10, 1, true, now); err != nil || !ok {
		t.Errorf("another key refused: %v %v", ok, err)
	}
	// Draining: 30s at one per 6s is room for 5 again, on either server.
	later := now.Add(30 * time.Second)
	level, _, err := stores[0].Bump(ctx, "bookings", "k", 6*time.Second, 10, 0, false, later)
	if err != nil || level < 4.99 || level > 5.01 {
		t.Fatalf("level after 30s: %v (%v), want 5", level, err)
	}
	for i := range 5 {
		if _, ok, _ := stores[i%2].Bump(ctx, "bookings", "k", 6*time.Second, 10, 1, true, later); !ok {
			t.Fatalf("attempt %d of the 5 drained was refused", i+1)
		}
	}
	level, ok, _ := stores[1].Bump(ctx, "bookings", "k", 6*time.Second, 10, 1, true, later)
	if ok || level < 9.99 {
		t.Errorf("a 6th after draining: ok %v at level %v, want refused at 10", ok, level)
	}
	// A request given back makes room for one, and the level never goes
	// below zero.
	stores[0].Bump(ctx, "bookings", "k", 6*time.Second, 10, -1, false, later)
	if _, ok, _ := stores[1].Bump(ctx, "bookings", "k", 6*time.Second, 10, 1, true, later); !ok {
		t.Error("the request given back did not make room")
	}
	level, _, _ = stores[0].Bump(ctx, "bookings", "fresh", 6*time.Second, 10, -1, false, later)
	if level != 0 {
		t.Errorf("giving back to an empty bucket: level %v, want 0", level)
	}
	// Not strict (the sign-in delay): the level stops at max, never refused.
	for range 3 {
		level, ok, _ = stores[0].Bump(ctx, "login_account", "a", time.Second, 2, 1, false, now)
	}
	if !ok || level != 2 {
		t.Errorf("non-strict past max: ok %v level %v, want ok at 2", ok, level)
	}
}

// Buckets left alone for hours are swept.
func TestLimitStoreSweeps(t *testing.T) {
	st := openLimits(t, 1)[0]
	ctx := context.Background()
	old := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	st.Bump(ctx, "bookings", "old", time.Second, 10, 1, true, old)
	now := old.Add(4 * time.Hour)
	st.lastSweep.Store(0)
	st.Bump(ctx, "bookings", "new", time.Second, 10, 1, true, now)
	var keys []string
	rows, err := st.db.pool.Query(ctx, `SELECT key_hash FROM rate_limits ORDER BY key_hash`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	if len(keys) != 1 || keys[0] != "new" {
		t.Errorf("buckets after the sweep: %v, want only new", keys)
	}
}
