package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/httpx"
)

// TestBrowserCatalogueAndAccounts: an admin adds a service with the form
// and a customer books it at once; withdrawn, it is no longer offered and
// its booking is listed for staff to move. An admin invites someone; the
// e-mail's link sets the password and the new account signs in. Every
// page passes the accessibility check and is photographed at 375 and
// 1280 px.
func TestBrowserCatalogueAndAccounts(t *testing.T) {
	b := MustStartBrowser(t)
	env, m := MustOpenMailEnv(t, httpx.Config{})
	env.MustCreateUser(t, "boss@example.com", "Boss Admin", "")
	admin := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(admin, env, "boss@example.com")

	admin.Go(env.URL + "/staff/services")
	admin.MustContain("Services", "Ring sizing", "Add a service")
	admin.CheckA11y("services")
	admin.Screenshots("60-staff-services")
	admin.Click(`//a[normalize-space()="Add a service"]`)
	admin.CheckA11y("new service")
	admin.Fill("name", "Hand engraving")
	admin.Fill("description", "Initials or a date inside a band, engraved by hand while you watch.")
	admin.Fill("duration", "45")
	admin.Choose(`//label[contains(normalize-space(.), "Arjun Nair")]`)
	admin.Screenshots("61-staff-service-new")
	admin.Click(`//button[normalize-space()="Add the service"]`)
	admin.MustContain("Hand engraving is added: customers can book it now.")

	// A customer books it, in the same minute, with no restart.
	customer := b.MustOpenTab(t, "Asia/Singapore", true)
	customer.Go(env.URL + "/")
	customer.Click(`//a[normalize-space()="Visit the atelier"]`)
	customer.WaitURL("tz")
	customer.MustContain("Hand engraving")
	customer.Click(`//a[contains(@class,"choice")][contains(., "Hand engraving")]`)
	// Arjun alone offers it: the flow goes straight to his free times.
	customer.MustContain("Choose a date and time")
	customer.Click(`//a[contains(@class,"day")][contains(., "Wednesday 9 December")]`)
	customer.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="2:00 pm"]]`)
	customer.Fill("name", "Ada Lovelace")
	customer.Fill("email", "ada@example.com")
	customer.Click(`//button[normalize-space()="Confirm the appointment"]`)
	customer.MustContain("Your appointment is confirmed", "Hand engraving", "Arjun Nair", "2:00 pm")

	// Withdrawn: no longer offered; the booking is listed to be moved.
	admin.Go(env.URL + "/staff/services")
	admin.Click(`//tr[.//a[normalize-space()="Hand engraving"]]//button[contains(., "Withdraw")]`)
	admin.MustContain("Hand engraving is withdrawn", "These bookings no longer fit", "Ada Lovelace", "Offer again")
	admin.CheckA11y("services after withdrawing")
	admin.Screenshots("62-staff-services-withdrawn")
	customer.Go(env.URL + "/")
	customer.Click(`//a[normalize-space()="Visit the atelier"]`)
	customer.WaitURL("tz")
	if strings.Contains(customer.Text("main"), "Hand engraving") {
		t.Error("customers are still offered the withdrawn service")
	}

	// The other catalogue pages.
	for _, pg := range []struct{ name, path string }{
		{"63-staff-service-edit", "/staff/services/ring-sizing"},
		{"64-staff-artisans", "/staff/artisans"},
		{"65-staff-artisan-edit", "/staff/artisans/mei/edit"},
		{"66-staff-artisan-new", "/staff/artisans/new"},
		{"67-staff-settings", "/staff/settings"},
	} {
		admin.Go(env.URL + pg.path)
		admin.CheckA11y(pg.name)
		admin.Screenshots(pg.name)
	}
	// Each artisan's hours and time off are one click from the list.
	admin.Go(env.URL + "/staff/artisans")
	admin.Click(`//a[contains(., "Hours and time off")][contains(., "Tan Mei Ling")]`)
	admin.MustContain("Working hours", "Time off")

	// An invitation.
	admin.Go(env.URL + "/staff/accounts")
	admin.CheckA11y("accounts")
	admin.Fill("email", "siti.staff@example.com")
	admin.Fill("name", "Siti Rahmah")
	admin.Choose(`//label[contains(., "An artisan:")]`)
	if err := chromedp.Do(admin.ctx, chromedp.SetValue(chromedp.ID("artisan"), "siti")); err != nil {
		t.Fatal(err)
	}
	admin.Screenshots("68-staff-accounts")
	admin.Click(`//button[normalize-space()="Send the invitation"]`)
	admin.MustContain("Siti Rahmah is invited", "Invited")
	admin.Click(`//a[normalize-space()="Siti Rahmah"]`)
	admin.CheckA11y("account")
	admin.Screenshots("69-staff-account")

	var link string
	for name, raw := range m.Run(t) {
		if strings.Contains(name, "staff_invite") {
			link = inviteLink.FindString(MustParseSent(t, raw).Text)
		}
	}
	if link == "" {
		t.Fatal("no invitation e-mail")
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	invited := b.MustOpenTab(t, "Asia/Singapore", true)
	invited.Go(env.URL + u.Path + "?" + u.RawQuery)
	invited.MustContain("Choose your password", "siti.staff@example.com")
	invited.CheckA11y("invitation")
	invited.Screenshots("70-staff-invite")
	invited.Fill("password", "a fine long passphrase")
	invited.Fill("confirm", "a fine long passphrase")
	invited.Click(`//button[normalize-space()="Set the password"]`)
	invited.MustContain("Your password is set")
	if got := invited.Value("email"); got != "siti.staff@example.com" {
		t.Errorf("the sign-in page has the address %q", got)
	}
	invited.Fill("password", "a fine long passphrase")
	invited.Click(`//button[normalize-space()="Sign in"]`)
	if got := invited.Location().Path; got != "/staff" {
		t.Fatalf("after signing in: %s\n%s", got, invited.Text("main"))
	}
	if nav := invited.Text(".staff-nav"); !strings.Contains(nav, "My hours and time off") || strings.Contains(nav, "Accounts") {
		t.Errorf("the new artisan's account has the navigation %q", nav)
	}
	// The link works once.
	invited.Go(env.URL + u.Path + "?" + u.RawQuery)
	invited.MustContain("This invitation no longer works")
}
