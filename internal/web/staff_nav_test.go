package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// navEntries lists the entries of the staff navigation of a page, in
// order, as "label -> address", the current one marked with a star.
func navEntries(t *testing.T, body string) []string {
	t.Helper()
	i := strings.Index(body, `<nav class="staff-nav" aria-label="Staff">`)
	if i < 0 {
		t.Fatalf("no staff navigation in the page:\n%s", body)
	}
	nav := body[i:]
	nav = nav[:strings.Index(nav, "</nav>")]
	var out []string
	for _, m := range regexp.MustCompile(`<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>`).FindAllStringSubmatch(nav, -1) {
		e := m[3] + " -> " + m[1]
		if m[2] != "" {
			e = "*" + e
		}
		out = append(out, e)
	}
	return out
}

// adminNav is an admin's navigation with current marked.
func adminNav(current string) []string {
	var out []string
	for _, e := range []string{"Today -> /staff", "Calendar -> /staff/calendar", "New booking -> /staff/bookings/new",
		"Customers -> /staff/customers", "Commissions -> /staff/commissions", "Artisans -> /staff/artisans", "Services -> /staff/services", "Hours and closures -> /staff/hours",
		"Accounts -> /staff/accounts", "Settings -> /staff/settings"} {
		if strings.HasPrefix(e, current+" -> ") {
			e = "*" + e
		}
		out = append(out, e)
	}
	return out
}

// TestStaffNavigation: every staff page carries the same navigation, with
// the page's own section marked; an admin sees the atelier's hours, an
// artisan's account its own hours and time off instead, and no page of
// the atelier's settings.
func TestStaffNavigation(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	env.MustCreateUser(t, "mei@example.com", "Mei Tanaka", "mei")
	for _, tc := range []struct {
		name, email, path string
		want              []string
	}{
		{"AdminHome", "boss@example.com", "/staff", adminNav("Today")},
		{"AdminCalendar", "boss@example.com", "/staff/calendar", adminNav("Calendar")},
		{"AdminNewBooking", "boss@example.com", "/staff/bookings/new?key=AAAAAAAAAAAAAAAAAAAAAA", adminNav("New booking")},
		{"AdminArtisans", "boss@example.com", "/staff/artisans", adminNav("Artisans")},
		{"AdminOneArtisan", "boss@example.com", "/staff/artisans/mei", adminNav("Artisans")},
		{"AdminArtisanDetails", "boss@example.com", "/staff/artisans/mei/edit", adminNav("Artisans")},
		{"AdminServices", "boss@example.com", "/staff/services", adminNav("Services")},
		{"AdminNewService", "boss@example.com", "/staff/services/new", adminNav("Services")},
		{"AdminHours", "boss@example.com", "/staff/hours", adminNav("Hours and closures")},
		{"AdminAccounts", "boss@example.com", "/staff/accounts", adminNav("Accounts")},
		{"AdminSettings", "boss@example.com", "/staff/settings", adminNav("Settings")},
		{"AdminCustomers", "boss@example.com", "/staff/customers", adminNav("Customers")},
		{"AdminCommissions", "boss@example.com", "/staff/commissions", adminNav("Commissions")},
		{"AdminNewCommission", "boss@example.com", "/staff/commissions/new", adminNav("Commissions")},
		{"ArtisanCommissions", "mei@example.com", "/staff/commissions", []string{
			"Today -> /staff", "Calendar -> /staff/calendar", "New booking -> /staff/bookings/new", "Customers -> /staff/customers", "*Commissions -> /staff/commissions", "My hours and time off -> /staff/artisans/mei"}},
		{"ArtisanCustomers", "mei@example.com", "/staff/customers", []string{
			"Today -> /staff", "Calendar -> /staff/calendar", "New booking -> /staff/bookings/new", "*Customers -> /staff/customers", "Commissions -> /staff/commissions", "My hours and time off -> /staff/artisans/mei"}},
		{"ArtisanHome", "mei@example.com", "/staff", []string{
			"*Today -> /staff", "Calendar -> /staff/calendar", "New booking -> /staff/bookings/new", "Customers -> /staff/customers", "Commissions -> /staff/commissions", "My hours and time off -> /staff/artisans/mei"}},
		{"ArtisanOwnHours", "mei@example.com", "/staff/artisans/mei", []string{
			"Today -> /staff", "Calendar -> /staff/calendar", "New booking -> /staff/bookings/new", "Customers -> /staff/customers", "Commissions -> /staff/commissions", "*My hours and time off -> /staff/artisans/mei"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cookie := env.mustSignIn(t, tc.email)
			p := env.Send(t, "GET", tc.path, "", "", "Cookie", cookie)
			if p.Status != 200 {
				t.Fatalf("GET %s: %d", tc.path, p.Status)
			}
			got := navEntries(t, p.Body)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("navigation of %s:\n%s\nwant:\n%s", tc.path, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if !strings.Contains(p.Body, "Sign out") {
				t.Errorf("no way to sign out on %s", tc.path)
			}
		})
	}
}
