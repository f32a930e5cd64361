package sqlite_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// renderCall is one call of a test's Jobs hook: whether the write
// connection was free (outside any write transaction) and the booking it
// rendered.
type renderCall struct {
	writerFree bool
	booking    booking.Booking
}

// recordRenders sets db.Jobs to a hook that renders each event as its JSON
// and records each call; before, if set, runs at the first call.
func recordRenders(t *testing.T, db *sqlite.Store, before func()) *[]renderCall {
	t.Helper()
	var calls []renderCall
	db.Jobs = func(e booking.Event) ([]booking.Job, error) {
		if len(calls) == 0 && before != nil {
			before()
		}
		// A write transaction of its own gets the one write connection at
		// once only if no booking's transaction holds it.
		wctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		free := db.ExecInTx(wctx, `SELECT 1`) == nil
		calls = append(calls, renderCall{writerFree: free, booking: *e.Booking})
		p, err := json.Marshal(e.Booking)
		return []booking.Job{{Queue: "mail", Kind: "confirmation", BookingID: e.Booking.ID, Payload: p}}, err
	}
	return &calls
}

// storedJob returns the one mail job of booking id, its payload decoded.
func storedJob(t *testing.T, db *sqlite.Store, id string) (booking.JobRecord, booking.Booking) {
	t.Helper()
	ctx := context.Background()
	jobs, err := db.BookingJobs(ctx, id, "mail")
	if err != nil || len(jobs) != 1 {
		t.Fatalf("mail jobs of %s: %v, %v; want one", id, jobs, err)
	}
	p, err := db.JobPayload(ctx, jobs[0].ID)
	mustNoErr(t, err)
	var b booking.Booking
	mustNoErr(t, json.Unmarshal(p, &b))
	return jobs[0], b
}

// TestBookingMailRenderedBeforeTheTransaction: the e-mails of a video call
// with a named artisan are rendered before the booking's transaction, while
// the write connection is free for other writes, and what is stored, in
// the booking's own transaction, is what rendering inside it would give:
// the booking as stored, its time, its names. When the prediction does not
// hold (here the artisan renamed in between) or cannot be made (a visit,
// whose room the placement picks), the transaction renders them itself,
// as before.
func TestBookingMailRenderedBeforeTheTransaction(t *testing.T) {
	ctx := context.Background()
	t.Run("video call with a named artisan", func(t *testing.T) {
		db := MustOpenDB(t)
		calls := recordRenders(t, db, nil)
		b := MustCreateBooking(t, db, req{ID: "bk_video", Artisan: "ana", Start: at(11, 0)})
		if len(*calls) != 1 || !(*calls)[0].writerFree {
			t.Fatalf("renders: %+v, want one, with the write connection free", *calls)
		}
		job, rendered := storedJob(t, db, b.ID)
		stored, err := db.Booking(ctx, b.ID)
		mustNoErr(t, err)
		if rendered.ArtisanName != "Ana" || rendered.ServiceName != stored.ServiceName || rendered.Status != booking.Confirmed ||
			!rendered.CreatedAt.Equal(stored.CreatedAt) || !rendered.UpdatedAt.Equal(stored.UpdatedAt) ||
			rendered.ArtisanID != stored.ArtisanID || rendered.RoomID != "" {
			t.Errorf("the mail shows %+v, the booking is %+v", rendered, stored)
		}
		if !job.CreatedAt.Equal(stored.CreatedAt) {
			t.Errorf("the job was queued at %s, the booking made at %s: not one transaction's time", job.CreatedAt, stored.CreatedAt)
		}
	})
	t.Run("catalogue changed in between", func(t *testing.T) {
		db := MustOpenDB(t)
		calls := recordRenders(t, db, func() {
			mustNoErr(t, db.ExecInTx(ctx, `UPDATE artisans SET name = 'Ana Lee' WHERE id = 'ana'`))
		})
		b := MustCreateBooking(t, db, req{ID: "bk_renamed", Artisan: "ana", Start: at(11, 0)})
		if len(*calls) != 2 || !(*calls)[0].writerFree || (*calls)[1].writerFree {
			t.Fatalf("renders: %+v, want one before the transaction and one inside it", *calls)
		}
		_, rendered := storedJob(t, db, b.ID)
		if rendered.ArtisanName != "Ana Lee" || b.ArtisanName != "Ana Lee" {
			t.Errorf("the mail names %q, the booking %q; want the new name in both", rendered.ArtisanName, b.ArtisanName)
		}
	})
	t.Run("visit", func(t *testing.T) {
		db := MustOpenDB(t)
		calls := recordRenders(t, db, nil)
		b := MustCreateBooking(t, db, req{ID: "bk_visit", Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)})
		if len(*calls) != 1 || (*calls)[0].writerFree {
			t.Fatalf("renders: %+v, want one, inside the transaction", *calls)
		}
		if _, rendered := storedJob(t, db, b.ID); rendered.RoomID == "" || rendered.RoomID != b.RoomID {
			t.Errorf("the mail shows room %q, the booking %q", rendered.RoomID, b.RoomID)
		}
	})
}
