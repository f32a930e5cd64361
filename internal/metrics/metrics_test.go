package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/atelier-app/atelier/internal/backup"
)

func TestObserveRequestLabels(t *testing.T) {
	m := New()
	m.ObserveRequest("GET", "/api/v1/bookings/{id}", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "/api/v1/bookings/{id}", 200, 5*time.Millisecond)
	m.ObserveRequest("BREW", "unmatched", 405, time.Millisecond) // any client token
	m.ObserveRequest("GET", "unmatched", 999, time.Millisecond)
	if got := testutil.ToFloat64(m.requests.WithLabelValues("GET", "/api/v1/bookings/{id}", "200")); got != 2 {
		t.Errorf("requests = %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("other", "unmatched", "405")); got != 1 {
		t.Errorf("an unknown method is not folded into other: %v", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("GET", "unmatched", "other")); got != 1 {
		t.Errorf("an odd status is not folded into other: %v", got)
	}
	if n := testutil.CollectAndCount(m.duration); n != 3 {
		t.Errorf("%d duration series, want 3", n)
	}
}

// TestObserveRequestConcurrent: the cache of label children is safe under
// concurrent first uses.
func TestObserveRequestConcurrent(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				m.ObserveRequest("GET", []string{"/a", "/b", "/c"}[(i+j)%3], 200, time.Millisecond)
			}
		}()
	}
	wg.Wait()
	total := 0.0
	for _, r := range []string{"/a", "/b", "/c"} {
		total += testutil.ToFloat64(m.requests.WithLabelValues("GET", r, "200"))
	}
	if total != 1600 {
		t.Errorf("counted %v requests, want 1600", total)
	}
}

// TestObserveRequestAllocs: counting a request allocates nothing once its
// labels were seen.
func TestObserveRequestAllocs(t *testing.T) {
	m := New()
	m.ObserveRequest("GET", "/api/v1/availability", 200, time.Millisecond)
	if n := testing.AllocsPerRun(1000, func() {
		m.ObserveRequest("GET", "/api/v1/availability", 200, time.Millisecond)
	}); n != 0 {
		t.Errorf("%v allocations per request, want 0", n)
	}
}

func BenchmarkObserveRequest(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest("GET", "/api/v1/availability", 200, time.Millisecond)
	}
}

func TestStoreCollector(t *testing.T) {
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	var calls []int64
	batches := [][]EventCount{
		{{Event: "created", Actor: "customer", Count: 3}, {Event: "rescheduled", Actor: "staff", Count: 1}},
		{{Event: "created", Actor: "customer", Count: 2}, {Event: "cancelled", Actor: "system", Count: 1}},
	}
	fail := false
	src := Store{
		Jobs: func(context.Context) (map[string]map[string]int, error) {
			return map[string]map[string]int{"mail": {"pending": 2, "done": 7}, "gcal": {"failed": 1}}, nil
		},
		DueJobs: func(_ context.Context, at time.Time) ([]DueJobs, error) {
			return []DueJobs{{Queue: "mail", Jobs: 1, OldestDue: at.Add(-90 * time.Second)}}, nil
		},
		BookingEvents: func(_ context.Context, after int64) ([]EventCount, int64, error) {
			calls = append(calls, after)
			if fail {
				return nil, after, errors.New("database is locked")
			}
			if len(calls) > len(batches) {
				return nil, after, nil
			}
			return batches[len(calls)-1], after + 10, nil
		},
		Now: func() time.Time { return now },
	}
	m := New()
	if err := m.Register(NewStoreCollector(src)); err != nil {
		t.Fatal(err)
	}
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler(discard()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return rec.Body.String()
	}
	scrape()
	out := scrape()
	for _, want := range []string{
		`atelier_bookings_total{actor="customer",event="created"} 5`,
		`atelier_bookings_total{actor="staff",event="moved"} 1`,
		`atelier_bookings_total{actor="system",event="cancelled"} 1`,
		`atelier_bookings_total{actor="staff",event="declined"} 0`,
		`atelier_jobs{queue="mail",state="pending"} 2`,
		`atelier_jobs{queue="mail",state="failed"} 0`,
		`atelier_jobs{queue="gcal",state="failed"} 1`,
		`atelier_jobs_due{queue="mail"} 1`,
		`atelier_jobs_due{queue="gcal"} 0`,
		`atelier_jobs_oldest_due_age_seconds{queue="mail"} 90`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the exposition lacks %s", want)
		}
	}
	if len(calls) != 2 || calls[0] != 0 || calls[1] != 10 {
		t.Errorf("BookingEvents called after ids %v, want [0 10]", calls)
	}
	// A failing query is counted; the booking counts stay as they were
	// and the rest is served.
	fail = true
	out = scrape()
	for _, want := range []string{
		`atelier_bookings_total{actor="customer",event="created"} 5`,
		`atelier_jobs{queue="mail",state="pending"} 2`,
		`atelier_metrics_query_errors_total{query="booking_events"} 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("with the events query failing, the exposition lacks %s", want)
		}
	}
}

func TestBackupCollector(t *testing.T) {
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	st := backup.Status{Every: time.Hour, LastSuccess: now.Add(-10 * time.Minute), LastBytes: 4096, Kept: 3}
	m := New()
	if err := m.Register(NewBackupCollector(func() backup.Status { return st }, func() time.Time { return now })); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler(discard()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	out := rec.Body.String()
	for _, want := range []string{
		"atelier_backup_last_size_bytes 4096", "atelier_backup_kept 3", "atelier_backup_failing 0", "atelier_backup_failures 0",
		"atelier_backup_last_success_timestamp_seconds 1.7960934e+09",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the exposition lacks %s", want)
		}
	}
}

func TestWriterCollector(t *testing.T) {
	st := WriterStats{Transactions: 40, Calls: 250, Queued: 3, Wait: 1500 * time.Millisecond, GaveUp: 2}
	m := New()
	if err := m.Register(NewWriterCollector(func() WriterStats { return st })); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler(discard()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	out := rec.Body.String()
	for _, want := range []string{
		"atelier_sqlite_write_transactions_total 40", "atelier_sqlite_writes_total 250", "atelier_sqlite_write_queue 3",
		"atelier_sqlite_write_wait_seconds_total 1.5", "atelier_sqlite_write_gave_up_total 2",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the exposition lacks %s", want)
		}
	}
}
