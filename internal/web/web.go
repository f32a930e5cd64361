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
// refused by the cross-origin protection of the edge (internal/httpx) that
// wraps the whole server.
package web

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// Server serves the pages. Create it with New and add its routes to the
// edge with Register.
type Server struct {
	edge   *httpx.Server
	app    *app.App
	limits *httpx.Limits
	logger *slog.Logger
	pages  *engine
	assets *assets
	staff  *staffPages // nil until EnableStaff
	face   *face       // the words and pictures of the configuration (UseConfig)

	// The configuration's languages, "what to bring" and embedding
	// (UseConfig); English only, the general advice and no embedding
	// without it.
	langs          *i18n.Catalogue
	advice         invite.Advice
	secure         bool   // https: the language cookie is Secure
	embedAncestors string // CSP frame-ancestors of the embed pages
}

// New parses the templates under web/templates and hashes the files under
// web/static of fsys (the repository's web/ folder, i.e. atelier.Web). It
// fails when a template does not parse, so a broken page stops the start.
// The pages share the edge's limits with the JSON API, so that bookings
// and failed sign-ins through the pages count against the same budget,
// and its sessions, so that one sign-in serves both.
func New(edge *httpx.Server, fsys fs.FS, a *app.App) (*Server, error) {
	root, err := fs.Sub(fsys, "web")
	if err != nil {
		return nil, fmt.Errorf("web files: %w", err)
	}
	as, err := loadAssets(root)
	if err != nil {
		return nil, err
	}
	as.add(gridCSSName, gridCSS()) // the staff calendar's grid positions (staff_grid.go)
	pages, err := newEngine(root, as)
	if err != nil {
		return nil, err
	}
	langs, err := i18n.New(nil, "")
	if err != nil {
		return nil, err
	}
	return &Server{edge: edge, app: a, limits: edge.Limits(), logger: edge.Logger(), pages: pages, assets: as, face: defaultFace(),
		langs: langs, embedAncestors: "'none'"}, nil
}

// Register adds the page routes to the edge; call EnableStaff first for
// the staff pages. Register the pages after the JSON API: the last route
// they add answers every GET for a path outside /api/ that no other route
// matched with the "page not found" page.
func (s *Server) Register() {
	r := s.edge.Router()
	r.PathPrefix(staticPrefix).Handler(s.assets).Methods(http.MethodGet, http.MethodHead)
	s.registerCustomerRoutes(r)
	s.registerManageRoutes(r)
	s.registerCommissionRoutes(r) // commission.go: the customer's page of a commission
	s.registerPrivacyRoutes(r)    // privacy.go
	s.registerInvitationRoutes(r) // invitation.go: a commission's next step
	if s.staff != nil {
		s.registerStaffRoutes(r)
	}
	r.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool {
		return !strings.HasPrefix(r.URL.Path, "/api/") && (r.Method == http.MethodGet || r.Method == http.MethodHead)
	}).Handler(s.page(s.handleNotFound))
}

// handleNotFound answers an address no route knows; its words are
// customerWording's (ErrNoRoute), in the page's language.
func (s *Server) handleNotFound(http.ResponseWriter, *http.Request) error {
	return httpx.ErrNoRoute
}
