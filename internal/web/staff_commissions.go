package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Commissions on the staff pages (issue 13): the board (/staff/commissions,
// the commissions by stage, the overdue ones said in words), a
// commission's page (/staff/commissions/{cmid}: its bookings, stage,
// title, needed-by date, notes; attach and detach bookings), and "Open a
// commission" (/staff/commissions/new, fresh or ?booking= from a booking).
// Every change is a plain form (POST, then a redirect to the page).

func (s *Server) registerStaffCommissionRoutes(r *mux.Router) {
	r.Handle("/staff/commissions", s.staffOnly(s.handleCommissionBoard)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/commissions", s.staffOnly(s.handleCommissionCreate)).Methods(http.MethodPost)
	r.Handle("/staff/commissions/new", s.staffOnly(s.handleCommissionNew)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/commissions/{cmid}", s.staffOnly(s.handleCommissionPage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/commissions/{cmid}", s.staffOnly(s.handleCommissionSave)).Methods(http.MethodPost)
	r.Handle("/staff/commissions/{cmid}/stage", s.staffOnly(s.handleCommissionStage)).Methods(http.MethodPost)
	r.Handle("/staff/commissions/{cmid}/bookings", s.staffOnly(s.handleCommissionAttach)).Methods(http.MethodPost)
	r.Handle("/staff/commissions/{cmid}/bookings/{id}/detach", s.staffOnly(s.handleCommissionDetach)).Methods(http.MethodPost)
	s.registerStaffInvitationRoutes(r) // staff_invitations.go: invite to book the next step
}

// commissionPath is the staff page of commission id.
func commissionPath(id string) string { return "/staff/commissions/" + url.PathEscape(id) }

// commissionCard is a commission on the board and on a customer's page.
type commissionCard struct {
	URL, Title, Stage     string
	Customer, CustomerURL string
	Artisan               string
	Next, NextURL         string // "" when nothing is booked
	NeededBy              string
	Overdue               bool
	OverdueReason         string
	Bookings              string // "3 appointments"
}

func (s *Server) commissionCard(v *app.Commission, c *catalogue) commissionCard {
	staffLang := s.langs.Staff()
	k := commissionCard{
		URL: commissionPath(v.ID), Title: v.Title, Stage: v.StageLabel, Customer: v.Customer.Name,
		CustomerURL: customerPath(v.CustomerID), Artisan: v.ArtisanName,
		Overdue: v.Overdue, OverdueReason: v.OverdueReason,
		Bookings: plural(len(v.Bookings), "appointment", "appointments"),
	}
	if v.Next != nil {
		st := v.Next.Start.In(c.Loc)
		k.Next = v.Next.ServiceName + ", " + fmtShortDate(staffLang, st) + " " + st.Format("2006") + ", " + fmtTime(staffLang, st)
		k.NextURL = staffBookingPath(v.Next.ID, "")
	}
	if !v.NeededBy.IsZero() {
		k.NeededBy = fmtDate(staffLang, dateNoon(v.NeededBy, c.Loc))
	}
	if v.Overdue { // the app's reason, with the date in words
		k.OverdueReason = "needed by " + k.NeededBy + " and no next appointment is booked"
		if v.NeededBy.Before(booking.DateOf(s.staff.app.Now().In(c.Loc))) {
			k.OverdueReason = "needed by " + k.NeededBy + ", which has passed, and no appointment is booked"
		}
	}
	return k
}

// dateNoon is midday of d in loc, for writing a date.
func dateNoon(d booking.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, loc)
}

// boardData is the commission board.
type boardData struct {
	Stages  []boardStage
	Count   string
	Overdue []commissionCard
}

// boardStage is one stage's section of the board.
type boardStage struct {
	ID, Label string
	Cards     []commissionCard
}

func (s *Server) handleCommissionBoard(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.staff.app.StaffCommissions(r.Context(), staffUser(r), "", "")
	if err != nil {
		return err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	d := boardData{Count: plural(len(cs), "commission", "commissions")}
	index := map[string]int{}
	for _, st := range s.staff.app.CommissionStages() {
		index[st.ID] = len(d.Stages)
		d.Stages = append(d.Stages, boardStage{ID: st.ID, Label: st.Label})
	}
	for i := range cs {
		k := s.commissionCard(&cs[i], c)
		if k.Overdue {
			d.Overdue = append(d.Overdue, k)
		}
		j, ok := index[cs[i].Stage]
		if !ok { // a stage since removed from the configuration
			index[cs[i].Stage] = len(d.Stages)
			j = len(d.Stages)
			d.Stages = append(d.Stages, boardStage{ID: cs[i].Stage, Label: cs[i].StageLabel + " (no longer a stage)"})
		}
		d.Stages[j].Cards = append(d.Stages[j].Cards, k)
	}
	return s.show(w, r, "staff_commissions", s.staffPage(r, "Commissions", "commissions", d))
}

// commissionForm is the form that opens a commission.
type commissionForm struct {
	Title, Notes, NeededBy, Stage string
	Name, Email, Phone            string
	Booking, BookingLabel         string // the booking it starts from, and how it reads
	Errors                        map[string]string
	Error                         string
	Artisans, Stages              []option
}

func (s *Server) commissionFormData(r *http.Request, f *commissionForm, artisan string) error {
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	u := staffUser(r)
	for _, a := range c.Artisans {
		if u.MayManage(a.ID) {
			f.Artisans = append(f.Artisans, option{Value: a.ID, Label: a.Name, Selected: a.ID == artisan})
		}
	}
	for _, st := range s.staff.app.CommissionStages() {
		f.Stages = append(f.Stages, option{Value: st.ID, Label: st.Label, Selected: st.ID == f.Stage})
	}
	return nil
}

// handleCommissionNew shows "Open a commission", from ?booking= when given
// (its customer, artisan and the intake's needed-by date filled in).
func (s *Server) handleCommissionNew(w http.ResponseWriter, r *http.Request) error {
	f := &commissionForm{}
	artisan := ""
	if id := strings.TrimSpace(r.URL.Query().Get("booking")); id != "" {
		v, err := s.staff.app.StaffGetBooking(r.Context(), staffUser(r), id)
		if err != nil {
			return err
		}
		if v.Commission != nil {
			http.Redirect(w, r, commissionPath(v.Commission.ID), http.StatusSeeOther)
			return nil
		}
		c, err := s.app.Catalog(r.Context())
		if err != nil {
			return err
		}
		f.Booking, artisan = v.ID, v.ArtisanID
		f.Name, f.Email, f.Phone = v.Customer.Name, v.Customer.Email, v.Customer.Phone
		if d := app.NeededByAnswer(&v.Booking.Booking, c); !d.IsZero() {
			f.NeededBy = d.String()
		}
		f.BookingLabel = v.ServiceName + ", " + fmtDate(s.langs.Staff(), v.Start.In(v.Zone))
	}
	if id := strings.TrimSpace(r.URL.Query().Get("customer")); id != "" && f.Booking == "" {
		p, err := s.staff.app.StaffCustomerProfile(r.Context(), staffUser(r), id)
		if err != nil {
			return err
		}
		f.Name, f.Email, f.Phone = p.Name, p.Email, p.Phone
	}
	if err := s.commissionFormData(r, f, artisan); err != nil {
		return err
	}
	return s.show(w, r, "staff_commission_new", s.staffPage(r, "Open a commission", "commissions", f))
}

func (s *Server) handleCommissionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	p := r.PostForm
	f := &commissionForm{
		Title: p.Get("title"), Notes: p.Get("notes"), NeededBy: p.Get("needed_by"), Stage: p.Get("stage"),
		Name: p.Get("name"), Email: p.Get("email"), Phone: p.Get("phone"), Booking: p.Get("booking"),
		BookingLabel: p.Get("booking_label"),
	}
	req := app.CommissionRequest{
		Title: f.Title, Notes: f.Notes, NeededBy: f.NeededBy, Stage: f.Stage, Artisan: p.Get("artisan"), Booking: f.Booking,
		Customer: booking.Customer{Name: f.Name, Email: f.Email, Phone: f.Phone},
	}
	if f.Booking != "" {
		req.Customer = booking.Customer{} // the booking's
	}
	v, err := s.staff.app.CreateCommission(r.Context(), staffUser(r), req)
	if err == nil {
		http.Redirect(w, r, commissionPath(v.ID)+"?saved=opened", http.StatusSeeOther)
		return nil
	}
	var e *booking.Error
	if !errors.As(err, &e) || e.Kind != booking.EINVALID {
		return err
	}
	f.Errors = map[string]string{}
	for k, m := range e.Fields {
		f.Errors[strings.TrimPrefix(k, "customer.")] = m
	}
	f.Error = "The commission is not opened yet: please correct what is marked below."
	if err := s.commissionFormData(r, f, p.Get("artisan")); err != nil {
		return err
	}
	return again(err, "staff_commission_new", s.staffPage(r, "Open a commission", "commissions", f))
}

// commissionData is a commission's page.
type commissionData struct {
	commissionCard
	ID, StageID, CustomerEmail string
	Notes, NeededByValue       string
	Coming, Past               []commissionBooking
	Stages, Artisans           []option
	Saved, Error               string
	Errors                     map[string]string
	Attach                     string // the reference typed into "Attach a booking"
	NewBookingURL              string
	IsAdmin                    bool
	Invite                     *stepInviteForm // staff_invitations.go
}

// commissionBooking is a booking on a commission's page.
type commissionBooking struct {
	foundBooking
	DetachURL string
}

func (s *Server) commissionData(r *http.Request, v *app.Commission) (*commissionData, error) {
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, err
	}
	u := staffUser(r)
	d := &commissionData{
		commissionCard: s.commissionCard(v, c), ID: v.ID, StageID: v.Stage, CustomerEmail: v.Customer.Email,
		Notes: v.Notes, IsAdmin: u.IsAdmin(), Errors: map[string]string{},
	}
	if !v.NeededBy.IsZero() {
		d.NeededByValue = v.NeededBy.String()
	}
	staffLang := s.langs.Staff()
	now := s.staff.app.Now()
	for i := range v.Bookings { // by start
		b := &v.Bookings[i]
		cb := commissionBooking{foundBooking: newFoundBooking(staffLang, b, c), DetachURL: commissionPath(v.ID) + "/bookings/" + url.PathEscape(b.ID) + "/detach"}
		cb.Status, cb.StatusTag = statusLabel(b.Status), statusTag(b.Status)
		if b.End.After(now) {
			d.Coming = append(d.Coming, cb)
		} else {
			d.Past = append([]commissionBooking{cb}, d.Past...) // the latest first
		}
	}
	for _, st := range s.staff.app.CommissionStages() {
		d.Stages = append(d.Stages, option{Value: st.ID, Label: st.Label, Selected: st.ID == v.Stage})
	}
	for _, a := range c.Artisans {
		if u.MayManage(a.ID) {
			d.Artisans = append(d.Artisans, option{Value: a.ID, Label: a.Name, Selected: a.ID == v.ArtisanID})
		}
	}
	q := url.Values{"customer": {v.CustomerID}, "commission": {v.ID}}
	if u.IsAdmin() {
		q.Set("artisan", v.ArtisanID)
	}
	d.NewBookingURL = "/staff/bookings/new?" + q.Encode()
	if d.Invite, err = s.newInviteForm(r, v, c); err != nil {
		return nil, err
	}
	return d, nil
}

