package web_test

import (
	"testing"
	"time"
)

// staffSignIn signs tab in as email through the sign-in page.
func staffSignIn(tab *Tab, env *Env, email string) {
	tab.t.Helper()
	tab.Go(env.URL + "/staff/login")
	tab.Fill("email", email)
	tab.Fill("password", StaffPassword)
	tab.Click(`//button[normalize-space()="Sign in"]`)
}

// TestBrowserStaffPages: every staff page, for an admin and for an
// artisan's account, passes the accessibility check and is photographed
// at 375 and 1280 px (ATELIER_SCREENSHOTS=dir keeps the pictures).
func TestBrowserStaffPages(t *testing.T) {
	b := MustStartBrowser(t)
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	env.MustCreateUser(t, "mei@example.com", "Mei Tanaka", "mei")
	v := env.MustBookAs(t, "private-viewing", "mei", time.Date(2026, 12, 2, 14, 0, 0, 0, Singapore), "Grace Hopper")

	admin := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(admin, env, "boss@example.com")
	for _, pg := range []struct{ name, path string }{
		{"30-staff-week", "/staff/calendar?view=week&date=2026-12-02"},
		{"31-staff-day", "/staff/calendar?view=day&date=2026-12-02"},
		{"32-staff-booking", "/staff/bookings/" + v.ID},
		{"33-staff-new", "/staff/bookings/new"},
		{"34-staff-hours", "/staff/hours"},
		{"35-staff-artisan", "/staff/artisans/mei"},
		{"36-staff-move", "/staff/bookings/" + v.ID + "/reschedule"},
		{"37-staff-cancel", "/staff/bookings/" + v.ID + "/cancel"},
	} {
		admin.Go(env.URL + pg.path)
		admin.CheckA11y(pg.name)
		admin.Screenshots(pg.name)
	}

	mei := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(mei, env, "mei@example.com")
	for _, pg := range []struct{ name, path string }{
		{"40-artisan-week", "/staff/calendar?view=week&date=2026-12-02"},
		{"41-artisan-hours", "/staff/artisans/mei"},
	} {
		mei.Go(env.URL + pg.path)
		mei.CheckA11y(pg.name)
		mei.Screenshots(pg.name)
	}
}
