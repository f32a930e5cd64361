package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestInvitationEndToEnd (issue 13): staff open a commission and invite
// its customer to book a fitting, a service customers are not shown; the
// customer gets the private link by e-mail, sees the fitting's times only
// with its token, books it with nothing but the token and a time, and the
// commission lists the booking; the link then books nothing more (409), and
// a revoked invitation is 410, on the API and on its page.
func TestInvitationEndToEnd(t *testing.T) {
	s := newTestServer(t)
	s.start()
	admin := s.signIn("admin@example.com", "admin", "")
	var cm struct{ ID string }
	call(t, admin, http.MethodPost, s.base+"/api/v1/staff/commissions", map[string]any{
		"title": "Emerald engagement ring", "artisan": "mei",
		"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+65 8123 4567"},
	}, http.StatusCreated, &cm)
	invitations := s.base + "/api/v1/staff/commissions/" + cm.ID + "/invitations"
	var iv struct{ ID, URL, Token string }
	call(t, admin, http.MethodPost, invitations, map[string]any{
		"service": "fitting", "artisan": "mei", "note": "Please bring the ring you wear on that finger.",
	}, http.StatusCreated, &iv)
	if !strings.HasPrefix(iv.URL, s.base+"/book/invitation?token=") {
		t.Fatalf("the invitation's link: %q", iv.URL)
	}

	// The e-mail: the private link and the note, in the customer's words.
	mail := mailText(t, s.customerMail("invitation", "none"))
	for _, want := range []string{"Book your Fitting: Emerald engagement ring", iv.URL, "Please bring the ring you wear on that finger.", "Dear Ada,"} {
		if !strings.Contains(mail, want) {
			t.Errorf("the invitation's e-mail lacks %q:\n%s", want, mail)
		}
	}

	// Customers are not shown the fitting; its times need the token.
	var services []struct{ ID string }
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/services", nil, http.StatusOK, &services)
	for _, sv := range services {
		if sv.ID == "fitting" {
			t.Fatal("GET /api/v1/services lists the fitting")
		}
	}
	days := "from=" + time.Now().AddDate(0, 0, 2).Format(time.DateOnly) + "&to=" + time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/availability?service=fitting&mode=in_person&"+days, nil, http.StatusUnprocessableEntity, nil)
	var av struct {
		Service string
		Slots   []struct{ Start string }
	}
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/availability?invitation="+url.QueryEscape(iv.Token)+"&"+days, nil, http.StatusOK, &av)
	if av.Service != "fitting" || len(av.Slots) < 2 {
		t.Fatalf("the invitation's times: %+v", av)
	}

	// Booked with the token and a time only.
	var b struct {
		ID, Service, Artisan string
		Customer             struct{ Name, Email string }
	}
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{"invitation": iv.Token, "start": av.Slots[0].Start}, http.StatusCreated, &b)
	if b.Service != "fitting" || b.Artisan != "mei" || b.Customer.Email != "ada@example.com" {
		t.Errorf("booked: %+v", b)
	}
	var c struct{ Bookings []struct{ ID string } }
	call(t, admin, http.MethodGet, s.base+"/api/v1/staff/commissions/"+cm.ID, nil, http.StatusOK, &c)
	if len(c.Bookings) != 1 || c.Bookings[0].ID != b.ID {
		t.Errorf("the commission's bookings: %+v, want %s", c.Bookings, b.ID)
	}
	var problem struct{ Code string }
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{"invitation": iv.Token, "start": av.Slots[1].Start}, http.StatusConflict, &problem)
	if problem.Code != "invitation_used" {
		t.Errorf("a second use: %q, want invitation_used", problem.Code)
	}

	// Revoked: 410 on the API and on the link's page.
	var rv struct{ ID, URL, Token string }
	call(t, admin, http.MethodPost, invitations, map[string]any{"service": "collection", "expires_days": 14}, http.StatusCreated, &rv)
	call(t, admin, http.MethodDelete, invitations+"/"+rv.ID, nil, http.StatusOK, nil)
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{"invitation": rv.Token, "start": av.Slots[1].Start}, http.StatusGone, &problem)
	if problem.Code != "invitation_revoked" {
		t.Errorf("a revoked one: %q, want invitation_revoked", problem.Code)
	}
	resp, err := http.Get(rv.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || !strings.Contains(string(page), "This invitation was withdrawn") {
		t.Errorf("the revoked link's page: %d\n%s", resp.StatusCode, page)
	}
}
