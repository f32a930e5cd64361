package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// held is one booking of a schedule as the engine reads it, Bookings and
// Holds alike.
type held struct {
	ID, Service, Artisan, Room string
	Mode                       booking.Mode
	Status                     booking.Status
	Start, End, BlockStart     int64
	BlockEnd                   int64
}

// heldIn lists the bookings of s, from Bookings and Holds, whose block
// overlaps [from, to), by id.
func heldIn(s *booking.Schedule, from, to time.Time) []held {
	var out []held
	lo, hi := from.UnixNano(), to.UnixNano()
	for _, b := range s.Bookings {
		out = append(out, held{b.ID, b.ServiceID, b.ArtisanID, b.RoomID, b.Mode, b.Status,
			b.Start.UnixNano(), b.End.UnixNano(), b.BlockStart.UnixNano(), b.BlockEnd.UnixNano()})
	}
	for _, run := range s.Holds {
		for _, h := range run {
			out = append(out, held{h.ID, h.ServiceID, h.ArtisanID, h.RoomID, h.Mode, h.Status, h.Start, h.End, h.BlockStart, h.BlockEnd})
		}
	}
	out = slices.DeleteFunc(out, func(h held) bool { return h.BlockEnd <= lo || h.BlockStart >= hi })
	slices.SortFunc(out, func(a, b held) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// AvailabilitySchedule holds the same bookings as Schedule, whatever form
// they come in (the SQLite store shares its cache's days as Holds), and
// follows every change at once: a cancellation, a new booking, a move.
func testAvailabilitySchedule(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	from, to := at(0, 0), at(23, 59)
	e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0)})
	gone := e.mustCreate(t, req{Artisan: "ben", Start: at(10, 0)})
	e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0).AddDate(0, 0, 1)})
	later := e.mustCreate(t, req{Artisan: "ben", Start: at(14, 0)})
	same := func(when string, wantN int) {
		t.Helper()
		s, err := e.st.Schedule(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := heldIn(s, from, to)
		for range 2 { // the second from the store's cache, if it has one
			a, err := e.st.AvailabilitySchedule(ctx, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if got := heldIn(a, from, to); !slices.Equal(got, want) {
				t.Fatalf("%s: AvailabilitySchedule holds\n%+v\nSchedule\n%+v", when, got, want)
			}
			if a.Atelier.Name != s.Atelier.Name || len(a.Artisans) != len(s.Artisans) || len(a.Busy) != len(s.Busy) {
				t.Fatalf("%s: AvailabilitySchedule's catalogue or busy times differ from Schedule's", when)
			}
		}
		if len(want) != wantN {
			t.Fatalf("%s: %d bookings in the window, want %d: %+v", when, len(want), wantN, want)
		}
	}
	same("at first", 3)
	if _, err := e.st.CancelBooking(ctx, gone.ID, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}
	same("after a cancellation", 2)
	e.mustCreate(t, req{Artisan: "ben", Start: at(16, 0)})
	same("after a new booking", 3)
	nb := newBooking(req{Artisan: "ben", Start: at(12, 0)})
	if _, err := e.st.RescheduleBooking(ctx, later.ID, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd,
		booking.Actor{Kind: "staff"}, place(nb, later.ID)); err != nil {
		t.Fatal(err)
	}
	same("after a move", 3)
}
