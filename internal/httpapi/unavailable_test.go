package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// mailJobs queues one mail job per booking change, as the real wiring does,
// so that a test sees whether a refused booking left jobs behind.
func mailJobs(e booking.Event) ([]booking.Job, error) {
	return []booking.Job{{Queue: "mail", Kind: string(e.Kind), BookingID: e.Booking.ID, Payload: []byte(e.Booking.ID)}}, nil
}

// MustOpenRaw opens a plain connection pool on the database file, as
// another process would.
func MustOpenRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// rows counts what bookings leave in the database.
type rows struct{ bookings, jobs, audit, keys int }

func mustCountRows(tb testing.TB, raw *sql.DB) rows {
	tb.Helper()
	var n rows
	err := raw.QueryRow(`SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM jobs),
		(SELECT count(*) FROM audit_log WHERE booking_id IS NOT NULL), (SELECT count(*) FROM idempotency_keys)`).
		Scan(&n.bookings, &n.jobs, &n.audit, &n.keys)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// wantUnavailable checks a 503 problem with code "unavailable", a
// Retry-After in seconds and no internal detail.
func wantUnavailable(tb testing.TB, r Response) {
	tb.Helper()
	if r.Status != http.StatusServiceUnavailable {
		tb.Fatalf("status %d, want 503; body %s", r.Status, r.Body)
	}
	p := r.Problem(tb)
	if p.Code != "unavailable" || p.Status != 503 || p.Type != httpapi.ProblemTypePrefix+"unavailable" {
		tb.Errorf("problem %+v, want status 503, code unavailable", p)
	}
	if p.Detail == "" || strings.Contains(strings.ToLower(p.Detail), "sqlite") || strings.Contains(p.Detail, "(5)") {
		tb.Errorf("detail %q: want a plain message without the database's error", p.Detail)
	}
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		tb.Errorf("Retry-After = %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
}

// TestBookingWhileDatabaseLocked: another process holds the database's
// write lock past the busy timeout. A booking is 503 unavailable with
// Retry-After and nothing stored, reads still answer, and the same request
// (same Idempotency-Key) books once the lock is gone.
func TestBookingWhileDatabaseLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atelier.db")
	env := MustOpenEnvAt(t, httpx.Config{}, path, sqlite.Options{BusyTimeout: 150 * time.Millisecond})
	env.DB.Jobs = mailJobs
	raw := MustOpenRaw(t, path)
	ctx := context.Background()
	lock, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	const start = "2026-12-02T10:00:00+08:00"
	req, key := Request(start), []string{"Idempotency-Key", "locked-1"}
	wantUnavailable(t, env.Do(t, http.MethodPost, "/api/v1/bookings", req, key...))
	if got := mustCountRows(t, raw); got != (rows{}) {
		t.Errorf("after the 503: %+v, want no booking, job, audit row or idempotency record", got)
	}
	// Reading needs no write lock: the slot is still offered.
	if a := MustAvailability(t, env, "service=design&mode=in_person&from=2026-12-02&to=2026-12-02"); !a.HasSlot(start, "mei") {
		t.Errorf("while locked, %s with mei is not offered", start)
	}

	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	b := MustCreateBooking(t, env, req, key...)
	if b.Start != start || b.Artisan != "mei" || b.ManageToken == "" {
		t.Errorf("the retried booking: %+v", b)
	}
	if got, want := mustCountRows(t, raw), (rows{1, 1, 1, 1}); got != want {
		t.Errorf("after the retry: %+v, want %+v", got, want)
	}
}

// TestBookingWhenDiskFull: the database file cannot grow (SQLite's
// max_page_count, which fails as a full disk does with SQLITE_FULL).
// Bookings are taken until it is full; the one that does not fit is 503
// unavailable with Retry-After and leaves no booking, job, audit row or
// idempotency record; the bookings before it are intact.
func TestBookingWhenDiskFull(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atelier.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncCatalog(ctx, DemoCatalog()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := MustOpenRaw(t, path)
	var pages int
	if err := raw.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}

	env := MustOpenEnvAt(t, httpx.Config{}, path, sqlite.Options{MaxPageCount: pages})
	env.DB.Jobs = mailJobs
	a := MustAvailability(t, env, "service=design&mode=in_person&from=2026-12-02&to=2026-12-12")
	var booked []Booking
	full := false
	for i, s := range a.Slots {
		req := Request(s.Start)
		req["artisan"] = s.Artisans[0]
		before := mustCountRows(t, raw)
		r := env.Do(t, http.MethodPost, "/api/v1/bookings", req, "Idempotency-Key", fmt.Sprintf("full-%d", i))
		if r.Status == http.StatusCreated {
			var b Booking
			r.JSON(t, &b)
			booked = append(booked, b)
			continue
		}
		if r.Status == http.StatusConflict {
			continue // the slot's room went to an earlier booking
		}
		wantUnavailable(t, r)
		if got := mustCountRows(t, raw); got != before {
			t.Errorf("the refused booking changed the database: %+v before, %+v after", before, got)
		}
		full = true
		break
	}
	if !full {
		t.Fatalf("%d bookings fitted in %d pages: the file never filled up", len(booked), pages)
	}
	t.Logf("%d bookings taken before the file was full", len(booked))
	for _, b := range booked {
		r := env.Do(t, http.MethodGet, "/api/v1/bookings/"+b.ID, nil, "Authorization", "Bearer "+b.ManageToken)
		if r.Status != http.StatusOK {
			t.Errorf("booking %s taken before the disk was full: status %d", b.ID, r.Status)
		}
	}
	if got := mustCountRows(t, raw); got.bookings != len(booked) || got.jobs != len(booked) || got.audit != len(booked) || got.keys != len(booked) {
		t.Errorf("rows %+v, want %d of each: one booking, job, audit row and key per booking taken", got, len(booked))
	}
}
