package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// MustOpenNewYorkEnv is the test atelier moved to New York, open 10:00-18:00
// every day (its artisans 09:00-19:00) on a 120-minute grid, booking up to
// 400 days ahead.
func MustOpenNewYorkEnv(tb testing.TB) *Env {
	tb.Helper()
	e := MustOpenEnv(tb, httpx.Config{})
	c := DemoCatalog()
	c.Atelier.Timezone, c.Atelier.Location = "America/New_York", MustZone("America/New_York")
	c.Atelier.Closures = nil
	for d := range c.Atelier.Hours {
		c.Atelier.Hours[d] = []booking.Span{{Start: 10 * 60, End: 18 * 60}}
	}
	for i := range c.Artisans {
		for d := range c.Artisans[i].Hours {
			c.Artisans[i].Hours[d] = []booking.Span{{Start: 9 * 60, End: 19 * 60}}
		}
	}
	c.Atelier.Rules.SlotInterval, c.Atelier.Rules.HorizonDays = 2*time.Hour, 400
	if _, err := e.DB.SyncCatalog(context.Background(), c); err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestGridOnDaysTheClocksChange: a New York atelier on a 120-minute grid
// offers 10:00, 12:00, 14:00 and 16:00 on the days the clocks change as on
// every other day, and booking 10:00 on 2027-03-14 succeeds (it was 422
// "not on the grid" when the grid counted elapsed time from midnight).
func TestGridOnDaysTheClocksChange(t *testing.T) {
	e := MustOpenNewYorkEnv(t)
	for _, tc := range []struct{ date, offset string }{
		{"2027-03-13", "-05:00"}, {"2027-03-14", "-04:00"}, {"2027-11-07", "-05:00"},
	} {
		av := MustAvailability(t, e, "service=design&mode=in_person&from="+tc.date+"&to="+tc.date)
		var got []string
		for _, s := range av.Slots {
			got = append(got, s.Start)
		}
		want := []string{tc.date + "T10:00:00" + tc.offset, tc.date + "T12:00:00" + tc.offset, tc.date + "T14:00:00" + tc.offset, tc.date + "T16:00:00" + tc.offset}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: slots %v, want %v", tc.date, got, want)
		}
	}

	b := MustCreateBooking(t, e, Request("2027-03-14T10:00:00-04:00"))
	if b.Start != "2027-03-14T10:00:00-04:00" {
		t.Errorf("booked start %s", b.Start)
	}
	// Moving it to 10:00 on the day the clocks go back is accepted too.
	r := e.Do(t, http.MethodPost, "/api/v1/bookings/"+b.ID+"/reschedule",
		map[string]string{"start": "2027-11-07T10:00:00-05:00"}, "Authorization", "Bearer "+b.ManageToken)
	if r.Status != http.StatusOK {
		t.Errorf("reschedule to 10:00 on 2027-11-07: %d %s", r.Status, r.Body)
	}

	// 11:00 is not on the grid that day, as on any other.
	r = e.Do(t, http.MethodPost, "/api/v1/bookings", Request("2027-03-14T11:00:00-04:00"))
	if p := r.Problem(t); r.Status != http.StatusUnprocessableEntity || p.Errors["start"] == "" {
		t.Errorf("11:00: %d %+v, want 422 with errors.start", r.Status, p)
	}
}

// TestNotBookableSaysWhy: a start on the grid that never was bookable is
// 409 slot_unavailable (API.md) with a detail saying why; "no longer
// available" is only for a time that was free and has been taken.
func TestNotBookableSaysWhy(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	taken := MustCreateBooking(t, e, Request("2026-12-02T14:00:00+08:00"))
	tests := []struct {
		name, start, detail string
	}{
		{"AfterClosing", "2026-12-02T20:30:00+08:00", "the atelier is closed at 20:30 on Wednesday 2 December (open 10:00-19:00 that day)"},
		{"ClosureDay", "2026-12-25T10:00:00+08:00", "that is a closure day: Christmas Day (Friday 25 December)"},
		{"ClosedWeekday", "2026-12-06T10:00:00+08:00", "the atelier is closed all day on Sunday 6 December"},
		{"EndsAfterClosing", "2026-12-02T18:00:00+08:00", "a 90-minute appointment at 18:00 on Wednesday 2 December would end after the atelier closes at 19:00"},
		{"TooSoon", "2026-12-01T10:30:00+08:00", "bookings need at least 2 hours' notice, so 10:30 on Tuesday 1 December is too soon"},
		{"BeyondHorizon", "2027-06-01T14:00:00+08:00", "bookings can be made at most 90 days ahead, up to Monday 1 March 2027, so Tuesday 1 June 2027 is too far"},
		{"Taken", "2026-12-02T14:30:00+08:00", "that time is no longer available: Mei is booked then"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tt.start))
			p := r.Problem(t)
			if r.Status != http.StatusConflict || p.Code != "slot_unavailable" || p.Detail != tt.detail {
				t.Errorf("book %s: %d %s %q, want 409 slot_unavailable %q", tt.start, r.Status, p.Code, p.Detail, tt.detail)
			}
			if tt.name == "Taken" {
				return
			}
			r = e.Do(t, http.MethodPost, "/api/v1/bookings/"+taken.ID+"/reschedule",
				map[string]string{"start": tt.start}, "Authorization", "Bearer "+taken.ManageToken)
			if p := r.Problem(t); r.Status != http.StatusConflict || p.Detail != tt.detail {
				t.Errorf("reschedule to %s: %d %q, want 409 %q", tt.start, r.Status, p.Detail, tt.detail)
			}
		})
	}
}
