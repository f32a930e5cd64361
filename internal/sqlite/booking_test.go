package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestOverlapTriggers writes with raw SQL, bypassing the store: the
// database itself refuses double bookings.
func TestOverlapTriggers(t *testing.T) {
	const insert = `INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id, start_at, end_at,
		block_start, block_end, customer_name, customer_email, created_at, updated_at)
		VALUES (?, ?, 'design', ?, ?, ?, ?, ?, ?, ?, 'C', 'c@example.com', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')`
	type row struct {
		id, status, mode, artisan string
		room                      any
		start, end                string // block = [start, end)
	}
	existing := []row{
		{"a1", "confirmed", "in_person", "ana", "salon", "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"},
		{"a2", "confirmed", "virtual", "ana", nil, "2026-12-08T06:00:00.000Z", "2026-12-08T07:00:00.000Z"},
		{"c1", "cancelled", "in_person", "ben", "studio", "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"},
	}
	tests := []struct {
		name    string
		row     row
		refused bool
	}{
		{"SameArtisanOverlap", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T03:00:00.000Z", "2026-12-08T05:00:00.000Z"}, true},
		{"SameArtisanInside", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T06:15:00.000Z", "2026-12-08T06:30:00.000Z"}, true},
		{"SameArtisanAround", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T01:00:00.000Z", "2026-12-08T08:00:00.000Z"}, true},
		{"SameArtisanAdjacent", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T04:00:00.000Z", "2026-12-08T06:00:00.000Z"}, false},
		{"OtherArtisan", row{"x", "confirmed", "virtual", "ben", nil, "2026-12-08T03:00:00.000Z", "2026-12-08T05:00:00.000Z"}, false},
		{"SameRoomOverlap", row{"x", "confirmed", "in_person", "ben", "salon", "2026-12-08T03:30:00.000Z", "2026-12-08T05:00:00.000Z"}, true},
		{"OtherRoom", row{"x", "confirmed", "in_person", "ben", "studio", "2026-12-08T03:30:00.000Z", "2026-12-08T05:00:00.000Z"}, false},
		{"OverCancelled", row{"x", "confirmed", "in_person", "ben", "studio", "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"}, false},
		{"CancelledOverConfirmed", row{"x", "cancelled", "virtual", "ana", nil, "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			raw := rawDB(t, db)
			// The appointment fills its whole block here.
			ins := func(r row) error {
				_, err := raw.Exec(insert, r.id, r.status, r.mode, r.artisan, r.room, r.start, r.end, r.start, r.end)
				return err
			}
			for _, r := range existing {
				if err := ins(r); err != nil {
					t.Fatalf("insert %s: %v", r.id, err)
				}
			}
			err := ins(tt.row)
			if tt.refused && err == nil {
				t.Fatal("overlapping insert accepted")
			}
			if !tt.refused && err != nil {
				t.Fatalf("insert refused: %v", err)
			}
		})
	}

	t.Run("UpdateIntoOverlap", func(t *testing.T) {
		db := MustOpenDB(t)
		a := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		b := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(13, 0)})
		raw := rawDB(t, db)
		_, err := raw.Exec(`UPDATE bookings SET block_start = ?, start_at = ? WHERE id = ?`,
			"2026-12-08T03:00:00.000Z", "2026-12-08T03:00:00.000Z", b.ID) // 11:00 SGT, inside a
		if err == nil {
			t.Fatal("moving a booking onto another was accepted")
		}
		// Moving a booking within its own old time is fine.
		if _, err := raw.Exec(`UPDATE bookings SET end_at = ?, block_end = ? WHERE id = ?`,
			"2026-12-08T03:00:00.000Z", "2026-12-08T03:00:00.000Z", a.ID); err != nil {
			t.Fatalf("shortening a booking: %v", err)
		}
	})
	t.Run("ReconfirmOverlapping", func(t *testing.T) {
		db := MustOpenDB(t)
		a := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		if _, err := db.CancelBooking(context.Background(), a.ID, booking.Actor{Kind: "customer"}); err != nil {
			t.Fatal(err)
		}
		MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 30)})
		if _, err := rawDB(t, db).Exec(`UPDATE bookings SET status = 'confirmed' WHERE id = ?`, a.ID); err == nil {
			t.Fatal("re-confirming a booking over another was accepted")
		}
	})
}

// recorder is a Jobs hook that makes one mail job per event and remembers
// the events.
type recorder struct {
	mu     sync.Mutex
	events []booking.Event
	fail   error
}

func (r *recorder) jobs(e booking.Event) ([]booking.Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	r.events = append(r.events, e)
	return []booking.Job{{Queue: "mail", Kind: string(e.Kind), BookingID: e.Booking.ID, Payload: []byte(e.Booking.ID)}}, nil
}

func TestSchedule(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	early := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(9, 0)}) // 09:00-10:30
	inside := MustCreateBooking(t, db, req{Artisan: "ben", Start: at(12, 0)})
	cancelled := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(12, 0)})
	if _, err := db.CancelBooking(ctx, cancelled.ID, booking.Actor{Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	MustCreateBooking(t, db, req{Artisan: "ana", Start: at(18, 0)}) // after the window
	raw := rawDB(t, db)
	if _, err := raw.Exec(`INSERT INTO busy_times (artisan_id, source, external_id, start_at, end_at, updated_at)
		VALUES ('ben', 'gcal', 'e1', ?, ?, ?), ('ben', 'gcal', 'e2', ?, ?, ?)`,
		"2026-12-08T01:00:00.000Z", "2026-12-08T03:00:00.000Z", "2026-12-01T00:00:00.000Z",
		"2026-12-09T01:00:00.000Z", "2026-12-09T03:00:00.000Z", "2026-12-01T00:00:00.000Z"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(13, 0), End: at(17, 0), Reason: "dentist"}, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(20, 0), End: at(21, 0)}, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}

	s, err := db.Schedule(ctx, at(10, 0), at(17, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range s.Bookings {
		got = append(got, b.ID)
	}
	if want := []string{early.ID, inside.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bookings = %v, want %v (the one before the window that runs into it, and the one inside)", got, want)
	}
	if len(s.Busy) != 1 || s.Busy[0].ArtisanID != "ben" || !s.Busy[0].Start.Equal(at(9, 0)) {
		t.Errorf("busy = %+v, want Ben's 09:00-11:00", s.Busy)
	}
	if ana := s.Artisan("ana"); len(ana.TimeOff) != 1 || ana.TimeOff[0].Reason != "dentist" {
		t.Errorf("Ana's time off = %+v, want the dentist only", ana.TimeOff)
	}
	if s.Atelier.Name != "Atelier Test" || len(s.Services) != 2 || len(s.Artisans) != 2 {
		t.Errorf("schedule catalogue = %+v", s.Catalog)
	}
}
