package storetest

import (
	"context"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// Requests that staff approve (issue 13): a pending booking holds its time
// as a confirmed one does.

// testPendingHoldsTime makes a pending request and then tries the same
// time for the same artisan and, in person, for the same room: through the
// placement check (the schedules, from the cache and inside the
// transaction, list the request as pending) and with the check bypassed
// (the database's own constraints refuse it).
func testPendingHoldsTime(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, oneRoom())
	nb := newBooking(req{Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)})
	nb.Booking.Status = booking.Pending
	b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != booking.Pending {
		t.Fatalf("created with status %q, want pending", b.Status)
	}
	if got, err := e.st.Booking(ctx, b.ID); err != nil || got.Status != booking.Pending {
		t.Fatalf("stored: %+v, %v; want pending", got, err)
	}
	for range 2 { // the second read comes from the schedule cache, if any
		s, err := e.st.Schedule(ctx, at(0, 0), at(23, 59))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Bookings) != 1 || s.Bookings[0].ID != b.ID || s.Bookings[0].Status != booking.Pending {
			t.Fatalf("schedule bookings = %+v, want the pending request", s.Bookings)
		}
	}
	for _, tc := range []struct {
		name    string
		artisan string
		mode    booking.Mode
	}{{"SameArtisan", "ana", booking.Virtual}, {"SameRoom", "ben", booking.InPerson}} {
		t.Run(tc.name, func(t *testing.T) {
			other := newBooking(req{Artisan: tc.artisan, Mode: tc.mode, Start: at(11, 0)})
			_, _, err := e.st.CreateBooking(ctx, other, place(other, ""))
			wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
			_, _, err = e.st.CreateBooking(ctx, other, blindPlace(other, "salon"))
			wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
			pending := other
			pending.Booking.Status = booking.Pending
			_, _, err = e.st.CreateBooking(ctx, pending, blindPlace(pending, "salon"))
			wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
		})
	}
	if got := e.stored(t); len(got) != 1 {
		t.Errorf("%d bookings stored, want only the request", len(got))
	}
}
