package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestPagesReadReferencesInAnyCase: the pages print a reference in
// capitals ("BK_…"), so a reference typed or passed back that way opens
// the booking on the manage and staff pages, and changes through it reach
// the booking.
func TestPagesReadReferencesInAnyCase(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	bk := env.MustBookIn(t, "private-viewing", "in_person", "", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
	u, err := url.Parse(bk.Links.Manage)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	upper := strings.ToUpper(bk.ID)
	for _, tc := range []struct {
		name, path string
		headers    []string
	}{
		{"ManagePage", "/bookings/" + upper + "?token=" + url.QueryEscape(token), nil},
		{"CancelPage", "/bookings/" + upper + "/cancel?token=" + url.QueryEscape(token), nil},
		{"MovePage", "/bookings/" + upper + "/reschedule?token=" + url.QueryEscape(token), nil},
		{"StaffBookingPage", "/staff/bookings/" + upper, []string{"Cookie", cookie}},
		{"StaffMovePage", "/staff/bookings/" + upper + "/reschedule", []string{"Cookie", cookie}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := env.Send(t, http.MethodGet, tc.path, "", "", tc.headers...)
			if p.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", tc.path, p.Status)
			}
			if !strings.Contains(html.UnescapeString(p.Body), bk.ID) {
				t.Errorf("GET %s does not show the booking %s", tc.path, bk.ID)
			}
		})
	}
	p := env.Send(t, http.MethodPost, "/staff/bookings/"+upper+"/notes", "application/x-www-form-urlencoded",
		url.Values{"staff_notes": {"Prefers emeralds."}}.Encode(), "Cookie", cookie)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("staff notes through %s: %d", upper, p.Status)
	}
	if page := env.Send(t, http.MethodGet, "/staff/bookings/"+bk.ID, "", "", "Cookie", cookie); !strings.Contains(page.Body, "Prefers emeralds.") {
		t.Error("the notes saved through the capital reference are not the booking's")
	}
	p = env.MustPost(t, "/bookings/"+upper+"/cancel", url.Values{"token": {token}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("cancel through %s: %d", upper, p.Status)
	}
	if got := mustStored(t, env, bk.ID); got.Status != booking.Cancelled {
		t.Errorf("after the cancel through %s the booking is %s", upper, got.Status)
	}
}
