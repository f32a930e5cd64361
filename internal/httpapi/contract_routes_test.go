package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/invite"
	"github.com/atelier-app/atelier/internal/photo/phototest"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// MustOpenFullEnv is a StaffEnv with every route the server can have:
// Google Calendar sync on, with per-artisan OAuth.
func MustOpenFullEnv(tb testing.TB) *StaffEnv {
	tb.Helper()
	return MustOpenStaffEnv(tb, StaffOptions{Setup: func(d *app.Deps, db *sqlite.Store) {
		d.Google = &fakeGoogle{connected: map[string]bool{}}
		d.GoogleOAuth = gcal.NewOAuth("cid", "secret", "https://atelier.example/api/v1/staff/google/callback", db)
		d.PrivacyLink = privacyLinks.job
	}})
}

// mailedLinks records the privacy links the app would e-mail.
type mailedLinks struct {
	mu    sync.Mutex
	links []string
}

var privacyLinks = &mailedLinks{}

func (m *mailedLinks) job(b *booking.Booking, purpose, link string, _ time.Time) (booking.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links = append(m.links, link)
	return booking.Job{Queue: "mail", Kind: "privacy_link", Payload: []byte(`{}`)}, nil
}

// last returns the token of the latest link.
func (m *mailedLinks) last(tb testing.TB) string {
	tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.links) == 0 {
		tb.Fatal("no privacy link was mailed")
	}
	_, token, _ := strings.Cut(m.links[len(m.links)-1], "?token=")
	return token
}

// routeVar is a path variable with a pattern in a mux template
// ("{token:[A-Za-z0-9_-]+}"); OpenAPI writes it "{token}".
var routeVar = regexp.MustCompile(`\{([A-Za-z0-9_]+):[^}]*\}`)

// servedOperations walks r and returns "METHOD /path" (OpenAPI path
// templates) for every route.
func servedOperations(tb testing.TB, r *mux.Router) []string {
	tb.Helper()
	var out []string
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if route.GetHandler() == nil {
			return nil // a subrouter's prefix
		}
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, err := route.GetMethods()
		if err != nil {
			return fmt.Errorf("route %s takes every method: list them", tmpl)
		}
		for _, m := range methods {
			out = append(out, m+" "+routeVar.ReplaceAllString(tmpl, "{$1}"))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// servedElsewhere are documented operations that cmd/atelier adds to the
// API's router itself (serve.go), so a server built here lacks them.
var servedElsewhere = []string{"GET /readyz", "HEAD /readyz"}

// TestOpenAPICoversEveryRoute walks the router of a server with every
// route it can have (staff API, Google Calendar sync with OAuth) and
// fails for any route, under /api/v1 or not, that the document does not
// describe, and for any documented operation that no route serves.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	e := MustOpenFullEnv(t)
	doc := MustContract(t).Doc
	served := servedOperations(t, e.Edge.Router())
	for _, op := range served {
		method, path, _ := strings.Cut(op, " ")
		item := doc.Paths.Value(path)
		if item == nil {
			t.Errorf("route %s is not in docs/openapi.yaml", op)
			continue
		}
		if item.GetOperation(method) == nil {
			t.Errorf("route %s: docs/openapi.yaml has %s but not %s", op, path, method)
		}
	}
	documented := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for method := range doc.Paths.Value(path).Operations() {
			documented++
			op := method + " " + path
			if !slices.Contains(served, op) && !slices.Contains(servedElsewhere, op) {
				t.Errorf("docs/openapi.yaml documents %s, which no route serves", op)
			}
		}
	}
	t.Logf("%d operations documented; the router serves %d (and cmd/atelier adds %d)", documented, len(served), len(servedElsewhere))
	if len(served) < 40 {
		t.Errorf("only %d routes walked: the walk missed the staff routes", len(served))
	}
}

