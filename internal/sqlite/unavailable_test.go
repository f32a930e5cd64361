package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/atelier-app/atelier/internal/booking"
	atsqlite "github.com/atelier-app/atelier/internal/sqlite"
)

// MustOpenDBOptions opens a new file database with opts, the test
// catalogue, the test clock and one mail job per booking change.
func MustOpenDBOptions(tb testing.TB, path string, opts atsqlite.Options) *atsqlite.Store {
	tb.Helper()
	db, err := atsqlite.OpenWith(context.Background(), path, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return testNow }
	db.Jobs = (&recorder{}).jobs
	if _, err := db.SyncCatalog(context.Background(), testCatalog()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// wantUnavailable fails unless err is booking.EUNAVAILABLE ("unavailable")
// that keeps SQLite's error with the primary result code as its cause.
func wantUnavailable(tb testing.TB, err error, code int) {
	tb.Helper()
	wantCode(tb, err, booking.EUNAVAILABLE, booking.CodeUnavailable)
	if code == 0 {
		return
	}
	var e *sqlite.Error
	if !errors.As(err, &e) || e.Code()&0xff != code {
		tb.Errorf("cause of %v: want SQLite result code %d", err, code)
	}
}

// traces counts what a booking change leaves behind: the booking row, its
// jobs and its audit rows.
type traces struct{ bookings, jobs, audit int }

func tracesOf(tb testing.TB, db *atsqlite.Store, id string) traces {
	tb.Helper()
	return traces{
		bookings: count(tb, db, `SELECT count(*) FROM bookings WHERE id = ?`, id),
		jobs:     count(tb, db, `SELECT count(*) FROM jobs WHERE booking_id = ?`, id),
		audit:    count(tb, db, `SELECT count(*) FROM audit_log WHERE booking_id = ?`, id),
	}
}

func allTraces(tb testing.TB, db *atsqlite.Store) traces {
	tb.Helper()
	return traces{
		bookings: count(tb, db, `SELECT count(*) FROM bookings`),
		jobs:     count(tb, db, `SELECT count(*) FROM jobs`),
		audit:    count(tb, db, `SELECT count(*) FROM audit_log`),
	}
}

// TestWriteLockedPastBusyTimeout: another process holds the file's write
// lock for longer than the busy timeout. The booking is EUNAVAILABLE with
// nothing written, reads still answer, and once the lock is released the
// same booking goes through.
func TestWriteLockedPastBusyTimeout(t *testing.T) {
	const busy = 150 * time.Millisecond
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atelier.db")
	db := MustOpenDBOptions(t, path, atsqlite.Options{BusyTimeout: busy})

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	nb := newBooking(req{ID: "bk_locked", Artisan: "ana", Start: at(10, 0)})
	began := time.Now()
	_, _, err = db.CreateBooking(ctx, nb, place(nb, ""))
	waited := time.Since(began)
	wantUnavailable(t, err, sqlite3.SQLITE_BUSY)
	if waited < busy {
		t.Errorf("gave up after %s, before the busy timeout %s", waited, busy)
	}
	if waited > 5*time.Second {
		t.Errorf("gave up after %s: the busy timeout of %s was not used", waited, busy)
	}
	if got := tracesOf(t, db, nb.Booking.ID); got != (traces{}) {
		t.Errorf("after the refusal: %+v, want no booking, job or audit row", got)
	}
	// Reads do not wait for the writer (WAL).
	if _, err := db.Schedule(ctx, at(0, 0), at(23, 0)); err != nil {
		t.Errorf("Schedule while the file is locked: %v", err)
	}

	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
		t.Fatalf("the same booking once the lock is released: %v", err)
	}
	if got, want := tracesOf(t, db, nb.Booking.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("after the retry: %+v, want %+v", got, want)
	}
}

// TestWriterQueueBounded: a write of this process that waits for the one
// write connection longer than the busy timeout gives up as EUNAVAILABLE
// too, instead of queueing without end behind a transaction that holds it.
func TestWriterQueueBounded(t *testing.T) {
	const busy = 150 * time.Millisecond
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), atsqlite.Options{BusyTimeout: busy})
	rec := &recorder{}
	db.Jobs = rec.jobs
	entered, release := make(chan struct{}), make(chan struct{})
	slow := newBooking(req{ID: "bk_slow", Artisan: "ana", Start: at(10, 0)})
	slowPlace := func(s *booking.Schedule) (booking.Placement, error) {
		close(entered)
		<-release // holds the write transaction open (place runs inside it)
		return place(slow, "")(s)
	}
	slowErr := make(chan error, 1)
	go func() {
		_, _, err := db.CreateBooking(ctx, slow, slowPlace)
		slowErr <- err
	}()
	<-entered

	queued := newBooking(req{ID: "bk_queued", Artisan: "ben", Start: at(10, 0)})
	began := time.Now()
	_, _, err := db.CreateBooking(ctx, queued, place(queued, ""))
	waited := time.Since(began)
	wantUnavailable(t, err, 0)
	if waited < busy || waited > 5*time.Second {
		t.Errorf("gave up after %s, want about the busy timeout %s", waited, busy)
	}

	close(release)
	if err := <-slowErr; err != nil {
		t.Fatalf("the booking holding the connection: %v", err)
	}
	if got := tracesOf(t, db, queued.Booking.ID); got != (traces{}) {
		t.Errorf("refused booking left %+v, want nothing", got)
	}
	if _, _, err := db.CreateBooking(ctx, queued, place(queued, "")); err != nil {
		t.Fatalf("the same booking once the connection is free: %v", err)
	}
	if got, want := tracesOf(t, db, queued.Booking.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("after the retry: %+v, want %+v", got, want)
	}
}

