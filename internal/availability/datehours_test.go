package availability

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// onDate sets hours for date (YYYY-MM-DD) for the atelier and its one
// artisan of a zoneSchedule.
func onDate(tb testing.TB, s *booking.Schedule, date string, spans ...string) booking.Date {
	tb.Helper()
	d, err := booking.ParseDate(date)
	if err != nil {
		tb.Fatal(err)
	}
	var hs []booking.Span
	for _, sp := range spans {
		hs = append(hs, mustSpan(tb, sp))
	}
	s.Atelier.DateHours = append(s.Atelier.DateHours, booking.DateHours{Date: d, Hours: hs})
	s.Artisans[0].DateHours = append(s.Artisans[0].DateHours, booking.DateHours{Date: d, ArtisanID: "ana", Hours: hs})
	return d
}

func localStarts(tb testing.TB, s *booking.Schedule, d booking.Date) []string {
	tb.Helper()
	var out []string
	for _, t := range dayStarts(tb, s, "call", d) {
		out = append(out, t.In(s.Atelier.Location).Format("15:04-07:00"))
	}
	return out
}

// TestDateHoursOnAClockChange sets hours for the day the clocks change:
// they are wall-clock hours of that date, as the weekly ones are, and the
// days around keep the week's.
func TestDateHoursOnAClockChange(t *testing.T) {
	tests := []struct {
		name, zone, date string
		spans            []string
		want             []string
	}{
		{"NewYorkSpringForward", "America/New_York", "2026-03-08", []string{"00:00-05:00"},
			[]string{"00:00-05:00", "00:30-05:00", "01:00-05:00", "01:30-05:00", "03:00-04:00", "03:30-04:00", "04:00-04:00"}},
		{"NewYorkFallBack", "America/New_York", "2026-11-01", []string{"01:00-03:00"},
			[]string{"01:00-04:00", "01:30-04:00", "01:00-05:00", "01:30-05:00", "02:00-05:00"}},
		// 02:00 does not exist that night: the first span ends at the jump,
		// 03:00 summer time, where the second begins, so they are one.
		{"NewYorkSpansMeetAtTheJump", "America/New_York", "2026-03-08", []string{"01:00-02:00", "03:00-04:30"},
			[]string{"01:00-05:00", "01:30-05:00", "03:00-04:00", "03:30-04:00"}},
		{"LordHoweSpringForwardHalfHour", "Australia/Lord_Howe", "2026-10-04", []string{"00:00-04:00"},
			[]string{"00:00+10:30", "00:30+10:30", "01:00+10:30", "01:30+10:30", "02:30+11:00", "03:00+11:00"}},
		{"LordHoweFallBackHalfHour", "Australia/Lord_Howe", "2026-04-05", []string{"00:00-03:00"},
			[]string{"00:00+11:00", "00:30+11:00", "01:00+11:00", "01:30+11:00", "01:30+10:30", "02:00+10:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := zoneSchedule(t, tt.zone, "10:00-12:00")
			d := onDate(t, s, tt.date, tt.spans...)
			if got := localStarts(t, s, d); !slices.Equal(got, tt.want) {
				t.Errorf("starts on %s\n got %v\nwant %v", d, got, tt.want)
			}
			for _, other := range []booking.Date{d.AddDays(-1), d.AddDays(1)} {
				got := localStarts(t, s, other)
				if len(got) != 3 || !strings.HasPrefix(got[0], "10:00") || !strings.HasPrefix(got[2], "11:00") {
					t.Errorf("starts on %s = %v, want the week's 10:00, 10:30, 11:00", other, got)
				}
			}
		})
	}
}

