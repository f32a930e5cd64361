package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/metrics"
)

// The benchmarks of bench_test.go with the Prometheus metrics on, as a
// server with server.metrics_addr runs: the difference is their cost on
// the hot paths.

func BenchmarkAvailabilityEndpointMetrics(b *testing.B) {
	m := metrics.New()
	e := MustOpenEnv(b, httpx.Config{Metrics: m}, func(d *app.Deps) { d.Metrics = m })
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

func BenchmarkCreateBookingMetrics(b *testing.B) {
	m := metrics.New()
	e := MustOpenEnv(b, httpx.Config{Metrics: m}, func(d *app.Deps) { d.Metrics = m })
	h := e.Edge.Handler()
	body := mustJSON(Request(tomorrow10))
	first := true
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(body)))
		if want := map[bool]int{true: 201, false: 409}[first]; rec.Code != want {
			b.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
		}
		first = false
	}
}
