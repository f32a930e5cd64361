package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/invite"
	"github.com/atelier-app/atelier/internal/meeting"
	"github.com/atelier-app/atelier/internal/sqlite"
	"github.com/atelier-app/atelier/internal/web"
)

// Singapore is the demo atelier's zone; London is the browser's in the
// tests, seven or eight hours behind.
var (
	Singapore = MustZone("Asia/Singapore")
	London    = MustZone("Europe/London")
)

// Now is the fixed clock of the tests: Tuesday 1 December 2026, 09:00 in
// Singapore. The demo atelier needs a day's notice, is closed on Mondays
// and on Christmas Day.
var Now = time.Date(2026, 12, 1, 9, 0, 0, 0, Singapore)

func MustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Env is the real server (store on a temporary file, real engine, JSON
// API and pages) on 127.0.0.1.
type Env struct {
	DB   *sqlite.Store
	App  *app.App
	HTTP *httptest.Server
	URL  string
	Path string // the database file
}

// MustOpenEnv starts the server with the demo configuration's catalogue.
func MustOpenEnv(tb testing.TB) *Env {
	tb.Helper()
	return MustOpenEnvConfig(tb, httpx.Config{})
}

// LoginsPerMinute is the sign-in throttle of the test server.
const LoginsPerMinute = 10

// MustOpenEnvConfig is MustOpenEnv with the JSON API's configuration
// (rate limits, trusted proxies). The limits run on the frozen clock Now,
// so no token comes back during a test.
func MustOpenEnvConfig(tb testing.TB, apiCfg httpx.Config) *Env {
	tb.Helper()
	return MustOpenEnvWith(tb, apiCfg, sqlite.Options{})
}

// MustOpenEnvWith is MustOpenEnvConfig with the store's options.
func MustOpenEnvWith(tb testing.TB, apiCfg httpx.Config, opts sqlite.Options) *Env {
	tb.Helper()
	return mustOpenEnv(tb, apiCfg, envOptions{store: opts})
}

// MustOpenEnvChecker is MustOpenEnvConfig with the checker that runs the
// sign-ins' password checks (nil: the default).
func MustOpenEnvChecker(tb testing.TB, apiCfg httpx.Config, checker *auth.Checker) *Env {
	tb.Helper()
	return mustOpenEnv(tb, apiCfg, envOptions{checker: checker})
}

// envOptions are the less usual parts of a test server.
type envOptions struct {
	store   sqlite.Options
	checker *auth.Checker // nil: the default
	// parts, when set, completes the application service's parts before
	// it is made; e has its DB, URL and Path then, not its App.
	parts func(d *app.Deps, e *Env)
	// config, when set, edits the demo configuration before it is used.
	config func(c *config.Config)
	// requests keeps the demo's services that staff confirm so; without
	// it they are booked as ordinary services.
	requests bool
}

func mustOpenEnv(tb testing.TB, apiCfg httpx.Config, o envOptions) *Env {
	tb.Helper()
	if apiCfg.Now == nil {
		apiCfg.Now = func() time.Time { return Now }
	}
	ctx := context.Background()
	cfg, err := config.Parse(atelier.ExampleConfig)
	if err != nil {
		tb.Fatalf("demo config: %v", err)
	}
	if !o.requests {
		// The demo's private viewing is a request staff confirm; the tests
		// of everything else book it as an ordinary service.
		for i := range cfg.Services {
			cfg.Services[i].RequiresConfirmation = false
		}
	}
	if o.config != nil {
		o.config(cfg)
	}
	cat, err := cfg.Catalog()
	if err != nil {
		tb.Fatalf("demo catalogue: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "atelier.db")
	db, err := sqlite.OpenWith(ctx, path, o.store)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return Now }
	if _, err := db.SyncCatalog(ctx, cat); err != nil {
		tb.Fatalf("sync catalogue: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The listener first: the public URL is its address.
	hs := httptest.NewUnstartedServer(nil)
	tb.Cleanup(hs.Close)
	e := &Env{DB: db, HTTP: hs, URL: "http://" + hs.Listener.Addr().String(), Path: path}
	d := app.Deps{
		Store: db, Now: func() time.Time { return Now }, Logger: logger, PublicURL: e.URL, Meetings: meeting.Jitsi{},
		Passwords: auth.TestParams, Checker: o.checker,
	}
	if d.Languages, err = cfg.Catalogue(); err != nil {
		tb.Fatal(err)
	}
	d.Advice = invite.AdviceOf(cfg)
	if o.parts != nil {
		o.parts(&d, e)
	}
	e.App = app.New(d)
	apiCfg.LoginsPerMinute, apiCfg.Accounts = LoginsPerMinute, e.App
	edge := httpx.New(apiCfg, logger)
	api := httpapi.New(edge, e.App)
	api.EnableStaff(e.App)
	pages, err := web.New(edge, atelier.Web, e.App)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	if err := pages.UseConfig(cfg); err != nil {
		tb.Fatalf("UseConfig: %v", err)
	}
	pages.EnableStaff(e.App, web.StaffConfig{})
	pages.Register()
	hs.Config.Handler = edge.Handler()
	hs.Start()
	if hs.URL != e.URL {
		tb.Fatalf("the test server is at %s, not %s", hs.URL, e.URL)
	}
	return e
}

// testAdmin is an admin account for reading bookings through the service
// in tests.
var testAdmin = &booking.User{ID: "us_test", Role: booking.RoleAdmin}

// StaffPassword is the password of every staff account of the tests.
const StaffPassword = "correct horse battery"

// MustCreateUser adds a staff account; artisan is "" for an admin.
func (e *Env) MustCreateUser(tb testing.TB, email, name, artisan string) {
	tb.Helper()
	e.MustCreateUserParams(tb, email, name, artisan, auth.TestParams)
}

// MustCreateUserParams is MustCreateUser with the password hashed with p.
func (e *Env) MustCreateUserParams(tb testing.TB, email, name, artisan string, p auth.Params) {
	tb.Helper()
	hash, err := auth.HashPassword(StaffPassword, p)
	if err != nil {
		tb.Fatal(err)
	}
	u := booking.User{Email: email, Name: name, Role: booking.RoleAdmin, PasswordHash: hash}
	if artisan != "" {
		u.Role, u.ArtisanID = booking.RoleArtisan, artisan
	}
	if _, err := e.DB.CreateUser(context.Background(), u); err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
}

// Page is a fetched page.
type Page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

// client does not follow redirects, so tests see them.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// MustGet fetches path.
func (e *Env) MustGet(tb testing.TB, path string) Page {
	tb.Helper()
	return e.do(tb, http.MethodGet, path, nil)
}

// MustPost posts a form to path as a same-origin browser would.
func (e *Env) MustPost(tb testing.TB, path string, form url.Values) Page {
	tb.Helper()
	return e.do(tb, http.MethodPost, path, form)
}

func (e *Env) do(tb testing.TB, method, path string, form url.Values) Page {
	tb.Helper()
	if form == nil {
		return e.Send(tb, method, path, "", "")
	}
	return e.Send(tb, method, path, "application/x-www-form-urlencoded", form.Encode())
}

// Send makes a same-origin request with a body of contentType (none when
// "") and headers given as name, value pairs.
func (e *Env) Send(tb testing.TB, method, path, contentType, body string, headers ...string) Page {
	tb.Helper()
	var rd io.Reader
	if contentType != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Page{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Location: resp.Header.Get("Location")}
}

// Booked is a booking a test made: as the app answered it, with its manage
// token and the link to its manage page.
type Booked struct {
	*app.Booking
	ManageToken string
	Links       struct{ Manage string }
}

func (e *Env) booked(c *app.Created) *Booked {
	b := &Booked{Booking: c.Booking, ManageToken: c.ManageToken}
	b.Links.Manage = e.URL + "/bookings/" + url.PathEscape(c.Booking.ID) + "?" + url.Values{"token": {c.ManageToken}}.Encode()
	return b
}

// MustBook books through the app, as another customer would.
func (e *Env) MustBook(tb testing.TB, service, mode, artisan string, start time.Time) *Booked {
	tb.Helper()
	c, err := e.App.CreateBooking(context.Background(), app.BookingRequest{
		Service: service, Mode: booking.Mode(mode), Artisan: artisan, Start: start,
		Customer: booking.Customer{Name: "Other Customer", Email: "other@example.com"},
	}, app.CreateOptions{})
	if err != nil {
		tb.Fatalf("book %s %s at %s: %v", service, mode, start, err)
	}
	return e.booked(c)
}

// MustBookIn books through the app for a customer in zone and returns the
// booking with its manage link.
func (e *Env) MustBookIn(tb testing.TB, service, mode, artisan string, start time.Time, zone string) *Booked {
	tb.Helper()
	c, err := e.App.CreateBooking(context.Background(), app.BookingRequest{
		Service: service, Mode: booking.Mode(mode), Artisan: artisan, Start: start,
		Customer: booking.Customer{Name: "Ada Lovelace", Email: "ada@example.com", Timezone: zone},
		Answers:  e.requiredAnswers(tb, service),
	}, app.CreateOptions{})
	if err != nil {
		tb.Fatalf("book %s %s at %s: %v", service, mode, start, err)
	}
	return e.booked(c)
}

// requiredAnswers answers the required questions of service with a
// plausible value each.
func (e *Env) requiredAnswers(tb testing.TB, service string) map[string]json.RawMessage {
	tb.Helper()
	c, err := e.App.Catalog(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	svc := c.Service(service)
	if svc == nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for _, q := range svc.Questions {
		if !q.Required {
			continue
		}
		switch q.Type {
		case booking.QChoice:
			out[q.ID], _ = json.Marshal(q.Options[0])
		case booking.QMultiChoice:
			out[q.ID], _ = json.Marshal(q.Options[:1])
		case booking.QYesNo:
			out[q.ID] = json.RawMessage(`false`)
		case booking.QNumber:
			out[q.ID] = json.RawMessage(`1`)
		case booking.QDate:
			out[q.ID] = json.RawMessage(`"2027-01-01"`)
		default:
			out[q.ID] = json.RawMessage(`"Two old chains"`)
		}
	}
	return out
}

// MustBookAs books an in-person appointment with artisan for a customer
// called name.
func (e *Env) MustBookAs(tb testing.TB, service, artisan string, start time.Time, name string) *Booked {
	tb.Helper()
	c, err := e.App.CreateBooking(context.Background(), app.BookingRequest{
		Service: service, Mode: booking.InPerson, Artisan: artisan, Start: start,
		Customer: booking.Customer{Name: name, Email: "other@example.com"},
	}, app.CreateOptions{})
	if err != nil {
		tb.Fatalf("book %s with %s at %s: %v", service, artisan, start, err)
	}
	return e.booked(c)
}

// atelierOf is the atelier of a catalogue the app answered.
func atelierOf(c *booking.Catalog, err error) (*booking.Atelier, error) {
	if err != nil {
		return nil, err
	}
	return &c.Atelier, nil
}