// TestOpenAPIEveryOperation sends one request to every documented
// operation of a server with every route, through the contract check, so
// that each operation's document is compared with a real answer at least
// once (the other tests cover the error answers).
func TestOpenAPIEveryOperation(t *testing.T) {
	e := MustOpenFullEnv(t)
	ready := &httpx.Readiness{} // as cmd/atelier mounts it (serve.go)
	ready.SetReady()
	e.Edge.Router().Handle("/readyz", ready).Methods(http.MethodGet, http.MethodHead)
	c := MustContract(t)
	admin := e.MustLogin(t, e.Admin)
	seen := map[string]bool{}
	do := func(cookie, method, path string, body any, want int, headers ...string) Response {
		t.Helper()
		req, _ := http.NewRequest(method, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		if route, _, err := c.Router.FindRoute(req); err == nil {
			seen[route.Operation.OperationID] = true
		}
		r := e.Do(t, cookie, method, path, body, headers...)
		if r.Status != want {
			t.Errorf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
		}
		return r
	}
	get := func(path string) { // GET and HEAD
		t.Helper()
		do("", http.MethodGet, path, nil, http.StatusOK)
		do("", http.MethodHead, path, nil, http.StatusOK)
	}
	for _, p := range []string{"/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/atelier", "/api/v1/services",
		"/api/v1/services/design", "/api/v1/artisans", "/api/v1/artisans/mei", "/api/v1/availability?" + dayQuery} {
		get(p)
	}

	var b Booking
	do("", http.MethodPost, "/api/v1/bookings", VirtualRequest(tomorrow10, "mei"), http.StatusCreated, "Idempotency-Key", "k1").JSON(t, &b)
	bearer := []string{"Authorization", "Bearer " + b.ManageToken}
	do("", http.MethodGet, "/api/v1/bookings/"+b.ID, nil, http.StatusOK, bearer...)
	do("", http.MethodHead, "/api/v1/bookings/"+b.ID, nil, http.StatusOK, bearer...)
	do("", http.MethodGet, "/api/v1/bookings/"+b.ID+"/invite.ics?token="+b.ManageToken, nil, http.StatusOK)
	do("", http.MethodHead, "/api/v1/bookings/"+b.ID+"/invite.ics", nil, http.StatusOK, bearer...)
	do("", http.MethodPost, "/api/v1/bookings/"+b.ID+"/reschedule", map[string]string{"start": tomorrow14}, http.StatusOK, bearer...)
	do("", http.MethodPost, "/api/v1/bookings/"+b.ID+"/cancel", nil, http.StatusOK, bearer...)

	do(admin, http.MethodGet, "/api/v1/staff/me", nil, http.StatusOK)
	var sb Booking
	do(admin, http.MethodPost, "/api/v1/staff/bookings", Request(tomorrow10), http.StatusCreated).JSON(t, &sb)
	do(admin, http.MethodGet, "/api/v1/staff/bookings?from=2026-12-01&to=2026-12-31", nil, http.StatusOK)
	// Staff tools: free times for staff, search, a customer.
	do(admin, http.MethodGet, "/api/v1/staff/availability?"+dayQuery, nil, http.StatusOK)
	var found struct {
		Bookings []struct {
			CustomerID string `json:"customer_id"`
		}
	}
	do(admin, http.MethodGet, "/api/v1/staff/search?q="+strings.ToUpper(sb.ID), nil, http.StatusOK).JSON(t, &found)
	if len(found.Bookings) != 1 {
		t.Fatalf("search by reference: %+v", found)
	}
	do(admin, http.MethodGet, "/api/v1/staff/customers/"+found.Bookings[0].CustomerID, nil, http.StatusOK)
	do(admin, http.MethodPut, "/api/v1/staff/customers/"+found.Bookings[0].CustomerID+"/notes", map[string]string{"notes": "Prefers mornings."}, http.StatusOK)
	// Personal data: a customer's links, an admin's copy and erasure.
	do("", http.MethodPost, "/api/v1/bookings/"+b.ID+"/privacy-requests", map[string]string{"purpose": "export"}, http.StatusAccepted,
		bearer...)
	do("", http.MethodGet, "/api/v1/privacy/export?format=json&token="+privacyLinks.last(t), nil, http.StatusOK)
	do("", http.MethodPost, "/api/v1/bookings/"+b.ID+"/privacy-requests", map[string]string{"purpose": "erase"}, http.StatusAccepted,
		bearer...)
	do("", http.MethodPost, "/api/v1/privacy/erase", map[string]string{"token": privacyLinks.last(t)}, http.StatusOK)
	do(admin, http.MethodGet, "/api/v1/staff/customers/"+found.Bookings[0].CustomerID+"/export", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/customers/"+found.Bookings[0].CustomerID+"/erase", nil, http.StatusOK)
	// The customer accepts, then proposes another time, by iTIP replies
	// (the IMAP reader's part): the staff view shows customer_reply.
	uid := invite.UID(sb.ID, "https://atelier.example")
	for i, r := range []booking.InboundReply{
		{Method: booking.MethodReply, PartStat: booking.PartAccepted},
		{Method: booking.MethodCounter, Start: mustTime(t, "2026-12-03T10:00:00+08:00"), End: mustTime(t, "2026-12-03T11:30:00+08:00")},
	} {
		r.Key, r.EventUID, r.Attendee, r.Author, r.Stamp = fmt.Sprint("reply-", i), uid, "ana@example.com", "ana@example.com", e.Clock.Now()
		if out, err := e.App.ApplyReply(context.Background(), r); err != nil || out == booking.ReplyUnknown {
			t.Fatalf("apply reply %d: %q, %v", i, out, err)
		}
	}
	var withReply struct {
		CustomerReply struct {
			Status  string
			Counter struct{ Free *bool }
		} `json:"customer_reply"`
	}
	do(admin, http.MethodGet, "/api/v1/staff/bookings/"+sb.ID+"?tz=Europe/London", nil, http.StatusOK).JSON(t, &withReply)
	if withReply.CustomerReply.Status != "ACCEPTED" || withReply.CustomerReply.Counter.Free == nil {
		t.Errorf("customer_reply: %+v, want ACCEPTED with a counter proposal that says whether it is free", withReply.CustomerReply)
	}
	do(admin, http.MethodPut, "/api/v1/staff/bookings/"+sb.ID+"/staff-notes", map[string]string{"staff_notes": "Prefers yellow gold."}, http.StatusOK)
	do(admin, http.MethodGet, "/api/v1/staff/bookings/"+sb.ID+"/messages", nil, http.StatusOK)
	do(admin, http.MethodGet, "/api/v1/staff/bookings/"+sb.ID+"/google", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+sb.ID+"/reschedule", map[string]string{"start": tomorrow14, "artisan": "any"}, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+sb.ID+"/cancel", nil, http.StatusOK)

	do(admin, http.MethodGet, "/api/v1/staff/artisans", nil, http.StatusOK)
	do(admin, http.MethodGet, "/api/v1/staff/artisans/mei", nil, http.StatusOK)
	week := map[string]any{"mon": [][]string{{"09:00", "19:00"}}, "tue": [][]string{{"09:00", "13:00"}, {"14:00", "19:00"}}}
	do(admin, http.MethodPut, "/api/v1/staff/artisans/mei/working-hours", week, http.StatusOK)
	do(admin, http.MethodPut, "/api/v1/staff/opening-hours", week, http.StatusOK)
	var off struct{ ID string }
	do(admin, http.MethodPost, "/api/v1/staff/artisans/mei/time-off", map[string]string{"start": "2026-12-10T09:00:00+08:00", "end": "2026-12-10T13:00:00+08:00", "reason": "Dentist"}, http.StatusCreated).JSON(t, &off)
	do(admin, http.MethodDelete, "/api/v1/staff/artisans/mei/time-off/"+off.ID, nil, http.StatusNoContent)
	var closure struct{ ID string }
	do(admin, http.MethodPost, "/api/v1/staff/closures", map[string]string{"from": "2026-12-24", "reason": "Christmas Eve"}, http.StatusCreated).JSON(t, &closure)
	do(admin, http.MethodPost, "/api/v1/staff/closures", map[string]string{"from": "2026-12-24", "to": "2026-12-24", "reason": "Again"}, http.StatusConflict)
	do(admin, http.MethodGet, "/api/v1/staff/closures", nil, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/closures/"+closure.ID, nil, http.StatusNoContent)
	var dh struct{ ID string }
	do(admin, http.MethodPost, "/api/v1/staff/date-hours", map[string]any{"date": "2026-12-23", "hours": [][2]string{{"10:00", "21:00"}}}, http.StatusCreated).JSON(t, &dh)
	do(admin, http.MethodGet, "/api/v1/staff/date-hours?from=2026-12-01&to=2026-12-31", nil, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/date-hours/"+dh.ID, nil, http.StatusOK)
	// The admins' catalogue.
	do(admin, http.MethodGet, "/api/v1/staff/catalogue", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/services", map[string]any{"name": "Engraving", "duration_minutes": 45, "modes": []string{"virtual"}, "artisans": []string{"arjun"}}, http.StatusCreated)
	do(admin, http.MethodPut, "/api/v1/staff/services/engraving", map[string]any{"buffers": map[string]any{"virtual": map[string]int{"before_minutes": 5, "after_minutes": 0}}}, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/services/engraving", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/artisans", map[string]any{"name": "Lea", "services": []string{"design"}}, http.StatusCreated)
	do(admin, http.MethodPut, "/api/v1/staff/artisans/lea", map[string]any{"working_hours": week, "meeting_url": "https://meet.example/lea"}, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/artisans/lea", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/rooms", map[string]any{"name": "Vault"}, http.StatusCreated)
	do(admin, http.MethodDelete, "/api/v1/staff/rooms/vault", nil, http.StatusOK)
	do(admin, http.MethodPut, "/api/v1/staff/booking-rules", map[string]any{"min_notice_minutes": 60}, http.StatusOK)
	do(admin, http.MethodGet, "/api/v1/staff/audit?from=2026-12-01&to=2026-12-01", nil, http.StatusOK)

	var feed struct{ URL string }
	do(admin, http.MethodPost, "/api/v1/staff/artisans/mei/feed", nil, http.StatusCreated).JSON(t, &feed)
	feedPath := strings.TrimPrefix(feed.URL, "https://atelier.example")
	etag := do("", http.MethodGet, feedPath, nil, http.StatusOK).Header.Get("ETag")
	do("", http.MethodGet, feedPath, nil, http.StatusNotModified, "If-None-Match", etag)
	do("", http.MethodHead, feedPath, nil, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/artisans/mei/feed", nil, http.StatusNoContent)
	do(admin, http.MethodPost, "/api/v1/staff/feed", nil, http.StatusCreated)
	do(admin, http.MethodDelete, "/api/v1/staff/feed", nil, http.StatusNoContent)

	do(admin, http.MethodGet, "/api/v1/staff/google", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/google/sync", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/artisans/mei/google/reconnect", nil, http.StatusOK)
	// The consent page is Google's: the redirect is not followed.
	connect, _ := http.NewRequest(http.MethodGet, e.HTTP.URL+"/api/v1/staff/artisans/mei/google/connect", nil)
	connect.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: admin})
	if route, _, err := c.Router.FindRoute(connect); err == nil {
		seen[route.Operation.OperationID] = true
	}
	noRedirect := *e.HTTP.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if resp, err := noRedirect.Do(connect); err != nil || resp.StatusCode != http.StatusFound {
		t.Errorf("connect: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	do(admin, http.MethodGet, "/api/v1/staff/google/callback?state=forged&code=c", nil, http.StatusBadRequest)

	// Requests that staff confirm or decline (issue 13).
	if _, err := e.DB.SyncCatalog(context.Background(), RequestCatalog()); err != nil {
		t.Fatal(err)
	}
	var rq Booking
	do("", http.MethodPost, "/api/v1/bookings", ViewingRequest("2026-12-07T12:30:00+08:00"), http.StatusCreated).JSON(t, &rq)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+rq.ID+"/confirm", nil, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+rq.ID+"/confirm", nil, http.StatusConflict)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+rq.ID+"/decline", map[string]string{"reason": "x"}, http.StatusConflict)
	do("", http.MethodPost, "/api/v1/bookings", ViewingRequest("2026-12-07T15:00:00+08:00"), http.StatusCreated).JSON(t, &rq)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+rq.ID+"/decline", map[string]string{"reason": ""}, http.StatusUnprocessableEntity)
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+rq.ID+"/decline", map[string]string{"reason": "Away at a fair."}, http.StatusOK)
	do("", http.MethodPost, "/api/v1/bookings/"+rq.ID+"/reschedule", map[string]string{"start": tomorrow14}, http.StatusConflict, "Authorization", "Bearer "+rq.ManageToken)

	// A booking's photos (a service that asks for them).
	if _, err := e.DB.SyncCatalog(context.Background(), IntakeCatalog()); err != nil {
		t.Fatal(err)
	}
	intake := Request("2026-12-07T10:00:00+08:00") // a Monday: the hours above
	intake["answers"] = map[string]any{"occasion": "Wedding"}
	var pb Booking
	do("", http.MethodPost, "/api/v1/bookings", intake, http.StatusCreated).JSON(t, &pb)
	pbearer := []string{"Authorization", "Bearer " + pb.ManageToken}
	ct, body := multipartPhoto(t, "photo", "ring.png", phototest.PNG(t, 40, 30))
	var ph struct{ ID string }
	do("", http.MethodPost, "/api/v1/bookings/"+pb.ID+"/photos", string(body), http.StatusCreated, append(pbearer, "Content-Type", ct)...).JSON(t, &ph)
	do("", http.MethodGet, "/api/v1/bookings/"+pb.ID+"/photos", nil, http.StatusOK, pbearer...)
	do(admin, http.MethodHead, "/api/v1/bookings/"+pb.ID+"/photos", nil, http.StatusOK)
	do("", http.MethodGet, "/api/v1/bookings/"+pb.ID+"/photos/"+ph.ID+"?token="+pb.ManageToken, nil, http.StatusOK)
	do(admin, http.MethodHead, "/api/v1/bookings/"+pb.ID+"/photos/"+ph.ID+"?size=thumb", nil, http.StatusOK)
	do("", http.MethodDelete, "/api/v1/bookings/"+pb.ID+"/photos/"+ph.ID, nil, http.StatusNoContent, pbearer...)

	// A commission from that booking, and the customer's view of it.
	var cm struct{ ID string }
	do(admin, http.MethodPost, "/api/v1/staff/commissions", map[string]any{"title": "Emerald ring", "booking": pb.ID}, http.StatusCreated).JSON(t, &cm)
	do(admin, http.MethodGet, "/api/v1/staff/commissions?stage=consultation", nil, http.StatusOK)
	do(admin, http.MethodPatch, "/api/v1/staff/commissions/"+cm.ID, map[string]any{"stage": "design", "needed_by": "2027-02-14"}, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/commissions/"+cm.ID+"/bookings/"+pb.ID, nil, http.StatusOK)
	do(admin, http.MethodPut, "/api/v1/staff/commissions/"+cm.ID+"/bookings/"+pb.ID, nil, http.StatusOK)
	do(admin, http.MethodGet, "/api/v1/staff/commissions/"+cm.ID, nil, http.StatusOK)
	do("", http.MethodGet, "/api/v1/commissions/"+cm.ID+"?token="+pb.ManageToken, nil, http.StatusOK)
	do("", http.MethodHead, "/api/v1/commissions/"+cm.ID, nil, http.StatusOK, pbearer...)
	// An invitation to book its next step, listed and revoked.
	var iv struct{ ID string }
	do(admin, http.MethodPost, "/api/v1/staff/commissions/"+cm.ID+"/invitations", map[string]any{"service": pb.Service, "expires_days": 7}, http.StatusCreated).JSON(t, &iv)
	do(admin, http.MethodGet, "/api/v1/staff/commissions/"+cm.ID+"/invitations", nil, http.StatusOK)
	do(admin, http.MethodDelete, "/api/v1/staff/commissions/"+cm.ID+"/invitations/"+iv.ID, nil, http.StatusOK)

	do("", http.MethodPost, "/api/v1/staff/login", map[string]string{"email": e.Mei.Email, "password": StaffPassword}, http.StatusOK)
	do(admin, http.MethodPost, "/api/v1/staff/logout", nil, http.StatusNoContent)

	for _, path := range MustContract(t).Doc.Paths.InMatchingOrder() {
		for method, op := range MustContract(t).Doc.Paths.Value(path).Operations() {
			if !seen[op.OperationID] {
				t.Errorf("%s %s (%s) was not exercised", method, path, op.OperationID)
			}
		}
	}
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
