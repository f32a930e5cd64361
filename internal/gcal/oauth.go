package gcal

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/calendar/v3"
)

// OAuth connects artisans' Google accounts with the OAuth authorisation-code
// flow (auth "oauth").
//
// Refresh tokens are long-lived, but while the OAuth consent screen of the
// Google Cloud project is in "Testing" publishing status, Google expires
// them after 7 days: every artisan would have to reconnect weekly (the sync
// stops with invalid_grant and admins are told). Publish the app ("In
// production"; internal apps of a Workspace need no verification) before
// relying on it.
type OAuth struct {
	cfg   *oauth2.Config
	store Store
}

// NewOAuth returns the OAuth helper. redirectURL is the staff-area callback
// registered in the Google Cloud console.
func NewOAuth(clientID, clientSecret, redirectURL string, store Store) *OAuth {
	return &OAuth{
		cfg: &oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			RedirectURL:  redirectURL,
			Endpoint:     google.Endpoint,
			// Events to write our copies and read busy times; freebusy for
			// the last check of a slot.
			Scopes: []string{calendar.CalendarEventsScope, calendar.CalendarFreebusyScope},
		},
		store: store,
	}
}

// SetEndpoint overrides Google's authorisation and token URLs (tests).
func (o *OAuth) SetEndpoint(e oauth2.Endpoint) { o.cfg.Endpoint = e }

// AuthCodeURL returns the Google consent page URL. state must be an
// unguessable value bound to the staff session (CSRF). Offline access
// yields a refresh token; prompt=consent makes Google return one again on
// a reconnection.
func (o *OAuth) AuthCodeURL(state string) string {
	return o.cfg.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce)
}

// Exchange trades the code from the callback for a token and stores it for
// the artisan. Call Syncer.Reconnect afterwards to resume a stopped sync.
func (o *OAuth) Exchange(ctx context.Context, artisanID, code string) error {
	tok, err := o.cfg.Exchange(ctx, code)
	if err != nil {
		return fmt.Errorf("gcal: oauth exchange: %w", err)
	}
	if tok.RefreshToken == "" {
		return fmt.Errorf("gcal: oauth exchange: Google returned no refresh token (was offline access granted?)")
	}
	if err := o.store.SaveOAuthToken(ctx, artisanID, tok); err != nil {
		return fmt.Errorf("gcal: save oauth token: %w", err)
	}
	return nil
}

// TokenSource returns a token source for the artisan that refreshes the
// access token when needed and saves each refreshed token back through the
// Store. It returns errNotConnected when no token is stored.
func (o *OAuth) TokenSource(ctx context.Context, artisanID string) (oauth2.TokenSource, error) {
	tok, err := o.store.OAuthToken(ctx, artisanID)
	if err != nil {
		return nil, fmt.Errorf("gcal: oauth token: %w", err)
	}
	if tok == nil {
		return nil, fmt.Errorf("gcal: artisan %s: %w", artisanID, errNotConnected)
	}
	return &savingTokenSource{
		ctx: ctx, artisanID: artisanID, store: o.store, last: tok.AccessToken,
		src: oauth2.ReuseTokenSource(tok, o.cfg.TokenSource(ctx, tok)),
	}, nil
}

// savingTokenSource saves each new access token (and the refresh token
// oauth2 carries over) through the Store.
type savingTokenSource struct {
	ctx       context.Context
	artisanID string
	store     Store
	src       oauth2.TokenSource

	mu   sync.Mutex
	last string
}

func (s *savingTokenSource) Token() (*oauth2.Token, error) {
	tok, err := s.src.Token()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok.AccessToken != s.last {
		// Token has no context; bound the save so a stuck database
		// cannot hold up every request.
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		defer cancel()
		if err := s.store.SaveOAuthToken(ctx, s.artisanID, tok); err != nil {
			return nil, fmt.Errorf("gcal: save refreshed oauth token: %w", err)
		}
		s.last = tok.AccessToken
	}
	return tok, nil
}
