// Package web serves the HTML pages of the atelier: the customer's booking
// flow (landing page, service, mode, artisan, calendar, details,
// confirmation) and the manage page reached from the link in the mails.
//
// Pages are rendered on the server with html/template and work with
// JavaScript off; the small script in web/static only enhances them (it
// detects the browser's time zone and submits the zone selector on change).
// Templates and assets come from an fs.FS (the embedded atelier.Web) and
// are parsed and hashed once, in New. Changes go through POST forms behind a
// confirmation page, never a GET, and then redirect (POST/redirect/GET), so
// that mail scanners following links change nothing. Cross-site posting is
// refused by the http.CrossOriginProtection that wraps the whole server
// (httpapi.Server.Handler).
package web

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// Limits are the per-client limits the pages share with the JSON API, so
// that a client has one budget whichever way it comes in and its address
// is found the same way (trusted proxies, X-Forwarded-For).
// *httpapi.Limits (httpapi.Server.Limits) is the implementation.
type Limits interface {
	// AllowBooking takes one booking attempt of r's client; when none is
	// left it returns false and how long until one is.
	AllowBooking(r *http.Request) (ok bool, wait time.Duration)
	// BeginLogin takes a sign-in attempt of r's client as email before
	// the password is checked, after the account's delay if it has one;
	// nil and how long to wait when the client has none left. End the
	// attempt with the result of the sign-in.
	BeginLogin(r *http.Request, email string) (attempt *httpapi.LoginAttempt, wait time.Duration)
	// AllowLinkRequest takes one request of r's client to e-mail the
	// manage links of email again; when the client or the address has
	// none left it returns false and how long until one is.
	AllowLinkRequest(r *http.Request, email string) (ok bool, wait time.Duration)
}

// Server serves the pages. Create it with New and add its routes to a
// router with Register.
type Server struct {
	app    *app.App
	limits Limits
	logger *slog.Logger
	pages  *engine
	assets *assets
	staff  *staffPages // nil until EnableStaff
}

// New parses the templates under web/templates and hashes the files under
// web/static of fsys (the repository's web/ folder, i.e. atelier.Web). It
// fails when a template does not parse, so a broken page stops the start.
// limits are the JSON API's (httpapi.Server.Limits), so that bookings and
// failed sign-ins through the pages count against the same budget; they
// are required.
func New(fsys fs.FS, a *app.App, limits Limits, logger *slog.Logger) (*Server, error) {
	if limits == nil {
		return nil, fmt.Errorf("web pages: no limits (share the JSON API's)")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	root, err := fs.Sub(fsys, "web")
	if err != nil {
		return nil, fmt.Errorf("web files: %w", err)
	}
	as, err := loadAssets(root)
	if err != nil {
		return nil, err
	}
	pages, err := newEngine(root, as)
	if err != nil {
		return nil, err
	}
	return &Server{app: a, limits: limits, logger: logger, pages: pages, assets: as}, nil
}

// Register adds the page routes to r; call EnableStaff first for the staff
// pages. Register it after the JSON API: the
// last route it adds answers every GET for a path outside /api/ that no
// other route matched with the "page not found" page.
func (s *Server) Register(r *mux.Router) {
	r.PathPrefix(staticPrefix).Handler(s.assets).Methods(http.MethodGet, http.MethodHead)
	s.registerCustomerRoutes(r)
	s.registerManageRoutes(r)
	if s.staff != nil {
		s.registerStaffRoutes(r)
	}
	r.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool {
		return !strings.HasPrefix(r.URL.Path, "/api/") && (r.Method == http.MethodGet || r.Method == http.MethodHead)
	}).HandlerFunc(s.handleNotFound)
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "Page not found",
		"There is nothing at this address. The links below lead back to the atelier.")
}

// currentRoute returns the path template of the matched route, or "".
func currentRoute(r *http.Request) string {
	if rt := mux.CurrentRoute(r); rt != nil {
		if t, err := rt.GetPathTemplate(); err == nil {
			return t
		}
	}
	return ""
}
