package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The staff search (the box on every staff page, /staff/search and the
// Customers entry, /staff/customers) and a customer's page
// (/staff/customers/{cid}): their details, every booking past and coming
// with its status and e-mails, the notes kept across their bookings, and
// "Book again".

func (s *Server) registerStaffCustomerRoutes(r *mux.Router) {
	r.Handle("/staff/search", s.staffOnly(s.handleSearch("search"))).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/customers", s.staffOnly(s.handleSearch("customers"))).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/customers/{cid}", s.staffOnly(s.handleCustomerPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/customers/{cid}/notes", s.staffOnly(s.handleCustomerNotes)).Methods(http.MethodPost)
	s.registerStaffPrivacyRoutes(r) // privacy.go: a copy and erasure
}

// customerPath is the address of customer id's page.
func customerPath(id string) string { return "/staff/customers/" + url.PathEscape(id) }

// searchData is the search page.
type searchData struct {
	Q         string
	Searched  bool
	Problem   string
	Bookings  []foundBooking
	Customers []foundCustomer
	More      bool // a list was cut at app.MaxSearchResults
	Max       int
}

// foundBooking is a booking in a list of the staff pages.
type foundBooking struct {
	URL, Ref, When, Service, Mode, Artisan string
	Customer, CustomerURL                  string
	Status, StatusTag                      string
	Mail, MailTag                          string // the customer's page only
}

// foundCustomer is a customer found.
type foundCustomer struct {
	URL, Name, Email, Phone, Count, LastSeen string
}

func newFoundBooking(staffLang *i18n.Lang, v *app.StaffBooking, c *catalogue) foundBooking {
	st := v.Start.In(c.Loc)
	b := foundBooking{
		URL: staffBookingPath(v.ID, ""), Ref: strings.ToUpper(v.ID),
		When:    fmtShortDate(staffLang, st) + " " + st.Format("2006") + ", " + fmtTime(staffLang, st),
		Service: v.ServiceName, Mode: modeLabel(staffLang, v.Mode), Artisan: v.ArtisanName, Customer: customerName(&v.Booking.Booking),
		Status: "Confirmed",
	}
	if v.Status == booking.Cancelled {
		b.Status, b.StatusTag = "Cancelled", "off"
	}
	return b
}

// handleSearch serves the search page; nav names the entry it is shown
// under (the Customers entry, or none from the box of another page).
func (s *Server) handleSearch(nav string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		title := "Search"
		if nav == "customers" {
			title = "Customers"
		}
		d := searchData{Q: strings.TrimSpace(r.URL.Query().Get("q")), Max: app.MaxSearchResults}
		if d.Q == "" {
			return s.show(w, r, "staff_search", s.staffPage(r, title, nav, d))
		}
		d.Searched = true
		res, err := s.staff.app.StaffSearch(r.Context(), staffUser(r), d.Q)
		if err != nil {
			if booking.ErrorKind(err) != booking.EINVALID {
				return err
			}
			d.Searched = false
			d.Problem = "Type a name, an e-mail address, a phone number or a booking reference (at most 200 characters)."
			return again(err, "staff_search", s.staffPage(r, title, nav, d))
		}
		c, err := s.catalogue(r.Context())
		if err != nil {
			return err
		}
		staffLang := s.langs.Staff()
		for i := range res.Bookings {
			b := newFoundBooking(staffLang, &res.Bookings[i], c)
			if id := res.CustomerOf[res.Bookings[i].ID]; id != "" {
				b.CustomerURL = customerPath(id)
			}
			d.Bookings = append(d.Bookings, b)
		}
		for _, p := range res.Customers {
			d.Customers = append(d.Customers, foundCustomer{
				URL: customerPath(p.ID), Name: p.Name, Email: p.Email, Phone: p.Phone,
				Count: plural(p.Bookings, "booking", "bookings"), LastSeen: fmtDate(staffLang, p.LastSeen.In(c.Loc)),
			})
		}
		d.More = len(res.Bookings) == app.MaxSearchResults || len(res.Customers) == app.MaxSearchResults
		return s.show(w, r, "staff_search", s.staffPage(r, title+": "+d.Q, nav, d))
	}
}

// customerData is a customer's page.
type customerData struct {
	ID, Name, Email, Phone, Zone string
	Count                        string
	Coming, Past                 []foundBooking
	Notes, NotesUpdated          string
	Saved, Error                 string
	BookAgainURL                 string
	// Commissions are theirs (staff_commissions.go), the latest changed
	// first; OpenCommissionURL opens one for them.
	Commissions       []commissionCard
	OpenCommissionURL string
	Admin             bool // may download a copy and erase (privacy.go)
}

// mailLabel sums up a booking's e-mails by state.
func mailLabel(counts map[string]int) (string, string) {
	switch {
	case counts[app.MessageFailed] > 0:
		return plural(counts[app.MessageFailed], "e-mail", "e-mails") + " not delivered", "off"
	case counts[app.MessagePending] > 0:
		return plural(counts[app.MessagePending], "e-mail", "e-mails") + " waiting to go", "wait"
	case counts[app.MessageSent] > 0:
		return "E-mails sent", ""
	}
	return "No e-mails", "wait"
}

func (s *Server) customerData(r *http.Request, v *app.Customer) (*customerData, error) {
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	staffLang := s.langs.Staff()
	d := &customerData{
		ID: v.ID, Name: v.Name, Email: v.Email, Phone: v.Phone, Notes: v.Notes,
		Count: plural(v.CustomerProfile.Bookings, "booking", "bookings"),
		Admin: staffUser(r).IsAdmin(),
	}
	if v.Timezone != "" {
		d.Zone = zoneLabel(v.Timezone)
	}
	if !v.NotesUpdatedAt.IsZero() {
		at := v.NotesUpdatedAt.In(c.Loc)
		d.NotesUpdated = "Last changed " + fmtShortDate(staffLang, at) + " " + at.Format("2006") + ", " + fmtTime(staffLang, at)
	}
	for i := range v.Commissions {
		d.Commissions = append(d.Commissions, s.commissionCard(&v.Commissions[i], c))
	}
	d.OpenCommissionURL = "/staff/commissions/new?" + url.Values{"customer": {v.ID}}.Encode()
	now := s.staff.app.Now()
	for i := range v.Bookings { // the latest start first
		b := &v.Bookings[i]
		fb := newFoundBooking(staffLang, b, c)
		fb.Mail, fb.MailTag = mailLabel(v.Mail[b.ID])
		if b.End.After(now) {
			d.Coming = append([]foundBooking{fb}, d.Coming...) // the soonest first
		} else {
			d.Past = append(d.Past, fb)
		}
	}
	if len(v.Bookings) > 0 {
		last := v.Bookings[0]
		q := url.Values{"customer": {v.ID}, "service": {last.ServiceID}, "mode": {string(last.Mode)}}
		if staffUser(r).IsAdmin() {
			q.Set("artisan", last.ArtisanID)
		}
		d.BookAgainURL = "/staff/bookings/new?" + q.Encode()
	}
	return d, nil
}

func (s *Server) handleCustomerPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.staff.app.StaffCustomer(r.Context(), staffUser(r), mux.Vars(r)["cid"])
	if err != nil {
		return err
	}
	d, err := s.customerData(r, v)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") == "notes" {
		d.Saved = "The notes are saved."
	}
	if n := r.URL.Query().Get("erased"); n != "" {
		d.Saved = erasedNotice(n)
	}
	return s.show(w, r, "staff_customer", s.staffPage(r, v.Name, "customers", d))
}

