package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/mail"
)

// mustInvitation opens a commission for Ada and invites her to book req.
func (e *Env) mustInvitation(tb testing.TB, req app.InvitationRequest) (*app.CreatedInvitation, string) {
	tb.Helper()
	ctx := context.Background()
	cm, err := e.App.CreateCommission(ctx, testAdmin, app.CommissionRequest{Title: "Emerald engagement ring", Artisan: "mei",
		Customer: booking.Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+65 8123 4567"}})
	if err != nil {
		tb.Fatal(err)
	}
	ci, err := e.App.CreateInvitation(ctx, testAdmin, cm.ID, req)
	if err != nil {
		tb.Fatal(err)
	}
	return ci, cm.ID
}

// The invitation's link opens a page naming the step and the piece, with
// the staff's note and free times; a time chosen and the form sent (no
// script) books it for the commission's customer, and the link then says
// the step is booked. A revoked link and one that is not ours say so too.
func TestInvitationPage(t *testing.T) {
	env := MustOpenEnv(t)
	ci, cm := env.mustInvitation(t, app.InvitationRequest{Service: "fitting", Artisan: "mei", Note: "Bring the ring you wear on that finger."})
	path := app.InvitationPath + "?" + url.Values{"token": {ci.Token}}.Encode()
	p := env.MustGet(t, path)
	if p.Status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, p.Status, p.Body)
	}
	for _, want := range []string{"Fitting for your Emerald engagement ring", "Bring the ring you wear on that finger.", "Ada Lovelace (ada@example.com)",
		"Tan Mei Ling", `name="start" value="2026-12-02T12:30:00&#43;08:00"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the invitation's page lacks %q", want)
		}
	}
	if later := env.MustGet(t, path+"&from=2026-12-09"); !strings.Contains(later.Body, `value="2026-12-09T12:30:00&#43;08:00"`) || strings.Contains(later.Body, `value="2026-12-02T`) {
		t.Errorf("later days: want the times from 9 December only")
	}

	// Sent without a time: asked to choose one, nothing booked.
	form := url.Values{"token": {ci.Token}, "mode": {"in_person"}, "artisan": {"mei"}}
	if p := env.MustPost(t, app.InvitationPath, form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Please choose one of the free times.") {
		t.Errorf("no time: %d, want 422 asking for a time", p.Status)
	}
	form.Set("start", "2026-12-02T12:30:00+08:00")
	form.Set("notes", "My hands swell in the heat.")
	p = env.MustPost(t, app.InvitationPath, form)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/bookings/bk_") {
		t.Fatalf("book: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	c, err := env.App.StaffCommission(context.Background(), testAdmin, cm)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bookings) != 1 || c.Bookings[0].ServiceID != "fitting" || c.Bookings[0].Customer.Email != "ada@example.com" ||
		c.Bookings[0].Notes != "My hands swell in the heat." {
		t.Fatalf("the commission's bookings: %+v", c.Bookings)
	}
	if p := env.MustGet(t, p.Location); p.Status != http.StatusOK || !strings.Contains(p.Body, "Fitting") {
		t.Errorf("the booking's page: %d", p.Status)
	}

	// Used, the same link says so (and the form sent again books nothing).
	if p := env.MustGet(t, path); p.Status != http.StatusConflict || !strings.Contains(p.Body, "This step is booked") {
		t.Errorf("a used link: %d, want 409 saying the step is booked\n%s", p.Status, p.Body)
	}
	form.Set("start", "2026-12-02T14:00:00+08:00")
	if p := env.MustPost(t, app.InvitationPath, form); p.Status != http.StatusConflict {
		t.Errorf("the form sent again for another time: %d, want 409", p.Status)
	}

	rv, _ := env.mustInvitation(t, app.InvitationRequest{Service: "collection"})
	if _, err := env.App.RevokeInvitation(context.Background(), testAdmin, rv.Invitation.CommissionID, rv.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	if p := env.MustGet(t, app.InvitationPath+"?token="+url.QueryEscape(rv.Token)); p.Status != http.StatusGone ||
		!strings.Contains(p.Body, "This invitation was withdrawn") || !strings.Contains(p.Body, "hello@keongsaikatelier.example") {
		t.Errorf("a revoked link: %d, want 410 saying so with the atelier's address\n%s", p.Status, p.Body)
	}
	if p := env.MustGet(t, app.InvitationPath+"?token=not-ours"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "This link does not work") {
		t.Errorf("a link that is not ours: %d", p.Status)
	}
}

// An invitation that leaves the mode to the customer asks for it first
// (a design review can be a visit or a video call), with links.
func TestInvitationPageAsksTheMode(t *testing.T) {
	env := MustOpenEnv(t)
	ci, _ := env.mustInvitation(t, app.InvitationRequest{Service: "design-review"})
	path := app.InvitationPath + "?" + url.Values{"token": {ci.Token}}.Encode()
	p := env.MustGet(t, path)
	if p.Status != http.StatusOK || strings.Contains(p.Body, `name="start"`) || !strings.Contains(p.Body, "mode=virtual") {
		t.Fatalf("the design review's page: %d, want the choice of mode first\n%s", p.Status, p.Body)
	}
	p = env.MustGet(t, path+"&mode=virtual")
	if !strings.Contains(p.Body, `name="start"`) || !strings.Contains(p.Body, "Design review for your Emerald engagement ring") {
		t.Errorf("by video call: want its free times\n%s", p.Body)
	}
}

// On a commission's staff page, "Invite to book the next step" offers the
// services customers are not shown, refuses a wrong number of days beside
// its field, sends the invitation by e-mail and lists it, with a Revoke
// button that stops its link.
func TestStaffInviteForm(t *testing.T) {
	env := mustOpenEnv(t, httpx.Config{}, envOptions{parts: func(d *app.Deps, e *Env) {
		d.InvitationMail = mail.InvitationJob(mail.Options{From: &gomail.Address{Name: "Atelier", Address: "bookings@atelier.example"},
			PublicURL: e.URL, Now: func() time.Time { return Now }})
	}})
	cm, err := env.App.CreateCommission(context.Background(), testAdmin, app.CommissionRequest{Title: "Emerald engagement ring", Artisan: "mei",
		Customer: booking.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	cookie := staffLogin(t, env)
	page := "/staff/commissions/" + cm.ID
	get := func() Page {
		t.Helper()
		p := env.Send(t, http.MethodGet, page, "", "", "Cookie", cookie)
		if p.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", page, p.Status)
		}
		return p
	}
	if p := get(); !strings.Contains(p.Body, "Invite to book the next step") || !strings.Contains(p.Body, `<option value="fitting">Fitting (invitation only)</option>`) {
		t.Fatalf("the commission's page lacks the invitation form:\n%s", p.Body)
	}
	post := func(path string, form url.Values) Page {
		t.Helper()
		return env.Send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	}
	form := url.Values{"service": {"fitting"}, "mode": {""}, "artisan": {"mei"}, "expires_days": {"0"}, "note": {"Bring the ring."}}
	if p := post(page+"/invitations", form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "The days must be between 1 and 365 days.") ||
		!strings.Contains(p.Body, "Bring the ring.") {
		t.Fatalf("0 days: %d, want 422 with the error beside the field and the note kept\n%s", p.Status, p.Body)
	}
	if n := env.MailsTo(t, "ada@example.com"); n != 0 {
		t.Fatalf("%d e-mails after a refused invitation", n)
	}
	form.Set("expires_days", "14")
	if p := post(page+"/invitations", form); p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "?saved=invited") {
		t.Fatalf("invite: %d %s", p.Status, p.Location)
	}
	if n := env.MailsTo(t, "ada@example.com"); n != 1 {
		t.Errorf("%d invitation e-mails to the customer, want 1", n)
	}
	p := get()
	if !strings.Contains(p.Body, "Fitting · Tan Mei Ling") || !strings.Contains(p.Body, "Waiting for the customer") {
		t.Fatalf("the invitations sent:\n%s", p.Body)
	}
	revoke := regexp.MustCompile(`action="(/staff/commissions/[^"]+/revoke)"`).FindStringSubmatch(p.Body)
	if revoke == nil {
		t.Fatal("no Revoke button")
	}
	if p := post(html.UnescapeString(revoke[1]), url.Values{}); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if p := get(); !strings.Contains(p.Body, ">Revoked<") || strings.Contains(p.Body, ">Revoke<") {
		t.Errorf("after revoking: want it Revoked, with no button")
	}
	ivs, err := env.App.CommissionInvitations(context.Background(), testAdmin, cm.ID)
	if err != nil || len(ivs) != 1 || ivs[0].State(Now) != booking.InvitationRevoked {
		t.Errorf("stored: %+v %v", ivs, err)
	}
}
