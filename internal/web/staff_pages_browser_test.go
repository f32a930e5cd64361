package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// staffSignIn signs tab in as email through the sign-in page.
func staffSignIn(tab *Tab, env *Env, email string) {
	tab.t.Helper()
	tab.Go(env.URL + "/staff/login")
	tab.Fill("email", email)
	tab.Fill("password", StaffPassword)
	tab.Click(`//button[normalize-space()="Sign in"]`)
	if got := tab.Location().Path; got == "/staff/login" {
		tab.t.Fatalf("signing in as %s failed:\n%s", email, tab.Text("main"))
	}
}

// TestBrowserStaffPages: every staff page, for an admin and for an
// artisan's account, passes the accessibility check and is photographed
// at 375 and 1280 px (ATELIER_SCREENSHOTS=dir keeps the pictures); the day
// sheet also as printed. On a phone the calendar opens on the day.
func TestBrowserStaffPages(t *testing.T) {
	b := MustStartBrowser(t)
	env := mustOpenCalendarEnv(t)
	env.MustCreateUser(t, "mei@example.com", "Tan Mei Ling", "mei")
	today, err := env.App.StaffCreateBooking(context.Background(), testAdmin, app.BookingRequest{
		Service: "private-viewing", Mode: booking.InPerson, Artisan: "mei", Start: time.Date(2026, 12, 1, 15, 0, 0, 0, Singapore),
		Customer: booking.Customer{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+65 8123 4567"}, Notes: "Her mother's sapphire",
	}, app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := today.Booking

	admin := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(admin, env.Env, "boss@example.com")
	for _, pg := range []struct{ name, path string }{
		{"30-staff-home", "/staff"},
		{"31-staff-week", "/staff/calendar?view=week&date=2026-12-09"},
		{"32-staff-day", "/staff/calendar?view=day&date=2026-12-09"},
		{"33-staff-today", "/staff/calendar?view=day&date=2026-12-01"},
		{"34-staff-sheet", "/staff/calendar/sheet?date=2026-12-01"},
		{"35-staff-booking", "/staff/bookings/" + v.ID},
		{"36-staff-move", "/staff/bookings/" + v.ID + "/reschedule"},
		{"37-staff-move-confirm", "/staff/bookings/" + v.ID + "/move?date=2026-12-02&time=15:00"},
		{"38-staff-cancel", "/staff/bookings/" + v.ID + "/cancel"},
		{"39-staff-new", "/staff/bookings/new"},
		{"40-staff-hours", "/staff/hours"},
		{"41-staff-artisan", "/staff/artisans/mei"},
		{"60-staff-search", "/staff/search?q=grace"},
		{"61-staff-customers", "/staff/customers"},
		{"62-staff-artisans", "/staff/artisans"},
		{"63-staff-artisan-new", "/staff/artisans/new"},
		{"64-staff-artisan-edit", "/staff/artisans/mei/edit"},
		{"65-staff-services", "/staff/services"},
		{"66-staff-service-new", "/staff/services/new"},
		{"67-staff-service", "/staff/services/bespoke-design"},
		{"68-staff-settings", "/staff/settings"},
		{"69-staff-accounts", "/staff/accounts"},
	} {
		admin.Go(env.URL + pg.path)
		admin.CheckA11y(pg.name)
		admin.Screenshots(pg.name)
	}

	// A customer's page, as the search leads to it.
	admin.Go(env.URL + "/staff/search?q=grace")
	admin.Click(`//main//a[contains(@href, "/staff/customers/")]`)
	admin.CheckA11y("staff customer")
	admin.Screenshots("70-staff-customer")

	// The day sheet as printed.
	admin.Go(env.URL + "/staff/calendar/sheet?date=2026-12-09")
	if _, err := chromedp.Call(admin.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	admin.Screenshots("42-staff-sheet-print")
	pdf, err := chromedp.Call(admin.ctx, page.PrintToPDF, page.PrintToPDFParams{})
	if err != nil {
		t.Fatalf("printing the day sheet: %v", err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, "42-staff-sheet.pdf"), pdf.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Each of the three artisans starts a page of their own.
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf.Data, -1)); n != 3 {
		t.Errorf("the printed day sheet of three artisans has %d pages, want 3", n)
	}
	if _, err := chromedp.Call(admin.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	mei := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(mei, env.Env, "mei@example.com")
	for _, pg := range []struct{ name, path string }{
		{"45-artisan-home", "/staff"},
		{"46-artisan-week", "/staff/calendar?view=week&date=2026-12-09"},
		{"47-artisan-hours", "/staff/artisans/mei"},
		{"48-artisan-customers", "/staff/customers"},
	} {
		mei.Go(env.URL + pg.path)
		mei.CheckA11y(pg.name)
		mei.Screenshots(pg.name)
	}

	// A phone opening the calendar (no view named, no client hint) is
	// shown the day.
	phone := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(phone, env.Env, "boss@example.com")
	if err := chromedp.Do(phone.ctx, chromedp.EmulateViewport(375, 800)); err != nil {
		t.Fatal(err)
	}
	phone.Go(env.URL + "/staff/calendar")
	phone.WaitURL("view")
	if got := phone.Location().Query().Get("view"); got != "day" {
		t.Errorf("a phone opening the calendar sees the %q view, want the day", got)
	}
}
