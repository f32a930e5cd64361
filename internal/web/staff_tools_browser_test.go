package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestBrowserStaffTools: staff book a free time picked from the picker
// (today, inside the customers' notice), search finds a booking by its
// upper-case reference and a customer by part of a name from the box of
// every staff page, and the customer's page shows their past and coming
// bookings; axe-core on each page, screenshots at 375 and 1280 px.
func TestBrowserStaffTools(t *testing.T) {
	b := MustStartBrowser(t)
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	grace := booking.Customer{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+1 212 555 0100", Timezone: "America/New_York"}
	env.MustPastBooking(t, "bk_pastgrace00000000000", time.Date(2026, 11, 20, 14, 0, 0, 0, Singapore), grace)
	coming := env.mustBookFor(t, time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore), grace)
	env.MustMailState(t, coming.ID)

	tab := b.MustOpenTab(t, "Asia/Singapore", true)
	tab.Go(env.URL + "/staff/login")
	tab.Fill("email", "boss@example.com")
	tab.Fill("password", StaffPassword)
	tab.Click(`//button[normalize-space()="Sign in"]`)

	// New booking: pick today's first free time of Mei.
	tab.Click(`//nav[@aria-label="Staff"]//a[normalize-space()="New booking"]`)
	const today = "Tuesday 1 December 2026"
	tab.PickerSet("service", "bespoke-design", today)
	tab.PickerSet("mode", "virtual", today)
	tab.PickerSet("artisan", "mei", today)
	tab.PickerSet("tz", "Europe/London", today)
	tab.MustContain("for the customer")
	tab.CheckA11y("staff new booking picker")
	tab.Screenshots("30-staff-new-picker")
	first := tab.Text(`(//ul[@class="slots"]//label)[1]//span[@class="slot-time"]`)
	tab.Choose(`(//ul[@class="slots"]//label)[1]`)
	tab.Fill("name", "Ada Lovelace")
	tab.Fill("email", "ada@example.org")
	tab.Click(`//button[normalize-space()="Book"]`)
	tab.MustContain("The booking is made", "Tuesday 1 December 2026, "+first, "Ada Lovelace")
	made := strings.TrimPrefix(tab.Location().Path, "/staff/bookings/")
	if got := mustStored(t, env, made); booking.DateOf(got.Start.In(Singapore)) != (booking.Date{Year: 2026, Month: 12, Day: 1}) || got.Customer.Timezone != "Europe/London" {
		t.Errorf("booked %s for a customer in %q, want today for London", got.Start, got.Customer.Timezone)
	}

	// The search box of every staff page: the upper-case reference.
	tab.Fill("staff-q", strings.ToUpper(coming.ID))
	tab.Click(`//form[@role="search"]//button[normalize-space()="Search"]`)
	tab.MustContain("Bookings", "Thu 10 Dec 2026, 2:00 pm", strings.ToUpper(coming.ID))
	tab.CheckA11y("staff search")
	tab.Screenshots("31-staff-search")

	// Part of a name finds the customer; their page has both bookings.
	tab.Fill("staff-q", "hopp")
	tab.Click(`//form[@role="search"]//button[normalize-space()="Search"]`)
	tab.MustContain("Customers", "Grace Hopper", "2 bookings")
	tab.Click(`//ul[@class="found-list"]//a[normalize-space()="Grace Hopper"]`)
	tab.MustContain("Grace Hopper", "Coming", "Thu 10 Dec 2026, 2:00 pm", "Past", "Fri 20 Nov 2026, 2:00 pm", "Book again")
	coming_, past := tab.Text(`//section[@aria-labelledby="c-coming"]`), tab.Text(`//section[@aria-labelledby="c-past"]`)
	// The tags are set in capitals by the style sheet.
	if !strings.Contains(coming_, "10 Dec") || !strings.Contains(strings.ToLower(coming_), "1 e-mail not delivered") || !strings.Contains(past, "20 Nov") {
		t.Errorf("coming:\n%s\npast:\n%s", coming_, past)
	}
	tab.CheckA11y("staff customer")
	tab.Screenshots("32-staff-customer")
	tab.Fill("notes", "Ring size 52.")
	tab.Click(`//button[normalize-space()="Save the notes"]`)
	tab.MustContain("The notes are saved")
	tab.Click(`//a[normalize-space()="Book again"]`)
	if got := tab.Value("email"); got != "grace@example.com" {
		t.Errorf("Book again: e-mail %q", got)
	}
}
