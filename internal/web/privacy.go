package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Personal data (issue 13). The manage page asks for a link to a copy of
// the customer's data or to its erasure; the link, mailed to the address
// on record, opens /privacy?token=, whose GET only shows and whose buttons
// POST (so that a mail scanner opening the link spends nothing). Admins
// download a copy and erase from the customer's page.

func (s *Server) registerPrivacyRoutes(r *mux.Router) {
	r.Handle("/bookings/{id}/privacy", s.managePage(s.handlePrivacyRequest)).Methods(http.MethodPost)
	r.Handle(app.PrivacyPath, s.page(s.handlePrivacyPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(app.PrivacyPath+"/export", s.page(s.handlePrivacyExport)).Methods(http.MethodPost)
	r.Handle(app.PrivacyPath+"/erase", s.page(s.handlePrivacyErase)).Methods(http.MethodPost)
}

func (s *Server) registerStaffPrivacyRoutes(r *mux.Router) {
	r.Handle("/staff/customers/{cid}/export", s.staffOnly(s.handleStaffExport)).Methods(http.MethodGet)
	r.Handle("/staff/customers/{cid}/erase", s.staffOnly(s.handleStaffErase)).Methods(http.MethodPost)
}

// handlePrivacyRequest mails the customer the link they asked for and
// comes back to the manage page, which says so.
func (s *Server) handlePrivacyRequest(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	id := mux.Vars(r)["id"]
	if err := parseForm(w, r); err != nil {
		return err
	}
	purpose := r.PostForm.Get("purpose")
	if err := s.limits.AllowLinkRequest(r, "privacy:"+app.ParseBookingID(id)); err != nil {
		return err
	}
	if err := s.app.RequestPrivacyLink(r.Context(), id, token, purpose); err != nil {
		return err
	}
	http.Redirect(w, r, manageLink(id, token, url.Values{"privacy_sent": {purpose}})+"#privacy-title", http.StatusSeeOther)
	return nil
}

// privacyData is the page a privacy link opens.
type privacyData struct {
	Token        string
	Purpose      string
	Until        string
	Past, Coming int
	Done         bool
	Erased       booking.ErasureResult
	Problem      string
}

func (s *Server) handlePrivacyPage(w http.ResponseWriter, r *http.Request) error {
	l := s.langOf(r)
	token := r.URL.Query().Get("token")
	info, err := s.app.PrivacyLink(r.Context(), token, "")
	d := privacyData{Token: token}
	switch {
	case err == nil:
		d.Purpose, d.Past, d.Coming = info.Purpose, info.Past, info.Coming
		c, cerr := s.catalogue(r.Context())
		if cerr != nil {
			return cerr
		}
		at := info.ExpiresAt.In(c.Loc)
		d.Until = fmtDate(l, at) + ", " + fmtTime(l, at)
	case booking.ErrorKind(err) == booking.ENOTFOUND:
		d.Problem = l.T("privacy.link_gone")
		w.WriteHeader(http.StatusNotFound)
	default:
		return err
	}
	return s.show(w, r, "privacy", &page{Title: l.T("privacy.heading"), Data: d})
}

func (s *Server) handlePrivacyExport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	e, err := s.app.ExportByLink(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		return s.privacyProblem(w, r, err)
	}
	return writeZip(w, e)
}

func (s *Server) handlePrivacyErase(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	res, err := s.app.EraseByLink(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		return s.privacyProblem(w, r, err)
	}
	l := s.langOf(r)
	return s.show(w, r, "privacy", &page{Title: l.T("privacy.heading"), Data: privacyData{Purpose: booking.PrivacyErase, Done: true, Erased: res}})
}

// privacyProblem answers a spent, expired or unknown link with the page
// that says so.
func (s *Server) privacyProblem(w http.ResponseWriter, r *http.Request, err error) error {
	if booking.ErrorKind(err) != booking.ENOTFOUND {
		return err
	}
	l := s.langOf(r)
	return again(err, "privacy", &page{Title: l.T("privacy.heading"), Data: privacyData{Problem: l.T("privacy.link_gone")}})
}

// writeZip sends the copy as a download, never cached.
func writeZip(w http.ResponseWriter, e *app.Export) error {
	var buf bytes.Buffer
	if err := e.WriteZip(&buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+e.ExportFileName()+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) handleStaffExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.staff.app.StaffExport(r.Context(), staffUser(r), mux.Vars(r)["cid"])
	if err != nil {
		return err
	}
	return writeZip(w, e)
}

func (s *Server) handleStaffErase(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := strings.ToLower(mux.Vars(r)["cid"])
	if r.PostForm.Get("confirm") != "yes" {
		v, err := s.staff.app.StaffCustomer(r.Context(), staffUser(r), id)
		if err != nil {
			return err
		}
		d, err := s.customerData(r, v)
		if err != nil {
			return err
		}
		d.Error = "Tick the box to confirm the erasure: it cannot be undone."
		return again(booking.Errorf(booking.EINVALID, "invalid", "confirm"), "staff_customer", s.staffPage(r, v.Name, "customers", d))
	}
	res, err := s.staff.app.StaffErase(r.Context(), staffUser(r), id)
	if err != nil {
		return err
	}
	if res.CustomerGone {
		http.Redirect(w, r, "/staff/customers?erased="+strconv.Itoa(res.Bookings), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, customerPath(id)+"?erased="+strconv.Itoa(res.Bookings), http.StatusSeeOther)
	return nil
}

// customerName is the name staff screens show for b's customer: the
// name given, or, once the booking's personal data was erased, words that
// say so (an empty name on a calendar tile or a list reads as a fault).
func customerName(b *booking.Booking) string {
	if !b.ErasedAt.IsZero() {
		return "Personal data erased"
	}
	return b.Customer.Name
}

// erasedNotice is the customer page's word after an erasure.
func erasedNotice(n string) string {
	if n == "1" {
		return "The personal data of 1 past or cancelled booking is erased. Coming appointments are kept until they are over."
	}
	return "The personal data of " + n + " past or cancelled bookings is erased. Coming appointments are kept until they are over."
}

// privacySentNotice is the manage page's word after a request.
func (s *Server) privacySentNotice(r *http.Request) string {
	l := s.langOf(r)
	switch r.URL.Query().Get("privacy_sent") {
	case booking.PrivacyExport:
		return l.T("privacy.sent_export", "Hours", int(app.PrivacyLinkTTL/time.Hour))
	case booking.PrivacyErase:
		return l.T("privacy.sent_erase", "Hours", int(app.PrivacyLinkTTL/time.Hour))
	}
	return ""
}