func (s *Server) handleCustomerNotes(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := mux.Vars(r)["cid"]
	notes := r.PostForm.Get("notes")
	_, err := s.staff.app.SetCustomerNotes(r.Context(), staffUser(r), id, notes)
	if err == nil {
		http.Redirect(w, r, customerPath(strings.ToLower(id))+"?saved=notes", http.StatusSeeOther)
		return nil
	}
	var e *booking.Error
	if !errors.As(err, &e) || e.Kind != booking.EINVALID {
		return err
	}
	v, lerr := s.staff.app.StaffCustomer(r.Context(), staffUser(r), id)
	if lerr != nil {
		return lerr
	}
	d, lerr := s.customerData(r, v)
	if lerr != nil {
		return lerr
	}
	d.Notes, d.Error = notes, "The notes "+fieldMessage(err, "notes")+"."
	return again(err, "staff_customer", s.staffPage(r, v.Name, "customers", d))
}

// prefillCustomer fills the New booking form with customer id's details
// ("Book again"); an unknown id leaves the form empty.
func (s *Server) prefillCustomer(r *http.Request, d *staffNewData, id string) error {
	if id == "" || d.Form.Email != "" {
		return nil
	}
	p, err := s.staff.app.StaffCustomerProfile(r.Context(), staffUser(r), id)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	d.Form.Name, d.Form.Email, d.Form.Phone = p.Name, p.Email, p.Phone
	if d.TZ == "" && p.Timezone != "" {
		d.TZ = p.Timezone
		d.Zones = zoneOptions(d.TZ)
	}
	return nil
}
