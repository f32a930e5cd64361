package httpapi

import (
	"net/http"

	"github.com/gorilla/mux"
)

// handleBookingMessages serves GET /api/v1/staff/bookings/{id}/messages:
// the booking's e-mails with their delivery state (pending, sent,
// failed), oldest first. Another artisan's booking is 404.
func (sa *staffAPI) handleBookingMessages(w http.ResponseWriter, r *http.Request) error {
	v, err := sa.staff.StaffBookingMessages(r.Context(), userOf(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newMessageViews(v))
}
