package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/atelier-app/atelier/internal/app"
)

// TestBrowserInvitationPages: the customer's page of an invitation and a
// commission's staff page with "Invite to book the next step" and an
// invitation sent pass the accessibility check, at 375 and 1280 px.
func TestBrowserInvitationPages(t *testing.T) {
	b := MustStartBrowser(t)
	env := MustOpenEnv(t)
	ci, cm := env.mustInvitation(t, app.InvitationRequest{Service: "fitting", Note: "Bring the ring you wear on that finger."})
	if _, err := env.App.CreateInvitation(context.Background(), testAdmin, cm, app.InvitationRequest{Service: "collection"}); err != nil {
		t.Fatal(err)
	}
	customer := b.MustOpenTab(t, "Asia/Singapore", true)
	customer.Go(env.URL + app.InvitationPath + "?" + url.Values{"token": {ci.Token}}.Encode())
	customer.CheckA11y("invitation")
	customer.Screenshots("80-invitation")

	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	admin := b.MustOpenTab(t, "Asia/Singapore", true)
	staffSignIn(admin, env, "boss@example.com")
	admin.Go(env.URL + "/staff/commissions/" + cm)
	admin.CheckA11y("staff commission with invitations")
	admin.Screenshots("81-staff-commission-invitations")
}
