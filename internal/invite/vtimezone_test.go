package invite_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/invite"
)

// zoneCases are zones with every shape of rule: none (Singapore, UTC,
// Kolkata), northern and southern DST, half-hour and 45-minute offsets and
// DST steps, a weekday-in-window rule (Jerusalem), Ireland's negative DST,
// Morocco's Ramadan changes (no yearly rule), and periods across rule
// changes (the US in 2007, Moscow 2010-2015, Brazil ending DST in 2019).
var zoneCases = []struct {
	zone     string
	from, to string // dates
}{
	{"Asia/Singapore", "2026-11-01", "2027-12-01"},
	{"UTC", "2026-11-01", "2027-12-01"},
	{"Asia/Kolkata", "2026-11-01", "2027-12-01"},
	{"Europe/London", "2026-11-01", "2027-12-01"},
	{"Europe/Berlin", "2026-11-01", "2027-12-01"},
	{"America/New_York", "2026-11-01", "2027-12-01"},
	{"America/New_York", "2005-06-01", "2009-01-01"},
	{"America/Santiago", "2026-11-01", "2027-12-01"},
	{"Australia/Sydney", "2026-11-01", "2027-12-01"},
	{"Australia/Lord_Howe", "2026-11-01", "2027-12-01"},
	{"Pacific/Chatham", "2026-11-01", "2027-12-01"},
	{"Asia/Kathmandu", "2026-11-01", "2027-12-01"},
	{"Asia/Jerusalem", "2026-11-01", "2027-12-01"},
	{"Europe/Dublin", "2026-11-01", "2027-12-01"},
	{"Africa/Casablanca", "2026-11-01", "2027-12-01"},
	{"Europe/Moscow", "2010-01-01", "2015-06-01"},
	{"America/Sao_Paulo", "2018-01-01", "2020-06-01"},
	{"America/Sao_Paulo", "2026-11-01", "2027-12-01"},
}

// feedZone renders an empty feed in zone over [from, to] and returns its
// raw bytes and its VTIMEZONE.
func feedZone(tb testing.TB, zone, from, to string) (*time.Location, time.Time, time.Time, []byte, *ical.Component) {
	tb.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := invite.Feed(invite.FeedInfo{Name: zone, Location: loc, From: f, To: e}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	AssertFolded(tb, raw)
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		tb.Fatalf("decode: %v\n%s", err, raw)
	}
	tzs := components(cal, ical.CompTimezone)
	if len(tzs) != 1 {
		tb.Fatalf("%d VTIMEZONEs, want 1:\n%s", len(tzs), raw)
	}
	return loc, f, e, raw, tzs[0]
}

type tzOnset struct {
	at       time.Time
	from, to int
	name     string
}

func parseOffset(tb testing.TB, s string) int {
	tb.Helper()
	var h, m, sec int
	sign := 1
	switch {
	case strings.HasPrefix(s, "-"):
		sign = -1
	case !strings.HasPrefix(s, "+"):
		tb.Fatalf("bad UTC offset %q", s)
	}
	digits := s[1:]
	if len(digits) == 6 {
		fmt.Sscanf(digits[4:], "%02d", &sec)
	} else if len(digits) != 4 {
		tb.Fatalf("bad UTC offset %q", s)
	}
	fmt.Sscanf(digits[:2], "%02d", &h)
	fmt.Sscanf(digits[2:4], "%02d", &m)
	return sign * (h*3600 + m*60 + sec)
}

// expand lists the onsets the VTIMEZONE describes up to end. RRULEs are
// expanded by rrule-go (through go-ical), with DTSTART's local time read
// as UTC and turned into an instant with TZOFFSETFROM, as RFC 5545 §3.6.5
// says.
func expand(tb testing.TB, tz *ical.Component, end time.Time) []tzOnset {
	tb.Helper()
	var out []tzOnset
	for _, obs := range tz.Children {
		if obs.Name != ical.CompTimezoneStandard && obs.Name != ical.CompTimezoneDaylight {
			tb.Fatalf("unexpected %s in VTIMEZONE", obs.Name)
		}
		from := parseOffset(tb, obs.Props.Get(ical.PropTimezoneOffsetFrom).Value)
		to := parseOffset(tb, obs.Props.Get(ical.PropTimezoneOffsetTo).Value)
		name := ""
		if p := obs.Props.Get(ical.PropTimezoneName); p != nil {
			name = p.Value
		}
		dtstart := obs.Props.Get(ical.PropDateTimeStart)
		if dtstart.Params.Get(ical.ParamTimezoneID) != "" || strings.HasSuffix(dtstart.Value, "Z") {
			tb.Errorf("observance DTSTART %q is not local time", dtstart.Value)
		}
		start, err := time.Parse("20060102T150405", dtstart.Value)
		if err != nil {
			tb.Fatalf("DTSTART %q: %v", dtstart.Value, err)
		}
		walls := []time.Time{start}
		if rr := obs.Props.Get(ical.PropRecurrenceRule); rr != nil {
			if strings.Contains(rr.Value, "UNTIL=") {
				tb.Errorf("RRULE %q: an ended rule is bounded by COUNT (readers mishandle a UTC UNTIL)", rr.Value)
			}
			c := ical.NewComponent(obs.Name)
			c.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: dtstart.Value})
			c.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: rr.Value})
			set, err := c.RecurrenceSet(time.UTC)
			if err != nil {
				tb.Fatalf("RRULE %q: %v", rr.Value, err)
			}
			walls = set.Between(start, end.AddDate(1, 0, 0), true)
		}
		for _, w := range walls {
			at := w.Add(-time.Duration(from) * time.Second)
			out = append(out, tzOnset{at: at, from: from, to: to, name: name})
		}
	}
	slices.SortFunc(out, func(a, b tzOnset) int { return a.at.Compare(b.at) })
	return out
}

