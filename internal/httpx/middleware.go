package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/booking"
)

// ContentSecurityPolicy is sent with every response. Pages load scripts and
// styles from files of their own origin only; nothing inline.
const ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; img-src 'self' data:"

// CSPWithFrameAncestors is ContentSecurityPolicy with another
// frame-ancestors source list (the embed pages: server.embed_origins).
func CSPWithFrameAncestors(sources string) string {
	return strings.Replace(ContentSecurityPolicy, "frame-ancestors 'none'", "frame-ancestors "+sources, 1)
}

// StrictTransportSecurity is sent with every response when the public URL
// is https: browsers then refuse plain http to this host for a year, so
// a network attacker cannot strip TLS from a staff sign-in or a manage
// link. It is sent whatever the request's own scheme, as TLS usually ends
// at a proxy in front. includeSubDomains is left out: the public URL may
// be the atelier's own domain, whose other hosts are not ours to bind.
const StrictTransportSecurity = "max-age=31536000"

// securityHeaders sets the headers every response carries; hsts adds
// Strict-Transport-Security (the public URL is https).
func securityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if hsts {
			h.Set("Strict-Transport-Security", StrictTransportSecurity)
		}
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if isAPI(r.URL.Path) {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// isAPI reports whether the path belongs to the JSON API (not a page).
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz"
}

// RequestObserver is told of every answered request: the method, the
// route template that matched ("unmatched" when none did; never the raw
// path, which may hold a token), the status and the time taken
// (internal/metrics implements it).
type RequestObserver interface {
	ObserveRequest(method, route string, status int, took time.Duration)
}

// routeInfo carries the matched route template from inside the router out
// to the access log.
type routeInfo struct{ template string }

type routeKey struct{}

// recordRoute is router middleware (it runs only for matched routes): it
// notes the route template for the access log and the metrics.
func recordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ri, ok := r.Context().Value(routeKey{}).(*routeInfo); ok {
			if route := mux.CurrentRoute(r); route != nil {
				if t, err := route.GetPathTemplate(); err == nil {
					ri.template = t
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Route is the template of the route that matched r ("/api/v1/bookings/{id}"),
// which holds no ids or tokens, or "unmatched".
func Route(r *http.Request) string {
	if ri, ok := r.Context().Value(routeKey{}).(*routeInfo); ok && ri.template != "" {
		return ri.template
	}
	return "unmatched"
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs one line per request (method, route template, status and
// duration) and tells the metrics, when on. No path values, query
// strings, addresses or bodies: they may hold manage tokens or personal
// data.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &routeInfo{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, ri))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(start)
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.ObserveRequest(r.Method, Route(r), sw.status, took)
		}
		s.logger.LogAttrs(r.Context(), levelFor(sw.status), "http request",
			slog.String("method", r.Method),
			slog.String("route", Route(r)),
			slog.Int("status", sw.status),
			slog.Duration("duration", took),
		)
	})
}

// levelFor logs server errors as warnings so they stand out; the detail of
// an internal error is logged by Server.Error.
func levelFor(status int) slog.Level {
	if status >= http.StatusInternalServerError {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// recoverPanics turns a panic into a logged internal error and a 500
// (when nothing was written yet). http.ErrAbortHandler is passed on.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic serving request",
				"method", r.Method, "route", Route(r), "panic", v, "stack", string(debug.Stack()))
			if sw.status == 0 {
				s.fallback.RenderError(sw, r, http.StatusInternalServerError,
					&booking.Error{Kind: booking.EINTERNAL, Code: booking.CodeInternal, Message: "internal error"})
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// crossOrigin refuses unsafe cross-site requests (a form posted from
// another site): cookie-authenticated staff forms and the customers'
// manage forms cannot be submitted by someone else's page.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, booking.Errorf(booking.EFORBIDDEN, "cross_origin", "cross-origin request refused"), nil)
	}))
	return cop.Handler(next)
}
