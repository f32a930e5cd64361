package web_test

import (
	"archive/zip"
	"bytes"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestStaffCustomerPrivacy: an admin's customer page offers the copy and
// the erasure; the copy is a ZIP with data.json; the erasure needs the box
// ticked, then takes the past booking and keeps the coming one, whose
// page still shows the customer while the erased booking's says so.
func TestStaffCustomerPrivacy(t *testing.T) {
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
	ada := booking.Customer{Name: "Ada Byron", Email: "ada.byron@example.com", Phone: "+44 20 7946 0000"}
	env.MustPastBooking(t, "bk_pastada0000000000000", time.Date(2026, 11, 20, 14, 0, 0, 0, Singapore), ada)
	coming := env.mustBookFor(t, time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), ada)
	m := customerLink.FindStringSubmatch(get("/staff/customers?q=byron").Body)
	if m == nil {
		t.Fatal("no customer found")
	}
	page := get(m[1])
	if !strings.Contains(page.Body, `href="`+m[1]+`/export"`) || !strings.Contains(page.Body, `action="`+m[1]+`/erase"`) {
		t.Fatalf("the customer page offers no copy or erasure:\n%s", page.Body)
	}
	zipped := env.Send(t, http.MethodGet, m[1]+"/export", "", "", "Cookie", cookie)
	zr, err := zip.NewReader(bytes.NewReader([]byte(zipped.Body)), int64(len(zipped.Body)))
	if zipped.Status != http.StatusOK || err != nil || len(zr.File) == 0 || zr.File[0].Name != "data.json" {
		t.Fatalf("the copy: %d %v", zipped.Status, err)
	}

	unticked := env.Send(t, http.MethodPost, m[1]+"/erase", "application/x-www-form-urlencoded", "", "Cookie", cookie)
	if unticked.Status != http.StatusUnprocessableEntity || !strings.Contains(unticked.Body, "Tick the box") {
		t.Errorf("erasure without the box: %d", unticked.Status)
	}
	if b := get("/staff/bookings/bk_pastada0000000000000"); !strings.Contains(b.Body, "Ada Byron") {
		t.Fatalf("an unticked erasure erased")
	}
	done := env.Send(t, http.MethodPost, m[1]+"/erase", "application/x-www-form-urlencoded", url.Values{"confirm": {"yes"}}.Encode(), "Cookie", cookie)
	if done.Status != http.StatusSeeOther {
		t.Fatalf("erasure: %d %s", done.Status, done.Body)
	}
	after := html.UnescapeString(get(done.Location).Body)
	if !strings.Contains(after, "The personal data of 1 past or cancelled booking is erased") {
		t.Errorf("the customer page after the erasure:\n%s", after)
	}
	past := html.UnescapeString(get("/staff/bookings/bk_pastada0000000000000").Body)
	if strings.Contains(past, "Ada Byron") || strings.Contains(past, "ada.byron@") || !strings.Contains(past, "personal data was erased") {
		t.Errorf("the erased booking's page:\n%s", past)
	}
	if p := get("/staff/bookings/" + coming.ID); !strings.Contains(p.Body, "Ada Byron") {
		t.Errorf("the coming booking lost its customer")
	}
	// Every staff screen that lists the erased booking says why it has no
	// name, rather than showing a tile or a line with an empty one.
	for _, path := range []string{"/staff/calendar?view=day&date=2026-11-20", "/staff/calendar?view=week&date=2026-11-20",
		"/staff/calendar/sheet?date=2026-11-20"} {
		body := html.UnescapeString(get(path).Body)
		if !strings.Contains(body, "Personal data erased") || strings.Contains(body, "Ada Byron") {
			t.Errorf("%s does not say the booking's personal data was erased:\n%s", path, body)
		}
	}
}