// statusTag is the tag style of a booking's status.
func statusTag(st booking.Status) string {
	switch st {
	case booking.Confirmed:
		return ""
	case booking.Pending:
		return "wait"
	}
	return "off"
}

var commissionSaved = map[string]string{
	"opened":   "The commission is open.",
	"details":  "The changes are saved.",
	"stage":    "The stage is changed.",
	"attached": "The booking is now part of this commission.",
	"detached": "The booking is no longer part of this commission; it stays booked.",
	"invited":  "The invitation is sent: the customer has the private link by e-mail.",
	"revoked":  "The invitation is revoked: its link no longer books.",
}

func (s *Server) handleCommissionPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.staff.app.StaffCommission(r.Context(), staffUser(r), mux.Vars(r)["cmid"])
	if err != nil {
		return err
	}
	d, err := s.commissionData(r, v)
	if err != nil {
		return err
	}
	d.Saved = commissionSaved[r.URL.Query().Get("saved")]
	return s.show(w, r, "staff_commission", s.staffPage(r, v.Title, "commissions", d))
}

// commissionAgain shows commission id's page again with err's messages
// (an EINVALID from one of its forms); any other error is returned.
func (s *Server) commissionAgain(r *http.Request, id string, err error, fill func(d *commissionData)) error {
	var e *booking.Error
	if !errors.As(err, &e) || e.Kind != booking.EINVALID {
		return err
	}
	v, lerr := s.staff.app.StaffCommission(r.Context(), staffUser(r), id)
	if lerr != nil {
		return lerr
	}
	d, lerr := s.commissionData(r, v)
	if lerr != nil {
		return lerr
	}
	for k, m := range e.Fields {
		d.Errors[k] = m
	}
	d.Error = "Nothing is changed: please correct what is marked below."
	if fill != nil {
		fill(d)
	}
	return again(err, "staff_commission", s.staffPage(r, v.Title, "commissions", d))
}

