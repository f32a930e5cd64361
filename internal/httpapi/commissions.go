package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Commissions, pieces made over several appointments (issue 13):
//
//	POST   /api/v1/staff/commissions                          open one (fresh or from a booking)
//	GET    /api/v1/staff/commissions[?stage&artisan]          list them
//	GET    /api/v1/staff/commissions/{id}                     one, with its bookings
//	PATCH  /api/v1/staff/commissions/{id}                     title, stage, notes, artisan, needed_by
//	PUT    /api/v1/staff/commissions/{id}/bookings/{booking}  attach a booking
//	DELETE /api/v1/staff/commissions/{id}/bookings/{booking}  detach it
//	GET    /api/v1/commissions/{id}?token=TOKEN               the customer's view

func (s *Server) registerCommissionRoutes(r *mux.Router) {
	r.Handle(prefix+"/commissions/{id}", s.handle(s.handleCustomerCommission)).Methods(http.MethodGet, http.MethodHead)
}

func (sa *staffAPI) registerCommissionRoutes(r *mux.Router) {
	r.Handle("/commissions", sa.staffOnly(sa.handleCreateCommission)).Methods(http.MethodPost)
	r.Handle("/commissions", sa.staffOnly(sa.handleListCommissions)).Methods(http.MethodGet)
	r.Handle("/commissions/{id}", sa.staffOnly(sa.handleGetCommission)).Methods(http.MethodGet)
	r.Handle("/commissions/{id}", sa.staffOnly(sa.handlePatchCommission)).Methods(http.MethodPatch)
	r.Handle("/commissions/{id}/bookings/{booking}", sa.staffOnly(sa.handleAttachBooking)).Methods(http.MethodPut)
	r.Handle("/commissions/{id}/bookings/{booking}", sa.staffOnly(sa.handleDetachBooking)).Methods(http.MethodDelete)
}

// commissionRefView names the commission a booking belongs to.
type commissionRefView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func newCommissionRefView(r *booking.CommissionRef) *commissionRefView {
	if r == nil {
		return nil
	}
	return &commissionRefView{ID: r.ID, Title: r.Title}
}

// commissionView is a commission as staff see it.
type commissionView struct {
	ID          string           `json:"id"`
	Title       string           `json:"title"`
	Stage       string           `json:"stage"`
	StageLabel  string           `json:"stage_label"`
	Customer    booking.Customer `json:"customer"`
	CustomerID  string           `json:"customer_id"`
	Artisan     string           `json:"artisan"`
	ArtisanName string           `json:"artisan_name"`
	Notes       string           `json:"notes"`
	// NeededBy is the date the piece is wanted by, or null.
	NeededBy *booking.Date `json:"needed_by"`
	// NextBooking is the id of the first coming confirmed booking, or null.
	NextBooking   *string            `json:"next_booking"`
	Overdue       bool               `json:"overdue"`
	OverdueReason string             `json:"overdue_reason,omitempty"`
	Bookings      []staffBookingView `json:"bookings"`
	CreatedAt     Time               `json:"created_at"`
	UpdatedAt     Time               `json:"updated_at"`
}

func (s *Server) commissionView(c *app.Commission) commissionView {
	at := func(t time.Time) Time { return At(t.In(c.Zone)) }
	v := commissionView{
		ID: c.ID, Title: c.Title, Stage: c.Stage, StageLabel: c.StageLabel, Customer: c.Customer, CustomerID: c.CustomerID,
		Artisan: c.ArtisanID, ArtisanName: c.ArtisanName, Notes: c.Notes, Overdue: c.Overdue, OverdueReason: c.OverdueReason,
		Bookings: s.staffBookingViews(c.Bookings), CreatedAt: at(c.CreatedAt), UpdatedAt: at(c.UpdatedAt),
	}
	if !c.NeededBy.IsZero() {
		d := c.NeededBy
		v.NeededBy = &d
	}
	if c.Next != nil {
		id := c.Next.ID
		v.NextBooking = &id
	}
	return v
}

func (s *Server) commissionViews(cs []app.Commission) []commissionView {
	out := make([]commissionView, len(cs))
	for i := range cs {
		out[i] = s.commissionView(&cs[i])
	}
	return out
}

// CommissionRequest is the body of POST /api/v1/staff/commissions.
type CommissionRequest struct {
	Title    string           `json:"title"`
	Customer booking.Customer `json:"customer"`
	Artisan  string           `json:"artisan"`
	Notes    string           `json:"notes"`
	Stage    string           `json:"stage"`
	NeededBy string           `json:"needed_by"`
	Booking  string           `json:"booking"`
}

