package sqlite_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestBookingEvents: the changes of bookings are counted from the audit
// log once each, by event and actor, and staff notes are not changes.
func TestBookingEvents(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	a := MustCreateBooking(t, db, req{ID: "bk_a", Artisan: "ana", Start: at(10, 0)})
	MustCreateBooking(t, db, req{ID: "bk_b", Artisan: "ben", Start: at(10, 0)})
	if _, err := db.CancelBooking(ctx, a.ID, booking.Actor{Kind: "staff", ID: "us_1"}); err != nil {
		t.Fatal(err)
	}
	counts, last, err := db.BookingEvents(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []sqlite.BookingEventCount{
		{Event: "cancelled", Actor: "staff", Count: 1},
		{Event: "created", Actor: "customer", Count: 2},
	}
	sortCounts(counts)
	if !slices.Equal(counts, want) {
		t.Errorf("counts %+v, want %+v", counts, want)
	}

	// Only what came after is counted next time.
	nb := newBooking(req{ID: "bk_b", Artisan: "ben", Start: at(14, 0)})
	if _, err := db.RescheduleBooking(ctx, "bk_b", nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd,
		booking.Actor{Kind: "customer"}, place(nb, "bk_b")); err != nil {
		t.Fatal(err)
	}
	if err := db.SetStaffNotes(ctx, "bk_b", "prefers mornings", booking.Actor{Kind: "staff", ID: "us_1"}); err != nil {
		t.Fatal(err)
	}
	counts, last2, err := db.BookingEvents(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if want := []sqlite.BookingEventCount{{Event: "rescheduled", Actor: "customer", Count: 1}}; !slices.Equal(counts, want) || last2 <= last {
		t.Errorf("after id %d: counts %+v (next %d), want %+v", last, counts, last2, want)
	}
	if counts, last3, err := db.BookingEvents(ctx, last2); err != nil || len(counts) != 0 || last3 != last2 {
		t.Errorf("nothing new: %+v %d %v", counts, last3, err)
	}
}

func sortCounts(c []sqlite.BookingEventCount) {
	slices.SortFunc(c, func(a, b sqlite.BookingEventCount) int {
		if a.Event != b.Event {
			if a.Event < b.Event {
				return -1
			}
			return 1
		}
		if a.Actor < b.Actor {
			return -1
		}
		if a.Actor > b.Actor {
			return 1
		}
		return 0
	})
}

func TestDueJobStats(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "a", RunAt: testNow.Add(-2 * time.Minute)},
		booking.Job{Queue: "mail", Kind: "b", RunAt: testNow.Add(-time.Minute)},
		booking.Job{Queue: "mail", Kind: "reminder", RunAt: testNow.Add(48 * time.Hour)},
		booking.Job{Queue: "gcal", Kind: "c", RunAt: testNow.Add(time.Hour)},
	); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueJobStats(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []sqlite.DueJobs{{Queue: "mail", Jobs: 2, OldestDue: testNow.Add(-2 * time.Minute)}}
	if len(due) != 1 || due[0].Queue != want[0].Queue || due[0].Jobs != 2 || !due[0].OldestDue.Equal(want[0].OldestDue) {
		t.Errorf("due %+v, want %+v (a reminder days ahead is not due)", due, want)
	}
}
