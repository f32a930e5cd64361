// Package httpx is the one HTTP edge of the server, shared by the JSON API
// (internal/httpapi) and the pages (internal/web): the router, the
// middleware every response passes through (access log and metrics,
// security headers, panic recovery, cross-origin protection), the staff
// sessions and their cookie, the per-client limits, request body limits,
// and the one table from error kind to HTTP status.
//
// Both adapters register their routes on a Server's Router and write their
// handlers as HandlerFuncs, which return an error instead of writing it:
// the edge answers it (Handle) with the status and Retry-After of the one
// table, logs it when it is the server's fault, and leaves the body to the
// adapter's Renderer, which chooses only the words (problem details for
// the API, a page for the pages). It imports neither adapter nor the
// store.
package httpx

import (
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/booking"
)

// Config is what the edge needs from the configuration file.
type Config struct {
	// PublicURL is the server's address for links; https turns on HSTS
	// and Secure cookies.
	PublicURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// BookingsPerMinute limits booking creation per client address;
	// 0 turns the limit off.
	BookingsPerMinute int
	// LinkRequestsPerHour limits "send me my link again" per client
	// address and per e-mail address; 0 turns the limit off.
	LinkRequestsPerHour int
	// LoginsPerMinute limits sign-in attempts per client address (those
	// with the right password are given back); past twice as many a
	// minute on one account, from all addresses, each attempt on it is
	// delayed (never refused). 0 turns both off.
	LoginsPerMinute int
	// Now is the clock of the limits; nil means time.Now.
	Now func() time.Time
	// SharedLimits, when set, keeps the limits' counts where every server
	// of one database shares them (several servers on PostgreSQL); nil
	// keeps them in this process (sharedlimits.go).
	SharedLimits LimitStore
	// Metrics, when set, is told of every answered request.
	Metrics RequestObserver
	// Accounts, when set, are the staff accounts that sessions and
	// sign-ins are checked against (*app.App); without them no request
	// has a session.
	Accounts Accounts
}

// Server is the edge: a router that both adapters register on, and the
// handler that wraps it.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	router   *mux.Router
	limits   *Limits
	secure   bool // the public URL is https
	fallback Renderer
}

// New builds the edge with an empty router. Unmatched paths are 404 and
// paths served with other methods 405 (with Allow), answered by the
// fallback Renderer (SetFallback).
func New(cfg Config, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg: cfg, logger: logger, router: mux.NewRouter(), limits: newLimits(cfg, logger),
		secure: isHTTPS(cfg.PublicURL), fallback: plainText,
	}
	s.router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, ErrNoRoute, nil)
	})
	s.router.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)
	s.router.Use(recordRoute)
	return s
}

// ErrNoRoute is the answer to a path no route serves.
var ErrNoRoute = booking.Errorf(booking.ENOTFOUND, "not_found", "no such resource")

// errMethod is the answer to a method a route does not take.
var errMethod = booking.Errorf(EMETHOD, "method_not_allowed", "method not allowed on this resource")

// methodNotAllowed answers a request whose path the router's routes serve
// with other methods: 405 with Allow.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	if allow := s.AllowedMethods(r); allow != "" {
		w.Header().Set("Allow", allow)
	}
	s.Error(w, r, errMethod, nil)
}

// Unmatched is the error of a request that no route serves, for a
// subrouter's fallback: 405 with the Allow header set on w when routes
// serve its path with other methods, else 404.
func (s *Server) Unmatched(w http.ResponseWriter, r *http.Request) error {
	allow := s.AllowedMethods(r)
	if allow == "" {
		return ErrNoRoute
	}
	w.Header().Set("Allow", allow)
	return errMethod
}

// Router returns the router both adapters add their routes to. Routes
// match in the order they were added: the pages, whose last route answers
// every GET no other route matched, are registered last.
func (s *Server) Router() *mux.Router { return s.router }

// Logger is the edge's logger, for the adapters.
func (s *Server) Logger() *slog.Logger { return s.logger }

// Limits returns the per-client limits, one budget for both adapters.
func (s *Server) Limits() *Limits { return s.limits }

// PublicURL is the configured public URL, without a trailing slash.
func (s *Server) PublicURL() string { return s.cfg.PublicURL }

// SetFallback sets the Renderer of the edge's own answers: unmatched paths
// and methods, cross-origin refusals, panics, and errors of handlers
// rendered with a nil Renderer. The JSON API sets its problem details.
func (s *Server) SetFallback(r Renderer) {
	if r == nil {
		r = plainText
	}
	s.fallback = r
}

// Handler returns the complete handler: the router wrapped in panic
// recovery, cross-origin protection, security headers and the access log
// with the metrics (outermost first: log, headers, recovery, cross-origin,
// router).
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.router
	h = s.crossOrigin(h)
	h = s.recoverPanics(h)
	h = securityHeaders(h, s.secure)
	h = s.observe(h)
	return h
}

// isHTTPS reports whether a public URL is https.
func isHTTPS(url string) bool {
	return len(url) >= 8 && strings.EqualFold(url[:8], "https://")
}

// AllowedMethods lists the methods of the routes whose path matches r's,
// for the Allow header that a 405 response must carry (RFC 9110, 15.5.6).
// It walks the routes, which is slow but only runs on a 405.
func (s *Server) AllowedMethods(r *http.Request) string {
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
