package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// memStore is a LimitStore in memory with the store's semantics, standing
// for the database two servers share; fail makes it answer errors.
type memStore struct {
	mu     sync.Mutex
	levels map[string]float64
	at     map[string]time.Time
	keys   []string
	fail   bool
}

func (m *memStore) Bump(_ context.Context, limit, key string, unit time.Duration, max, delta float64, strict bool, now time.Time) (float64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return 0, false, errors.New("database down")
	}
	if m.levels == nil {
		m.levels, m.at = map[string]float64{}, map[string]time.Time{}
	}
	k := limit + "/" + key
	m.keys = append(m.keys, key)
	level := m.levels[k]
	if d := now.Sub(m.at[k]); d > 0 && !m.at[k].IsZero() {
		level = maxf(0, level-float64(d)/float64(unit))
	}
	m.at[k] = now
	if strict && level+delta > max+1e-9 {
		m.levels[k] = level
		return level, false, nil
	}
	level = maxf(0, minf(max, level+delta))
	m.levels[k] = level
	return level, true, nil
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

// Two servers' limits on one store hold a client to one budget; when the
// store fails each falls back to its own.
func TestSharedLimits(t *testing.T) {
	store := &memStore{}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	cfg := Config{BookingsPerMinute: 4, LoginsPerMinute: 3, LinkRequestsPerHour: 2, Now: func() time.Time { return now }, SharedLimits: store}
	a, b := newLimits(cfg, nil), newLimits(cfg, nil)
	req := func() *httptestRequest { return newReq("203.0.113.9:5000") }

	for i := range 4 {
		l := a
		if i%2 == 1 {
			l = b
		}
		if err := l.AllowBooking(req().r); err != nil {
			t.Fatalf("booking %d refused: %v", i+1, err)
		}
	}
	for _, l := range []*Limits{a, b} {
		if err := l.AllowBooking(req().r); err == nil {
			t.Fatal("a 5th booking in the minute passed on the other server")
		}
	}
	// The store saw hashes, never the client's address.
	for _, k := range store.keys {
		if k == "203.0.113.9" || len(k) != 24 {
			t.Fatalf("the store was given the key %q", k)
		}
	}

	// Sign-ins: 3 failures per address across both servers.
	for i := range 3 {
		l := []*Limits{a, b}[i%2]
		at, err := l.beginLogin(req().r, "ada@example.com")
		if err != nil {
			t.Fatalf("sign-in %d refused: %v", i+1, err)
		}
		at.end(unauthorized())
	}
	if _, err := b.beginLogin(req().r, "ada@example.com"); err == nil {
		t.Fatal("a 4th failed sign-in passed on the other server")
	}

	// Links: two per hour for the address, across both servers.
	if err := a.AllowLinkRequest(req().r, "cleo@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := b.AllowLinkRequest(req().r, "Cleo@Example.com"); err != nil {
		t.Fatal(err)
	}
	if err := a.AllowLinkRequest(newReq("198.51.100.1:1").r, "cleo@example.com"); err == nil {
		t.Fatal("a third link request for the address passed from another client")
	}

	// The database goes down: each server counts on its own again, so a
	// client still meets a limit and nobody is refused for the outage.
	store.fail = true
	other := "192.0.2.7:1"
	for i := range 4 {
		if err := a.AllowBooking(newReq(other).r); err != nil {
			t.Fatalf("booking %d during the outage refused: %v", i+1, err)
		}
	}
	if err := a.AllowBooking(newReq(other).r); err == nil {
		t.Error("no limit at all while the store is down")
	}
}

type httptestRequest struct{ r *http.Request }

func unauthorized() error {
	return booking.Errorf(booking.EUNAUTHORIZED, "invalid_credentials", "wrong e-mail address or password")
}

func newReq(remote string) *httptestRequest {
	r := httptest.NewRequest("POST", "/api/v1/bookings", nil)
	r.RemoteAddr = remote
	return &httptestRequest{r: r}
}