// handleCreateCommission serves POST /api/v1/staff/commissions.
func (sa *staffAPI) handleCreateCommission(w http.ResponseWriter, r *http.Request) error {
	var req CommissionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := sa.staff.CreateCommission(r.Context(), userOf(r), app.CommissionRequest{
		Title: req.Title, Customer: req.Customer, Artisan: req.Artisan, Notes: req.Notes,
		Stage: req.Stage, NeededBy: req.NeededBy, Booking: req.Booking,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/staff/commissions/"+c.ID)
	return writeJSON(w, http.StatusCreated, sa.commissionView(c))
}

// handleListCommissions serves GET /api/v1/staff/commissions.
func (sa *staffAPI) handleListCommissions(w http.ResponseWriter, r *http.Request) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return malformed("the query string is not valid")
	}
	for _, k := range []string{"stage", "artisan"} {
		if len(q[k]) > 1 {
			return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: "the query is not valid",
				Fields: booking.FieldErrors{k: "must be given once"}}
		}
	}
	cs, err := sa.staff.StaffCommissions(r.Context(), userOf(r), q.Get("stage"), q.Get("artisan"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sa.commissionViews(cs))
}

// handleGetCommission serves GET /api/v1/staff/commissions/{id}.
func (sa *staffAPI) handleGetCommission(w http.ResponseWriter, r *http.Request) error {
	c, err := sa.staff.StaffCommission(r.Context(), userOf(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sa.commissionView(c))
}

// CommissionPatch is the body of PATCH /api/v1/staff/commissions/{id}:
// each field given replaces the stored one.
type CommissionPatch struct {
	Title    *string `json:"title"`
	Stage    *string `json:"stage"`
	Notes    *string `json:"notes"`
	Artisan  *string `json:"artisan"`
	NeededBy *string `json:"needed_by"`
}

// handlePatchCommission serves PATCH /api/v1/staff/commissions/{id}.
func (sa *staffAPI) handlePatchCommission(w http.ResponseWriter, r *http.Request) error {
	var p CommissionPatch
	if err := decodeJSON(w, r, &p); err != nil {
		return err
	}
	c, err := sa.staff.UpdateCommission(r.Context(), userOf(r), mux.Vars(r)["id"], app.CommissionPatch{
		Title: p.Title, Stage: p.Stage, Notes: p.Notes, Artisan: p.Artisan, NeededBy: p.NeededBy,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sa.commissionView(c))
}

// handleAttachBooking serves PUT /api/v1/staff/commissions/{id}/bookings/{booking}.
func (sa *staffAPI) handleAttachBooking(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	c, err := sa.staff.AttachBooking(r.Context(), userOf(r), v["id"], v["booking"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sa.commissionView(c))
}

// handleDetachBooking serves DELETE /api/v1/staff/commissions/{id}/bookings/{booking}.
func (sa *staffAPI) handleDetachBooking(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	c, err := sa.staff.DetachBooking(r.Context(), userOf(r), v["id"], v["booking"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sa.commissionView(c))
}

// stageView is a stage with its label.
type stageView struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// customerCommissionView is GET /api/v1/commissions/{id}: the piece as
// its customer sees it, with no staff notes.
type customerCommissionView struct {
	ID         string        `json:"id"`
	Title      string        `json:"title"`
	Stage      string        `json:"stage"`
	StageLabel string        `json:"stage_label"`
	Stages     []stageView   `json:"stages"`
	Past       []bookingView `json:"past"`
	Coming     []bookingView `json:"coming"`
}

// handleCustomerCommission serves GET /api/v1/commissions/{id}?token=TOKEN.
func (s *Server) handleCustomerCommission(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.GetCommission(r.Context(), mux.Vars(r)["id"], manageToken(r))
	if err != nil {
		return err
	}
	v := customerCommissionView{ID: c.ID, Title: c.Title, Stage: c.Stage, StageLabel: c.StageLabel,
		Stages: make([]stageView, len(c.Stages)), Past: []bookingView{}, Coming: []bookingView{}}
	for i, st := range c.Stages {
		v.Stages[i] = stageView(st)
	}
	for _, list := range []struct {
		dst *[]bookingView
		src []app.Booking
	}{{&v.Past, c.Past}, {&v.Coming, c.Coming}} {
		for i := range list.src {
			b := s.bookingView(&list.src[i])
			b.Links.Manage = c.ManageURL[b.ID]
			*list.dst = append(*list.dst, *b)
		}
	}
	return writeJSON(w, http.StatusOK, v)
}
