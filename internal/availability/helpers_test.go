package availability

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/atelier-app/atelier/internal/booking"
)

// mustLoad loads an IANA zone from the embedded database.
func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// mustTime parses "2006-01-02 15:04" as wall time in loc; it fails on a
// time that does not exist or is ambiguous, so tests say which instant.
func mustTime(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func mustSpan(tb testing.TB, s string) booking.Span {
	tb.Helper()
	from, err := booking.ParseClock(s[:5])
	if err != nil {
		tb.Fatal(err)
	}
	to, err := booking.ParseClock(s[6:])
	if err != nil {
		tb.Fatal(err)
	}
	return booking.Span{Start: from, End: to}
}

// everyDay returns hours with the same spans on all seven days.
func everyDay(tb testing.TB, spans ...string) booking.WeekHours {
	tb.Helper()
	var w booking.WeekHours
	for d := range w {
		for _, s := range spans {
			w[d] = append(w[d], mustSpan(tb, s))
		}
	}
	return w
}

// fixture is a Singapore atelier open Monday to Saturday 10:00-19:00, with
// two rooms, a 90-minute design consultation (30 minutes of preparation
// before a visit, none before a call), a 30-minute ring sizing (in person
// only) and three artisans:
//   - ana: Mon-Sat 10:00-19:00, design and sizing, no cap;
//   - ben: Tue-Sat 12:00-19:00, design only, at most 2 bookings a day;
//   - cleo: every day 10:00-19:00, sizing only.
//
// Now is Monday 2026-06-01 09:00 local; minimum notice 24 hours, horizon
// 90 days, 30-minute grid.
func fixture(tb testing.TB) (*booking.Schedule, time.Time) {
	tb.Helper()
	loc := mustLoad(tb, "Asia/Singapore")
	open := everyDay(tb, "10:00-19:00")
	open[time.Sunday] = nil
	benHours := everyDay(tb, "12:00-19:00")
	benHours[time.Sunday], benHours[time.Monday] = nil, nil
	s := &booking.Schedule{Catalog: booking.Catalog{
		Atelier: booking.Atelier{
			Name: "Atelier", Timezone: "Asia/Singapore", Location: loc,
			Rooms: []booking.Room{{ID: "r1"}, {ID: "r2"}},
			Hours: open,
			Rules: booking.Rules{MinNotice: 24 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute},
		},
		Services: []booking.Service{
			{
				ID: "design", Duration: 90 * time.Minute,
				Modes:    []booking.Mode{booking.InPerson, booking.Virtual},
				Buffers:  map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 30 * time.Minute}},
				Artisans: []string{"ana", "ben"},
			},
			{
				ID: "sizing", Duration: 30 * time.Minute,
				Modes:    []booking.Mode{booking.InPerson},
				Artisans: []string{"ana", "cleo"},
			},
		},
		Artisans: []booking.Artisan{
			{ID: "ana", Name: "Ana", Services: []string{"design", "sizing"}, Hours: open},
			{ID: "ben", Name: "Ben", Services: []string{"design"}, Hours: benHours, DailyCap: 2},
			{ID: "cleo", Name: "Cleo", Services: []string{"sizing"}, Hours: everyDay(tb, "10:00-19:00")},
		},
	}}
	return s, mustTime(tb, loc, "2026-06-01 09:00")
}

// addBooking appends a confirmed booking of svc with its buffers.
func addBooking(tb testing.TB, s *booking.Schedule, id, svc string, mode booking.Mode, artisan, room string, start time.Time) {
	tb.Helper()
	sv := s.Service(svc)
	if sv == nil {
		tb.Fatalf("no service %s", svc)
	}
	end, bs, be := Times(sv, mode, start)
	s.Bookings = append(s.Bookings, booking.Booking{
		ID: id, Status: booking.Confirmed, ServiceID: svc, Mode: mode,
		ArtisanID: artisan, RoomID: room, Start: start, End: end, BlockStart: bs, BlockEnd: be,
	})
}

// errInfo returns the kind, code, message and fields of a *booking.Error.
func errInfo(tb testing.TB, err error) *booking.Error {
	tb.Helper()
	var e *booking.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v (%T) is not a *booking.Error", err, err)
	}
	return e
}

// clocks renders slot starts as local wall clock with the zone abbreviation.
func clocks(slots []Slot, loc *time.Location) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.In(loc).Format("15:04 MST")
	}
	return out
}
