package gcaltest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// OAuthServer is a fake of Google's OAuth 2.0 endpoints for the
// authorisation-code flow: codes handed out with IssueCode are exchanged
// (once) for an access and a refresh token, and refresh tokens for new
// access tokens, as the real x/oauth2 client expects. Pass Valid to
// Server.Authorize so that the fake Calendar API accepts only access
// tokens issued here and not yet expired.
type OAuthServer struct {
	*httptest.Server
	ClientID, ClientSecret string
	// RedirectURL, when set, must be the redirect_uri of every exchange.
	RedirectURL string
	// AccessTTL is the lifetime of access tokens (default 1h). Below ten
	// seconds, x/oauth2 refreshes before every use.
	AccessTTL time.Duration

	mu        sync.Mutex
	codes     map[string]bool
	refresh   map[string]bool
	access    map[string]time.Time // token → expiry
	exchanges int
	refreshes int
}

// NewOAuthServer starts the fake. Close it with Close (t.Cleanup).
func NewOAuthServer(clientID, clientSecret string) *OAuthServer {
	s := &OAuthServer{ClientID: clientID, ClientSecret: clientSecret, AccessTTL: time.Hour,
		codes: map[string]bool{}, refresh: map[string]bool{}, access: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	s.Server = httptest.NewServer(mux)
	return s
}

// Endpoint is the endpoint to give oauth2.Config (gcal.OAuth.SetEndpoint).
// Its AuthURL is not served: the browser's visit to the consent page is
// what a test plays itself.
func (s *OAuthServer) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: s.URL + "/auth", TokenURL: s.URL + "/token"}
}

// IssueCode returns an authorisation code, valid for one exchange, as
// Google appends to the callback after consent.
func (s *OAuthServer) IssueCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := "code-" + rand.Text()
	s.codes[c] = true
	return c
}

// Valid reports whether an access token was issued here and has not
// expired.
func (s *OAuthServer) Valid(access string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[access]
	return ok && time.Now().Before(exp)
}

// Counts returns how many codes were exchanged and tokens refreshed.
func (s *OAuthServer) Counts() (exchanges, refreshes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges, s.refreshes
}

// Issued reports whether tok is an access or refresh token issued here
// (whatever its expiry): a test checks that none is stored in clear.
func (s *OAuthServer) Issued(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.access[tok]
	return ok || s.refresh[tok]
}

func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func (s *OAuthServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || secret != s.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := map[string]any{"token_type": "Bearer", "expires_in": int(s.AccessTTL / time.Second)}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		if !s.codes[code] || (s.RedirectURL != "" && r.PostForm.Get("redirect_uri") != s.RedirectURL) {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		delete(s.codes, code)
		s.exchanges++
		rt := "1//refresh-" + rand.Text()
		s.refresh[rt] = true
		resp["refresh_token"] = rt
	case "refresh_token":
		if !s.refresh[r.PostForm.Get("refresh_token")] {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		s.refreshes++ // like Google, no new refresh token
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	at := fmt.Sprintf("ya29.access-%s", rand.Text())
	s.access[at] = time.Now().Add(s.AccessTTL)
	resp["access_token"] = at
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// Revoke forgets every token issued here, as when the user removes the
// app's access in their Google account.
func (s *OAuthServer) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
	clear(s.access)
}
