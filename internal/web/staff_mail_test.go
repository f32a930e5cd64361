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

// mustSignIn signs in through the page and returns the session cookie.
func (e *Env) mustSignIn(tb testing.TB, email string) string {
	tb.Helper()
	p := e.MustPost(tb, "/staff/login", url.Values{"email": {email}, "password": {StaffPassword}})
	if p.Status != http.StatusSeeOther {
		tb.Fatalf("sign-in as %s: %d", email, p.Status)
	}
	return strings.Split(p.Header.Get("Set-Cookie"), ";")[0]
}

// MustMailState gives booking id the mail that the outbox worker would
// have left: the confirmation sent, a change notice given up on, and a
// reminder due on 8 December at 2 pm.
func (e *Env) MustMailState(tb testing.TB, id string) {
	tb.Helper()
	ctx := context.Background()
	err := e.DB.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "confirmation", BookingID: id},
		booking.Job{Queue: "mail", Kind: "update", BookingID: id},
		booking.Job{Queue: "mail", Kind: "reminder", BookingID: id, RunAt: time.Date(2026, 12, 8, 14, 0, 0, 0, Singapore)},
	)
	if err != nil {
		tb.Fatal(err)
	}
	claimed, err := e.DB.ClaimJobs(ctx, "mail", Now, 10, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	for _, j := range claimed {
		switch {
		case j.BookingID != id:
			err = e.DB.RetryJob(ctx, j.ID, "not this test's", Now)
		case j.Kind == "confirmation":
			err = e.DB.CompleteJob(ctx, j.ID)
		case j.Kind == "update":
			err = e.DB.FailJob(ctx, j.ID, "smtp: 550 mailbox unavailable")
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestStaffBookingShowsMailState(t *testing.T) {
	env := MustOpenEnv(t)
	ctx := context.Background()
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	env.MustCreateUser(t, "arjun@example.com", "Arjun Nair", "arjun")
	b := env.MustBookAs(t, "private-viewing", "mei", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Customer of Mei")

	// Jobs of other queues and bookings stay off the page.
	other := env.MustBookAs(t, "ring-sizing", "arjun", time.Date(2026, 12, 9, 16, 0, 0, 0, Singapore), "Someone Else")
	err := env.DB.Enqueue(ctx,
		booking.Job{Queue: "gcal", Kind: "created", BookingID: b.ID},
		booking.Job{Queue: "mail", Kind: "cancellation", BookingID: other.ID},
	)
	if err != nil {
		t.Fatal(err)
	}
	env.MustMailState(t, b.ID)

	t.Run("Page", func(t *testing.T) {
		cookie := env.mustSignIn(t, "boss@example.com")
		p := env.Send(t, http.MethodGet, "/staff/bookings/"+b.ID, "", "", "Cookie", cookie)
		if p.Status != http.StatusOK {
			t.Fatalf("status %d", p.Status)
		}
		for _, want := range []string{
			"An e-mail about this booking could not be delivered.",
			"Confirmation to the customer", "Sent",
			"Change notice to the customer", "Not delivered", "smtp: 550 mailbox unavailable",
			"Reminder to the customer", "Scheduled", "Goes out Tue 8 Dec, 2:00 pm",
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(p.Body, "Cancellation notice") {
			t.Error("another booking's e-mail is listed")
		}
	})

	t.Run("API", func(t *testing.T) {
		cookie := env.mustSignIn(t, "boss@example.com")
		p := env.Send(t, http.MethodGet, "/api/v1/staff/bookings/"+b.ID+"/messages", "", "", "Cookie", cookie)
		if p.Status != http.StatusOK {
			t.Fatalf("status %d %s", p.Status, p.Body)
		}
		for _, want := range []string{`"kind":"confirmation"`, `"state":"sent"`, `"state":"failed"`, `"last_error":"smtp: 550 mailbox unavailable"`, `"state":"pending"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("messages lack %s: %s", want, p.Body)
			}
		}
	})

	t.Run("OtherArtisan", func(t *testing.T) {
		cookie := env.mustSignIn(t, "arjun@example.com")
		for _, path := range []string{"/staff/bookings/" + b.ID, "/api/v1/staff/bookings/" + b.ID + "/messages"} {
			if p := env.Send(t, http.MethodGet, path, "", "", "Cookie", cookie); p.Status != http.StatusNotFound {
				t.Errorf("GET %s as another artisan: %d, want 404", path, p.Status)
			}
		}
	})
}
