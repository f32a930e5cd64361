package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/httpx"
)

// BenchmarkAvailabilityEndpoint measures GET /api/v1/availability over the
// longest allowed window (62 days), store and engine included.
func BenchmarkAvailabilityEndpoint(b *testing.B) {
	e := MustOpenEnv(b, httpx.Config{})
	for _, start := range []string{tomorrow10, tomorrow14, "2026-12-03T11:00:00+08:00"} {
		MustCreateBooking(b, e, Request(start))
	}
	h := e.Edge.Handler()
	q := "service=design&mode=in_person&from=2026-12-01&to=2027-01-31"
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/availability?"+q, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkCreateBooking measures POST /api/v1/bookings end to end,
// including the synchronous (FULL) commit to the database file.
func BenchmarkCreateBooking(b *testing.B) {
	e := MustOpenEnv(b, httpx.Config{})
	h := e.Edge.Handler()
	body := mustJSON(Request(tomorrow10))
	first := true
	for b.Loop() {
		// The first request books; the rest conflict after the same checks.
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(body)))
		if want := map[bool]int{true: 201, false: 409}[first]; rec.Code != want {
			b.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
		}
		first = false
	}
}
