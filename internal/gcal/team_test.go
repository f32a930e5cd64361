package gcal_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
)

// A booking of two artisans together is in each one's calendar, moves in
// both, leaves the calendar of one who no longer takes part and goes from
// both when cancelled; each calendar's sync state is its own.
func TestTeamBookingInEachCalendar(t *testing.T) {
	e := mustNewEnv(t, nil)
	start := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	b := booking.Booking{ID: "bk_team", ServiceID: "ring", Mode: booking.InPerson, ArtisanID: "ana", Artisans: []string{"ana", "ben"},
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour), Location: "1 Jewel Lane",
		Customer: booking.Customer{Name: "Cleo", Email: "cleo@example.net"}}
	if err := e.bookings.Create(b); err != nil {
		t.Fatal(err)
	}
	mustCreateBooking(t, e, "bk_solo", "ben", booking.Virtual, start.Add(3*time.Hour))
	e.drainJobs(t, 3)

	eid := gcal.EventID(b.ID)
	at := func(t *testing.T, cal string, want time.Time) {
		t.Helper()
		ev := e.srv.Events(cal)[eid]
		switch {
		case want.IsZero() && ev != nil && ev.Status != "cancelled":
			t.Errorf("calendar %s still holds the team booking", cal)
		case want.IsZero():
		case ev == nil:
			t.Errorf("calendar %s lacks the team booking", cal)
		default:
			if got, _ := time.Parse(time.RFC3339, ev.Start.DateTime); !got.Equal(want) {
				t.Errorf("calendar %s: team booking at %s, want %s", cal, got, want)
			}
		}
	}
	at(t, calIDs["ana"], start)
	at(t, calIDs["ben"], start)
	if n := len(e.srv.Events(calIDs["ben"])); n != 2 {
		t.Errorf("ben's calendar holds %d events, want the team booking and his own", n)
	}
	st, err := e.syncer.BookingStatus(context.Background(), b.ID)
	if err != nil || st == nil || st.ArtisanID != "ana" {
		t.Errorf("the booking's own sync state = %+v, %v; want ana's calendar", st, err)
	}

	// Moved: both calendars follow.
	later := start.Add(time.Hour)
	if err := e.bookings.Reschedule(b.ID, later); err != nil {
		t.Fatal(err)
	}
	e.drainJobs(t, 3)
	at(t, calIDs["ana"], later)
	at(t, calIDs["ben"], later)

	// Ben no longer takes part: his calendar loses it, ana's keeps it.
	if err := e.bookings.SetTeam(b.ID, []string{"ana"}); err != nil {
		t.Fatal(err)
	}
	e.drainJobs(t, 3)
	at(t, calIDs["ana"], later)
	at(t, calIDs["ben"], time.Time{})

	// Back with ben, then cancelled: gone from both.
	if err := e.bookings.SetTeam(b.ID, []string{"ana", "ben"}); err != nil {
		t.Fatal(err)
	}
	e.drainJobs(t, 3)
	at(t, calIDs["ben"], later)
	if err := e.bookings.Cancel(b.ID); err != nil {
		t.Fatal(err)
	}
	e.drainJobs(t, 3)
	at(t, calIDs["ana"], time.Time{})
	at(t, calIDs["ben"], time.Time{})
	if n := len(e.srv.Events(calIDs["ben"])); n != 1 {
		t.Errorf("ben's calendar holds %d events, want his own booking only", n)
	}
}
