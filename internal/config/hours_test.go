package config_test

import (
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// Opening hours read from the file follow the same rule as hours sent to
// the API (booking.WeekHoursFromMap): a day is named in any case, and its
// spans come out in order of their start.
func TestHoursSameRuleAsTheAPI(t *testing.T) {
	data := edit(t, "    mon: [[\"09:00\", \"17:00\"]]", "    MON: [\"14:00-17:00\", \"09:00-12:00\"]")
	c, err := config.Parse([]byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := MustCatalog(t, c).Atelier.Hours.On(time.Monday)
	want := []booking.Span{{Start: 9 * 60, End: 12 * 60}, {Start: 14 * 60, End: 17 * 60}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Monday = %v, want %v", got, want)
	}
	api, errs := booking.WeekHoursFromMap(map[string][]booking.Span{"MON": {want[1], want[0]}})
	if a := api.On(time.Monday); len(errs) > 0 || len(a) != 2 || a[0] != got[0] || a[1] != got[1] {
		t.Errorf("the API reads that Monday as %v (%v), the file as %v", a, errs, got)
	}
}

// Hours for one date from the file: the atelier's and an artisan's, in
// date order, an empty list closing the date.
func TestDateHours(t *testing.T) {
	data := edit(t, "  closures:\n", "  date_hours:\n    - {date: 2026-12-24, hours: []}\n    - {date: 2026-12-23, hours: [\"14:00-21:00\", [\"10:00\", \"13:00\"]]}\n  closures:\n",
		"    services: [fitting]\n", "    services: [fitting]\n    date_hours:\n      - date: 2026-12-21\n        hours: [\"12:00-16:00\"]\n")
	cat := MustCatalog(t, MustParse(t, data))
	eve, xmas := date(t, "2026-12-23"), date(t, "2026-12-24")
	got, special := cat.Atelier.HoursOn(eve)
	if want := []booking.Span{{Start: 10 * 60, End: 13 * 60}, {Start: 14 * 60, End: 21 * 60}}; !special || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("the eve's hours %v (set for the date: %v), want %v", got, special, want)
	}
	if got, special := cat.Atelier.HoursOn(xmas); !special || len(got) != 0 {
		t.Errorf("24 December %v (%v), want closed by its hours", got, special)
	}
	if d := cat.Atelier.DateHours; len(d) != 2 || d[0].Date != eve || d[0].Source != "config" {
		t.Errorf("date hours %+v, want in date order, from the file", d)
	}
	ann := cat.Artisan("ann")
	if got, special := ann.HoursOn(date(t, "2026-12-21")); !special || len(got) != 1 || got[0].Start != 12*60 || ann.DateHours[0].ArtisanID != "ann" {
		t.Errorf("Ann's hours on 21 December %v (%v), %+v", got, special, ann.DateHours)
	}
}
