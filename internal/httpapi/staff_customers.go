package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The staff search and customers (issue 12):
//
//	GET /api/v1/staff/search?q=TEXT           bookings and customers that match
//	GET /api/v1/staff/customers/{id}          one customer across their bookings
//	PUT /api/v1/staff/customers/{id}/notes    the notes kept about them

func (sa *staffAPI) registerCustomerRoutes(r *mux.Router) {
	r.Handle("/search", sa.staffOnly(sa.handleSearch)).Methods(http.MethodGet)
	r.Handle("/customers/{id}", sa.staffOnly(sa.handleCustomer)).Methods(http.MethodGet)
	r.Handle("/customers/{id}/notes", sa.staffOnly(sa.handleCustomerNotes)).Methods(http.MethodPut)
	sa.registerStaffPrivacyRoutes(r) // privacy.go: export and erase
}

// customerSummaryView is a customer in a search's answer.
type customerSummaryView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Timezone string `json:"timezone"`
	// BookingCount counts their bookings, any status (an artisan account's
	// own artisan's only).
	BookingCount int  `json:"booking_count"`
	LastSeen     Time `json:"last_seen"`
}

func newCustomerSummaryView(p *booking.CustomerProfile, loc *time.Location) customerSummaryView {
	return customerSummaryView{
		ID: p.ID, Name: p.Name, Email: p.Email, Phone: p.Phone, Timezone: p.Timezone,
		BookingCount: p.Bookings, LastSeen: At(p.LastSeen.In(loc)),
	}
}

// searchView is the answer of GET /api/v1/staff/search.
type searchView struct {
	Bookings  []searchBookingView   `json:"bookings"`
	Customers []customerSummaryView `json:"customers"`
}

// searchBookingView is a booking found, with its customer's id.
type searchBookingView struct {
	*staffBookingView
	CustomerID string `json:"customer_id,omitempty"`
}

// customerView is the answer of GET /api/v1/staff/customers/{id}.
type customerView struct {
	customerSummaryView
	Notes       string             `json:"notes"`
	Bookings    []staffBookingView `json:"bookings"`
	Commissions []commissionView   `json:"commissions"`
}

// handleSearch serves GET /api/v1/staff/search?q=TEXT.
func (sa *staffAPI) handleSearch(w http.ResponseWriter, r *http.Request) error {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return malformed("the query string is not valid")
	}
	if len(vals["q"]) > 1 {
		return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: "the query is not valid",
			Fields: booking.FieldErrors{"q": "must be given once"}}
	}
	res, err := sa.staff.StaffSearch(r.Context(), userOf(r), vals.Get("q"))
	if err != nil {
		return err
	}
	out := searchView{Bookings: make([]searchBookingView, 0, len(res.Bookings)), Customers: make([]customerSummaryView, 0, len(res.Customers))}
	for i := range res.Bookings {
		b := &res.Bookings[i]
		out.Bookings = append(out.Bookings, searchBookingView{staffBookingView: sa.staffBookingView(b), CustomerID: res.CustomerOf[b.ID]})
	}
	for i := range res.Customers {
		out.Customers = append(out.Customers, newCustomerSummaryView(&res.Customers[i], res.Zone))
	}
	return writeJSON(w, http.StatusOK, out)
}

// handleCustomer serves GET /api/v1/staff/customers/{id}.
func (sa *staffAPI) handleCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := sa.staff.StaffCustomer(r.Context(), userOf(r), mux.Vars(r)["id"])
	return sa.replyCustomer(w, c, err)
}

// CustomerNotesRequest is the body of PUT /api/v1/staff/customers/{id}/notes.
type CustomerNotesRequest struct {
	Notes string `json:"notes"`
}

// handleCustomerNotes serves PUT /api/v1/staff/customers/{id}/notes.
func (sa *staffAPI) handleCustomerNotes(w http.ResponseWriter, r *http.Request) error {
	var req CustomerNotesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := sa.staff.SetCustomerNotes(r.Context(), userOf(r), mux.Vars(r)["id"], req.Notes)
	return sa.replyCustomer(w, c, err)
}

func (sa *staffAPI) replyCustomer(w http.ResponseWriter, c *app.Customer, err error) error {
	if err != nil {
		return err
	}
	v := customerView{
		customerSummaryView: newCustomerSummaryView(&c.CustomerProfile, c.Zone),
		Notes:               c.Notes,
		Bookings:            sa.staffBookingViews(c.Bookings),
		Commissions:         sa.commissionViews(c.Commissions),
	}
	return writeJSON(w, http.StatusOK, v)
}
