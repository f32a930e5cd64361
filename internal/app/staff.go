package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// Default session lifetimes, used when Deps leaves them zero.
const (
	DefaultSessionIdleTimeout = 12 * time.Hour
	DefaultSessionMaxAge      = 7 * 24 * time.Hour
)

// touchEvery is how stale a session's last-seen time may get before a
// request writes it again: the idle expiry is exact to within this.
const touchEvery = time.Minute

// The staff use cases (here and in staff_*.go, feed.go, google.go,
// replies.go) are those of signed-in staff: sign-in and sessions, the
// calendar across artisans, hours, closures, time off and the audit log.
// Every method taking a *booking.User applies its role rules: an artisan
// account sees and changes only its own artisan's bookings, working hours
// and time off (another artisan's booking is ENOTFOUND, anything else not
// allowed is EFORBIDDEN); only admins change opening hours, closures and
// other artisans, and read the audit log.

// CodeInvalidCredentials is the code of a failed sign-in; the same for an
// unknown address, a wrong password and a disabled account.
const CodeInvalidCredentials = "invalid_credentials"

// SignedIn is the result of a successful Login.
type SignedIn struct {
	User    *booking.User
	Token   auth.SessionToken // the cookie value is Token.String()
	Expires time.Time         // absolute expiry of the session
}

func errBadCredentials() error {
	return booking.Errorf(booking.EUNAUTHORIZED, CodeInvalidCredentials, "wrong e-mail address or password")
}

// ErrSignInBusy is Login's answer when every password check is taken:
// the server is busy, not the client wrong (503; nothing was checked, so
// the attempt should not count). It is EUNAVAILABLE.
var ErrSignInBusy = booking.Errorf(booking.EUNAVAILABLE, booking.CodeUnavailable, "too many sign-ins at once; try again in a moment")

func errNoSession() error {
	return booking.Errorf(booking.EUNAUTHORIZED, "unauthorized", "a staff session is required")
}

// Login checks an e-mail address and password and opens a new session
// (a new one at every sign-in: an earlier cookie is never reused). An
// unknown address, a wrong password and a disabled account give the same
// EUNAUTHORIZED, after the same argon2id work. The work runs through the
// Checker, a few at a time: when as many checks as it allows are running
// and waiting, or ctx ends while waiting, Login is ErrSignInBusy.
func (a *App) Login(ctx context.Context, email, password string) (*SignedIn, error) {
	email = strings.TrimSpace(email)
	u, err := a.store.UserByEmail(ctx, email)
	if err != nil && booking.ErrorKind(err) != booking.ENOTFOUND {
		return nil, internal("look up user", err)
	}
	// An invited account that has not set its password yet (accounts.go)
	// signs in like an unknown address: no password opens it.
	if u == nil || u.PasswordHash == "" {
		if err := a.checker.Dummy(ctx, password); err != nil {
			return nil, ErrSignInBusy
		}
		return nil, errBadCredentials()
	}
	ok, err := a.checker.Verify(ctx, u.PasswordHash, password)
	if errors.Is(err, auth.ErrBusy) || (err != nil && ctx.Err() != nil) {
		return nil, ErrSignInBusy
	}
	if err != nil {
		return nil, internal("verify password", err)
	}
	if !ok || u.Disabled {
		return nil, errBadCredentials()
	}
	now := a.now().UTC()
	tok := auth.NewSessionToken()
	sess := booking.Session{
		ID: tok.ID, UserID: u.ID, SecretHash: tok.SecretHash(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(a.maxAge),
	}
	if err := a.store.CreateSession(ctx, sess); err != nil {
		return nil, internal("create session", err)
	}
	return &SignedIn{User: u, Token: tok, Expires: sess.ExpiresAt}, nil
}

// Authenticate returns the user of a session cookie value. A malformed or
// unknown cookie, a wrong secret, an idle or too old session and a
// disabled account are all EUNAUTHORIZED; an expired session's row is
// deleted.
func (a *App) Authenticate(ctx context.Context, cookie string) (*booking.User, error) {
	tok, ok := auth.ParseSessionToken(cookie)
	if !ok {
		return nil, errNoSession()
	}
	sess, u, err := a.store.Session(ctx, tok.ID)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return nil, errNoSession()
	}
	if err != nil {
		return nil, internal("load session", err)
	}
	if !auth.SecretMatches(tok.Secret, sess.SecretHash) {
		return nil, errNoSession()
	}
	now := a.now().UTC()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= a.idleTimeout || u.Disabled {
		if err := a.store.DeleteSession(ctx, sess.ID); err != nil {
			a.logger().WarnContext(ctx, "delete expired session", "err", err)
		}
		return nil, errNoSession()
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := a.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, internal("touch session", err)
		}
	}
	return u, nil
}

// Logout deletes the session of a cookie value, if there is one. The
// secret must match, so a guessed id cannot end someone else's session.
func (a *App) Logout(ctx context.Context, cookie string) error {
	tok, ok := auth.ParseSessionToken(cookie)
	if !ok {
		return nil
	}
	sess, _, err := a.store.Session(ctx, tok.ID)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return nil
	}
	if err != nil {
		return internal("load session", err)
	}
	if !auth.SecretMatches(tok.Secret, sess.SecretHash) {
		return nil
	}
	if err := a.store.DeleteSession(ctx, sess.ID); err != nil {
		return internal("delete session", err)
	}
	return nil
}

// errForbidden is the answer to a wrong role.
func errForbidden() error {
	return booking.Errorf(booking.EFORBIDDEN, "forbidden", "your account may not do this")
}

// requireStaff refuses an account that may not use the staff area
// (booking.User.IsStaff).
func requireStaff(u *booking.User) error {
	if !u.IsStaff() {
		return errForbidden()
	}
	return nil
}

// requireAdmin refuses non-admins (booking.User.IsAdmin).
func requireAdmin(u *booking.User) error {
	if !u.IsAdmin() {
		return errForbidden()
	}
	return nil
}

// requireArtisan refuses an account that may not manage artisanID
// (booking.User.MayManage).
func requireArtisan(u *booking.User, artisanID string) error {
	if !u.MayManage(artisanID) {
		return errForbidden()
	}
	return nil
}

// scope is the artisan u works with when it asks for asked
// (booking.User.Scope, read without surrounding spaces); asking for one
// it may not is EFORBIDDEN. An admin's asked comes back as given, for the
// use case to read as it reads any request.
func scope(u *booking.User, asked string) (string, error) {
	id, ok := u.Scope(strings.TrimSpace(asked))
	switch {
	case !ok:
		return "", errForbidden()
	case u.IsAdmin():
		return asked, nil
	}
	return id, nil
}
