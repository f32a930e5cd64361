package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// zoneApp returns an App over a real store whose atelier is in zone, open
// 10:00-18:00 every day (its artisans too) on a grid of interval minutes,
// with a 60-minute consultation, no notice and a horizon past 2027.
func zoneApp(tb testing.TB, zone string, interval int) *app.App {
	tb.Helper()
	ctx := context.Background()
	c := catalog()
	c.Atelier.Timezone, c.Atelier.Location = zone, mustZone(zone)
	for d := range c.Atelier.Hours {
		c.Atelier.Hours[d] = []booking.Span{{Start: 10 * 60, End: 18 * 60}}
	}
	for i := range c.Artisans {
		c.Artisans[i].Hours = c.Atelier.Hours
	}
	c.Atelier.Rules = booking.Rules{HorizonDays: 400, SlotInterval: time.Duration(interval) * time.Minute}
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "app.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return now }
	if _, err := db.SyncCatalog(ctx, c); err != nil {
		tb.Fatal(err)
	}
	return app.New(app.Deps{Store: db, Now: func() time.Time { return now }, PublicURL: "https://atelier.example"})
}

// TestOfferedStartIsAccepted: on the days the clocks change in 2027, every
// start the availability offers, whatever the zone and the interval, is
// accepted when booked and when a booking is moved to it (the grid check
// at booking is the engine's wall-clock grid), and the first is the first
// grid time from opening, as on any other day.
func TestOfferedStartIsAccepted(t *testing.T) {
	days := map[string][]booking.Date{
		"America/New_York":    {{Year: 2027, Month: 3, Day: 14}, {Year: 2027, Month: 11, Day: 7}},
		"Europe/London":       {{Year: 2027, Month: 3, Day: 28}, {Year: 2027, Month: 10, Day: 31}},
		"Australia/Lord_Howe": {{Year: 2027, Month: 4, Day: 4}, {Year: 2027, Month: 10, Day: 3}},
		"Asia/Singapore":      {{Year: 2027, Month: 3, Day: 14}, {Year: 2027, Month: 11, Day: 7}},
	}
	ctx := context.Background()
	for zone, dates := range days {
		for _, iv := range []int{15, 30, 45, 60, 90, 120, 240} {
			t.Run(fmt.Sprintf("%s/%d", zone, iv), func(t *testing.T) {
				a := zoneApp(t, zone, iv)
				loc := mustZone(zone)
				for _, d := range dates {
					av, err := a.Availability(ctx, app.AvailabilityQuery{Service: "consult", Mode: "virtual", From: d, To: d})
					if err != nil {
						t.Fatal(err)
					}
					// The first grid time from opening: 10:00, or 10:30 on a
					// 45- or 90-minute grid, 12:00 on a 240-minute one.
					first := (10*60 + iv - 1) / iv * iv
					if want := fmt.Sprintf("%02d:%02d", first/60, first%60); len(av.Slots) == 0 || av.Slots[0].Start.In(loc).Format("15:04") != want {
						t.Fatalf("%s: slots %v, want the first at %s", d, av.Slots, want)
					}
					var moved *app.Created
					for _, sl := range av.Slots {
						start := sl.Start
						c, err := a.CreateBooking(ctx, request(start, booking.Virtual), app.CreateOptions{})
						if err != nil {
							t.Errorf("%s: booking the offered %s: %v", d, start.In(loc).Format("15:04 MST"), err)
							continue
						}
						if _, err := a.CancelBooking(ctx, made(c).ID, made(c).ManageToken); err != nil {
							t.Fatal(err)
						}
						if moved == nil {
							if moved, err = a.CreateBooking(ctx, request(start, booking.Virtual), app.CreateOptions{}); err != nil {
								t.Fatal(err)
							}
							continue
						}
						if _, err := a.RescheduleBooking(ctx, made(moved).ID, made(moved).ManageToken, app.RescheduleRequest{Start: sl.Start}); err != nil {
							t.Errorf("%s: moving to the offered %s: %v", d, start.In(loc).Format("15:04 MST"), err)
						}
					}
				}
			})
		}
	}
}
