package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// TestPagesRequests: the demo's private viewing is a request staff
// confirm. Its customer's pages say the request was received and the
// atelier will confirm, offer to withdraw it (not to move it, nor to add
// it to a calendar); staff see it waiting on the home page and on its
// page, with Confirm and Decline (a reason required); the calendar tile
// says it is a request in words; once declined the customer's page says
// so with the reason.
func TestPagesRequests(t *testing.T) {
	env := mustOpenEnv(t, httpx.Config{}, envOptions{requests: true})
	cookie := staffLogin(t, env)
	staff := func(method, path string, form url.Values) Page {
		t.Helper()
		if form == nil {
			return env.Send(t, method, path, "", "", "Cookie", cookie)
		}
		return env.Send(t, method, path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	}
	has := func(p Page, what ...string) {
		t.Helper()
		for _, w := range what {
			if !strings.Contains(p.Body, w) {
				t.Errorf("the page does not say %q:\n%s", w, p.Body)
			}
		}
	}
	lacks := func(p Page, what ...string) {
		t.Helper()
		for _, w := range what {
			if strings.Contains(p.Body, w) {
				t.Errorf("the page says %q", w)
			}
		}
	}
	rel := func(b *Booked, extra string) string { return strings.TrimPrefix(b.Links.Manage, env.URL) + extra }

	start := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore)
	req := env.MustBookIn(t, "private-viewing", "in_person", "mei", start, "")
	if req.Status != booking.Pending {
		t.Fatalf("the viewing booked as %s, want pending", req.Status)
	}

	// The customer's page, just booked and later.
	for _, extra := range []string{"&new=1", ""} {
		p := env.MustGet(t, rel(req, extra))
		has(p, "Request received: the atelier will confirm", "Withdraw the request", "3 December",
			"until the atelier confirms it, you can withdraw it here, but not move it. Once it is confirmed:")
		lacks(p, "Your appointment is confirmed", "/reschedule?token=", "download=\"appointment.ics\"")
	}
	// Moving is not offered: the move page leads back to the manage page.
	if p := env.MustGet(t, "/bookings/"+req.ID+"/reschedule?token="+url.QueryEscape(req.ManageToken)); p.Status != http.StatusSeeOther {
		t.Errorf("the move page of a request: %d, want a redirect", p.Status)
	}

	// Staff: the home lists it with the two forms; its page says it waits.
	home := staff(http.MethodGet, "/staff", nil)
	has(home, "1 request is waiting for a decision", `action="/staff/bookings/`+req.ID+`/confirm"`, `action="/staff/bookings/`+req.ID+`/decline"`)
	page := staff(http.MethodGet, "/staff/bookings/"+req.ID, nil)
	has(page, "Request: waiting for a decision", "Confirm the request", "Decline the request", "Reason for declining")
	lacks(page, ">Move</a>")
	cal := staff(http.MethodGet, "/staff/calendar?view=day&date=2026-12-09", nil)
	has(cal, "st-pending", "Request: awaiting a decision")

	// A decline needs a reason: 422, the page again, nothing changed.
	p := staff(http.MethodPost, "/staff/bookings/"+req.ID+"/decline", url.Values{"reason": {"  "}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("decline without a reason: %d", p.Status)
	}
	has(p, "give the customer a reason", `aria-invalid="true"`)
	if got := mustStatus(t, env, req.ID); got != booking.Pending {
		t.Fatalf("after a refused decline: %s", got)
	}
	p = staff(http.MethodPost, "/staff/bookings/"+req.ID+"/decline", url.Values{"reason": {"The collection is at a fair that week."}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("decline: %d %s", p.Status, p.Body)
	}
	has(staff(http.MethodGet, p.Location, nil), "The request is declined", "Request declined", "The collection is at a fair that week.")
	has(env.MustGet(t, rel(req, "")), "Your request was not confirmed", "The collection is at a fair that week.")
	// Decided already: confirming now says so (409), nothing changes.
	p = staff(http.MethodPost, "/staff/bookings/"+req.ID+"/confirm", url.Values{})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "no longer waiting for a decision") {
		t.Errorf("confirm after the decline: %d", p.Status)
	}

	// Another request, confirmed from the home page: an appointment now.
	other := env.MustBookIn(t, "private-viewing", "in_person", "mei", start.Add(2*time.Hour), "")
	p = staff(http.MethodPost, "/staff/bookings/"+other.ID+"/confirm", url.Values{})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", p.Status, p.Body)
	}
	has(staff(http.MethodGet, p.Location, nil), "The request is confirmed", "Confirmed")
	if got := mustStatus(t, env, other.ID); got != booking.Confirmed {
		t.Errorf("after confirm: %s", got)
	}
	confirmed := env.MustGet(t, rel(other, ""))
	has(confirmed, "download=\"appointment.ics\"", "/reschedule?token=")
	lacks(confirmed, "This is a request")
	has(staff(http.MethodGet, "/staff", nil), "Nothing needs attention")

	// A third, withdrawn by its customer.
	third := env.MustBookIn(t, "private-viewing", "in_person", "mei", start.AddDate(0, 0, 1), "")
	p = env.MustPost(t, "/bookings/"+third.ID+"/cancel", url.Values{"token": {third.ManageToken}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", p.Status)
	}
	has(env.MustGet(t, strings.TrimPrefix(p.Location, env.URL)), "Your request is withdrawn")
}

// mustStatus is the stored status of booking id.
func mustStatus(tb testing.TB, env *Env, id string) booking.Status {
	tb.Helper()
	b, err := env.DB.Booking(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return b.Status
}

// An admin ticks "Staff confirm each booking" on a service's page: the
// next customer booking of it is a request; unticked, an appointment.
func TestStaffServiceConfirmBox(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	save := func(confirm bool) {
		t.Helper()
		form := url.Values{"name": {"Ring sizing"}, "duration": {"30"}, "mode": {"in_person"}, "artisan": {"arjun", "siti"},
			"public_box": {"1"}, "public": {"1"}, "confirm_box": {"1"}, "before_in_person": {"5"}, "after_in_person": {"5"}}
		if confirm {
			form.Set("confirm", "1")
		}
		p := env.Send(t, http.MethodPost, "/staff/services/ring-sizing", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", p.Status, p.Body)
		}
	}
	save(true)
	if p := env.Send(t, http.MethodGet, "/staff/services/ring-sizing", "", "", "Cookie", cookie); !strings.Contains(p.Body, `name="confirm" value="1" checked`) {
		t.Errorf("the service's page does not show the box ticked")
	}
	if b := env.MustBookIn(t, "ring-sizing", "in_person", "arjun", time.Date(2026, 12, 9, 15, 0, 0, 0, Singapore), ""); b.Status != booking.Pending {
		t.Errorf("ticked, a booking is %s, want pending", b.Status)
	}
	save(false)
	if b := env.MustBookIn(t, "ring-sizing", "in_person", "arjun", time.Date(2026, 12, 9, 17, 0, 0, 0, Singapore), ""); b.Status != booking.Confirmed {
		t.Errorf("unticked, a booking is %s, want confirmed", b.Status)
	}
}
