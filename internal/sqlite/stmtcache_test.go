package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestBookingWritesRunPreparedStatements: a booking's creation, move and
// cancellation run their statements prepared once, when the database
// opened, not compiled again (with the triggers of bookings) each time;
// and they still do what they did: the overlap triggers still refuse a
// double booking through the prepared INSERT.
func TestBookingWritesRunPreparedStatements(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	uses := func(what string, min int64, fn func()) {
		t.Helper()
		before := db.PreparedUses()
		fn()
		if n := db.PreparedUses() - before; n < min {
			t.Errorf("%s: %d statements ran prepared, want at least %d", what, n, min)
		}
	}
	var b *booking.Booking
	// the schedule's bookings, their teams' other artisans and the busy
	// times, the INSERT, the token, the audit row
	uses("create", 6, func() { b = MustCreateBooking(t, db, req{ID: "bk_prepared", Artisan: "ana", Start: at(11, 0)}) })
	uses("create again", 6, func() { MustCreateBooking(t, db, req{ID: "bk_second", Artisan: "ana", Start: at(15, 0)}) })

	// The same slot again: refused by the engine's check or, under it, by
	// the trigger of the prepared INSERT.
	nb := newBooking(req{ID: "bk_double", Artisan: "ana", Start: at(11, 0)})
	anything := func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{ArtisanID: "ana"}, nil }
	if _, _, err := db.CreateBooking(ctx, nb, anything); booking.ErrorKind(err) != booking.ECONFLICT {
		t.Fatalf("a double booking through the prepared INSERT: %v, want a conflict", err)
	}

	// the booking read back, the UPDATE, the audit row
	uses("cancel", 3, func() {
		if _, err := db.CancelBooking(ctx, b.ID, booking.Actor{Kind: "staff", ID: "u1"}); err != nil {
			t.Fatal(err)
		}
	})
	got, err := db.Booking(ctx, b.ID)
	if err != nil || got.Status != booking.Cancelled {
		t.Fatalf("after the cancel: %+v, %v", got, err)
	}
}

// TestJobWorkerRunsPreparedStatements: the job workers' claim and each
// outcome run the statements prepared when the database opened (they
// were prepared again for every job, 9 % of the mail worker's drain).
func TestJobWorkerRunsPreparedStatements(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBOptions(t, filepath.Join(t.TempDir(), "atelier.db"), sqlite.Options{}) // one mail job a booking
	for i := range 4 {
		MustCreateBooking(t, db, req{ID: fmt.Sprintf("bk_job%d", i), Artisan: "ana", Start: at(10+2*i, 0)})
	}
	before := db.PreparedUses()
	jobs, err := db.ClaimJobs(ctx, "mail", testNow.Add(time.Hour), 10, time.Minute)
	if err != nil || len(jobs) < 4 {
		t.Fatalf("claimed %d jobs, %v; want 4", len(jobs), err)
	}
	outcomes := []func(id int64) error{
		func(id int64) error { return db.CompleteJob(ctx, id) },
		func(id int64) error { return db.RetryJob(ctx, id, "try again", testNow.Add(2*time.Hour)) },
		func(id int64) error { return db.PostponeJob(ctx, id, "later", testNow.Add(2*time.Hour)) },
		func(id int64) error { return db.FailJob(ctx, id, "given up") },
	}
	for i, outcome := range outcomes {
		mustNoErr(t, outcome(jobs[i].ID))
	}
	if n := db.PreparedUses() - before; n < 5 {
		t.Errorf("%d statements of the claim and four outcomes ran prepared, want 5", n)
	}
	stats, err := db.JobStats(ctx)
	mustNoErr(t, err)
	if stats["mail"]["done"] != 1 || stats["mail"]["failed"] != 1 {
		t.Errorf("job states %v, want one done and one failed", stats["mail"])
	}
}
