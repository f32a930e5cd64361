// Package httpapi is the JSON API adapter: routes, request decoding,
// problem details (RFC 9457) and the middleware every response passes
// through (security headers, access log, panic recovery, cross-origin
// protection, rate limits). It calls internal/app and never the store.
package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
)

// prefix starts every path of the JSON API.
const prefix = "/api/v1"

// Config is what the API needs from the configuration file.
type Config struct {
	PublicURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// BookingsPerMinute limits booking creation per client address;
	// 0 turns the limit off.
	BookingsPerMinute int
	// LinkRequestsPerHour limits "send me my link again" per client
	// address and per e-mail address; 0 turns the limit off.
	LinkRequestsPerHour int
	// Now is the clock of the booking limit; nil means time.Now.
	Now func() time.Time
	// Metrics, when set, is told of every answered request (health.go).
	Metrics RequestObserver
}

// Server serves the JSON API.
type Server struct {
	cfg    Config
	app    *app.App
	logger *slog.Logger

	router *mux.Router
	staff  *mux.Router
	limits *Limits     // shared with the pages
	health healthParts // more members of /healthz (health.go)
}

// New builds the server and registers the customer routes.
func New(cfg Config, a *app.App, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, app: a, logger: logger, router: mux.NewRouter(), limits: newLimits(cfg)}
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStaffPath(r.URL.Path) {
			// Until the staff API answers a path, it needs a session
			// nobody can have: never reveal which staff paths exist.
			s.problem(w, r, http.StatusUnauthorized, "unauthorized", "a staff session is required", nil)
			return
		}
		s.problem(w, r, http.StatusNotFound, "not_found", "no such resource", nil)
	})
	s.router.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := s.allowedMethods(r); allow != "" {
			w.Header().Set("Allow", allow)
		}
		s.problem(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this resource", nil)
	})
	s.router.Use(recordRoute)

	s.router.HandleFunc("/healthz", s.handleHealth).Methods(http.MethodGet, http.MethodHead)
	// Routes are registered with full paths on the root router: under a
	// /api/v1 subrouter, gorilla/mux 1.8.1 answers 404 where 405 is due.
	s.registerCatalogRoutes(s.router)
	s.registerAvailabilityRoutes(s.router)
	s.registerBookingRoutes(s.router)

	// Staff routes go on StaffRouter(); a staff path no route matches
	// answers 401 (see NotFoundHandler above).
	s.staff = s.router.PathPrefix("/api/v1/staff").Subrouter()
	return s
}

// Router returns the mux so that staff routes and pages can be added.
// Routes added later match after the customer API's.
func (s *Server) Router() *mux.Router { return s.router }

// Limits returns the server's per-client limits (bookings per minute, and
// after EnableStaff the sign-in throttle), for the pages to share: a
// booking or a failed sign-in through a page counts against the same
// budget as one through the API.
func (s *Server) Limits() *Limits { return s.limits }

// StaffRouter returns the subrouter for /api/v1/staff (register paths
// relative to it, e.g. "/login"); staff paths it does not match answer 401.
func (s *Server) StaffRouter() *mux.Router { return s.staff }

// Handler returns the complete handler: the router wrapped in panic
// recovery, cross-origin protection, security headers and the access log
// (outermost first: log, headers, recovery, cross-origin, router).
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusForbidden, "cross_origin", "cross-origin request refused", nil)
	}))
	var h http.Handler = s.router
	h = cop.Handler(h)
	h = s.recoverPanics(h)
	h = securityHeaders(h, isHTTPS(s.cfg.PublicURL))
	h = s.accessLog(h)
	return h
}

// isHTTPS reports whether a public URL is https.
func isHTTPS(url string) bool {
	return len(url) >= 8 && strings.EqualFold(url[:8], "https://")
}

// isAPI reports whether the path belongs to the JSON API (not a page).
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz"
}

// isStaffPath reports whether path is under /api/v1/staff.
func isStaffPath(path string) bool {
	return path == "/api/v1/staff" || strings.HasPrefix(path, "/api/v1/staff/")
}

// allowedMethods lists the methods of the routes whose path matches r's,
// for the Allow header that a 405 response must carry (RFC 9110, 15.5.6).
// It walks the routes, which is slow but only runs on a 405.
func (s *Server) allowedMethods(r *http.Request) string {
	var allow []string
	seen := map[string]bool{}
	_ = s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		pattern, err := route.GetPathRegexp()
		if err != nil {
			return nil
		}
		methods, err := route.GetMethods()
		if err != nil {
			return nil
		}
		if ok, err := regexp.MatchString(pattern, r.URL.Path); err != nil || !ok {
			return nil
		}
		for _, m := range methods {
			if !seen[m] {
				seen[m] = true
				allow = append(allow, m)
			}
		}
		return nil
	})
	return strings.Join(allow, ", ")
}
