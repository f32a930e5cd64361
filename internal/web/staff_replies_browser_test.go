package web_test

import (
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestBrowserStaffReplies: in a real browser, the customer's answer and
// proposed time on the booking page pass the accessibility check, and the
// one-click move moves the booking.
func TestBrowserStaffReplies(t *testing.T) {
	b := MustStartBrowser(t)
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	v := env.MustBookIn(t, "private-viewing", "in_person", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "")
	env.MustReply(t, v.ID, booking.InboundReply{Method: booking.MethodReply, PartStat: booking.PartAccepted})
	proposed := time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore)
	env.MustReply(t, v.ID, booking.InboundReply{Method: booking.MethodCounter, PartStat: booking.PartTentative,
		Start: proposed, End: proposed.Add(time.Hour)})

	tab := b.MustOpenTab(t, "Asia/Singapore", true)
	tab.Go(env.URL + "/staff/login")
	tab.Fill("email", "boss@example.com")
	tab.Fill("password", StaffPassword)
	tab.Click(`//button[normalize-space()="Sign in"]`)
	tab.Go(env.URL + "/staff/calendar?view=week&date=2026-12-09")
	tab.MustContain("New time proposed")
	tab.Go(env.URL + "/staff/bookings/" + v.ID)
	tab.MustContain("Their answer", "Answered Tue 1 Dec", "proposes another time", "Thursday 10 December 2026, 2:00 pm – 3:00 pm")
	tab.CheckA11y("staff booking with a reply")
	tab.Screenshots("24-staff-booking-reply")
	tab.Click(`//button[normalize-space()="Move it to this time"]`)
	tab.MustContain("The booking has moved", "Thursday 10 December 2026, 2:00 pm")
	if got := mustStored(t, env, v.ID); !got.Start.Equal(proposed) {
		t.Errorf("moved to %s, want %s", got.Start, proposed)
	}
}
