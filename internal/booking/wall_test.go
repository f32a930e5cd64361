package booking_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/atelier-app/atelier/internal/booking"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func mustDate(tb testing.TB, s string) booking.Date {
	tb.Helper()
	d, err := booking.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestAt checks the bound rule of hours: the first moment the clock reads
// the time or later.
func TestAt(t *testing.T) {
	tests := []struct {
		zone, date, clock string
		want              string // UTC
	}{
		{"America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00:00Z"}, // skipped: the jump to 03:00 EDT
		{"America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z"}, // repeated: the first (EDT)
		{"Europe/London", "2026-10-25", "01:30", "2026-10-25T00:30:00Z"},    // repeated: the first (BST)
		{"Europe/London", "2026-03-29", "01:00", "2026-03-29T01:00:00Z"},    // skipped
		{"Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-03T15:30:00Z"},
		{"Australia/Lord_Howe", "2026-04-05", "01:45", "2026-04-04T14:45:00Z"}, // first: +11:00
		{"America/Santiago", "2026-09-06", "00:00", "2026-09-06T04:00:00Z"},    // midnight skipped: 01:00 -03
		{"Asia/Singapore", "2026-06-03", "24:00", "2026-06-03T16:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.date+"/"+tt.clock, func(t *testing.T) {
			c, err := booking.ParseClock(tt.clock)
			if err != nil {
				t.Fatal(err)
			}
			got := mustDate(t, tt.date).At(c, mustZone(t, tt.zone)).UTC().Format(time.RFC3339)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestDateInSkippedMidnight: the start of a day whose midnight is skipped
// is the first instant of that day, not an hour of the day before (which
// is what time.Date gives in Santiago).
func TestDateInSkippedMidnight(t *testing.T) {
	loc := mustZone(t, "America/Santiago")
	d := mustDate(t, "2026-09-06")
	got := d.In(loc)
	if booking.DateOf(got) != d || got.Format("15:04 -07:00") != "01:00 -03:00" {
		t.Errorf("start of %s = %v, want 01:00 -03:00 that day", d, got)
	}
}

func TestOccurrences(t *testing.T) {
	tests := []struct {
		zone, date, clock string
		want              []string // local "15:04 -07:00"
	}{
		{"America/New_York", "2027-03-14", "02:30", nil},
		{"America/New_York", "2027-03-14", "03:00", []string{"03:00 -04:00"}},
		{"America/New_York", "2027-11-07", "01:00", []string{"01:00 -04:00", "01:00 -05:00"}},
		{"America/New_York", "2027-11-07", "02:00", []string{"02:00 -05:00"}},
		{"Europe/London", "2027-03-28", "01:45", nil},
		{"Europe/London", "2027-10-31", "01:15", []string{"01:15 +01:00", "01:15 +00:00"}},
		{"Australia/Lord_Howe", "2027-10-03", "02:15", nil},
		{"Australia/Lord_Howe", "2027-10-03", "02:30", []string{"02:30 +11:00"}},
		{"Australia/Lord_Howe", "2027-04-04", "01:30", []string{"01:30 +11:00", "01:30 +10:30"}},
		{"Australia/Lord_Howe", "2027-04-04", "02:00", []string{"02:00 +10:30"}},
		{"Asia/Singapore", "2027-03-14", "10:00", []string{"10:00 +08:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.date+"/"+tt.clock, func(t *testing.T) {
			c, _ := booking.ParseClock(tt.clock)
			occ, n := mustDate(t, tt.date).Occurrences(time.Duration(c)*time.Minute, mustZone(t, tt.zone))
			var got []string
			for _, o := range occ[:n] {
				got = append(got, o.Format("15:04 -07:00"))
			}
			if len(got) != len(tt.want) || (n == 2 && !occ[0].Before(occ[1])) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestExact is the rule for a time typed by a person: a skipped time is an
// error that names the gap, never silently another time; a repeated time is
// its first occurrence.
func TestExact(t *testing.T) {
	tests := []struct {
		zone, date, clock string
		want              string // local "15:04 -07:00", or "" for a skipped time
		gap               [2]string
	}{
		{zone: "Europe/London", date: "2027-03-28", clock: "01:30", gap: [2]string{"01:00", "02:00"}},
		{zone: "Europe/London", date: "2027-03-28", clock: "02:00", want: "02:00 +01:00"},
		{zone: "Europe/London", date: "2027-03-28", clock: "00:59", want: "00:59 +00:00"},
		{zone: "America/New_York", date: "2027-03-14", clock: "02:30", gap: [2]string{"02:00", "03:00"}},
		{zone: "Australia/Lord_Howe", date: "2027-10-03", clock: "02:10", gap: [2]string{"02:00", "02:30"}},
		{zone: "America/Santiago", date: "2026-09-06", clock: "00:30", gap: [2]string{"00:00", "01:00"}},
		{zone: "America/New_York", date: "2027-11-07", clock: "01:30", want: "01:30 -04:00"},
		{zone: "Europe/London", date: "2027-10-31", clock: "01:30", want: "01:30 +01:00"},
		{zone: "Asia/Singapore", date: "2027-03-28", clock: "01:30", want: "01:30 +08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.date+"/"+tt.clock, func(t *testing.T) {
			c, _ := booking.ParseClock(tt.clock)
			got, err := mustDate(t, tt.date).Exact(c, mustZone(t, tt.zone))
			if tt.want != "" {
				if err != nil || got.Format("15:04 -07:00") != tt.want {
					t.Fatalf("Exact = %v, %v; want %s", got, err, tt.want)
				}
				return
			}
			var se *booking.SkippedTimeError
			if !errors.As(err, &se) {
				t.Fatalf("Exact = %v, %v; want a SkippedTimeError", got, err)
			}
			if se.GapStart.String() != tt.gap[0] || se.GapEnd.String() != tt.gap[1] || se.Clock != c || se.Zone != tt.zone {
				t.Errorf("error %+v, want the gap %s-%s", se, tt.gap[0], tt.gap[1])
			}
		})
	}
	if _, err := mustDate(t, "2027-03-28").Exact(24*60, time.UTC); err == nil {
		t.Error("Exact accepted 24:00")
	}
}
