package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/buildinfo"
)

func (s *Server) registerCatalogRoutes(r *mux.Router) {
	r.HandleFunc(prefix+"/atelier", s.handleAtelier).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(prefix+"/services", s.handleServices).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(prefix+"/artisans", s.handleArtisans).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(prefix+"/services/{id}", s.handleService).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(prefix+"/artisans/{id}", s.handleArtisan).Methods(http.MethodGet, http.MethodHead)
}

// handleAtelier serves GET /api/v1/atelier.
func (s *Server) handleAtelier(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Atelier(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleServices serves GET /api/v1/services.
func (s *Server) handleServices(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Services(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleArtisans serves GET /api/v1/artisans.
func (s *Server) handleArtisans(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Artisans(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleService serves GET /api/v1/services/{id}: one entry of the list,
// or 404.
func (s *Server) handleService(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Services(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id := mux.Vars(r)["id"]
	for i := range v {
		if v[i].ID == id {
			s.writeJSON(w, r, http.StatusOK, v[i])
			return
		}
	}
	s.Error(w, r, booking.ErrNotFound("service"))
}

// handleArtisan serves GET /api/v1/artisans/{id}: one entry of the list,
// or 404.
func (s *Server) handleArtisan(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.Artisans(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id := mux.Vars(r)["id"]
	for i := range v {
		if v[i].ID == id {
			s.writeJSON(w, r, http.StatusOK, v[i])
			return
		}
	}
	s.Error(w, r, booking.ErrNotFound("artisan"))
}

// handleHealth serves GET /healthz: 503 when the database does not
// answer, else 200 with "status" "ok", or "degraded" while any e-mail or
// Google Calendar write is failing (or an artisan's sync is stopped), and
// the outbox's counts: "mail": {"queued", "failing"} and, with Google
// Calendar sync on, "google_calendar" with its "jobs" counted alike, and
// the parts added with AddHealth (backups), which may degrade it too. It
// costs a ping and one indexed count query (app.Health).
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	h, err := s.app.Health(ctx)
	if err != nil {
		s.logger.WarnContext(r.Context(), "health check failed", "err", err)
		w.Header().Set("Retry-After", retryAfter(UnavailableRetry))
		s.problem(w, r, http.StatusServiceUnavailable, "unavailable", "the database does not answer", nil)
		return
	}
	degraded := h.Failing()
	body := map[string]any{"version": buildinfo.Read(), "mail": queueHealth(h.Mail)}
	if g := s.googleHealth(ctx); g != nil { // google.go
		if h.Calendar != nil {
			g["jobs"] = queueHealth(*h.Calendar)
		}
		degraded = degraded || g["status"] == "degraded"
		body["google_calendar"] = g
	}
	body["status"] = "ok"
	if degraded {
		body["status"] = "degraded"
	}
	s.addHealthParts(ctx, body) // health.go
	s.writeJSON(w, r, http.StatusOK, body)
}

// queueHealth is the JSON of a queue's counts in /healthz.
func queueHealth(q booking.QueueHealth) map[string]int {
	return map[string]int{"queued": q.Queued, "failing": q.Failing}
}
