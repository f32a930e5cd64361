package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// Clock is a settable clock shared by the store, the app and the API.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// StaffEnv is a running API with the staff routes over a real store, a
// settable clock and three accounts: an admin, and artisan accounts for
// mei and arjun.
type StaffEnv struct {
	DB     *sqlite.Store
	App    *app.App
	Edge   *httpx.Server
	Server *httpapi.Server
	HTTP   *httptest.Server
	Clock  *Clock
	Admin  *booking.User
	Mei    *booking.User // artisan account of mei
	Arjun  *booking.User // artisan account of arjun
}

// StaffPassword is the password of every test account.
const StaffPassword = "correct horse battery staple"

// StaffOptions tune MustOpenStaffEnv.
type StaffOptions struct {
	Config          httpx.Config
	LoginsPerMinute int
	IdleTimeout     time.Duration
	MaxAge          time.Duration
	// Checker, when set, runs the password checks (else the default).
	Checker *auth.Checker
	// Setup, when set, completes the app's parts (e.g. Google Calendar)
	// before it is made.
	Setup func(d *app.Deps, db *sqlite.Store)
}

func MustOpenStaffEnv(tb testing.TB, opt StaffOptions) *StaffEnv {
	tb.Helper()
	ctx := context.Background()
	clock := &Clock{t: Now}
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "atelier.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = clock.Now
	if _, err := db.SyncCatalog(ctx, DemoCatalog()); err != nil {
		tb.Fatalf("sync catalogue: %v", err)
	}
	cfg := opt.Config
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://atelier.example"
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := app.Deps{
		Store: db, Now: clock.Now, Logger: logger, PublicURL: cfg.PublicURL,
		Passwords: auth.TestParams, Checker: opt.Checker, SessionIdleTimeout: opt.IdleTimeout, SessionMaxAge: opt.MaxAge,
	}
	if opt.Setup != nil {
		opt.Setup(&d, db)
	}
	a := app.New(d)
	cfg.LoginsPerMinute, cfg.Accounts = opt.LoginsPerMinute, a
	if cfg.Now == nil {
		cfg.Now = clock.Now // the sign-in limits run on the test's clock
	}
	edge := httpx.New(cfg, logger)
	srv := httpapi.New(edge, a)
	srv.EnableStaff(a)
	hs := httptest.NewServer(CheckContract(tb, edge.Router(), edge.Handler()))
	tb.Cleanup(hs.Close)
	e := &StaffEnv{DB: db, App: a, Edge: edge, Server: srv, HTTP: hs, Clock: clock}
	e.Admin = e.MustCreateUser(tb, "admin@example.com", booking.RoleAdmin, "")
	e.Mei = e.MustCreateUser(tb, "mei.staff@example.com", booking.RoleArtisan, "mei")
	e.Arjun = e.MustCreateUser(tb, "arjun.staff@example.com", booking.RoleArtisan, "arjun")
	return e
}

// MustCreateUser adds an account with StaffPassword.
func (e *StaffEnv) MustCreateUser(tb testing.TB, email string, role booking.Role, artisan string) *booking.User {
	tb.Helper()
	return e.MustCreateUserParams(tb, email, role, artisan, auth.TestParams)
}

// MustCreateUserParams adds an account with StaffPassword hashed with p.
func (e *StaffEnv) MustCreateUserParams(tb testing.TB, email string, role booking.Role, artisan string, p auth.Params) *booking.User {
	tb.Helper()
	hash, err := auth.HashPassword(StaffPassword, p)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := e.DB.CreateUser(context.Background(), booking.User{Email: email, Name: email, Role: role, ArtisanID: artisan, PasswordHash: hash})
	if err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// Do sends a request with the session cookie (if not "") and headers
// (name, value pairs); body is JSON-encoded unless nil or a string.
func (e *StaffEnv) Do(tb testing.TB, cookie, method, path string, body any, headers ...string) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: cookie})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.HTTP.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Login signs in and returns the response and the session cookie.
func (e *StaffEnv) Login(tb testing.TB, email, password string, headers ...string) (Response, *http.Cookie) {
	tb.Helper()
	r := e.Do(tb, "", http.MethodPost, "/api/v1/staff/login", map[string]string{"email": email, "password": password}, headers...)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == httpx.SessionCookie && c.Value != "" {
			return r, c
		}
	}
	return r, nil
}

// MustLogin signs u in and returns the cookie value.
func (e *StaffEnv) MustLogin(tb testing.TB, u *booking.User) string {
	tb.Helper()
	r, c := e.Login(tb, u.Email, StaffPassword)
	if r.Status != http.StatusOK || c == nil {
		tb.Fatalf("login %s: status %d, body %s", u.Email, r.Status, r.Body)
	}
	return c.Value
}

// MustExpiredSession stores a session of u whose absolute expiry has
// passed and returns its cookie value.
func (e *StaffEnv) MustExpiredSession(tb testing.TB, u *booking.User) string {
	tb.Helper()
	now := e.Clock.Now()
	tok := auth.NewSessionToken()
	err := e.DB.CreateSession(context.Background(), booking.Session{
		ID: tok.ID, UserID: u.ID, SecretHash: tok.SecretHash(),
		CreatedAt: now.Add(-8 * 24 * time.Hour), LastSeenAt: now.Add(-time.Minute), ExpiresAt: now.Add(-time.Hour),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return tok.String()
}

// MustStaffBook books req as the holder of cookie and returns the booking.
func (e *StaffEnv) MustStaffBook(tb testing.TB, cookie string, req any) Booking {
	tb.Helper()
	r := e.Do(tb, cookie, http.MethodPost, "/api/v1/staff/bookings", req)
	if r.Status != http.StatusCreated {
		tb.Fatalf("staff booking: status %d, body %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(tb, &b)
	return b
}

// VirtualRequest is a virtual design consultation with artisan at start.
func VirtualRequest(start, artisan string) map[string]any {
	r := Request(start)
	r["mode"], r["artisan"] = "virtual", artisan
	return r
}
