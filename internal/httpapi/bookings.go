package httpapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
)

func (s *Server) registerBookingRoutes(r *mux.Router) {
	r.HandleFunc(prefix+"/bookings", s.handleCreateBooking).Methods(http.MethodPost)
	r.HandleFunc(prefix+"/bookings/{id}", s.handleGetBooking).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(prefix+"/bookings/{id}/cancel", s.handleCancelBooking).Methods(http.MethodPost)
	r.HandleFunc(prefix+"/bookings/{id}/reschedule", s.handleRescheduleBooking).Methods(http.MethodPost)
	r.HandleFunc(prefix+"/bookings/{id}/invite.ics", s.handleInvite).Methods(http.MethodGet, http.MethodHead)
}

// handleCreateBooking serves POST /api/v1/bookings.
func (s *Server) handleCreateBooking(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.limits.AllowBooking(r); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		s.problem(w, r, http.StatusTooManyRequests, "rate_limited", "too many booking requests; try again shortly", nil)
		return
	}
	var req app.BookingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := s.app.CreateBooking(r.Context(), req, app.CreateOptions{IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if c.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", s.cfg.PublicURL+"/api/v1/bookings/"+c.View.ID)
	s.writeJSON(w, r, http.StatusCreated, c.View)
}

// handleGetBooking serves GET /api/v1/bookings/{id}.
func (s *Server) handleGetBooking(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.GetBooking(r.Context(), mux.Vars(r)["id"], manageToken(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleCancelBooking serves POST /api/v1/bookings/{id}/cancel. The body,
// if any, is ignored.
func (s *Server) handleCancelBooking(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.CancelBooking(r.Context(), mux.Vars(r)["id"], manageToken(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleRescheduleBooking serves POST /api/v1/bookings/{id}/reschedule.
func (s *Server) handleRescheduleBooking(w http.ResponseWriter, r *http.Request) {
	var req app.RescheduleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.app.RescheduleBooking(r.Context(), mux.Vars(r)["id"], manageToken(r), req)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, v)
}

// handleInvite serves GET /api/v1/bookings/{id}/invite.ics.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	ics, method, err := s.app.Invite(r.Context(), mux.Vars(r)["id"], manageToken(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8; method="+method)
	h.Set("Content-Disposition", `attachment; filename="invite.ics"`)
	w.WriteHeader(http.StatusOK)
	w.Write(ics)
}

// manageToken is the manage token of the request: "Authorization: Bearer
// TOKEN", else the token query parameter.
func manageToken(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if scheme, tok, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return r.URL.Query().Get("token")
}
