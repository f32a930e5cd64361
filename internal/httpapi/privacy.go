package httpapi

import (
	"bytes"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Personal data (issue 13):
//
//	POST /api/v1/bookings/{id}/privacy-requests    the customer asks for a link by e-mail (export or erase)
//	GET  /api/v1/privacy/export?token=T            the copy a mailed link gives (ZIP; spends a use)
//	POST /api/v1/privacy/erase                     the erasure a mailed link confirms ({"token": T})
//	GET  /api/v1/staff/customers/{id}/export       an admin's copy (ZIP, or ?format=json)
//	POST /api/v1/staff/customers/{id}/erase        an admin erases (past and cancelled bookings)

func (s *Server) registerPrivacyRoutes(r *mux.Router) {
	r.Handle(prefix+"/bookings/{id}/privacy-requests", s.handle(s.handlePrivacyRequest)).Methods(http.MethodPost)
	r.Handle(prefix+"/privacy/export", s.handle(s.handlePrivacyExport)).Methods(http.MethodGet)
	r.Handle(prefix+"/privacy/erase", s.handle(s.handlePrivacyErase)).Methods(http.MethodPost)
}

func (sa *staffAPI) registerStaffPrivacyRoutes(r *mux.Router) {
	r.Handle("/customers/{id}/export", sa.staffOnly(sa.handleStaffExport)).Methods(http.MethodGet)
	r.Handle("/customers/{id}/erase", sa.staffOnly(sa.handleStaffErase)).Methods(http.MethodPost)
}

// PrivacyRequest is the body of POST /api/v1/bookings/{id}/privacy-requests.
type PrivacyRequest struct {
	Purpose string `json:"purpose"` // export or erase
}

// privacyRequestView is its answer.
type privacyRequestView struct {
	Purpose      string `json:"purpose"`
	ExpiresHours int    `json:"link_valid_hours"`
}

func (s *Server) handlePrivacyRequest(w http.ResponseWriter, r *http.Request) error {
	var req PrivacyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	// The link e-mails of one booking share the budget of e-mailed links.
	if err := s.edge.Limits().AllowLinkRequest(r, "privacy:"+app.ParseBookingID(mux.Vars(r)["id"])); err != nil {
		return err
	}
	if err := s.app.RequestPrivacyLink(r.Context(), mux.Vars(r)["id"], manageToken(r), req.Purpose); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, privacyRequestView{Purpose: req.Purpose, ExpiresHours: int(app.PrivacyLinkTTL.Hours())})
}

func (s *Server) handlePrivacyExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.app.ExportByLink(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	return writeExport(w, r, e)
}

// PrivacyEraseRequest is the body of POST /api/v1/privacy/erase.
type PrivacyEraseRequest struct {
	Token string `json:"token"`
}

// erasureView is the answer of an erasure: what it did, in numbers.
type erasureView struct {
	Erased       int  `json:"bookings_erased"`
	Photos       int  `json:"photos_deleted"`
	Kept         int  `json:"bookings_kept"`
	CustomerGone bool `json:"customer_gone"`
}

func newErasureView(res booking.ErasureResult) erasureView {
	return erasureView{Erased: res.Bookings, Photos: res.Photos, Kept: res.Kept, CustomerGone: res.CustomerGone}
}

func (s *Server) handlePrivacyErase(w http.ResponseWriter, r *http.Request) error {
	var req PrivacyEraseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.app.EraseByLink(r.Context(), req.Token)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newErasureView(res))
}

func (sa *staffAPI) handleStaffExport(w http.ResponseWriter, r *http.Request) error {
	e, err := sa.staff.StaffExport(r.Context(), userOf(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeExport(w, r, e)
}

func (sa *staffAPI) handleStaffErase(w http.ResponseWriter, r *http.Request) error {
	res, err := sa.staff.StaffErase(r.Context(), userOf(r), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newErasureView(res))
}

// writeExport answers with the copy: a ZIP (data.json and the photos),
// or data.json alone for ?format=json. Never cached.
func writeExport(w http.ResponseWriter, r *http.Request, e *app.Export) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.URL.Query().Get("format") == "json" {
		data, err := e.JSON()
		if err != nil {
			return err
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(data)
		return nil
	}
	var buf bytes.Buffer
	if err := e.WriteZip(&buf); err != nil {
		return err
	}
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+e.ExportFileName()+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}