func (s *Server) handleCommissionSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id, p := mux.Vars(r)["cmid"], r.PostForm
	title, notes, needed := p.Get("title"), p.Get("notes"), p.Get("needed_by")
	patch := app.CommissionPatch{Title: &title, Notes: &notes, NeededBy: &needed}
	if a := p.Get("artisan"); a != "" {
		patch.Artisan = &a
	}
	_, err := s.staff.app.UpdateCommission(r.Context(), staffUser(r), id, patch)
	if err == nil {
		http.Redirect(w, r, commissionPath(strings.ToLower(id))+"?saved=details", http.StatusSeeOther)
		return nil
	}
	return s.commissionAgain(r, id, err, func(d *commissionData) {
		d.Title, d.Notes, d.NeededByValue = title, notes, needed
	})
}

func (s *Server) handleCommissionStage(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id, stage := mux.Vars(r)["cmid"], r.PostForm.Get("stage")
	_, err := s.staff.app.UpdateCommission(r.Context(), staffUser(r), id, app.CommissionPatch{Stage: &stage})
	if err == nil {
		http.Redirect(w, r, commissionPath(strings.ToLower(id))+"?saved=stage", http.StatusSeeOther)
		return nil
	}
	return s.commissionAgain(r, id, err, nil)
}

func (s *Server) handleCommissionAttach(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id, ref := mux.Vars(r)["cmid"], strings.TrimSpace(r.PostForm.Get("booking"))
	var err error
	if ref == "" {
		err = (booking.FieldErrors{"booking": "is required"}).Err()
	} else {
		_, err = s.staff.app.AttachBooking(r.Context(), staffUser(r), id, ref)
	}
	if err == nil {
		http.Redirect(w, r, commissionPath(strings.ToLower(id))+"?saved=attached", http.StatusSeeOther)
		return nil
	}
	return s.commissionAgain(r, id, err, func(d *commissionData) { d.Attach = ref })
}

