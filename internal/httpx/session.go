package httpx

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// SessionCookie is the name of the staff session cookie, one for the staff
// API and the staff pages: one sign-in serves both.
const SessionCookie = "atelier_session"

// LoginBusyRetry is the Retry-After of a sign-in refused because too many
// password checks were running and waiting: they take well under a
// second each.
const LoginBusyRetry = time.Second

// Accounts is what the edge needs of the staff accounts (*app.App):
// finding the user of a session, signing in and out.
type Accounts interface {
	Authenticate(ctx context.Context, cookie string) (*booking.User, error)
	Login(ctx context.Context, email, password string) (*app.SignedIn, error)
	Logout(ctx context.Context, cookie string) error
}

// errNoSession is the answer to a request without a valid session.
var errNoSession = booking.Errorf(booking.EUNAUTHORIZED, "unauthorized", "a staff session is required")

type userKey struct{}

// RequireStaff is the session middleware of both adapters: h runs only
// for a request with a valid session, with its user in the context
// (User). Any other request is EUNAUTHORIZED, a stale cookie is cleared,
// and the adapter's Renderer answers it (the API with a 401 problem, the
// pages with the sign-in page). A store that fails while the session is
// checked is that error (a 503 when the database is busy).
func (s *Server) RequireStaff(h HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.Authenticate(w, r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	}
}

// Authenticate returns the user signed in with r's session cookie. Without
// a valid session it is EUNAUTHORIZED, and a stale cookie is cleared on w.
func (s *Server) Authenticate(w http.ResponseWriter, r *http.Request) (*booking.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || s.cfg.Accounts == nil {
		return nil, errNoSession
	}
	u, err := s.cfg.Accounts.Authenticate(r.Context(), c.Value)
	if err != nil {
		if booking.ErrorKind(err) == booking.EUNAUTHORIZED {
			s.clearCookie(w)
		}
		return nil, err
	}
	return u, nil
}

// User is the signed-in user of a request that passed RequireStaff, or nil.
func User(r *http.Request) *booking.User {
	u, _ := r.Context().Value(userKey{}).(*booking.User)
	return u
}

// SessionToken is the session cookie value of r, "" when it has none; the
// Google consent state is bound to it.
func SessionToken(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// SignIn signs r's client in as email: whatever session the browser held
// before ends (rotation: a sign-in always gets a new session), the
// attempt is taken from the client's budget before the password is
// checked and given back when it was right, the account's delay is
// waited, and on success the session cookie is set on w. A used-up budget
// is a refusal (429 with Retry-After); every password check taken is
// app.ErrSignInBusy as a refusal (503, Retry-After LoginBusyRetry, not
// logged: a burst would flood the log); a wrong address or password is
// EUNAUTHORIZED, the same for both.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, email, password string) (*app.SignedIn, error) {
	if s.cfg.Accounts == nil {
		return nil, errNoSession
	}
	if err := s.endSession(r); err != nil {
		return nil, err
	}
	attempt, err := s.limits.beginLogin(r, email)
	if err != nil {
		return nil, err
	}
	in, err := s.cfg.Accounts.Login(r.Context(), email, password)
	attempt.end(err)
	if errors.Is(err, app.ErrSignInBusy) {
		return nil, Refuse(err, LoginBusyRetry)
	}
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, s.cookie(in.Token.String(), in.Expires, 0))
	return in, nil
}

// SignOut ends r's session, if it has one, and clears the cookie.
func (s *Server) SignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(r); err != nil {
		return err
	}
	s.clearCookie(w)
	return nil
}

// endSession deletes the session of r's cookie, if any.
func (s *Server) endSession(r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && s.cfg.Accounts != nil {
		return s.cfg.Accounts.Logout(r.Context(), c.Value)
	}
	return nil
}

// cookie is the session cookie: HttpOnly, SameSite=Lax, Secure under an
// https public URL.
func (s *Server) cookie(value string, expires time.Time, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	}
}

func (s *Server) clearCookie(w http.ResponseWriter) { http.SetCookie(w, s.cookie("", time.Time{}, -1)) }
