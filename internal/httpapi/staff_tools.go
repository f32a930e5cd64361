package httpapi

import (
	"net/http"

	"github.com/gorilla/mux"
)

// registerStaffToolsRoutes adds the staff tools of issue 12: the free
// times staff may book (staff_tools.go), search and customers
// (staff_customers.go).
func (sa *staffAPI) registerStaffToolsRoutes(r *mux.Router) {
	r.Handle("/availability", sa.staffOnly(sa.handleStaffAvailability)).Methods(http.MethodGet)
	sa.registerCustomerRoutes(r)
}

// handleStaffAvailability serves GET /api/v1/staff/availability: the
// customers' query and answer, with the staff's rules (no minimum notice,
// no horizon) and the account's scope.
func (sa *staffAPI) handleStaffAvailability(w http.ResponseWriter, r *http.Request) error {
	q, err := parseAvailabilityQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	v, err := sa.staff.StaffAvailability(r.Context(), userOf(r), q)
	if err != nil {
		return err
	}
	writeAvailability(w, r, v)
	return nil
}
