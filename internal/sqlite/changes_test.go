package sqlite_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestNoWriteSkipsTheCaches: the caches learn of a change from the commit
// itself, so a plain SQL write in a store transaction, with no code of its
// own for them, is seen by the next Catalog, Schedule and booking
// transaction, and a job it queues wakes the workers.
func TestNoWriteSkipsTheCaches(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	var mu sync.Mutex
	var queued []string
	db.Subscribe(func(c sqlite.Changes) {
		mu.Lock()
		queued = append(queued, c.JobQueues...)
		mu.Unlock()
	})
	b := MustCreateBooking(t, db, req{ID: "bk_one", Artisan: "ana", Start: at(11, 0)})
	nextDay := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	week := func() []string { return scheduleIDs(t, db, at(0, 0), at(0, 0).AddDate(0, 0, 7)) }
	// Fill both caches.
	mustCatalog(t, db)
	if got := week(); !slices.Equal(got, []string{"bk_one"}) {
		t.Fatalf("the week before: %v", got)
	}

	t.Run("catalogue", func(t *testing.T) {
		monday := hours(`{"mon":[["11:00","12:00"]]}`)
		mustNoErr(t, db.ExecInTx(ctx, `UPDATE artisans SET working_hours = ? WHERE id = 'ben'`, jsonOf(monday)))
		if c := mustCatalog(t, db); jsonOf(c.Artisan("ben").Hours) != jsonOf(monday) {
			t.Errorf("Catalog does not show the new hours: %s", jsonOf(c.Artisan("ben").Hours))
		}
		s, err := db.Schedule(ctx, at(0, 0), at(23, 0))
		mustNoErr(t, err)
		if jsonOf(s.Artisan("ben").Hours) != jsonOf(monday) {
			t.Errorf("Schedule does not show the new hours: %s", jsonOf(s.Artisan("ben").Hours))
		}
	})
	t.Run("booking moved to the next day", func(t *testing.T) {
		nb := newBooking(req{Artisan: "ana", Start: nextDay(at(11, 0))}).Booking
		mustNoErr(t, db.ExecInTx(ctx, `UPDATE bookings SET start_at = ?, end_at = ?, block_start = ?, block_end = ? WHERE id = ?`,
			fmtMillis(nb.Start), fmtMillis(nb.End), fmtMillis(nb.BlockStart), fmtMillis(nb.BlockEnd), b.ID))
		if got := scheduleIDs(t, db, at(0, 0), at(23, 59)); len(got) != 0 {
			t.Errorf("the day it left still shows %v", got)
		}
		if got := scheduleIDs(t, db, nextDay(at(0, 0)), nextDay(at(23, 59))); !slices.Equal(got, []string{"bk_one"}) {
			t.Errorf("the day it moved to shows %v", got)
		}
	})
	t.Run("booking cancelled", func(t *testing.T) {
		mustNoErr(t, db.ExecInTx(ctx, `UPDATE bookings SET status = 'cancelled' WHERE id = ?`, b.ID))
		if got := week(); len(got) != 0 {
			t.Errorf("the week still shows %v", got)
		}
	})
	t.Run("job queued", func(t *testing.T) {
		mustNoErr(t, db.ExecInTx(ctx, `INSERT INTO jobs (queue, kind, payload, state, run_at, created_at)
			VALUES ('mail', 'test', x'', 'pending', ?, ?)`, fmtMillis(testNow), fmtMillis(testNow)))
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(queued, []string{"mail"}) {
			t.Errorf("queues woken: %v, want [mail]", queued)
		}
	})
}

// TestSubscribeSeesWhatACommitChanged: a subscriber is told, before the
// write returns, what each committed transaction changed; nothing of a
// transaction that rolled back.
func TestSubscribeSeesWhatACommitChanged(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	db.Jobs = func(e booking.Event) ([]booking.Job, error) {
		return []booking.Job{{Queue: "mail", Kind: string(e.Kind), BookingID: e.Booking.ID}, {Queue: "gcal", Kind: "sync", BookingID: e.Booking.ID}}, nil
	}
	var got []sqlite.Changes
	db.Subscribe(func(c sqlite.Changes) { got = append(got, c) })
	last := func(tb testing.TB) sqlite.Changes {
		tb.Helper()
		if len(got) != 1 {
			tb.Fatalf("%d notifications, want 1: %+v", len(got), got)
		}
		c := got[0]
		got = nil
		return c
	}
	utcDay := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

	b := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(11, 0)})
	c := last(t)
	if !slices.Equal(c.BookingDays, []time.Time{utcDay(b.BlockStart)}) || c.Catalog || c.CommitFailed {
		t.Errorf("booking made: %+v", c)
	}
	if !slices.Equal(c.BookingIDs, []string{b.ID}) {
		t.Errorf("booking made: booking ids %v, want [%s]", c.BookingIDs, b.ID)
	}
	if c.JobsQueued != 2 || !slices.Equal(c.JobQueues, []string{"mail", "gcal"}) {
		t.Errorf("booking made: jobs %d on %v, want 2 on [mail gcal]", c.JobsQueued, c.JobQueues)
	}
	for _, table := range []string{"bookings", "booking_tokens", "audit_log", "jobs"} {
		if !slices.Contains(c.Tables, table) {
			t.Errorf("booking made: tables %v lack %s", c.Tables, table)
		}
	}

	nb := newBooking(req{Artisan: "ana", Start: at(11, 0).AddDate(0, 0, 2)})
	moved, err := db.RescheduleBooking(ctx, b.ID, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd,
		booking.Actor{Kind: "customer"}, place(nb, b.ID))
	mustNoErr(t, err)
	c = last(t)
	if want := []time.Time{utcDay(b.BlockStart), utcDay(moved.BlockStart)}; !slices.Equal(c.BookingDays, want) {
		t.Errorf("booking moved: days %v, want %v", c.BookingDays, want)
	}
	if !slices.Equal(c.BookingIDs, []string{b.ID}) || c.Catalog {
		t.Errorf("booking moved: booking ids %v (want [%s]), catalogue %v", c.BookingIDs, b.ID, c.Catalog)
	}

	refused := errors.New("refused")
	_, err = db.RescheduleBooking(ctx, b.ID, b.Start, b.End, b.BlockStart, b.BlockEnd, booking.Actor{Kind: "customer"},
		func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{}, refused })
	if !errors.Is(err, refused) {
		t.Fatalf("refused move: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("a transaction that rolled back was published: %+v", got)
	}

	_, err = db.AddClosure(ctx, booking.Closure{From: day, To: day}, booking.Actor{Kind: "staff", ID: "u1"})
	mustNoErr(t, err)
	if c := last(t); !c.Catalog || len(c.BookingDays) != 0 || c.JobsQueued != 0 {
		t.Errorf("closure added: %+v", c)
	}

	if _, err := db.ClaimJobs(ctx, "mail", testNow.Add(time.Hour), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if c := last(t); c.JobsQueued != 0 || !slices.Equal(c.Tables, []string{"jobs"}) {
		t.Errorf("jobs claimed: %+v", c)
	}
}

// fmtMillis formats t as the store keeps instants.
func fmtMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
