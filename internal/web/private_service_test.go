package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The demo's commission steps (design review, fitting, collection) are not
// public: the landing page, the booking flow and /embed do not offer them,
// and a link naming one shows the list of services instead of its times;
// staff still book them from New booking, and the admins' list marks them.
func TestPrivateServicesOffCustomerPages(t *testing.T) {
	env := MustOpenEnv(t)
	private := []string{"Design review", "Fitting", "Collection"}
	for _, path := range []string{"/", "/book", "/book?mode=in_person", "/embed", "/book?service=bespoke-design&mode=in_person"} {
		p := env.MustGet(t, path)
		if p.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.Status)
		}
		for _, name := range private {
			if strings.Contains(p.Body, ">"+name+"<") || strings.Contains(p.Body, "service=fitting") ||
				strings.Contains(p.Body, "service=collection") || strings.Contains(p.Body, "service=design-review") {
				t.Errorf("GET %s offers %s to customers", path, name)
			}
		}
	}
	p := env.MustGet(t, "/book?service=fitting&mode=in_person&artisan=mei")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Bespoke design consultation") || strings.Contains(p.Body, "Fitting") {
		t.Errorf("a link to the fitting: %d, want the list of services without it:\n%s", p.Status, p.Body)
	}

	cookie := staffLogin(t, env)
	p = env.Send(t, http.MethodGet, "/staff/bookings/new?service=fitting&mode=in_person&artisan=mei&date=2026-12-02", "", "", "Cookie", cookie)
	if p.Status == http.StatusSeeOther { // the form's one-time key
		p = env.Send(t, http.MethodGet, p.Location, "", "", "Cookie", cookie)
	}
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `<option value="fitting" selected>Fitting (`) || len(pickerTimes(p)) == 0 {
		t.Errorf("staff New booking: %d, want the fitting chosen with its free times:\n%s", p.Status, p.Body)
	}
	p = env.Send(t, http.MethodGet, "/staff/services", "", "", "Cookie", cookie)
	if n := strings.Count(p.Body, "Invitation only"); n != 3 {
		t.Errorf("the admins' list of services marks %d as invitation only, want 3", n)
	}
	p = env.Send(t, http.MethodGet, "/staff/services/fitting", "", "", "Cookie", cookie)
	if !strings.Contains(p.Body, `name="public" value="1" aria-describedby`) || strings.Contains(p.Body, `name="public" value="1" checked`) {
		t.Errorf("the fitting's page does not show it unlisted:\n%s", p.Body)
	}
}

// An admin unticks "Listed to customers" on a service's page: customers
// no longer see it; ticked again, they do.
func TestStaffServicePublicBox(t *testing.T) {
	env := MustOpenEnv(t)
	cookie := staffLogin(t, env)
	save := func(public bool) {
		t.Helper()
		form := url.Values{"name": {"Ring sizing"}, "duration": {"30"}, "mode": {"in_person"}, "artisan": {"arjun", "siti"},
			"public_box": {"1"}, "before_in_person": {"5"}, "after_in_person": {"5"}}
		if public {
			form.Set("public", "1")
		}
		p := env.Send(t, http.MethodPost, "/staff/services/ring-sizing", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", p.Status, p.Body)
		}
	}
	listed := func() bool { return strings.Contains(env.MustGet(t, "/book").Body, "Ring sizing") }
	save(false)
	if listed() {
		t.Fatal("unticked, ring sizing is still offered to customers")
	}
	save(true)
	if !listed() {
		t.Fatal("ticked again, ring sizing is not offered to customers")
	}
}

// A customer whose fitting staff booked moves it from the manage link:
// the reschedule page lists the fitting's free times.
func TestPrivateServiceMovedByItsCustomer(t *testing.T) {
	env := MustOpenEnv(t)
	c, err := env.App.StaffCreateBooking(context.Background(), testAdmin, app.BookingRequest{
		Service: "fitting", Mode: booking.InPerson, Artisan: "mei", Start: time.Date(2026, 12, 2, 14, 0, 0, 0, Singapore),
		Customer: booking.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
	}, app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := env.booked(c)
	p := env.MustGet(t, "/bookings/"+b.Booking.ID+"/reschedule?"+url.Values{"token": {b.ManageToken}, "date": {"2026-12-03"}}.Encode())
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "start=2026-12-03T12%3A30%3A00%2B08%3A00") {
		t.Fatalf("the fitting's reschedule page: %d, want its free times on 3 December:\n%s", p.Status, p.Body)
	}
}
