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

// TestMovePagesNameTheZone checks that the pages of a move say in which
// zone the current and the new time are, and for a visit also give the
// time at the atelier, as the manage page does.
func TestMovePagesNameTheZone(t *testing.T) {
	env := MustOpenEnv(t)
	start := time.Date(2026, 12, 9, 14, 0, 0, 0, Singapore) // 6:00 am in London
	visit := env.MustBookIn(t, "private-viewing", "in_person", "", start, "Europe/London")
	call := env.MustBookIn(t, "bespoke-design", "virtual", "", start, "Europe/London")
	to := time.Date(2026, 12, 11, 13, 0, 0, 0, Singapore).Format(time.RFC3339) // 5:00 am in London
	for _, tc := range []struct {
		name    string
		bk      string // manage link
		path    string // after /bookings/{id}
		query   url.Values
		want    []string
		notWant []string
	}{
		{
			name: "VisitNow", bk: visit.Links.Manage, path: "/reschedule",
			want: []string{"Now: Wednesday 9 December 2026, 6:00 am – 7:00 am (Europe / London), which is Wednesday 9 December 2026, 2:00 pm – 3:00 pm in Singapore."},
		},
		{
			name: "VisitNowInAtelierZone", bk: visit.Links.Manage, path: "/reschedule", query: url.Values{"tz": {"Asia/Singapore"}},
			want:    []string{"Now: Wednesday 9 December 2026, 2:00 pm – 3:00 pm (Asia / Singapore)."},
			notWant: []string{"which is"},
		},
		{
			name: "VideoCallNow", bk: call.Links.Manage, path: "/reschedule",
			want:    []string{"Now: Wednesday 9 December 2026, 6:00 am – 7:30 am (Europe / London)."},
			notWant: []string{"which is", "in Singapore"},
		},
		{
			name: "VisitConfirm", bk: visit.Links.Manage, path: "/reschedule/confirm", query: url.Values{"start": {to}},
			want: []string{
				"<h2>From</h2><p>Wednesday 9 December 2026, 6:00 am – 7:00 am <span class=\"muted\">(Europe / London)</span></p><p class=\"muted\">Wednesday 9 December 2026, 2:00 pm – 3:00 pm in Singapore</p>",
				"<h2>To</h2><p>Friday 11 December 2026, 5:00 am – 6:00 am <span class=\"muted\">(Europe / London)</span></p><p class=\"muted\">Friday 11 December 2026, 1:00 pm – 2:00 pm in Singapore</p>",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.bk)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			for k, v := range tc.query {
				q[k] = v
			}
			p := env.MustGet(t, u.Path+tc.path+"?"+q.Encode())
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			body := html.UnescapeString(p.Body)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}
