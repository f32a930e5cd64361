package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// answered is what a recording Renderer was asked to render.
type answered struct {
	status int
	err    error
}

// recorder renders an error as its status and remembers it.
type recorder struct {
	mu   sync.Mutex
	last answered
}

func (rc *recorder) RenderError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	rc.mu.Lock()
	rc.last = answered{status, err}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func (rc *recorder) got() answered {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.last
}

// TestHandlerErrors: a handler's error is answered in one place: the
// status and Retry-After of the one table (or a refusal's own wait), a
// log line only for the server's faults, and the adapter's Renderer with
// the error itself for the words.
func TestHandlerErrors(t *testing.T) {
	var logs syncBuffer
	edge := httpx.New(httpx.Config{}, slog.New(slog.NewTextHandler(&logs, nil)))
	var rec recorder
	limited := booking.Errorf(booking.ERATELIMIT, "rate_limited", "slow down")
	busy := booking.Errorf(booking.EUNAVAILABLE, booking.CodeUnavailable, "busy")
	tests := []struct {
		name      string
		err       error
		status    int
		retry     string
		log, hide string // a log line that must be there ("" none), text that must not
	}{
		{"Invalid", booking.Errorf(booking.EINVALID, booking.CodeInvalid, "bad field"), 422, "", "", "bad field"},
		{"NotFound", booking.ErrNotFound("booking"), 404, "", "", "level=WARN msg=unavailable"},
		{"Unavailable", &booking.Error{Kind: booking.EUNAVAILABLE, Code: booking.CodeUnavailable, Message: "try later", Err: errors.New("database is locked")},
			503, "5", `level=WARN msg=unavailable method=GET route=/t/{name} err=`, ""},
		{"Internal", errors.New("disk on fire"), 500, "", `level=ERROR msg="internal error" method=GET route=/t/{name} err="disk on fire"`, ""},
		{"RateLimited", httpx.Refuse(limited, 61*time.Second), 429, "61", "", "slow down"},
		{"BusyRefusal", httpx.Refuse(busy, httpx.LoginBusyRetry), 503, "1", "", "level=WARN msg=unavailable"},
	}
	byName := map[string]error{}
	for _, tt := range tests {
		byName[tt.name] = tt.err
	}
	edge.Router().Handle("/t/{name}", edge.Handle(&rec, func(w http.ResponseWriter, r *http.Request) error {
		return byName[strings.TrimPrefix(r.URL.Path, "/t/")]
	}))
	h := edge.Handler()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(logs.String())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/t/"+tt.name, nil))
			got := rec.got()
			if w.Code != tt.status || got.status != tt.status || !errors.Is(got.err, tt.err) {
				t.Errorf("answered %d, rendered %d with %v; want %d with the handler's error", w.Code, got.status, got.err, tt.status)
			}
			if ra := w.Header().Get("Retry-After"); ra != tt.retry {
				t.Errorf("Retry-After %q, want %q", ra, tt.retry)
			}
			log := logs.String()[before:]
			if tt.log != "" && !strings.Contains(log, tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, log)
			}
			if tt.log == "" && (strings.Contains(log, "msg=unavailable") || strings.Contains(log, `msg="internal error"`)) {
				t.Errorf("a %d that is no fault of the server was logged as one:\n%s", tt.status, log)
			}
			if tt.hide != "" && strings.Contains(log, tt.hide) {
				t.Errorf("log holds %q:\n%s", tt.hide, log)
			}
		})
	}
	if wait, ok := httpx.RetryWait(byName["RateLimited"]); !ok || wait != 61*time.Second {
		t.Errorf("RetryWait = %v, %v; want the refusal's 61s", wait, ok)
	}
}

// TestEdgeAnswers: what the edge answers itself (no route, another
// method, a cross-site form, a panic) goes to the fallback Renderer with
// the table's status; security headers are on every answer.
func TestEdgeAnswers(t *testing.T) {
	edge := httpx.New(httpx.Config{PublicURL: "https://atelier.example"}, nil)
	var rec recorder
	edge.SetFallback(&rec)
	edge.Router().Handle("/thing", edge.Handle(nil, func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusNoContent)
		return nil
	})).Methods(http.MethodGet, http.MethodPost)
	edge.Router().HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("secret detail") })
	h := edge.Handler()
	crossSite := httptest.NewRequest(http.MethodPost, "/thing", nil)
	crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
	tests := []struct {
		name   string
		req    *http.Request
		status int
		code   string
		allow  string
	}{
		{"NoRoute", httptest.NewRequest(http.MethodGet, "/nothing", nil), 404, "not_found", ""},
		{"OtherMethod", httptest.NewRequest(http.MethodDelete, "/thing", nil), 405, "method_not_allowed", "GET, POST"},
		{"CrossSite", crossSite, 403, "cross_origin", ""},
		{"Panic", httptest.NewRequest(http.MethodGet, "/boom", nil), 500, booking.CodeInternal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req)
			got := rec.got()
			if w.Code != tt.status || got.status != tt.status || booking.ErrorCode(got.err) != tt.code {
				t.Errorf("answered %d, rendered %d with %v; want %d %s", w.Code, got.status, got.err, tt.status, tt.code)
			}
			if a := w.Header().Get("Allow"); a != tt.allow {
				t.Errorf("Allow %q, want %q", a, tt.allow)
			}
			if w.Header().Get("Strict-Transport-Security") != httpx.StrictTransportSecurity || w.Header().Get("Content-Security-Policy") != httpx.ContentSecurityPolicy {
				t.Errorf("security headers missing: %v", w.Header())
			}
		})
	}
}

