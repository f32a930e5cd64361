package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// MustPastBooking stores a confirmed virtual design consultation with mei
// that took place at start (before the tests' clock), as one made back
// then would be: straight into the store, since the app books no past time.
func (e *Env) MustPastBooking(tb testing.TB, id string, start time.Time, c booking.Customer) {
	tb.Helper()
	end := start.Add(90 * time.Minute)
	_, _, err := e.DB.CreateBooking(context.Background(), booking.NewBooking{
		Booking: booking.Booking{
			ID: id, Status: booking.Confirmed, ServiceID: "bespoke-design", Mode: booking.Virtual, ArtisanID: "mei",
			Start: start, End: end, BlockStart: start, BlockEnd: end, Customer: c,
			ServiceName: "Bespoke design consultation", ArtisanName: "Tan Mei Ling",
		},
		Actor: booking.Actor{Kind: "customer"},
	}, func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{ArtisanID: "mei"}, nil })
	if err != nil {
		tb.Fatalf("past booking: %v", err)
	}
}

// mustBookFor books a coming virtual design consultation with mei for c.
func (e *Env) mustBookFor(tb testing.TB, start time.Time, c booking.Customer) *app.Booking {
	tb.Helper()
	made, err := e.App.CreateBooking(context.Background(), app.BookingRequest{
		Service: "bespoke-design", Mode: booking.Virtual, Artisan: "mei", Start: start, Customer: c,
	}, app.CreateOptions{})
	if err != nil {
		tb.Fatalf("book for %s: %v", c.Name, err)
	}
	return made.Booking
}

var customerLink = regexp.MustCompile(`href="(/staff/customers/cu_[0-9a-f]+)"`)

// TestStaffSearchAndCustomerPages: the search page finds a booking by its
// upper-case reference and a customer by part of a name; the customer's
// page shows their coming and past bookings with status and e-mails, keeps
// notes, and "Book again" opens the New booking form filled in.
func TestStaffSearchAndCustomerPages(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	get := func(path string) Page {
		t.Helper()
		p := env.Send(t, http.MethodGet, path, "", "", "Cookie", cookie)
		if p.Status == http.StatusSeeOther {
			p = env.Send(t, http.MethodGet, p.Location, "", "", "Cookie", cookie)
		}
		return p
	}
	grace := booking.Customer{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+1 212 555 0100", Timezone: "America/New_York"}
	env.MustPastBooking(t, "bk_pastgrace00000000000", time.Date(2026, 11, 20, 14, 0, 0, 0, Singapore), grace)
	coming := env.mustBookFor(t, time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), booking.Customer{Name: "Grace Hopper", Email: "GRACE@example.com"})
	env.MustMailState(t, coming.ID) // its confirmation sent, a change notice given up on

	p := get("/staff/search?q=" + url.QueryEscape(strings.ToUpper(coming.ID)))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `href="/staff/bookings/`+coming.ID+`"`) {
		t.Fatalf("search by the upper-case reference: %d, no link to %s", p.Status, coming.ID)
	}
	p = get("/staff/customers?q=hopp")
	body := html.UnescapeString(p.Body)
	m := customerLink.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil || !strings.Contains(body, "Grace Hopper") || !strings.Contains(body, "2 bookings") {
		t.Fatalf("search by part of a name: %d\n%s", p.Status, body)
	}
	if strings.Contains(m[1], "grace") {
		t.Errorf("the customer's address %s shows the e-mail address", m[1])
	}

	p = get(m[1])
	body = html.UnescapeString(p.Body)
	coming_, past := strings.Index(body, `id="c-coming"`), strings.Index(body, `id="c-past"`)
	if p.Status != http.StatusOK || coming_ < 0 || past < 0 {
		t.Fatalf("customer page: %d", p.Status)
	}
	if !strings.Contains(body[coming_:past], "Thu 10 Dec 2026") || !strings.Contains(body[past:], "Fri 20 Nov 2026") {
		t.Errorf("the coming and past bookings are not where they belong:\n%s", body[coming_:])
	}
	if !strings.Contains(body[coming_:past], "Confirmed") || !strings.Contains(body[coming_:past], "1 e-mail not delivered") {
		t.Errorf("the customer page lacks the status or the e-mail state:\n%s", body[coming_:])
	}

	// Notes, kept across bookings.
	saved := env.Send(t, http.MethodPost, m[1]+"/notes", "application/x-www-form-urlencoded",
		url.Values{"notes": {"Ring size 52."}}.Encode(), "Cookie", cookie)
	if saved.Status != http.StatusSeeOther {
		t.Fatalf("save notes: %d", saved.Status)
	}
	if p := get(m[1]); !strings.Contains(p.Body, "Ring size 52.") || !strings.Contains(p.Body, "The notes are saved") && !strings.Contains(saved.Location, "saved=notes") {
		t.Errorf("the notes are not on the page")
	}
	tooLong := env.Send(t, http.MethodPost, m[1]+"/notes", "application/x-www-form-urlencoded",
		url.Values{"notes": {strings.Repeat("x", 4001)}}.Encode(), "Cookie", cookie)
	if tooLong.Status != http.StatusUnprocessableEntity {
		t.Errorf("notes too long: %d, want 422", tooLong.Status)
	}

	// Book again: the New booking form with Grace's details.
	again := regexp.MustCompile(`href="(/staff/bookings/new\?[^"]+)"`).FindStringSubmatch(p.Body)
	if again == nil {
		t.Fatal("no Book again link")
	}
	form := get(html.UnescapeString(again[1]))
	for _, want := range []string{`value="Grace Hopper"`, `@example.com"`, `value="&#43;1 212 555 0100"`, `<option value="America/New_York" selected>`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("Book again (%s): the form lacks %s\n%s", again[1], want, form.Body)
		}
	}
	// The booking page links to its customer.
	if p := get("/staff/bookings/" + coming.ID); !strings.Contains(p.Body, `href="`+m[1]+`"`) {
		t.Errorf("the booking page does not link to the customer's page")
	}
	// An empty search shows the box; an unknown customer is a 404 page.
	if p := get("/staff/search?q="); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="q"`) {
		t.Errorf("empty search: %d", p.Status)
	}
	if p := get("/staff/customers/cu_00000000000000000000"); p.Status != http.StatusNotFound {
		t.Errorf("unknown customer: %d, want 404", p.Status)
	}
}
