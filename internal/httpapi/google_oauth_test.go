package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// fakeGoogle is the sync as the use cases see it: every artisan is
// not_connected until Reconnect.
type fakeGoogle struct {
	mu        sync.Mutex
	connected map[string]bool
}

func (g *fakeGoogle) FreeBusy(context.Context, string, time.Time, time.Time) ([]booking.Busy, error) {
	return nil, nil
}
func (g *fakeGoogle) BookingStatus(context.Context, string) (*app.GoogleBooking, error) {
	return nil, nil
}
func (g *fakeGoogle) SyncNow(context.Context) error { return nil }
func (g *fakeGoogle) Reconnect(_ context.Context, id string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.connected[id] = true
	return nil
}
func (g *fakeGoogle) Status(context.Context) ([]app.GoogleArtisan, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []app.GoogleArtisan
	for _, id := range []string{"mei", "arjun"} {
		st := "not_connected"
		if g.connected[id] {
			st = "connected"
		}
		out = append(out, app.GoogleArtisan{ArtisanID: id, CalendarID: "primary", State: st})
	}
	return out, nil
}

// TestGoogleOAuthConnect walks the connect flow over HTTP with the real
// gcal.OAuth against a fake token endpoint: who may start it, what the
// consent URL asks for, and every way a callback is refused without
// storing anything, before the one that connects Mei.
func TestGoogleOAuthConnect(t *testing.T) {
	idp := gcaltest.NewOAuthServer("cid", "secret")
	t.Cleanup(idp.Close)
	idp.RedirectURL = "https://atelier.example/api/v1/staff/google/callback"
	g := &fakeGoogle{connected: map[string]bool{}}
	e := MustOpenStaffEnv(t, StaffOptions{Setup: func(d *app.Deps, db *sqlite.Store) {
		tokens, err := gcal.SealTokens(db, bytes.Repeat([]byte{1}, gcal.TokenKeySize))
		if err != nil {
			t.Fatal(err)
		}
		o := gcal.NewOAuth("cid", "secret", idp.RedirectURL, tokens)
		o.SetEndpoint(idp.Endpoint())
		d.Google, d.GoogleOAuth = g, o
	}})
	mei, arjun, admin := e.MustLogin(t, e.Mei), e.MustLogin(t, e.Arjun), e.MustLogin(t, e.Admin)
	noRedirect := e.HTTP.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	connect := func(t *testing.T, cookie, artisan string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.HTTP.URL+"/api/v1/staff/artisans/"+artisan+"/google/connect", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "atelier_session", Value: cookie})
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	stateOf := func(t *testing.T, cookie, artisan string) string {
		t.Helper()
		resp := connect(t, cookie, artisan)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("connect: status %d, want 302", resp.StatusCode)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return loc.Query().Get("state")
	}

	for name, tc := range map[string]struct {
		cookie, artisan string
		want            int
	}{
		"no session":       {"", "mei", http.StatusUnauthorized},
		"another artisan":  {arjun, "mei", http.StatusForbidden},
		"unknown artisan":  {admin, "nobody", http.StatusNotFound},
		"the artisan":      {mei, "mei", http.StatusFound},
		"an admin for mei": {admin, "mei", http.StatusFound},
	} {
		t.Run("connect/"+name, func(t *testing.T) {
			if got := connect(t, tc.cookie, tc.artisan).StatusCode; got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}

	resp := connect(t, mei, "mei")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != idp.Endpoint().AuthURL {
		t.Errorf("consent URL %s, want %s", got, idp.Endpoint().AuthURL)
	}
	for k, want := range map[string]string{"client_id": "cid", "redirect_uri": idp.RedirectURL,
		"access_type": "offline", "prompt": "consent", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("consent URL %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.Contains(q.Get("scope"), "calendar.events") || q.Get("state") == "" {
		t.Errorf("consent URL scope %q state %q", q.Get("scope"), q.Get("state"))
	}

	meiState := stateOf(t, mei, "mei")
	callback := func(v url.Values) string { return "/api/v1/staff/google/callback?" + v.Encode() }
	for _, tc := range []struct {
		name, cookie string
		query        url.Values
		want         int
		code         string
	}{
		{"no session", "", url.Values{"state": {meiState}, "code": {idp.IssueCode()}}, 401, "unauthorized"},
		{"another session's state", admin, url.Values{"state": {meiState}, "code": {idp.IssueCode()}}, 400, app.CodeGoogleStateInvalid},
		{"forged state", mei, url.Values{"state": {"bWVp.9999999999.AAAA.AAAA"}, "code": {idp.IssueCode()}}, 400, app.CodeGoogleStateInvalid},
		{"no state", mei, url.Values{"code": {idp.IssueCode()}}, 400, app.CodeGoogleStateInvalid},
		{"consent denied", mei, url.Values{"state": {meiState}, "error": {"access_denied"}}, 400, app.CodeGoogleConsentDenied},
		{"code refused by Google", mei, url.Values{"state": {meiState}, "code": {"code-forged"}}, 400, app.CodeGoogleExchangeFailed},
		{"no code", mei, url.Values{"state": {meiState}}, 400, app.CodeGoogleExchangeFailed},
	} {
		t.Run("callback/"+tc.name, func(t *testing.T) {
			r := e.Do(t, tc.cookie, http.MethodGet, callback(tc.query), nil)
			if r.Status != tc.want || !strings.Contains(string(r.Body), `"code":"`+tc.code+`"`) ||
				r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("status %d %s, want %d problem %s", r.Status, r.Body, tc.want, tc.code)
			}
			if tok, _ := e.DB.OAuthToken(context.Background(), "mei"); tok != nil {
				t.Fatal("a refused callback stored a token")
			}
		})
	}
	if ex, _ := idp.Counts(); ex != 0 {
		t.Fatalf("%d codes were exchanged by refused callbacks", ex)
	}

	r := e.Do(t, mei, http.MethodGet, callback(url.Values{"state": {meiState}, "code": {idp.IssueCode()}}), nil)
	var got struct {
		Connected bool
		Google    struct {
			ArtisanID string `json:"artisan_id"`
			State     string `json:"state"`
		} `json:"google_calendar"`
	}
	r.JSON(t, &got)
	if r.Status != http.StatusOK || !got.Connected || got.Google.ArtisanID != "mei" || got.Google.State != "connected" {
		t.Fatalf("callback: %d %s, want 200 with mei connected", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	tok, err := e.DB.OAuthToken(context.Background(), "mei")
	if err != nil || tok == nil || idp.Issued(tok.RefreshToken) || !strings.HasPrefix(tok.RefreshToken, "sealed.") {
		t.Errorf("stored token = %+v, %v; want a sealed one", tok, err)
	}
	if g.connected["arjun"] {
		t.Error("arjun was connected too")
	}
}
