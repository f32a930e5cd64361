package web

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Requests that staff approve (issue 13): Confirm and Decline on a
// request's staff page and on the home's list of requests waiting. Both
// are plain forms (no JavaScript); their answer is the booking's page,
// saying what happened, or, when the request was decided meanwhile (by
// someone else, or by its expiry), saying that instead.

func (s *Server) registerStaffRequestRoutes(r *mux.Router) {
	r.Handle("/staff/bookings/{id}/confirm", s.staffOnly(s.handleStaffConfirm)).Methods(http.MethodPost)
	r.Handle("/staff/bookings/{id}/decline", s.staffOnly(s.handleStaffDecline)).Methods(http.MethodPost)
}

func (s *Server) handleStaffConfirm(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	if _, err := s.staff.app.ConfirmRequest(r.Context(), staffUser(r), id); err != nil {
		return s.requestRefused(w, r, err)
	}
	http.Redirect(w, r, staffBookingPath(id, "confirmed"), http.StatusSeeOther)
	return nil
}

func (s *Server) handleStaffDecline(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	if _, err := s.staff.app.DeclineRequest(r.Context(), staffUser(r), id, r.PostForm.Get("reason")); err != nil {
		return s.requestRefused(w, r, err)
	}
	http.Redirect(w, r, staffBookingPath(id, "declined"), http.StatusSeeOther)
	return nil
}

// requestRefused answers a decision that could not be made with the
// booking's page and why (409: decided meanwhile; 422: no reason given),
// or passes on any other error.
func (s *Server) requestRefused(w http.ResponseWriter, r *http.Request, err error) error {
	status := http.StatusConflict
	switch booking.ErrorKind(err) {
	case booking.ECONFLICT:
	case booking.EINVALID:
		status = http.StatusUnprocessableEntity
	default:
		return err
	}
	c, v, lerr := s.loadStaffBooking(r)
	if lerr != nil {
		return lerr
	}
	d := s.staffBookingData(r, c, v)
	d.Error = "Nothing was changed: " + booking.ErrorMessage(err) + "."
	if status == http.StatusUnprocessableEntity {
		d.Error = "Nothing was changed: give the customer a reason for declining."
		d.DeclineReasonError = true
	}
	return s.renderStatus(w, r, status, "staff_booking", s.staffPage(r, "Booking "+d.ID, "calendar", d))
}

// requestState fills d's words for a booking made as a request.
func (s *Server) requestState(d *staffBookingData, c *catalogue, v *app.StaffBooking) {
	d.Pending, d.Declined = v.Status == booking.Pending, v.Status == booking.Declined
	if v.WasRequest() {
		d.DecideBy = fmtShortDate(s.langs.Staff(), v.DecideBy.In(c.Loc)) + ", " + v.DecideBy.In(c.Loc).Format("15:04")
	}
	switch {
	case v.Expired():
		d.Declined, d.DeclineReason = true, "It expired undecided; the customer was told."
	case d.Declined:
		d.DeclineReason = "The customer was told: " + v.DeclineReason
	}
}
