package gcal_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
)

func TestOAuthState(t *testing.T) {
	o := gcal.NewOAuth("cid", "secret", "https://atelier.test/cb", gcaltest.NewStore())
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	state := o.NewState("session-a", "ana", now)
	other := gcal.NewOAuth("cid", "secret", "https://atelier.test/cb", gcaltest.NewStore())
	parts := strings.Split(state, ".")
	tampered := strings.Join(append([]string{"YmVu"}, parts[1:]...), ".") // "ben"
	tests := []struct {
		name    string
		o       *gcal.OAuth
		state   string
		session string
		at      time.Time
		want    string // artisan; "" means ErrBadState
	}{
		{"same session in time", o, state, "session-a", now.Add(gcal.StateTTL - time.Second), "ana"},
		{"another session", o, state, "session-b", now, ""},
		{"no session", o, state, "", now, ""},
		{"expired", o, state, "session-a", now.Add(gcal.StateTTL), ""},
		{"another artisan spliced in", o, tampered, "session-a", now, ""},
		{"another process (restart)", other, state, "session-a", now, ""},
		{"garbage", o, "not.a.state", "session-a", now, ""},
		{"empty", o, "", "session-a", now, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.o.CheckState(tc.state, tc.session, tc.at)
			if tc.want == "" {
				if !errors.Is(err, gcal.ErrBadState) || got != "" {
					t.Errorf("CheckState = %q, %v; want ErrBadState", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("CheckState = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if s2 := o.NewState("session-a", "ana", now); s2 == state {
		t.Error("two states for the same session and artisan are equal; want a fresh nonce")
	}
	if strings.Contains(state, "session-a") {
		t.Error("the state reveals the session")
	}
}

// TestOAuthConnectThenSync exchanges a code with the real x/oauth2 client
// against a fake token endpoint, checks the token is sealed at rest, and
// syncs a booking with it; the fake Calendar API accepts only live access
// tokens, so every call needs the refreshed token, which is saved back.
func TestOAuthConnectThenSync(t *testing.T) {
	idp := gcaltest.NewOAuthServer("cid", "secret")
	t.Cleanup(idp.Close)
	idp.RedirectURL = "https://atelier.test/cb"
	idp.AccessTTL = 5 * time.Second // below oauth2's expiry margin: refreshed at every use
	key := bytes.Repeat([]byte{7}, gcal.TokenKeySize)
	var (
		oauth  *gcal.OAuth
		tokens calsync.Store
	)
	e := mustNewEnv(t, func(o *gcal.Options) {
		var err error
		if tokens, err = gcal.SealTokens(o.Store, key); err != nil {
			t.Fatal(err)
		}
		oauth = gcal.NewOAuth("cid", "secret", idp.RedirectURL, tokens)
		oauth.SetEndpoint(idp.Endpoint())
		o.Config.Auth, o.OAuth, o.HTTPClient = gcal.AuthOAuth, oauth, nil
		o.Config.OAuthClientID, o.Config.OAuthClientSecret = "cid", "secret"
	})
	e.srv.Authorize = idp.Valid
	ctx := context.Background()

	if err := oauth.Exchange(ctx, "ana", "code-never-issued"); err == nil {
		t.Fatal("exchanging an unknown code succeeded")
	}
	if tok, _ := e.store.OAuthToken(ctx, "ana"); tok != nil {
		t.Fatalf("a failed exchange stored a token: %+v", tok)
	}
	code := idp.IssueCode()
	if err := oauth.Exchange(ctx, "ana", code); err != nil {
		t.Fatal(err)
	}
	if err := oauth.Exchange(ctx, "ana", code); err == nil {
		t.Error("a code was accepted twice")
	}
	raw, err := e.store.OAuthToken(ctx, "ana")
	if err != nil || raw == nil {
		t.Fatalf("stored token = %v, %v", raw, err)
	}
	for name, v := range map[string]string{"access": raw.AccessToken, "refresh": raw.RefreshToken} {
		if idp.Issued(v) || !strings.HasPrefix(v, "sealed.v1.") {
			t.Errorf("the %s token is stored in clear: %q", name, v)
		}
	}
	if err := e.syncer.Reconnect(ctx, "ana"); err != nil {
		t.Fatal(err)
	}

	start := e.now.Add(72 * time.Hour)
	mustCreateBooking(t, e, "bk_oauth1", "ana", booking.InPerson, start)
	e.drainJobs(t, 3)
	if e.srv.Events(calIDs["ana"])[gcal.EventID("bk_oauth1")] == nil {
		t.Fatal("the booking is not in Ana's calendar")
	}
	if _, refreshes := idp.Counts(); refreshes == 0 {
		t.Fatal("the access token was never refreshed")
	}
	opened, err := tokens.OAuthToken(ctx, "ana")
	if err != nil || !idp.Valid(opened.AccessToken) || !idp.Issued(opened.RefreshToken) {
		t.Errorf("after a refresh the stored token is %+v (%v); want the refreshed access token and the refresh token", opened, err)
	}

	// Sealed under another key, the token does not open: the artisan is
	// told to connect again instead of Google being called.
	wrong, _ := gcal.SealTokens(e.store, bytes.Repeat([]byte{8}, gcal.TokenKeySize))
	if _, err := wrong.OAuthToken(ctx, "ana"); err == nil || !strings.Contains(err.Error(), "connect") {
		t.Errorf("opening with another key: %v, want an error asking to connect again", err)
	}
}

func TestParseTokenKey(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"base64", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n", true},
		{"hex", strings.Repeat("07", 32), true},
		{"too short", "BwcHBwcHBwcHBwcHBwcH", false},
		{"not a key", "correct horse battery staple", false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := gcal.ParseTokenKey(tc.in)
			if tc.ok && (err != nil || !bytes.Equal(k, bytes.Repeat([]byte{7}, 32))) {
				t.Errorf("ParseTokenKey = %x, %v; want 32 bytes of 7", k, err)
			}
			if !tc.ok && err == nil {
				t.Errorf("ParseTokenKey(%q) accepted %x", tc.in, k)
			}
		})
	}
}