func (s *Server) handleCommissionDetach(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	v := mux.Vars(r)
	if _, err := s.staff.app.DetachBooking(r.Context(), staffUser(r), v["cmid"], v["id"]); err != nil {
		return err
	}
	http.Redirect(w, r, commissionPath(strings.ToLower(v["cmid"]))+"?saved=detached", http.StatusSeeOther)
	return nil
}

// newBookingCommission fills the New booking form's commission from the
// query or the posted form: its id and title, when the account may see
// it.
func (s *Server) newBookingCommission(r *http.Request, d *staffNewData, v url.Values) {
	id := strings.TrimSpace(v.Get("commission"))
	if id == "" {
		return
	}
	cm, err := s.staff.app.StaffCommission(r.Context(), staffUser(r), id)
	if err != nil {
		return // unknown or not the account's: the booking is made without it
	}
	d.Commission, d.CommissionTitle = cm.ID, cm.Title
}

// joinCommission attaches booking id, just made, to commission cm when
// the form was for one, and says what the booking page shows: "created",
// or "created-commission" once it joined. A booking that cannot join (of
// another customer) stays made, and its page says it is in none.
func (s *Server) joinCommission(r *http.Request, cm, id string) string {
	if cm == "" {
		return "created"
	}
	if _, err := s.staff.app.AttachBooking(r.Context(), staffUser(r), cm, id); err != nil {
		s.logger.InfoContext(r.Context(), "the new booking did not join its commission", "booking", id, "commission", cm, "err", err)
		return "created-not-joined"
	}
	return "created-commission"
}