// TestVTimezone expands the feed's VTIMEZONE and compares the offset it
// gives with Go's zone data every hour of the period, and at each side of
// every change in it.
func TestVTimezone(t *testing.T) {
	for _, tc := range zoneCases {
		t.Run(strings.ReplaceAll(tc.zone, "/", "_")+"_"+tc.from[:4], func(t *testing.T) {
			loc, from, to, raw, tz := feedZone(t, tc.zone, tc.from, tc.to)
			if got := tz.Props.Get(ical.PropTimezoneID).Value; got != tc.zone {
				t.Errorf("TZID = %q, want %q", got, tc.zone)
			}
			onsets := expand(t, tz, to)
			offsetAt := func(at time.Time) (int, bool) {
				off, ok := 0, false
				for _, o := range onsets {
					if o.at.After(at) {
						break
					}
					off, ok = o.to, true
				}
				return off, ok
			}
			check := func(at time.Time) {
				_, want := at.In(loc).Zone()
				got, ok := offsetAt(at)
				if !ok {
					t.Fatalf("%s: no observance covers %s\n%s", tc.zone, at, raw)
				}
				if got != want {
					t.Fatalf("%s at %s: VTIMEZONE offset %d, Go %d\n%s", tc.zone, at.UTC(), got, want, raw)
				}
			}
			for at := from; !at.After(to); at = at.Add(time.Hour) {
				check(at)
			}
			changes := 0
			for _, o := range onsets {
				if o.at.Before(from) || o.at.After(to) {
					continue
				}
				changes++
				check(o.at.Add(-time.Second))
				check(o.at)
				if _, before := o.at.Add(-time.Second).In(loc).Zone(); before != o.from {
					t.Errorf("onset at %s: TZOFFSETFROM %d, Go %d", o.at, o.from, before)
				}
			}
			// The zones with DST must show their changes.
			_, jan := time.Date(from.Year()+1, 1, 15, 0, 0, 0, 0, loc).Zone()
			_, jul := time.Date(from.Year()+1, 7, 15, 0, 0, 0, 0, loc).Zone()
			if jan != jul && changes == 0 {
				t.Errorf("%s changes offset in %d but the VTIMEZONE has no onset then:\n%s", tc.zone, from.Year()+1, raw)
			}
		})
	}
}

// TestVTimezoneRules pins the form of a few zones: yearly rules as other
// calendar servers write them, with summer time as DAYLIGHT.
func TestVTimezoneRules(t *testing.T) {
	for _, tc := range []struct {
		zone string
		want []string // "STANDARD|DAYLIGHT DTSTART RRULE TZOFFSETFROM TZOFFSETTO"
	}{
		{"Europe/Berlin", []string{
			"DAYLIGHT 19960331T020000 FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU +0100 +0200",
			"STANDARD 19961027T030000 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU +0200 +0100",
		}},
		{"America/New_York", []string{
			"DAYLIGHT 20070311T020000 FREQ=YEARLY;BYMONTH=3;BYDAY=2SU -0500 -0400",
			"STANDARD 20071104T020000 FREQ=YEARLY;BYMONTH=11;BYDAY=1SU -0400 -0500",
		}},
		{"Europe/Dublin", []string{
			"DAYLIGHT 19960331T010000 FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU +0000 +0100",
			"STANDARD 19961027T020000 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU +0100 +0000",
		}},
		{"Asia/Jerusalem", []string{
			"DAYLIGHT 20130329T020000 FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=23,24,25,26,27,28,29;BYDAY=FR +0200 +0300",
			"STANDARD 20131027T020000 FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU +0300 +0200",
		}},
		{"Asia/Singapore", []string{"STANDARD 19811231T233000  +0730 +0800"}},
		{"UTC", []string{"STANDARD 19700101T000000  +0000 +0000"}},
	} {
		t.Run(strings.ReplaceAll(tc.zone, "/", "_"), func(t *testing.T) {
			_, _, _, raw, tz := feedZone(t, tc.zone, "2026-11-01", "2027-12-01")
			var got []string
			for _, obs := range tz.Children {
				rr := ""
				if p := obs.Props.Get(ical.PropRecurrenceRule); p != nil {
					rr = p.Value
				}
				got = append(got, strings.Join([]string{obs.Name, obs.Props.Get(ical.PropDateTimeStart).Value, rr,
					obs.Props.Get(ical.PropTimezoneOffsetFrom).Value, obs.Props.Get(ical.PropTimezoneOffsetTo).Value}, " "))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("observances:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), raw)
			}
		})
	}
}
