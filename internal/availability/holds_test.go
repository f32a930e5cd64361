package availability

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// asHolds moves the bookings of s that hold their time into holds, in runs of random
// length (as a store's days), leaving some in Bookings.
func asHolds(s *booking.Schedule, r *rand.Rand) *booking.Schedule {
	out := *s
	out.Bookings, out.Holds = nil, nil
	var run []booking.Hold
	for _, b := range s.Bookings {
		if !b.Status.Holds() {
			continue
		}
		if r.IntN(5) == 0 {
			out.Bookings = append(out.Bookings, b)
			continue
		}
		run = append(run, booking.Hold{
			ID: b.ID, ServiceID: b.ServiceID, ArtisanID: b.ArtisanID, RoomID: b.RoomID, Mode: b.Mode, Status: b.Status,
			Start: b.Start.UnixNano(), End: b.End.UnixNano(), BlockStart: b.BlockStart.UnixNano(), BlockEnd: b.BlockEnd.UnixNano(),
			Artisans: b.Artisans, // a team's
		})
		if r.IntN(4) == 0 {
			out.Holds, run = append(out.Holds, run), nil
		}
	}
	out.Holds = append(out.Holds, run, nil)
	return &out
}

// A schedule whose bookings come as holds (BookingStore.AvailabilitySchedule)
// gives the same slots, the same placements and the same refusals, word
// for word, as the same bookings given as Bookings, on the property test's
// random schedules (time off, busy times, rooms, daily caps, dates with
// their own hours, clock changes, a booking being moved).
func TestHoldsMatchBookings(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 7))
	compared := 0
	for iter := range 400 {
		s, q, now := randSchedule(t, r)
		if q.ArtisanID != "" && !offers(&s.Services[0], s.Artisan(q.ArtisanID)) {
			q.ArtisanID = ""
		}
		if len(s.Bookings) > 0 && r.IntN(3) == 0 {
			q.IgnoreBookingID = s.Bookings[r.IntN(len(s.Bookings))].ID
		}
		h := asHolds(s, r)
		desc := fmt.Sprintf("case %d (%s, %s, moving %q)", iter, s.Atelier.Timezone, q.Mode, q.IgnoreBookingID)
		want, err := Slots(s, q, now)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		got, err := Slots(h, q, now)
		if err != nil {
			t.Fatalf("%s: holds: %v", desc, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: slots from holds differ:\n got %v\nwant %v", desc, got, want)
		}
		// Placements on the grid of the window, free or not.
		for at := q.From.Truncate(15 * time.Minute); at.Before(q.To); at = at.Add(time.Duration(1+r.IntN(8)) * 15 * time.Minute) {
			req := Request{ServiceID: q.ServiceID, Mode: q.Mode, Start: at, ArtisanID: q.ArtisanID, IgnoreBookingID: q.IgnoreBookingID}
			wp, werr := Place(s, req, now)
			gp, gerr := Place(h, req, now)
			if !reflect.DeepEqual(wp, gp) || fmt.Sprint(werr) != fmt.Sprint(gerr) {
				t.Fatalf("%s: Place at %v: holds give %v, %v; bookings %v, %v", desc, at, gp, gerr, wp, werr)
			}
			compared++
		}
	}
	if compared < 1000 {
		t.Fatalf("only %d placements compared", compared)
	}
}
