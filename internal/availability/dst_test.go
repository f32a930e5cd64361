package availability

import (
	"fmt"
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

// gridZones and gridIntervals are the zones and slot intervals every grid
// test runs over: two zones with an hour's change in each direction, Lord
// Howe with a half-hour change, and the demo atelier's Singapore with none.
var (
	gridZones     = []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Singapore"}
	gridIntervals = []int{15, 30, 45, 60, 90, 120, 240}
)

// changeDays returns the local dates in 2027 when loc's clocks change, or,
// for a zone without changes, New York's dates.
func changeDays(tb testing.TB, loc *time.Location) []booking.Date {
	tb.Helper()
	var out []booking.Date
	for _, tr := range transitions(loc, 2027) {
		out = append(out, booking.DateOf(tr.In(loc)))
	}
	if len(out) == 0 {
		out = []booking.Date{{Year: 2027, Month: 3, Day: 14}, {Year: 2027, Month: 11, Day: 7}}
	}
	return out
}

// dayStarts lists the starts Slots offers on local date d.
func dayStarts(tb testing.TB, s *booking.Schedule, svc string, d booking.Date) []time.Time {
	tb.Helper()
	loc := s.Atelier.Location
	from, to := d.In(loc), d.AddDays(1).In(loc)
	slots, err := Slots(s, Query{ServiceID: svc, Mode: booking.Virtual, From: from, To: to}, from.AddDate(-1, 0, 0))
	if err != nil {
		tb.Fatal(err)
	}
	var out []time.Time
	for _, sl := range slots {
		out = append(out, sl.Start)
	}
	return out
}

// TestWallClockGrid: the grid is wall-clock, so a day when the clocks
// change offers the same local times as any other day. A New York atelier
// open 10:00-18:00 on a 120-minute grid offers 10:00, 12:00, 14:00 and
// 16:00 on 2027-03-14 and 2027-11-07 as on every day (with elapsed time
// from midnight it offered 11:00, 13:00 and 15:00 there), and each offered
// start is accepted by Place and by OnGrid, the check made at booking.
func TestWallClockGrid(t *testing.T) {
	for _, zone := range gridZones {
		for _, iv := range gridIntervals {
			t.Run(fmt.Sprintf("%s/%d", zone, iv), func(t *testing.T) {
				s := zoneSchedule(t, zone, "10:00-18:00")
				s.Atelier.Rules.SlotInterval = time.Duration(iv) * time.Minute
				s.Services[0].Duration = 2 * time.Hour
				loc := s.Atelier.Location

				// What a wall clock says: every multiple of the interval
				// from 10:00 whose 2-hour appointment ends by 18:00.
				var want []string
				for m := 0; m < 24*60; m += iv {
					if m >= 10*60 && m+120 <= 18*60 {
						want = append(want, fmt.Sprintf("%02d:%02d", m/60, m%60))
					}
				}
				ordinary := booking.Date{Year: 2027, Month: 6, Day: 16}
				for _, d := range append(changeDays(t, loc), ordinary) {
					starts := dayStarts(t, s, "call", d)
					var got []string
					for _, st := range starts {
						got = append(got, st.In(loc).Format("15:04"))
						if !OnGrid(st, s.Atelier.Rules.SlotInterval, loc) {
							t.Errorf("%s: offered %v is not on the grid by OnGrid", d, st)
						}
						if _, err := Place(s, Request{ServiceID: "call", Mode: booking.Virtual, Start: st}, st.AddDate(-1, 0, 0)); err != nil {
							t.Errorf("%s: Place(%v) = %v for an offered start", d, st, err)
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: starts\n got %v\nwant %v", d, got, want)
					}
				}
			})
		}
	}
}

// TestWallClockGridAroundTheChange: open all day, a day when the clocks
// change offers every grid time of the wall clock except the ones the
// clocks skip, and a repeated grid time at both of its instants, in time
// order. The expectation comes from the property test's independent model,
// which reads the clock at every minute of the day.
func TestWallClockGridAroundTheChange(t *testing.T) {
	for _, zone := range gridZones {
		for _, iv := range gridIntervals {
			t.Run(fmt.Sprintf("%s/%d", zone, iv), func(t *testing.T) {
				s := zoneSchedule(t, zone, "00:00-24:00")
				s.Atelier.Rules.SlotInterval = time.Duration(iv) * time.Minute
				s.Services[0].Duration = 15 * time.Minute
				loc := s.Atelier.Location
				n := &naive{s: s, loc: loc, first: map[[2]int64]time.Time{}, grids: map[booking.Date][]time.Time{}}
				for _, d := range changeDays(t, loc) {
					var want []time.Time
					for _, st := range n.grid(d) {
						if !st.Add(15 * time.Minute).After(n.wallFirst(d.AddDays(1), 0)) {
							want = append(want, st)
						}
					}
					got := dayStarts(t, s, "call", d)
					if !slices.EqualFunc(got, want, time.Time.Equal) {
						t.Errorf("%s: starts\n got %v\nwant %v", d, clocks2(got, loc), clocks2(want, loc))
					}
					for _, st := range got {
						if !OnGrid(st, s.Atelier.Rules.SlotInterval, loc) {
							t.Errorf("%s: offered %v is not on the grid by OnGrid", d, st)
						}
					}
				}
			})
		}
	}
}

// TestGridAtTheChange spells out what a person sees at the change.
func TestGridAtTheChange(t *testing.T) {
	tests := []struct {
		name, zone, date string
		interval         int
		from, to         string // local window "15:04"
		want             []string
	}{
		{"NewYorkSpringSkipsTwo", "America/New_York", "2027-03-14", 60, "00:00", "05:00",
			[]string{"00:00 EST", "01:00 EST", "03:00 EDT", "04:00 EDT"}},
		{"NewYorkFallRepeatsOne", "America/New_York", "2027-11-07", 60, "00:00", "03:00",
			[]string{"00:00 EDT", "01:00 EDT", "01:00 EST", "02:00 EST"}},
		{"NewYorkFall120", "America/New_York", "2027-11-07", 120, "00:00", "06:00",
			[]string{"00:00 EDT", "02:00 EST", "04:00 EST"}},
		{"LondonFall30InTimeOrder", "Europe/London", "2027-10-31", 30, "00:30", "02:30",
			[]string{"00:30 BST", "01:00 BST", "01:30 BST", "01:00 GMT", "01:30 GMT", "02:00 GMT"}},
		{"LondonSpring45", "Europe/London", "2027-03-28", 45, "00:00", "04:00",
			[]string{"00:00 GMT", "00:45 GMT", "02:15 BST", "03:00 BST", "03:45 BST"}},
		{"LondonFall90", "Europe/London", "2027-10-31", 90, "00:00", "05:00",
			[]string{"00:00 BST", "01:30 BST", "01:30 GMT", "03:00 GMT", "04:30 GMT"}},
		{"LordHoweSpring60SkipsTwo", "Australia/Lord_Howe", "2027-10-03", 60, "00:00", "05:00",
			[]string{"00:00 +1030", "01:00 +1030", "03:00 +11", "04:00 +11"}},
		{"LordHoweSpring30", "Australia/Lord_Howe", "2027-10-03", 30, "01:00", "03:30",
			[]string{"01:00 +1030", "01:30 +1030", "02:30 +11", "03:00 +11"}},
		{"LordHoweFall30RepeatsHalfPast", "Australia/Lord_Howe", "2027-04-04", 30, "01:00", "03:00",
			[]string{"01:00 +11", "01:30 +11", "01:30 +1030", "02:00 +1030", "02:30 +1030"}},
		{"LordHoweFall60", "Australia/Lord_Howe", "2027-04-04", 60, "00:00", "04:00",
			[]string{"00:00 +11", "01:00 +11", "02:00 +1030", "03:00 +1030"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := zoneSchedule(t, tt.zone, tt.from+"-"+tt.to)
			s.Atelier.Rules.SlotInterval = time.Duration(tt.interval) * time.Minute
			s.Services[0].Duration = 15 * time.Minute
			d, _ := booking.ParseDate(tt.date)
			got := clocks2(dayStarts(t, s, "call", d), s.Atelier.Location)
			if !slices.Equal(got, tt.want) {
				t.Errorf("starts\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func clocks2(ts []time.Time, loc *time.Location) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(loc).Format("15:04 MST")
	}
	return out
}

// TestOnGridAcrossTheChange: the check made when a booking arrives follows
// the wall clock too.
func TestOnGridAcrossTheChange(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	lh := mustLoad(t, "Australia/Lord_Howe")
	tests := []struct {
		name     string
		t        time.Time
		loc      *time.Location
		interval time.Duration
		want     bool
	}{
		{"TenOnTheSpringDay", mustTime(t, ny, "2027-03-14 10:00"), ny, 2 * time.Hour, true},
		{"ElevenOnTheSpringDay", mustTime(t, ny, "2027-03-14 11:00"), ny, 2 * time.Hour, false},
		{"TenOnTheFallDay", mustTime(t, ny, "2027-11-07 10:00"), ny, 2 * time.Hour, true},
		{"SecondOneOClock", time.Date(2027, 11, 7, 6, 0, 0, 0, time.UTC), ny, time.Hour, true}, // 01:00 EST
		{"FirstOneOClock", time.Date(2027, 11, 7, 5, 0, 0, 0, time.UTC), ny, time.Hour, true},  // 01:00 EDT
		{"LordHoweHalfPastTwoAfterTheJump", time.Date(2027, 10, 2, 15, 30, 0, 0, time.UTC), lh, 30 * time.Minute, true},
		{"LordHoweNoonOnTheSpringDay", mustTime(t, lh, "2027-10-03 12:00"), lh, 4 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OnGrid(tt.t, tt.interval, tt.loc); got != tt.want {
				t.Errorf("OnGrid(%v, %v) = %v, want %v", tt.t.In(tt.loc), tt.interval, got, tt.want)
			}
		})
	}
}
