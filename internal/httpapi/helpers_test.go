package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// Now is the fixed clock of every test: Tuesday 1 December 2026, 09:00 in
// Singapore.
var Now = time.Date(2026, 12, 1, 9, 0, 0, 0, MustZone("Asia/Singapore"))

func MustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// DemoCatalog is a small atelier in Singapore: open 10:00-19:00 Monday to
// Saturday, closed on Sundays and on 25 December, one consultation room,
// 30-minute slots with 2 hours' notice. Artisans work 09:00-19:00.
func DemoCatalog() *booking.Catalog {
	week := func(s booking.Span) booking.WeekHours {
		var w booking.WeekHours
		for d := time.Monday; d <= time.Saturday; d++ {
			w[d] = []booking.Span{s}
		}
		return w
	}
	open := week(booking.Span{Start: 10 * 60, End: 19 * 60})
	// Artisans start earlier to lay out stones before the first visit.
	work := week(booking.Span{Start: 9 * 60, End: 19 * 60})
	loc := MustZone("Asia/Singapore")
	return &booking.Catalog{
		Atelier: booking.Atelier{
			Name:     "Maison Test",
			Timezone: "Asia/Singapore",
			Location: loc,
			Address:  "1 Test Street, Singapore 000001",
			Phone:    "+65 6000 0000",
			Email:    "hello@example.com",
			Rooms:    []booking.Room{{ID: "salon", Name: "Salon"}},
			Hours:    open,
			Closures: []booking.Closure{{ID: "xmas", From: booking.Date{Year: 2026, Month: 12, Day: 25}, To: booking.Date{Year: 2026, Month: 12, Day: 25}, Reason: "Christmas Day", Source: "config"}},
			Rules:    booking.Rules{MinNotice: 2 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute},
		},
		Services: []booking.Service{
			{
				ID: "design", Name: "Bespoke design consultation", Description: "Design a piece.",
				Duration: 90 * time.Minute, Modes: []booking.Mode{booking.InPerson, booking.Virtual},
				Buffers:  map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 15 * time.Minute}},
				Artisans: []string{"mei", "arjun"},
			},
			{
				ID: "sizing", Name: "Ring sizing", Description: "Find your size.",
				Duration: 30 * time.Minute, Modes: []booking.Mode{booking.InPerson},
				Artisans: []string{"mei"},
			},
		},
		Artisans: []booking.Artisan{
			{ID: "mei", Name: "Mei", Bio: "Goldsmith.", Email: "mei@example.com", Services: []string{"design", "sizing"}, Hours: work},
			{ID: "arjun", Name: "Arjun", Bio: "Stone setter.", Email: "arjun@example.com", Services: []string{"design"}, Hours: work},
		},
	}
}

// Env is a running API over a real store on a temporary file.
type Env struct {
	DB     *sqlite.Store
	App    *app.App
	Edge   *httpx.Server
	Server *httpapi.Server
	HTTP   *httptest.Server
	Path   string // the database file
}

// MustOpenEnv starts the API with the test catalogue and cfg; parts, when
// given, complete the application service's.
func MustOpenEnv(tb testing.TB, cfg httpx.Config, parts ...func(*app.Deps)) *Env {
	tb.Helper()
	return MustOpenEnvAt(tb, cfg, filepath.Join(tb.TempDir(), "atelier.db"), sqlite.Options{}, parts...)
}

// MustOpenEnvAt is MustOpenEnv on the database file path (new or not),
// opened with opts.
func MustOpenEnvAt(tb testing.TB, cfg httpx.Config, path string, opts sqlite.Options, parts ...func(*app.Deps)) *Env {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenWith(ctx, path, opts)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return Now }
	if _, err := db.SyncCatalog(ctx, DemoCatalog()); err != nil {
		tb.Fatalf("sync catalogue: %v", err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://atelier.example"
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := app.Deps{Store: db, Now: func() time.Time { return Now }, Logger: logger, PublicURL: cfg.PublicURL}
	for _, p := range parts {
		p(&d)
	}
	a := app.New(d)
	edge := httpx.New(cfg, logger)
	srv := httpapi.New(edge, a)
	hs := httptest.NewServer(CheckContract(tb, edge.Router(), edge.Handler()))
	tb.Cleanup(hs.Close)
	return &Env{DB: db, App: a, Edge: edge, Server: srv, HTTP: hs, Path: path}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes a problem details body and checks its media type.
func (r Response) Problem(tb testing.TB) httpapi.Problem {
	tb.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p httpapi.Problem
	r.JSON(tb, &p)
	return p
}

// Do sends a request; body is JSON-encoded unless it is a string or nil.
// headers are name, value pairs.
func (e *Env) Do(tb testing.TB, method, path string, body any, headers ...string) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
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

// Booking is a booking as the API returns it.
type Booking struct {
	ID         string           `json:"id"`
	Status     string           `json:"status"`
	Service    string           `json:"service"`
	Mode       string           `json:"mode"`
	Artisan    string           `json:"artisan"`
	Start      string           `json:"start"`
	End        string           `json:"end"`
	Customer   booking.Customer `json:"customer"`
	Notes      string           `json:"notes"`
	Location   string           `json:"location"`
	MeetingURL string           `json:"meeting_url"`
	Sequence   int              `json:"sequence"`
	CreatedAt  string           `json:"created_at"`
	UpdatedAt  string           `json:"updated_at"`
	Links      struct {
		Manage string `json:"manage"`
		ICS    string `json:"ics"`
	} `json:"links"`
	ManageToken string `json:"manage_token"`
}

// Availability is an availability answer.
type Availability struct {
	Service  string `json:"service"`
	Mode     string `json:"mode"`
	Timezone string `json:"timezone"`
	Slots    []struct {
		Start    string   `json:"start"`
		End      string   `json:"end"`
		Artisans []string `json:"artisans"`
	} `json:"slots"`
}

// Request returns a valid booking request for start (RFC 3339).
func Request(start string) map[string]any {
	return map[string]any{
		"service": "design",
		"mode":    "in_person",
		"start":   start,
		"artisan": "mei",
		"customer": map[string]any{
			"name":  "Ana Lim",
			"email": "ana@example.com",
			"phone": "+65 9123 4567",
		},
		"notes": "An engagement ring with a sapphire.",
	}
}

// MustCreateBooking books req and returns the booking with its token.
func MustCreateBooking(tb testing.TB, e *Env, req any, headers ...string) Booking {
	tb.Helper()
	r := e.Do(tb, http.MethodPost, "/api/v1/bookings", req, headers...)
	if r.Status != http.StatusCreated {
		tb.Fatalf("create booking: status %d, body %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(tb, &b)
	return b
}

// MustAvailability fetches availability for query (without the leading ?).
func MustAvailability(tb testing.TB, e *Env, query string) Availability {
	tb.Helper()
	r := e.Do(tb, http.MethodGet, "/api/v1/availability?"+query, nil)
	if r.Status != http.StatusOK {
		tb.Fatalf("availability: status %d, body %s", r.Status, r.Body)
	}
	var a Availability
	r.JSON(tb, &a)
	return a
}

// HasSlot reports whether a lists a slot starting at start for artisan.
func (a Availability) HasSlot(start, artisan string) bool {
	for _, s := range a.Slots {
		if s.Start == start {
			for _, id := range s.Artisans {
				if id == artisan {
					return true
				}
			}
		}
	}
	return false
}

// readFile returns the database file and its write-ahead log.
func readFile(e *Env) ([]byte, error) {
	var all []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.Path + suffix)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		all = append(all, b...)
	}
	return all, nil
}
