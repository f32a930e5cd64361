package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// MustReply records an answer of the booking's customer as the reply
// reader would hand it over, and fails unless it acts.
func (e *Env) MustReply(tb testing.TB, id string, r booking.InboundReply) {
	tb.Helper()
	b, err := e.DB.Booking(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	r.Key, r.Mailbox, r.EventUID, r.Sequence = "key-"+id+string(r.PartStat)+r.Method, "INBOX", b.UID, b.Sequence
	r.Attendee, r.Author = b.Customer.Email, b.Customer.Email
	if r.Stamp.IsZero() {
		r.Stamp = Now.Add(-time.Hour)
	}
	o, err := e.App.ApplyReply(context.Background(), r)
	if err != nil || !o.Acted() {
		tb.Fatalf("reply: %q %v", o, err)
	}
}

// TestStaffSeesReplies: the answer on the booking page and on the
// calendar, and a proposed time moved to in one click.
func TestStaffSeesReplies(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	day := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
	b := env.MustBookIn(t, "private-viewing", "in_person", "mei", day, "")

	env.MustReply(t, b.ID, booking.InboundReply{Method: booking.MethodReply, PartStat: booking.PartTentative})
	page := env.Send(t, http.MethodGet, "/staff/bookings/"+b.ID, "", "", "Cookie", cookie)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Their answer") || !strings.Contains(page.Body, ">Maybe</span>") {
		t.Fatalf("booking page %d without the answer:\n%s", page.Status, page.Body)
	}
	week := env.Send(t, http.MethodGet, "/staff/calendar?view=week&date=2026-12-09", "", "", "Cookie", cookie)
	if !strings.Contains(week.Body, " · Maybe</span>") {
		t.Errorf("the calendar tile does not show the answer:\n%s", week.Body)
	}

	// A proposal of another time, free: one click moves the booking.
	proposed := time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore)
	env.MustReply(t, b.ID, booking.InboundReply{Method: booking.MethodCounter, PartStat: booking.PartTentative,
		Start: proposed, End: proposed.Add(time.Hour)})
	page = env.Send(t, http.MethodGet, "/staff/bookings/"+b.ID, "", "", "Cookie", cookie)
	if !strings.Contains(page.Body, "proposes another time") || !strings.Contains(page.Body, "Move it to this time") {
		t.Fatalf("booking page without the proposal's move:\n%s", page.Body)
	}
	day2 := env.Send(t, http.MethodGet, "/staff/calendar?view=day&date=2026-12-09", "", "", "Cookie", cookie)
	if !strings.Contains(day2.Body, "New time proposed") {
		t.Errorf("the day view does not show the proposal")
	}
	form := url.Values{"date": {"2026-12-10"}, "time": {"14:00"}, "artisan": {b.ArtisanID}}
	moved := env.Send(t, http.MethodPost, "/staff/bookings/"+b.ID+"/reschedule", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if moved.Status != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", moved.Status, moved.Body)
	}
	got, err := env.DB.Booking(context.Background(), b.ID)
	if err != nil || !got.Start.Equal(proposed) || got.ArtisanID != b.ArtisanID {
		t.Fatalf("after the move: %+v %v", got, err)
	}
	// Answered by the move: the proposal is gone, the answer is to an
	// earlier invitation.
	page = env.Send(t, http.MethodGet, "/staff/bookings/"+b.ID, "", "", "Cookie", cookie)
	if strings.Contains(page.Body, "proposes another time") || !strings.Contains(page.Body, "before its last change") {
		t.Errorf("after the move the page shows:\n%s", page.Body)
	}
}

// TestStaffSeesTakenProposal: a proposed time someone else took has no
// one-click move, and says why.
func TestStaffSeesTakenProposal(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	b := env.MustBookIn(t, "private-viewing", "in_person", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "")
	proposed := time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore)
	env.MustBookAs(t, "private-viewing", "mei", proposed, "Someone Else")
	env.MustReply(t, b.ID, booking.InboundReply{Method: booking.MethodCounter, PartStat: booking.PartTentative,
		Start: proposed, End: proposed.Add(time.Hour)})
	page := env.Send(t, http.MethodGet, "/staff/bookings/"+b.ID, "", "", "Cookie", cookie)
	if !strings.Contains(page.Body, "proposes another time") || strings.Contains(page.Body, "Move it to this time") || !strings.Contains(page.Body, "Not free:") {
		t.Fatalf("booking page:\n%s", page.Body)
	}
}
