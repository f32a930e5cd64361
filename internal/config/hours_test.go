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
