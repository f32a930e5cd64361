package availability

import (
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// zoneSchedule is an atelier in zone with the same hours every day for the
// atelier and its one artisan, a 60-minute virtual service without
// buffers, a 30-minute grid and no notice.
func zoneSchedule(tb testing.TB, zone string, spans ...string) *booking.Schedule {
	tb.Helper()
	h := everyDay(tb, spans...)
	return &booking.Schedule{Catalog: booking.Catalog{
		Atelier: booking.Atelier{
			Timezone: zone, Location: mustLoad(tb, zone), Hours: h,
			Rooms: []booking.Room{{ID: "r1"}},
			Rules: booking.Rules{HorizonDays: 1000, SlotInterval: 30 * time.Minute},
		},
		Services: []booking.Service{{ID: "call", Duration: time.Hour, Modes: []booking.Mode{booking.Virtual}, Artisans: []string{"ana"}}},
		Artisans: []booking.Artisan{{ID: "ana", Services: []string{"call"}, Hours: h}},
	}}
}

func TestDaylightSaving(t *testing.T) {
	tests := []struct {
		name  string
		zone  string
		date  string
		spans []string
		want  []string // starts as local "15:04-07:00"
		count int      // when want lists only the first starts
		last  string
	}{
		{name: "LondonSpringForwardSkipsOneToTwo", zone: "Europe/London", date: "2026-03-29", spans: []string{"00:00-24:00"},
			want: []string{"00:00+00:00", "00:30+00:00", "02:00+01:00", "02:30+01:00"}, count: 45, last: "23:00+01:00"},
		{name: "LondonSpringForwardWallClockHours", zone: "Europe/London", date: "2026-03-29", spans: []string{"10:00-19:00"},
			want: []string{"10:00+01:00", "10:30+01:00"}, count: 17, last: "18:00+01:00"},
		{name: "LondonFallBackRepeatsOneToTwo", zone: "Europe/London", date: "2026-10-25", spans: []string{"00:00-03:00"},
			want: []string{"00:00+01:00", "00:30+01:00", "01:00+01:00", "01:30+01:00", "01:00+00:00", "01:30+00:00", "02:00+00:00"}},
		{name: "LondonFallBackWholeDay", zone: "Europe/London", date: "2026-10-25", spans: []string{"00:00-24:00"},
			want: []string{"00:00+01:00"}, count: 49, last: "23:00+00:00"},
		{name: "NewYorkSpringForward", zone: "America/New_York", date: "2026-03-08", spans: []string{"00:00-05:00"},
			want: []string{"00:00-05:00", "00:30-05:00", "01:00-05:00", "01:30-05:00", "03:00-04:00", "03:30-04:00", "04:00-04:00"}},
		{name: "NewYorkOpeningInSkippedHourOpensAtTheJump", zone: "America/New_York", date: "2026-03-08", spans: []string{"02:30-05:00"},
			want: []string{"03:00-04:00", "03:30-04:00", "04:00-04:00"}},
		{name: "NewYorkSpringForwardWallClockHours", zone: "America/New_York", date: "2026-03-08", spans: []string{"10:00-19:00"},
			want: []string{"10:00-04:00"}, count: 17, last: "18:00-04:00"},
		{name: "NewYorkFallBack", zone: "America/New_York", date: "2026-11-01", spans: []string{"01:00-03:00"},
			want: []string{"01:00-04:00", "01:30-04:00", "01:00-05:00", "01:30-05:00", "02:00-05:00"}},
		{name: "NewYorkFallBackWallClockHours", zone: "America/New_York", date: "2026-11-01", spans: []string{"10:00-19:00"},
			want: []string{"10:00-05:00"}, count: 17, last: "18:00-05:00"},
		{name: "LordHoweSpringForwardHalfHour", zone: "Australia/Lord_Howe", date: "2026-10-04", spans: []string{"00:00-04:00"},
			want: []string{"00:00+10:30", "00:30+10:30", "01:00+10:30", "01:30+10:30", "02:30+11:00", "03:00+11:00"}},
		{name: "LordHoweFallBackHalfHour", zone: "Australia/Lord_Howe", date: "2026-04-05", spans: []string{"00:00-03:00"},
			want: []string{"00:00+11:00", "00:30+11:00", "01:00+11:00", "01:30+11:00", "01:30+10:30", "02:00+10:30"}},
		{name: "LordHoweWallClockHours", zone: "Australia/Lord_Howe", date: "2026-10-04", spans: []string{"10:00-19:00"},
			want: []string{"10:00+11:00"}, count: 17, last: "18:00+11:00"},
		{name: "Singapore", zone: "Asia/Singapore", date: "2026-03-29", spans: []string{"10:00-13:00", "14:00-19:00"},
			want: []string{"10:00+08:00", "10:30+08:00", "11:00+08:00", "11:30+08:00", "12:00+08:00",
				"14:00+08:00", "14:30+08:00", "15:00+08:00", "15:30+08:00", "16:00+08:00", "16:30+08:00", "17:00+08:00", "17:30+08:00", "18:00+08:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := zoneSchedule(t, tt.zone, tt.spans...)
			loc := s.Atelier.Location
			d, err := booking.ParseDate(tt.date)
			if err != nil {
				t.Fatal(err)
			}
			from := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
			to := time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc)
			now := from.AddDate(-1, 0, 0)
			slots, err := Slots(s, Query{ServiceID: "call", Mode: booking.Virtual, From: from, To: to}, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, sl := range slots {
				got = append(got, sl.Start.In(loc).Format("15:04-07:00"))
				if i > 0 && !sl.Start.After(slots[i-1].Start) {
					t.Errorf("slot %d does not start after the one before", i)
				}
				if _, err := Place(s, Request{ServiceID: "call", Mode: booking.Virtual, Start: sl.Start}, now); err != nil {
					t.Errorf("Place(%s) = %v for an offered slot", got[i], err)
				}
			}
			want := tt.want
			if tt.count > 0 {
				if len(got) != tt.count || got[len(got)-1] != tt.last {
					t.Fatalf("got %d slots ending %v, want %d ending %s", len(got), got[len(got)-1:], tt.count, tt.last)
				}
				got = got[:len(want)]
			}
			if !slices.Equal(got, want) {
				t.Errorf("starts\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestWallInstant checks the conversion of wall-clock times in gaps and
// repeats directly: the first moment the clock reads the time or later.
func TestWallInstant(t *testing.T) {
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
			d, _ := booking.ParseDate(tt.date)
			c, err := booking.ParseClock(tt.clock)
			if err != nil {
				t.Fatal(err)
			}
			got := wallInstant(d, c, mustLoad(t, tt.zone)).UTC().Format(time.RFC3339)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
