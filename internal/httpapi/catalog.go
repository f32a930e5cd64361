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
	r.Handle(prefix+"/atelier", s.handle(s.handleAtelier)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/services", s.handle(s.handleServices)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/artisans", s.handle(s.handleArtisans)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/services/{id}", s.handle(s.handleService)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/artisans/{id}", s.handle(s.handleArtisan)).Methods(http.MethodGet, http.MethodHead)
}

// handleAtelier serves GET /api/v1/atelier.
func (s *Server) handleAtelier(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.PublicCatalog(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAtelierView(&c.Atelier))
}

// handleServices serves GET /api/v1/services.
func (s *Server) handleServices(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.PublicCatalog(r.Context())
	if err != nil {
		return err
	}
	out := make([]serviceView, 0, len(c.Services))
	for i := range c.Services {
		out = append(out, customerServiceView(c, &c.Services[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// handleArtisans serves GET /api/v1/artisans.
func (s *Server) handleArtisans(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.PublicCatalog(r.Context())
	if err != nil {
		return err
	}
	out := make([]artisanView, 0, len(c.Artisans))
	for i := range c.Artisans {
		out = append(out, newArtisanView(&c.Artisans[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// handleService serves GET /api/v1/services/{id}: one entry of the list,
// or 404.
func (s *Server) handleService(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.PublicCatalog(r.Context())
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	for i := range c.Services {
		if c.Services[i].ID == id {
			return writeJSON(w, http.StatusOK, customerServiceView(c, &c.Services[i]))
		}
	}
	return booking.ErrNotFound("service")
}

// handleArtisan serves GET /api/v1/artisans/{id}: one entry of the list,
// or 404.
func (s *Server) handleArtisan(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.PublicCatalog(r.Context())
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	for i := range c.Artisans {
		if c.Artisans[i].ID == id {
			return writeJSON(w, http.StatusOK, newArtisanView(&c.Artisans[i]))
		}
	}
	return booking.ErrNotFound("artisan")
}

// handleHealth serves GET /healthz: 503 when the database does not
// answer, else 200 with "status" "ok", or "degraded" while any e-mail or
// Google Calendar write is failing (or an artisan's sync is stopped), and
// the outbox's counts: "mail": {"queued", "failing"} and, with Google
// Calendar sync on, "google_calendar" with its "jobs" counted alike, and
// the parts added with AddHealth (backups), which may degrade it too. It
// costs a ping and one indexed count query (app.Health).
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	h, err := s.app.Health(ctx)
	if err != nil {
		// Logged by the edge as unavailable, with the cause.
		return &booking.Error{Kind: booking.EUNAVAILABLE, Code: booking.CodeUnavailable, Message: "the database does not answer", Err: err}
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
	return writeJSON(w, http.StatusOK, body)
}

// queueHealth is the JSON of a queue's counts in /healthz.
func queueHealth(q booking.QueueHealth) map[string]int {
	return map[string]int{"queued": q.Queued, "failing": q.Failing}
}