// TestDiskFull: with the file capped at its current size (max_page_count),
// bookings go in until SQLite reports SQLITE_FULL; that booking is
// EUNAVAILABLE and leaves no booking, job or audit row, the earlier ones
// are intact, and with room again the same booking goes through.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atelier.db")
	db := MustOpenDBOptions(t, path, atsqlite.Options{})
	var pages int
	if err := rawDB(t, db).QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = MustOpenDBOptions(t, path, atsqlite.Options{MaxPageCount: pages})
	var stored []string
	var full booking.NewBooking
	for i := range 200 {
		nb := newBooking(req{Artisan: "ben", Start: at(10, 0).Add(time.Duration(i) * 2 * time.Hour)})
		nb.Booking.Notes = "A note long enough to fill pages quickly: " + strings.Repeat("x", 300)
		before := allTraces(t, db)
		b, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
		if err == nil {
			stored = append(stored, b.ID)
			continue
		}
		wantUnavailable(t, err, sqlite3.SQLITE_FULL)
		if got := allTraces(t, db); got != before {
			t.Errorf("the refused booking changed the database: %+v before, %+v after", before, got)
		}
		full = nb
		break
	}
	if full.Booking.Start.IsZero() {
		t.Fatalf("200 bookings fitted in %d pages: the cap was not applied", pages)
	}
	t.Logf("%d bookings stored before the file was full", len(stored))
	for _, id := range stored {
		if got, want := tracesOf(t, db, id), (traces{1, 1, 1}); got != want {
			t.Errorf("booking %s stored before the disk was full: %+v, want %+v", id, got, want)
		}
	}
	db.Close()

	db = MustOpenDBOptions(t, path, atsqlite.Options{})
	b, _, err := db.CreateBooking(ctx, full, place(full, ""))
	if err != nil {
		t.Fatalf("the same booking with room again: %v", err)
	}
	if got, want := tracesOf(t, db, b.ID), (traces{1, 1, 1}); got != want {
		t.Errorf("after the retry: %+v, want %+v", got, want)
	}
}
