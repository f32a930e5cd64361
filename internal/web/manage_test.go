package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestReferenceIsTheFullID checks that the pages show a booking's
// reference exactly as the e-mails and the API do ("bk_…"), so a customer
// quoting it to staff, or searching their mail for it, finds it.
func TestReferenceIsTheFullID(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	cookie := env.mustSignIn(t, "boss@example.com")
	bk := env.MustBookIn(t, "private-viewing", "in_person", "", time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore), "Europe/London")
	if !strings.HasPrefix(bk.ID, "bk_") {
		t.Fatalf("booking id %q has no bk_ prefix", bk.ID)
	}
	u, err := url.Parse(bk.Links.Manage)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		headers    []string
		want       []string
	}{
		{"ManagePage", u.RequestURI(), nil, []string{"Reference " + bk.ID}},
		{"StaffBookingPage", "/staff/bookings/" + bk.ID, []string{"Cookie", cookie}, []string{"Reference " + bk.ID, "<title>Booking " + bk.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := env.Send(t, http.MethodGet, tc.path, "", "", tc.headers...)
			if p.Status != http.StatusOK {
				t.Fatalf("GET %s: status %d", tc.path, p.Status)
			}
			body := html.UnescapeString(p.Body)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}
