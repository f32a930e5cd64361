package sqlite_test

import (
	"context"
	"slices"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestCreateBookingScheduleScope: the booking transaction hands place only
// the bookings that can change its answer. A booking naming its artisan
// sees that artisan's bookings and, for a visit, every booking holding a
// room; one naming nobody sees all; and a place that picks someone other
// than the named artisan is asked again with every booking, so it can never
// decide on a schedule that hides that artisan's bookings.
func TestCreateBookingScheduleScope(t *testing.T) {
	ctx := context.Background()
	// The calendar: Ana and Ben each have a video call and a visit that day.
	seed := []req{
		{ID: "bk_ana_call", Mode: booking.Virtual, Artisan: "ana", Start: at(10, 0)},
		{ID: "bk_ben_call", Mode: booking.Virtual, Artisan: "ben", Start: at(10, 0)},
		{ID: "bk_ana_visit", Mode: booking.InPerson, Artisan: "ana", Start: at(13, 0)},
		{ID: "bk_ben_visit", Mode: booking.InPerson, Artisan: "ben", Start: at(13, 0)},
	}
	all := []string{"bk_ana_call", "bk_ana_visit", "bk_ben_call", "bk_ben_visit"}
	tests := []struct {
		name     string
		mode     booking.Mode
		artisan  string // named in the booking
		pick     string // the artisan place answers with
		want     []string
		wantAsks int
	}{
		{name: "named video call", mode: booking.Virtual, artisan: "ana", pick: "ana", want: []string{"bk_ana_call", "bk_ana_visit"}, wantAsks: 1},
		{name: "named visit", mode: booking.InPerson, artisan: "ana", pick: "ana", want: []string{"bk_ana_call", "bk_ana_visit", "bk_ben_visit"}, wantAsks: 1},
		{name: "any artisan", mode: booking.Virtual, artisan: "", pick: "ben", want: all, wantAsks: 1},
		{name: "place picks someone else", mode: booking.Virtual, artisan: "ana", pick: "ben", want: all, wantAsks: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			for _, r := range seed {
				MustCreateBooking(t, db, r)
			}
			nb := newBooking(req{Mode: tt.mode, Artisan: tt.artisan, Start: at(16, 0)})
			var asks int
			var seen []string
			_, _, err := db.CreateBooking(ctx, nb, func(s *booking.Schedule) (booking.Placement, error) {
				asks++
				seen = seen[:0]
				for _, b := range s.Bookings {
					seen = append(seen, b.ID)
				}
				p := booking.Placement{ArtisanID: tt.pick}
				if tt.mode == booking.InPerson {
					p.RoomID = "studio"
				}
				return p, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(seen)
			if !slices.Equal(seen, tt.want) || asks != tt.wantAsks {
				t.Errorf("place asked %d times, last with bookings %v; want %d, %v", asks, seen, tt.wantAsks, tt.want)
			}
		})
	}
}

// TestRescheduleScheduleScope: a move first sees the current artisan's
// bookings (and, for a visit, the rooms'); a move to another artisan is
// decided on every booking.
func TestRescheduleScheduleScope(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		mode     booking.Mode
		pick     string
		want     []string
		wantAsks int
	}{
		{name: "video call kept with its artisan", mode: booking.Virtual, pick: "ana", want: []string{"bk_ana_call", "bk_moved"}, wantAsks: 1},
		{name: "visit kept with its artisan", mode: booking.InPerson, pick: "ana", want: []string{"bk_ana_call", "bk_ben_visit", "bk_moved"}, wantAsks: 1},
		{name: "moved to another artisan", mode: booking.Virtual, pick: "ben", want: []string{"bk_ana_call", "bk_ben_call", "bk_ben_visit", "bk_moved"}, wantAsks: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			MustCreateBooking(t, db, req{ID: "bk_ana_call", Mode: booking.Virtual, Artisan: "ana", Start: at(10, 0)})
			MustCreateBooking(t, db, req{ID: "bk_ben_call", Mode: booking.Virtual, Artisan: "ben", Start: at(10, 0)})
			MustCreateBooking(t, db, req{ID: "bk_ben_visit", Mode: booking.InPerson, Artisan: "ben", Start: at(13, 0)})
			MustCreateBooking(t, db, req{ID: "bk_moved", Mode: tt.mode, Artisan: "ana", Start: at(15, 0)})
			to := newBooking(req{Mode: tt.mode, Artisan: "ana", Start: at(17, 0)}).Booking
			var asks int
			var seen []string
			_, err := db.RescheduleBooking(ctx, "bk_moved", to.Start, to.End, to.BlockStart, to.BlockEnd, booking.Actor{Kind: "customer"},
				func(s *booking.Schedule) (booking.Placement, error) {
					asks++
					seen = seen[:0]
					for _, b := range s.Bookings {
						seen = append(seen, b.ID)
					}
					p := booking.Placement{ArtisanID: tt.pick}
					if tt.mode == booking.InPerson {
						p.RoomID = "studio"
					}
					return p, nil
				})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(seen)
			if !slices.Equal(seen, tt.want) || asks != tt.wantAsks {
				t.Errorf("place asked %d times, last with bookings %v; want %d, %v", asks, seen, tt.wantAsks, tt.want)
			}
		})
	}
}
