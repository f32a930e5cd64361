// Package httpapi is the JSON API adapter: routes, request decoding and
// problem details (RFC 9457). It registers its routes on the one HTTP edge
// (internal/httpx), which owns the router, the middleware, sessions,
// limits and the error → status table; its handlers return their errors
// and the edge answers them through Server.RenderError. It calls
// internal/app and never the store.
package httpapi

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpx"
)

// prefix starts every path of the JSON API.
const prefix = "/api/v1"

// Server serves the JSON API on an edge.
type Server struct {
	edge   *httpx.Server
	app    *app.App
	logger *slog.Logger

	staff  *mux.Router
	health healthParts // more members of /healthz (health.go)
}

// New registers the customer API and /healthz on edge, whose own answers
// (unmatched paths, cross-origin refusals, panics) become problem details
// too. Register it before the pages, whose last route answers every GET
// outside /api/.
func New(edge *httpx.Server, a *app.App) *Server {
	s := &Server{edge: edge, app: a, logger: edge.Logger()}
	edge.SetFallback(s)
	r := edge.Router()
	r.Handle("/healthz", s.handle(s.handleHealth)).Methods(http.MethodGet, http.MethodHead)
	// Routes are registered with full paths on the root router: under a
	// /api/v1 subrouter, gorilla/mux 1.8.1 answers 404 where 405 is due.
	s.registerCatalogRoutes(r)
	s.registerAvailabilityRoutes(r)
	s.registerBookingRoutes(r)
	s.registerPhotoRoutes(r)      // photos.go
	s.registerCommissionRoutes(r) // commissions.go
	s.registerPrivacyRoutes(r)    // privacy.go
	s.registerOpenAPIRoute(r)
	// The document is converted to JSON once, at the first start.
	if _, err := openAPIJSON(); err != nil {
		s.logger.Error("the embedded OpenAPI document does not convert to JSON", "err", err)
	}

	// Staff routes go on StaffRouter(); a staff path no route matches
	// answers 401 without a session (staff_unmatched.go).
	s.staff = r.PathPrefix("/api/v1/staff").Subrouter()
	s.answerUnmatched(s.staff)
	return s
}

// StaffRouter returns the subrouter for /api/v1/staff (register paths
// relative to it, e.g. "/login"); staff paths it does not match answer 401
// without a session.
func (s *Server) StaffRouter() *mux.Router { return s.staff }

// handle is h on the edge, its errors answered as problem details.
func (s *Server) handle(h httpx.HandlerFunc) http.Handler { return s.edge.Handle(s, h) }

// staffOnly is handle behind a staff session: without one, 401.
func (s *Server) staffOnly(h httpx.HandlerFunc) http.Handler {
	return s.edge.Handle(s, s.edge.RequireStaff(h))
}

// isStaffPath reports whether path is under /api/v1/staff.
func isStaffPath(path string) bool {
	return path == "/api/v1/staff" || strings.HasPrefix(path, "/api/v1/staff/")
}