// accounts is a fake of the staff accounts: one user, whose session
// cookie is "good" and whose password is "right".
type accounts struct {
	authErr   error // returned by Authenticate for any cookie when set
	loginErr  error // returned by Login when set
	loggedOut []string
}

var staffUser = &booking.User{ID: "u1", Email: "mei@example.com", Role: booking.RoleAdmin}

func (a *accounts) Authenticate(_ context.Context, cookie string) (*booking.User, error) {
	if a.authErr != nil {
		return nil, a.authErr
	}
	if cookie != "good" {
		return nil, booking.Errorf(booking.EUNAUTHORIZED, "unauthorized", "a staff session is required")
	}
	return staffUser, nil
}

func (a *accounts) Login(_ context.Context, email, password string) (*app.SignedIn, error) {
	if a.loginErr != nil {
		return nil, a.loginErr
	}
	if password != "right" {
		return nil, booking.Errorf(booking.EUNAUTHORIZED, app.CodeInvalidCredentials, "wrong e-mail address or password")
	}
	return &app.SignedIn{User: staffUser, Token: auth.SessionToken{ID: "new", Secret: "s"}, Expires: time.Now().Add(time.Hour)}, nil
}

func (a *accounts) Logout(_ context.Context, cookie string) error {
	a.loggedOut = append(a.loggedOut, cookie)
	return nil
}

// TestRequireStaff: the one session middleware lets a valid session
// through with its user, answers anything else with EUNAUTHORIZED for the
// adapter to render (clearing a stale cookie), and passes a store failure
// on as itself.
func TestRequireStaff(t *testing.T) {
	acc := &accounts{}
	edge := httpx.New(httpx.Config{Accounts: acc}, nil)
	var rec recorder
	var seen *booking.User
	edge.Router().Handle("/staff", edge.Handle(&rec, edge.RequireStaff(func(w http.ResponseWriter, r *http.Request) error {
		seen = httpx.User(r)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})))
	h := edge.Handler()
	do := func(cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/staff", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: cookie})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := do("good"); w.Code != http.StatusNoContent || seen != staffUser {
		t.Errorf("valid session: %d, user %v", w.Code, seen)
	}
	if w := do(""); w.Code != http.StatusUnauthorized || w.Header().Get("Set-Cookie") != "" {
		t.Errorf("no cookie: %d, Set-Cookie %q; want 401 and no cookie set", w.Code, w.Header().Get("Set-Cookie"))
	}
	if w := do("stale"); w.Code != http.StatusUnauthorized || !strings.Contains(w.Header().Get("Set-Cookie"), httpx.SessionCookie+"=;") ||
		!strings.Contains(w.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("stale cookie: %d, Set-Cookie %q; want 401 and the cookie cleared", w.Code, w.Header().Get("Set-Cookie"))
	}
	acc.authErr = &booking.Error{Kind: booking.EUNAVAILABLE, Code: booking.CodeUnavailable, Message: "busy"}
	if w := do("good"); w.Code != http.StatusServiceUnavailable || w.Header().Get("Set-Cookie") != "" {
		t.Errorf("a busy store: %d, Set-Cookie %q; want 503 and the cookie kept", w.Code, w.Header().Get("Set-Cookie"))
	}
}

// TestSignIn: a sign-in ends the session the browser held, takes an
// attempt from the address's budget before the password is checked (a
// wrong one keeps it, a right one gives it back), sets a Secure cookie
// under an https public URL, and turns "every password check taken" into
// a refusal with its own short Retry-After that costs no attempt.
func TestSignIn(t *testing.T) {
	acc := &accounts{}
	edge := httpx.New(httpx.Config{PublicURL: "https://atelier.example", LoginsPerMinute: 2, Accounts: acc}, nil)
	signIn := func(password, cookie string) (*httptest.ResponseRecorder, error) {
		req := httptest.NewRequest(http.MethodPost, "/login", nil)
		req.RemoteAddr = "203.0.113.9:4000"
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: cookie})
		}
		w := httptest.NewRecorder()
		_, err := edge.SignIn(w, req, "mei@example.com", password)
		return w, err
	}
	for i := range 5 {
		w, err := signIn("right", "old")
		if err != nil {
			t.Fatalf("right password %d: %v (a success must give its attempt back)", i+1, err)
		}
		c := w.Header().Get("Set-Cookie")
		if !strings.Contains(c, httpx.SessionCookie+"=new.s") || !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("cookie %q", c)
		}
	}
	if len(acc.loggedOut) != 5 || acc.loggedOut[0] != "old" {
		t.Errorf("sessions ended before signing in: %v, want the old one each time", acc.loggedOut)
	}
	acc.loginErr = app.ErrSignInBusy
	for range 3 {
		_, err := signIn("right", "")
		if wait, ok := httpx.RetryWait(err); !errors.Is(err, app.ErrSignInBusy) || !ok || wait != httpx.LoginBusyRetry || httpx.StatusOf(err) != 503 {
			t.Fatalf("busy: %v (wait %v), want a 503 refusal of %v", err, wait, httpx.LoginBusyRetry)
		}
	}
	acc.loginErr = nil
	for i := range 2 {
		if _, err := signIn("wrong", ""); booking.ErrorKind(err) != booking.EUNAUTHORIZED {
			t.Fatalf("wrong password %d: %v, want EUNAUTHORIZED (busy refusals cost no attempt)", i+1, err)
		}
	}
	_, err := signIn("right", "")
	if wait, ok := httpx.RetryWait(err); httpx.StatusOf(err) != http.StatusTooManyRequests || !ok || wait < time.Second {
		t.Errorf("third attempt after two wrong passwords: %v (wait %v), want 429 with a wait", err, wait)
	}
}
