package httpapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
)

func (s *Server) registerBookingRoutes(r *mux.Router) {
	r.Handle(prefix+"/bookings", s.handle(s.handleCreateBooking)).Methods(http.MethodPost)
	r.Handle(prefix+"/bookings/{id}", s.handle(s.handleGetBooking)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(prefix+"/bookings/{id}/cancel", s.handle(s.handleCancelBooking)).Methods(http.MethodPost)
	r.Handle(prefix+"/bookings/{id}/reschedule", s.handle(s.handleRescheduleBooking)).Methods(http.MethodPost)
	r.Handle(prefix+"/bookings/{id}/invite.ics", s.handle(s.handleInvite)).Methods(http.MethodGet, http.MethodHead)
}

// handleCreateBooking serves POST /api/v1/bookings.
func (s *Server) handleCreateBooking(w http.ResponseWriter, r *http.Request) error {
	if err := s.edge.Limits().AllowBooking(r); err != nil {
		return err
	}
	var body bookingRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	req, opt, err := body.request(r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if req.Customer.Language == "" {
		// The customer's e-mails in the language their client asks for.
		req.Customer.Language = s.app.Languages().Match(r.Header.Get("Accept-Language")).Name()
	}
	opt.Replay = replayer{s}
	c, err := s.app.CreateBooking(r.Context(), req, opt)
	if err != nil {
		return err
	}
	return s.created(w, c, "/api/v1/bookings/")
}

// created answers a booking made (201 with its Location), or the first
// booking made under the request's Idempotency-Key again.
func (s *Server) created(w http.ResponseWriter, c *app.Created, path string) error {
	v, err := s.createdOrReplayed(c)
	if err != nil {
		return err
	}
	if c.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", s.edge.PublicURL()+path+v.ID)
	return writeJSON(w, http.StatusCreated, v)
}

// replyBooking writes the view of b, or returns err.
func (s *Server) replyBooking(w http.ResponseWriter, b *app.Booking, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.bookingView(b))
}

// replyStaffBooking writes the staff view of b, or returns err.
func (s *Server) replyStaffBooking(w http.ResponseWriter, b *app.StaffBooking, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.staffBookingView(b))
}

// handleGetBooking serves GET /api/v1/bookings/{id}.
func (s *Server) handleGetBooking(w http.ResponseWriter, r *http.Request) error {
	v, err := s.app.GetBooking(r.Context(), mux.Vars(r)["id"], manageToken(r))
	return s.replyBooking(w, v, err)
}

// handleCancelBooking serves POST /api/v1/bookings/{id}/cancel. The body,
// if any, is ignored.
func (s *Server) handleCancelBooking(w http.ResponseWriter, r *http.Request) error {
	v, err := s.app.CancelBooking(r.Context(), mux.Vars(r)["id"], manageToken(r))
	return s.replyBooking(w, v, err)
}

// handleRescheduleBooking serves POST /api/v1/bookings/{id}/reschedule.
func (s *Server) handleRescheduleBooking(w http.ResponseWriter, r *http.Request) error {
	var body rescheduleRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	v, err := s.app.RescheduleBooking(r.Context(), mux.Vars(r)["id"], manageToken(r), body.request())
	return s.replyBooking(w, v, err)
}

// handleInvite serves GET /api/v1/bookings/{id}/invite.ics.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	ics, method, err := s.app.Invite(r.Context(), mux.Vars(r)["id"], manageToken(r))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8; method="+method)
	h.Set("Content-Disposition", `attachment; filename="invite.ics"`)
	w.WriteHeader(http.StatusOK)
	w.Write(ics)
	return nil
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