// TestDateHoursRules checks the rule beside the clock changes: a date's
// hours replace the week's (closing, narrowing or opening a closed
// weekday), for the atelier and for each artisan on their own, closures
// still close, and Place says in words that the hours were set for that date.
func TestDateHoursRules(t *testing.T) {
	const zone = "Europe/London"
	sunday := "2026-12-13" // the week below is closed on Sundays
	weekHours := func(tb testing.TB) booking.WeekHours {
		h := everyDay(tb, "10:00-18:00")
		h[time.Sunday] = nil
		return h
	}
	mk := func(tb testing.TB) *booking.Schedule {
		s := zoneSchedule(tb, zone, "10:00-18:00")
		s.Atelier.Hours, s.Artisans[0].Hours = weekHours(tb), weekHours(tb)
		return s
	}
	at := func(tb testing.TB, s *booking.Schedule, date, clock string) time.Time {
		return mustTime(tb, s.Atelier.Location, date+" "+clock)
	}
	place := func(s *booking.Schedule, start time.Time) error {
		_, err := Place(s, Request{ServiceID: "call", Mode: booking.Virtual, Start: start}, start.AddDate(0, -1, 0))
		return err
	}

	t.Run("OpensAClosedWeekday", func(t *testing.T) {
		s := mk(t)
		d := onDate(t, s, sunday, "12:00-15:00")
		if got, want := localStarts(t, s, d), []string{"12:00+00:00", "12:30+00:00", "13:00+00:00", "13:30+00:00", "14:00+00:00"}; !slices.Equal(got, want) {
			t.Errorf("starts %v, want %v", got, want)
		}
		msg := booking.ErrorMessage(place(s, at(t, s, sunday, "15:00")))
		if want := "the atelier is closed at 15:00 on Sunday 13 December (open 12:00-15:00 that day, hours set for that date)"; msg != want {
			t.Errorf("reason %q, want %q", msg, want)
		}
	})
	t.Run("EmptyListClosesTheDate", func(t *testing.T) {
		s := mk(t)
		d := onDate(t, s, "2026-12-14")
		if got := localStarts(t, s, d); len(got) != 0 {
			t.Errorf("starts %v on a date closed by its hours", got)
		}
		msg := booking.ErrorMessage(place(s, at(t, s, "2026-12-14", "10:00")))
		if want := "the atelier is closed all day on Monday 14 December (hours set for that date)"; msg != want {
			t.Errorf("reason %q, want %q", msg, want)
		}
	})
	t.Run("AtelierLateButArtisanNot", func(t *testing.T) {
		// Open late for the atelier only: the artisan keeps the week's
		// working hours, so the late times are not offered with her.
		s := mk(t)
		d, _ := booking.ParseDate("2026-12-23")
		s.Atelier.DateHours = []booking.DateHours{{Date: d, Hours: []booking.Span{mustSpan(t, "10:00-21:00")}}}
		got := localStarts(t, s, d)
		if len(got) == 0 || got[len(got)-1] != "17:00+00:00" {
			t.Errorf("starts %v, want the last at 17:00 (the artisan stops at 18:00)", got)
		}
		msg := booking.ErrorMessage(place(s, at(t, s, "2026-12-23", "19:00")))
		if want := "ana does not work at 19:00 on Wednesday 23 December (working hours that day: 10:00-18:00)"; msg != want {
			t.Errorf("reason %q, want %q", msg, want)
		}
		s.Artisans[0].DateHours = []booking.DateHours{{Date: d, ArtisanID: "ana", Hours: []booking.Span{mustSpan(t, "14:00-21:00")}}}
		got = localStarts(t, s, d)
		if len(got) == 0 || got[0] != "14:00+00:00" || got[len(got)-1] != "20:00+00:00" {
			t.Errorf("with the artisan's hours for the date: starts %v, want 14:00 to 20:00", got)
		}
		msg = booking.ErrorMessage(place(s, at(t, s, "2026-12-23", "11:00")))
		if want := "ana does not work at 11:00 on Wednesday 23 December (working hours that day, hours set for that date: 14:00-21:00)"; msg != want {
			t.Errorf("reason %q, want %q", msg, want)
		}
	})
	t.Run("ArtisanOffForTheDate", func(t *testing.T) {
		s := mk(t)
		d, _ := booking.ParseDate("2026-12-15")
		s.Artisans[0].DateHours = []booking.DateHours{{Date: d, ArtisanID: "ana"}}
		if got := localStarts(t, s, d); len(got) != 0 {
			t.Errorf("starts %v with the only artisan off that date", got)
		}
		msg := booking.ErrorMessage(place(s, at(t, s, "2026-12-15", "10:00")))
		if want := "ana does not work on Tuesday 15 December (hours set for that date)"; msg != want {
			t.Errorf("reason %q, want %q", msg, want)
		}
	})
	t.Run("ClosureStillCloses", func(t *testing.T) {
		s := mk(t)
		d := onDate(t, s, sunday, "12:00-15:00")
		s.Atelier.Closures = []booking.Closure{{From: d, To: d, Reason: "Stocktake"}}
		if got := localStarts(t, s, d); len(got) != 0 {
			t.Errorf("starts %v on a closure day", got)
		}
		if err := errInfo(t, place(s, at(t, s, sunday, "12:00"))); err.Reason != booking.ReasonClosure {
			t.Errorf("reason %q (%s), want a closure", err.Message, err.Reason)
		}
	})
}
