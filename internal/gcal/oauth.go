package gcal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/calsync"
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
//
// The consent round trip carries a state ([OAuth.NewState]) that names the
// artisan and is bound, by an HMAC under a key drawn at random when the
// process starts, to the staff session that asked: a callback forged for
// another session, another artisan or after [StateTTL] is refused. A restart
// invalidates the consent pages open at that moment; the artisan simply
// clicks connect again.
type OAuth struct {
	cfg      *oauth2.Config
	store    calsync.Store
	stateKey []byte
}

// StateTTL is how long a consent page may stay open before its callback is
// refused.
const StateTTL = 15 * time.Minute

// ErrBadState is returned by [OAuth.CheckState] for a state that was not
// made for this session by this process, or has expired.
var ErrBadState = errors.New("gcal: oauth state is invalid or expired")

// NewOAuth returns the OAuth helper. redirectURL is the staff-area callback
// registered in the Google Cloud console.
func NewOAuth(clientID, clientSecret, redirectURL string, store calsync.Store) *OAuth {
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
		store:    store,
		stateKey: randomBytes(32),
	}
}

// randomBytes returns n bytes from crypto/rand, which never fails on the
// supported platforms (it crashes the program rather than return short).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("gcal: crypto/rand: %v", err))
	}
	return b
}

// NewState returns the state of a consent request: it names artisanID and
// is valid for [StateTTL] from now, only together with the same session
// (the staff session cookie value; it is not readable from the state).
func (o *OAuth) NewState(session, artisanID string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(StateTTL).Unix(), 10)
	nonce := base64.RawURLEncoding.EncodeToString(randomBytes(12))
	artisan := base64.RawURLEncoding.EncodeToString([]byte(artisanID))
	mac := o.stateMAC(session, artisan, exp, nonce)
	return strings.Join([]string{artisan, exp, nonce, mac}, ".")
}

// CheckState returns the artisan id of a state made by NewState in this
// process for the same session, if it has not expired; else ErrBadState.
func (o *OAuth) CheckState(state, session string, now time.Time) (string, error) {
	parts := strings.Split(state, ".")
	if len(parts) != 4 || session == "" {
		return "", ErrBadState
	}
	artisan, exp, nonce, mac := parts[0], parts[1], parts[2], parts[3]
	if !hmac.Equal([]byte(mac), []byte(o.stateMAC(session, artisan, exp, nonce))) {
		return "", ErrBadState
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !now.Before(time.Unix(unix, 0)) {
		return "", ErrBadState
	}
	id, err := base64.RawURLEncoding.DecodeString(artisan)
	if err != nil || len(id) == 0 {
		return "", ErrBadState
	}
	return string(id), nil
}

// stateMAC is the HMAC-SHA256 of a state's parts and the session. The
// parts are base64url or decimal, so "." cannot occur in them; the
// session comes last, after a separator no part contains.
func (o *OAuth) stateMAC(session, artisan, exp, nonce string) string {
	h := hmac.New(sha256.New, o.stateKey)
	h.Write([]byte("atelier gcal oauth state\n" + artisan + "." + exp + "." + nonce + "\n" + session))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
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

// exchangeTimeout bounds the call to Google's token endpoint in Exchange.
const exchangeTimeout = 20 * time.Second

// Exchange trades the code from the callback for a token and stores it for
// the artisan. Call Syncer.Reconnect afterwards to resume a stopped sync.
func (o *OAuth) Exchange(ctx context.Context, artisanID, code string) error {
	ctx, cancel := context.WithTimeout(ctx, exchangeTimeout)
	defer cancel()
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
	store     calsync.Store
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
