package availability

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// benchSchedule is a Singapore atelier with 8 artisans (all offering the
// service), 2 rooms and 10,000 confirmed bookings spread over a year
// centred on the 62-day query window (about 1,700 fall inside it).
func benchSchedule(b testing.TB) (*booking.Schedule, Query, time.Time) {
	b.Helper()
	loc := mustLoad(b, "Asia/Singapore")
	open := everyDay(b, "10:00-19:00")
	s := &booking.Schedule{Catalog: booking.Catalog{
		Atelier: booking.Atelier{
			Location: loc, Rooms: []booking.Room{{ID: "r1"}, {ID: "r2"}}, Hours: open,
			Rules: booking.Rules{MinNotice: 24 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute},
		},
		Services: []booking.Service{{
			ID: "design", Duration: 90 * time.Minute, Modes: []booking.Mode{booking.InPerson, booking.Virtual},
			Buffers: map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 30 * time.Minute, After: 15 * time.Minute}},
		}},
	}}
	for i := range 8 {
		id := fmt.Sprintf("artisan%d", i)
		s.Services[0].Artisans = append(s.Services[0].Artisans, id)
		s.Artisans = append(s.Artisans, booking.Artisan{ID: id, Services: []string{"design"}, Hours: open, DailyCap: 6})
	}
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, loc)
	from := time.Date(2026, 6, 2, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 62)
	r := rand.New(rand.NewPCG(1, 2))
	yearStart := from.AddDate(0, -5, 0)
	for i := range 10000 {
		st := yearStart.AddDate(0, 0, r.IntN(365)).Add(time.Duration(10*60+30*r.IntN(16)) * time.Minute)
		mode, room := booking.Virtual, ""
		if i%2 == 0 {
			mode, room = booking.InPerson, []string{"r1", "r2"}[r.IntN(2)]
		}
		end, bs, be := Times(&s.Services[0], mode, st)
		s.Bookings = append(s.Bookings, booking.Booking{
			ID: fmt.Sprintf("b%d", i), Status: booking.Confirmed, ServiceID: "design", Mode: mode,
			ArtisanID: s.Artisans[r.IntN(8)].ID, RoomID: room, Start: st, End: end, BlockStart: bs, BlockEnd: be,
		})
	}
	return s, Query{ServiceID: "design", Mode: booking.InPerson, From: from, To: to}, now
}

func BenchmarkAvailability(b *testing.B) {
	s, q, now := benchSchedule(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		slots, err := Slots(s, q, now)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	if n == 0 {
		b.Fatal("no slots: the benchmark measures nothing")
	}
	b.ReportMetric(float64(n), "slots")
}

func BenchmarkPlace(b *testing.B) {
	s, q, now := benchSchedule(b)
	slots, err := Slots(s, q, now)
	if err != nil || len(slots) == 0 {
		b.Fatalf("no slots to place: %v", err)
	}
	start := slots[len(slots)/2].Start
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Place(s, Request{ServiceID: "design", Mode: booking.InPerson, Start: start}, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAvailabilitySlotRich asks the same calendar for video calls:
// no room limits them, so most of the 62-day window is free and the
// answer holds about a thousand slots. BenchmarkAvailability yields few
// slots (its visits fill both rooms) and so mostly measures the index;
// this one measures slot generation as well.
func BenchmarkAvailabilitySlotRich(b *testing.B) {
	s, q, now := benchSchedule(b)
	q.Mode = booking.Virtual
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		slots, err := Slots(s, q, now)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	if n < 900 {
		b.Fatalf("%d slots: the calendar is meant to be mostly free", n)
	}
	b.ReportMetric(float64(n), "slots")
}

// BenchmarkAvailabilityManyArtisans is BenchmarkAvailabilitySlotRich on
// an atelier of 100 artisans with 10,000 bookings in the 62-day window
// (about 1.6 per artisan and day, as atelier-load's
// BenchmarkAvailabilityHTTPManyArtisans): some 1,000 slots, each listing
// most of the 100.
func BenchmarkAvailabilityManyArtisans(b *testing.B) {
	s, q, now := manyArtisansSchedule(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		slots, err := Slots(s, q, now)
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	if n < 500 {
		b.Fatalf("%d slots: the calendar is meant to be mostly free", n)
	}
	b.ReportMetric(float64(n), "slots")
}

// BenchmarkAvailabilityReused is SlotRich and ManyArtisans with the
// bookings as a store's days (Schedule.Holds) through a memo of indexes
// (Indexes), the same window asked again and again: the index is built
// once and reused.
func BenchmarkAvailabilityReused(b *testing.B) {
	rich := func(b *testing.B) (*booking.Schedule, Query, time.Time) {
		s, q, now := benchSchedule(b)
		q.Mode = booking.Virtual
		return s, q, now
	}
	for _, c := range []struct {
		name     string
		schedule func(*testing.B) (*booking.Schedule, Query, time.Time)
	}{{"SlotRich", rich}, {"ManyArtisans", func(b *testing.B) (*booking.Schedule, Query, time.Time) { return manyArtisansSchedule(b) }}} {
		b.Run(c.name, func(b *testing.B) {
			s, q, now := c.schedule(b)
			h := holdsOnly(s, rand.New(rand.NewPCG(1, 4)))
			memo := NewIndexes(64 << 20)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := memo.Slots(h, q, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// manyArtisansSchedule is BenchmarkAvailabilityManyArtisans' calendar.
func manyArtisansSchedule(b testing.TB) (*booking.Schedule, Query, time.Time) {
	s, q, now := benchSchedule(b)
	q.Mode = booking.Virtual
	s.Bookings = nil
	s.Services[0].Artisans = nil
	s.Artisans = nil
	open := s.Atelier.Hours
	for i := range 100 {
		id := fmt.Sprintf("artisan%02d", i)
		s.Services[0].Artisans = append(s.Services[0].Artisans, id)
		s.Artisans = append(s.Artisans, booking.Artisan{ID: id, Services: []string{"design"}, Hours: open, DailyCap: 6})
	}
	r := rand.New(rand.NewPCG(1, 3))
	for i := range 10000 {
		st := q.From.AddDate(0, 0, r.IntN(62)).Add(time.Duration(10*60+30*r.IntN(16)) * time.Minute)
		end, bs, be := Times(&s.Services[0], booking.Virtual, st)
		s.Bookings = append(s.Bookings, booking.Booking{
			ID: fmt.Sprintf("b%d", i), Status: booking.Confirmed, ServiceID: "design", Mode: booking.Virtual,
			ArtisanID: s.Artisans[r.IntN(100)].ID, Start: st, End: end, BlockStart: bs, BlockEnd: be,
		})
	}
	slices.SortFunc(s.Bookings, func(x, y booking.Booking) int { return x.BlockStart.Compare(y.BlockStart) })
	return s, q, now
}
