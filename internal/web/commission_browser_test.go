package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// TestBrowserCommissions: the commission board with an overdue piece said
// in words, a commission's page, the Open a commission form (fresh and
// from a booking) and the customer's page of a commission, each checked
// with axe-core and photographed at both widths, without script; the
// stage changes through the page's form, and "Open a commission" from a
// booking's page opens one that the board lists.
func TestBrowserCommissions(t *testing.T) {
	b := MustStartBrowser(t)
	env := mustOpenCalendarEnv(t)
	ctx := context.Background()
	made, err := env.App.StaffCreateBooking(ctx, testAdmin, app.BookingRequest{
		Service: "bespoke-design", Mode: booking.Virtual, Artisan: "mei", Start: time.Date(2026, 12, 10, 14, 0, 0, 0, Singapore),
		Customer: booking.Customer{Name: "Grace Hopper", Email: "grace@example.com"},
	}, app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := env.App.CreateCommission(ctx, testAdmin, app.CommissionRequest{
		Title: "Sapphire ring", Booking: made.Booking.ID, NeededBy: "2026-12-12", Notes: "Her mother's sapphire, reset",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.CreateCommission(ctx, testAdmin, app.CommissionRequest{
		Title: "Wedding bands", Artisan: "arjun", Stage: "making", NeededBy: "2026-12-05",
		Customer: booking.Customer{Name: "Ada Lovelace", Email: "ada@example.org"},
	}); err != nil {
		t.Fatal(err)
	}
	other, err := env.App.StaffCreateBooking(ctx, testAdmin, app.BookingRequest{
		Service: "bespoke-design", Mode: booking.Virtual, Artisan: "mei", Start: time.Date(2026, 12, 15, 14, 0, 0, 0, Singapore),
		Customer: booking.Customer{Name: "Hedy Lamarr", Email: "hedy@example.net"},
	}, app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	admin := b.MustOpenTab(t, "Asia/Singapore", false)
	staffSignIn(admin, env.Env, "boss@example.com")
	for _, pg := range []struct{ name, path string }{
		{"80-staff-commissions", "/staff/commissions"},
		{"81-staff-commission", "/staff/commissions/" + cm.ID},
		{"82-staff-commission-new", "/staff/commissions/new"},
		{"83-staff-commission-from-booking", "/staff/commissions/new?booking=" + other.Booking.ID},
	} {
		admin.Go(env.URL + pg.path)
		admin.CheckA11yWithoutScript(pg.name)
		admin.Screenshots(pg.name)
	}
	admin.Go(env.URL + "/staff/commissions")
	admin.MustContain("1 commission needs its next appointment booked", "Wedding bands", "OVERDUE",
		"needed by Saturday 5 December 2026 and no next appointment is booked", "Sapphire ring", "Nothing booked")

	// The stage, through the page's form.
	admin.Go(env.URL + "/staff/commissions/" + cm.ID)
	admin.Select("stage", "approved")
	admin.Click(`//button[normalize-space()="Change the stage"]`)
	admin.MustContain("The stage is changed.", "Approved")

	// Open a commission from a booking's page.
	admin.Go(env.URL + "/staff/bookings/" + other.Booking.ID)
	admin.Click(`//a[normalize-space()="Open a commission"]`)
	admin.Fill("title", "Art deco brooch")
	admin.Click(`//button[normalize-space()="Open the commission"]`)
	admin.MustContain("The commission is open.", "Art deco brooch", "Hedy Lamarr")
	admin.Go(env.URL + "/staff/commissions")
	admin.MustContain("Art deco brooch")

	// The customer's page, from the booking's manage link.
	customer := b.MustOpenTab(t, "Asia/Singapore", false)
	customer.Go(env.URL + "/bookings/" + made.Booking.ID + "?token=" + made.ManageToken)
	customer.Click(`//a[normalize-space()="See every appointment for your piece"]`)
	customer.MustContain("Sapphire ring", "Where it is now: Design approved.", "Coming appointments")
	customer.CheckA11yWithoutScript("84-customer-commission")
	customer.Screenshots("84-customer-commission")
}
