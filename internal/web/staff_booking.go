package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// staffBookingData is a booking's staff page and its forms.
type staffBookingData struct {
	ID                 string // shown in full (bk_…), as in the e-mails and the API
	Erased             string // when its personal data was erased (privacy.go)
	Service, Mode      string
	Artisan, Room      string
	When, CustomerWhen string
	Cancelled          bool
	Customer           booking.Customer
	Language           string // the customer's, in which their e-mails are written
	LanguageTag        string // its <html lang> value
	Discreet           bool   // a surprise (booking.Booking.Discreet)
	Notes, StaffNotes  string
	MeetingURL         string
	Location           string
	Google             string
	Messages           []messageRow
	MessagesError      string
	FailedMail         int // messages given up on, shown at the top
	Saved              string
	Sequence           int
	// Reply is the customer's answer to the invitations (staff_replies.go).
	Reply     *replyPanel
	ArtisanID string

	// Reschedule form.
	Date, Time string
	Artisans   []option
	Errors     map[string]string
	Error      string
	Picker     *freeTimes
	// CustomerURL is the customer's page (staff_customers.go).
	CustomerURL string
	// Commission names the commission the booking belongs to and
	// CommissionURL its page; without one, OpenCommissionURL opens one
	// from the booking (staff_commissions.go).
	Commission                       string
	CommissionURL, OpenCommissionURL string
	// Answers and Photos are the intake: the customer's answers to the
	// service's questions and their photos (intake.go).
	Answers     []answerRow
	Photos      []photoThumb
	AsksPhotos  bool
	PhotosError string
	// A request (issue 13, staff_requests.go): Pending while it waits for
	// a decision, until DecideBy; Declined with DeclineReason in words.
	Pending, Declined       bool
	DecideBy, DeclineReason string
	DeclineReasonError      bool // the Decline form was sent without a reason
}

// option is an entry of a select.
type option struct {
	Value, Label string
	Selected     bool
}

func (s *Server) staffBookingData(r *http.Request, c *catalogue, v *app.StaffBooking) staffBookingData {
	staffLang := s.langs.Staff()
	loc := c.Loc
	d := staffBookingData{
		ID:      v.ID,
		Service: v.ServiceName, Mode: modeLabel(staffLang, v.Mode), Artisan: c.teamName(staffLang, &v.Booking.Booking, v.ArtisanName),
		When:      whenLabel(staffLang, v.Start.In(loc), v.End.In(loc)) + " (" + cityOf(staffLang, c.Atelier.Timezone) + ")",
		Cancelled: !v.Status.Holds(), Customer: v.Customer, Notes: v.Notes, StaffNotes: v.StaffNotes,
		MeetingURL: v.MeetingURL, Location: v.Location, Sequence: v.Sequence,
		Date: booking.DateOf(v.Start.In(loc)).String(), Time: v.Start.In(loc).Format("15:04"),
		Reply: newReplyPanel(c, v), ArtisanID: v.ArtisanID,
	}
	s.staffIntake(r, c, v, &d) // intake.go
	if v.Commission != nil {
		d.Commission, d.CommissionURL = v.Commission.Title, commissionPath(v.Commission.ID)
	} else {
		d.OpenCommissionURL = "/staff/commissions/new?" + url.Values{"booking": {v.ID}}.Encode()
	}
	if !v.ErasedAt.IsZero() {
		at := v.ErasedAt.In(loc)
		d.Customer.Name = customerName(&v.Booking.Booking)
		d.Erased = "The customer's personal data was erased on " + fmtDate(staffLang, at) + ": the appointment is kept without who it was for."
	}
	s.requestState(&d, c, v) // staff_requests.go
	for _, room := range c.Atelier.Rooms {
		if room.ID == v.RoomID {
			d.Room = room.Name
		}
	}
	cl := s.langs.Lang(v.Customer.Language)
	d.Language, d.LanguageTag = languageName(cl), cl.HTML()
	d.Discreet = v.Discreet
	if cl, ok := v.Customer.Zone(); ok && !sameOffsets(cl, loc, v.Start) {
		d.CustomerWhen = whenLabel(staffLang, v.Start.In(cl), v.End.In(cl)) + " for the customer (" + zoneLabel(v.Customer.Timezone) + ")"
	}
	u := staffUser(r)
	// Who hosts the move: the booking's artisan unless staff choose
	// another, or whoever is free then, as far as the account may ask
	// (booking.User.Scope: an artisan's own account keeps its bookings).
	if svc := c.service(v.ServiceID); svc != nil {
		for _, a := range c.artisansFor(svc) {
			if a.ID == v.ArtisanID {
				d.Artisans = append(d.Artisans, option{Value: a.ID, Label: a.Name + " (as now)", Selected: true})
			}
		}
		if _, ok := u.Scope(anyArtisan); ok {
			d.Artisans = append(d.Artisans, option{Value: anyArtisan, Label: "Whoever is free then"})
		}
		for _, a := range c.artisansFor(svc) {
			if _, ok := u.Scope(a.ID); ok && a.ID != v.ArtisanID {
				d.Artisans = append(d.Artisans, option{Value: a.ID, Label: a.Name})
			}
		}
	}
	d.Google = "Google Calendar sync is off."
	if g, err := s.staff.app.StaffGoogleBooking(r.Context(), u, v.ID); err != nil {
		s.logger.WarnContext(r.Context(), "google sync state", "err", err)
		d.Google = "The sync state could not be read."
	} else if g != nil {
		d.Google = googleStateLabel(g.State)
		if g.LastError != "" {
			d.Google += " Last error: " + g.LastError
		}
	}
	msgs, err := s.staff.app.StaffBookingMessages(r.Context(), u, v.ID)
	if err != nil {
		s.logger.WarnContext(r.Context(), "mail state", "err", err)
		d.MessagesError = "The e-mail state could not be read."
	}
	for _, m := range msgs {
		row := newMessageRow(m, loc)
		if row.Failed {
			d.FailedMail++
		}
		d.Messages = append(d.Messages, row)
	}
	return d
}

// messageRow is one e-mail about a booking on its staff page.
type messageRow struct {
	What     string // "Confirmation to the customer"
	State    string // "Sent", "Failed", "Retrying", "Scheduled", "Sending"
	Tag      string // CSS modifier of the state tag: "", "off" or "wait"
	When     string // what happened when, in the atelier's zone
	Attempts string // "" for one attempt or none
	Error    string
	Failed   bool
}

func newMessageRow(m app.Message, loc *time.Location) messageRow {
	staffLang := i18n.English()
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		lt := t.In(loc)
		return fmtShortDate(staffLang, lt) + ", " + fmtTime(staffLang, lt)
	}
	row := messageRow{What: booking.MailKindLabel(m.Kind), Error: m.LastError}
	if m.Attempts > 1 {
		row.Attempts = fmt.Sprintf("%d attempts", m.Attempts)
	}
	switch m.State {
	case app.MessageSent:
		row.State, row.When = "Sent", "Sent "+at(m.SentAt)
	case app.MessageFailed:
		row.State, row.Tag, row.Failed = "Not delivered", "off", true
		row.When = "Given up " + at(m.FailedAt)
	default:
		row.Tag = "wait"
		switch {
		case m.LastError != "":
			row.State, row.When = "Retrying", "Next try "+at(m.DueAt)
		case m.DueAt != nil && m.DueAt.After(m.CreatedAt.Add(time.Minute)):
			row.State, row.When = "Scheduled", "Goes out "+at(m.DueAt)
		default:
			row.State, row.When = "Sending", "Queued "+at(&m.CreatedAt)
		}
	}
	return row
}

func googleStateLabel(state string) string {
	switch state {
	case "synced":
		return "In the artisan's Google Calendar."
	case "pending":
		return "Waiting to be copied to Google Calendar."
	case "failed":
		return "Copying to Google Calendar failed."
	}
	return state
}

func (s *Server) loadStaffBooking(r *http.Request) (*catalogue, *app.StaffBooking, error) {
	v, err := s.staff.app.StaffGetBooking(r.Context(), staffUser(r), mux.Vars(r)["id"])
	if err != nil {
		return nil, nil, err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, nil, err
	}
	return c, v, nil
}

func (s *Server) handleStaffBooking(w http.ResponseWriter, r *http.Request) error {
	c, v, err := s.loadStaffBooking(r)
	if err != nil {
		return err
	}
	d := s.staffBookingData(r, c, v)
	if id, err := s.staff.app.StaffCustomerID(r.Context(), staffUser(r), v.ID); err != nil {
		return err
	} else if id != "" {
		d.CustomerURL = customerPath(id)
	}
	switch r.URL.Query().Get("saved") {
	case "notes":
		d.Saved = "The staff notes are saved."
	case "moved":
		d.Saved = "The booking has moved. The customer gets an updated invitation."
	case "moved-artisan":
		link := ""
		if v.Mode == booking.Virtual {
			link = ", with the new video-call link"
		}
		d.Saved = "The booking has moved to " + d.Artisan + ". The customer gets an updated invitation that says so" + link +
			"; both artisans are told by e-mail."
	case "cancelled":
		d.Saved = "The booking is cancelled. The customer is told by e-mail."
	case "created":
		d.Saved = "The booking is made. The customer gets a confirmation by e-mail."
	case "created-commission":
		d.Saved = "The booking is made, as part of " + d.Commission + ". The customer gets a confirmation by e-mail."
	case "created-not-joined":
		d.Saved = "The booking is made, but it could not join the commission: it is for another customer. The customer gets a confirmation by e-mail."
	case "confirmed":
		d.Saved = "The request is confirmed. The customer gets the confirmation with the invitation; the artisan is told."
	case "declined":
		d.Saved = "The request is declined and its time is free again. The customer is told, with your reason."
	}
	return s.show(w, r, "staff_booking", s.staffPage(r, "Booking "+d.ID, "calendar", d))
}

// parseStaffForm reads a staff form (httpx.ParseForm); one that cannot be
// read is a 400 page asking to send it again.
func parseStaffForm(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.ParseForm(w, r); err != nil {
		return withWords(err, words{Heading: "The form could not be read", Message: "Please go back and send it again."})
	}
	return nil
}

func staffBookingPath(id string, saved string) string {
	p := "/staff/bookings/" + url.PathEscape(id)
	if saved != "" {
		p += "?saved=" + saved
	}
	return p
}

func (s *Server) handleStaffNotes(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	if _, err := s.staff.app.SetStaffNotes(r.Context(), staffUser(r), id, r.PostForm.Get("staff_notes")); err != nil {
		if booking.ErrorKind(err) != booking.EINVALID {
			return err
		}
		c, v, lerr := s.loadStaffBooking(r)
		if lerr != nil {
			return lerr
		}
		d := s.staffBookingData(r, c, v)
		d.StaffNotes, d.Error = r.PostForm.Get("staff_notes"), "The staff notes "+fieldMessage(err, "staff_notes")+"."
		return again(err, "staff_booking", s.staffPage(r, "Booking "+d.ID, "calendar", d))
	}
	http.Redirect(w, r, staffBookingPath(id, "notes"), http.StatusSeeOther)
	return nil
}

// fieldMessage is the message of field in an EINVALID error.
func fieldMessage(err error, field string) string {
	var e *booking.Error
	if errors.As(err, &e) {
		if m, ok := e.Fields[field]; ok {
			return m
		}
		return e.Message
	}
	return "is invalid"
}

func (s *Server) handleStaffCancelConfirm(w http.ResponseWriter, r *http.Request) error {
	c, v, err := s.loadStaffBooking(r)
	if err != nil {
		return err
	}
	d := s.staffBookingData(r, c, v)
	if d.Cancelled {
		http.Redirect(w, r, staffBookingPath(v.ID, ""), http.StatusSeeOther)
		return nil
	}
	return s.show(w, r, "staff_cancel", s.staffPage(r, "Cancel booking "+d.ID, "calendar", d))
}

func (s *Server) handleStaffCancel(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	if _, err := s.staff.app.StaffCancel(r.Context(), staffUser(r), id); err != nil {
		if booking.ErrorKind(err) == booking.ECONFLICT {
			http.Redirect(w, r, staffBookingPath(id, ""), http.StatusSeeOther)
			return nil
		}
		return err
	}
	http.Redirect(w, r, staffBookingPath(id, "cancelled"), http.StatusSeeOther)
	return nil
}

// movePicker fills in the picker of the Move form for the artisan chosen
// in d and the day asked in v (the booking's own day at first).
func (s *Server) movePicker(r *http.Request, c *catalogue, v *app.StaffBooking, d *staffBookingData, form url.Values) error {
	artisan := selected(d.Artisans)
	switch artisan {
	case anyArtisan:
		artisan = ""
	case "":
		artisan = v.ArtisanID
	}
	date := d.Date
	if g := form.Get("goto"); g != "" {
		date = g
	}
	ft, err := s.freeTimes(r.Context(), staffUser(r), c, pickerQuery{
		Service: v.ServiceID, Mode: string(v.Mode), Artisan: artisan, Moving: v.ID,
		Date: date, CustomerTZ: v.Customer.Timezone, Selected: form.Get("start"),
	})
	d.Picker = ft
	return err
}

func (s *Server) handleStaffReschedulePage(w http.ResponseWriter, r *http.Request) error {
	c, v, err := s.loadStaffBooking(r)
	if err != nil {
		return err
	}
	d := s.staffBookingData(r, c, v)
	if d.Cancelled {
		http.Redirect(w, r, staffBookingPath(v.ID, ""), http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	if day := q.Get("date"); day != "" {
		d.Date = day
	}
	if err := s.movePicker(r, c, v, &d, q); err != nil {
		return err
	}
	return s.show(w, r, "staff_reschedule", s.staffPage(r, "Move booking "+d.ID, "calendar", d))
}

func (s *Server) handleStaffReschedule(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	c, v, err := s.loadStaffBooking(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	d := s.staffBookingData(r, c, v)
	d.Date, d.Time = f.Get("date"), f.Get("time")
	artisan := f.Get("artisan")
	for i := range d.Artisans {
		d.Artisans[i].Selected = d.Artisans[i].Value == artisan
	}
	show := func(status error) error {
		if err := s.movePicker(r, c, v, &d, f); err != nil {
			return err
		}
		d.Picker.Err = d.Errors["when"]
		p := s.staffPage(r, "Move booking "+d.ID, "calendar", d)
		if status == nil {
			return s.show(w, r, "staff_reschedule", p)
		}
		return again(status, "staff_reschedule", p)
	}
	if f.Get("action") == "times" || f.Get("goto") != "" {
		return show(nil)
	}
	start, err := pickedStart(f, c.Loc)
	if err != nil {
		d.Errors = map[string]string{"when": pickProblem(err)}
		return show(booking.FieldErrors(d.Errors).Err())
	}
	moved, err := s.staff.app.StaffReschedule(r.Context(), staffUser(r), v.ID, app.RescheduleRequest{Start: start, Artisan: artisan})
	if err == nil {
		saved := "moved"
		if moved.ArtisanID != v.ArtisanID {
			saved = "moved-artisan"
		}
		http.Redirect(w, r, staffBookingPath(v.ID, saved), http.StatusSeeOther)
		return nil
	}
	var e *booking.Error
	if !errors.As(err, &e) || (e.Kind != booking.ECONFLICT && e.Kind != booking.EINVALID) {
		return err
	}
	switch {
	case e.Kind == booking.ECONFLICT:
		d.Error = staffConflict(e)
	case e.Fields["artisan"] != "":
		d.Error = "That move is not possible with the artisan chosen: they are not in the catalogue or do not offer this service."
	default:
		d.Error = "That move is not possible: choose one of the free times below."
	}
	return show(err)
}

// staffNewData is the form of a booking on a customer's behalf.
type staffNewData struct {
	Services, Modes, Artisans []option
	Form                      detailsForm
	TZ                        string // the customer's zone ("" for the atelier's)
	Zones                     []zoneOption
	Picker                    *freeTimes
	Error                     string
	Key                       string // the form's one-time key (formKeyParam)
	// Questions are the chosen service's intake questions but its photos
	// (the customer adds those from the manage page), filled with what was
	// typed; staff may leave required ones blank.
	Questions []questionField
	// Commission is the commission the booking is for ("Book the next
	// appointment" on a commission's page), CommissionTitle its title;
	// the booking made joins it (staff_commissions.go).
	Commission, CommissionTitle string
}

// newBookingData is the New booking form for the choices in v (the query
// of the page or the posted form): the first service and its first way
// when none is chosen.
func (s *Server) newBookingData(r *http.Request, c *catalogue, v url.Values) staffNewData {
	staffLang := s.langs.Staff()
	u := staffUser(r)
	service, mode, artisan := v.Get("service"), v.Get("mode"), v.Get("artisan")
	if service == "" && len(c.Services) > 0 {
		service = c.Services[0].ID
	}
	if svc := c.service(service); svc != nil && mode == "" && len(svc.Modes) > 0 {
		mode = string(svc.Modes[0])
	}
	d := staffNewData{TZ: strings.TrimSpace(v.Get("tz"))}
	d.Zones = zoneOptions(d.TZ, c.Atelier.Timezone)
	for _, sv := range c.Services {
		d.Services = append(d.Services, option{Value: sv.ID, Label: sv.Name + " (" + fmtDuration(staffLang, int(sv.Duration/time.Minute)) + ")", Selected: sv.ID == service})
	}
	for _, m := range []booking.Mode{booking.InPerson, booking.Virtual} {
		d.Modes = append(d.Modes, option{Value: string(m), Label: modeLabel(staffLang, m), Selected: string(m) == mode})
	}
	if u.IsAdmin() {
		d.Artisans = append(d.Artisans, option{Value: "", Label: "Whoever is free", Selected: artisan == ""})
	}
	for _, a := range c.Artisans {
		if u.MayManage(a.ID) {
			d.Artisans = append(d.Artisans, option{Value: a.ID, Label: a.Name, Selected: a.ID == artisan})
		}
	}
	d.Form = detailsForm{
		Name: strings.TrimSpace(v.Get("name")), Email: strings.TrimSpace(v.Get("email")),
		Phone: strings.TrimSpace(v.Get("phone")), Notes: strings.TrimSpace(v.Get("notes")),
	}
	d.Questions = staffQuestions(staffLang, c.service(selected(d.Services)), v, nil)
	s.newBookingCommission(r, &d, v) // staff_commissions.go
	return d
}

// staffQuestions are svc's questions on the New booking form: those a
// form can carry (not photos), with the posted values and errors.
func staffQuestions(l *i18n.Lang, svc *booking.Service, v url.Values, errs map[string]string) []questionField {
	var out []questionField
	for _, q := range questionFields(l, svc, v, errs) {
		if q.Type != string(booking.QPhotos) {
			q.Required = false // staff are not bound by them
			out = append(out, q)
		}
	}
	return out
}

// newPicker fills in the picker of d for the day asked in v.
func (s *Server) newPicker(r *http.Request, c *catalogue, d *staffNewData, v url.Values) error {
	artisan := ""
	for _, a := range d.Artisans {
		if a.Selected {
			artisan = a.Value
		}
	}
	if _, ok := staffUser(r).Scope(artisan); (!ok || len(d.Artisans) == 1) && len(d.Artisans) > 0 {
		artisan = d.Artisans[0].Value // an artisan's own account
	}
	date := v.Get("date")
	if g := v.Get("goto"); g != "" {
		date = g
	}
	ft, err := s.freeTimes(r.Context(), staffUser(r), c, pickerQuery{
		Service: selected(d.Services), Mode: selected(d.Modes), Artisan: artisan,
		Date: date, CustomerTZ: d.TZ, Selected: v.Get("start"),
	})
	d.Picker = ft
	return err
}

// selected is the value of the selected option, or "".
func selected(opts []option) string {
	for _, o := range opts {
		if o.Selected {
			return o.Value
		}
	}
	return ""
}

func (s *Server) handleStaffNew(w http.ResponseWriter, r *http.Request) error {
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if formKey(q) == "" {
		// As on the customer's details page: the key in the address
		// survives Back and reload, so the form books once.
		q.Set(formKeyParam, newFormKey())
		http.Redirect(w, r, "/staff/bookings/new?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	d := s.newBookingData(r, c, q)
	d.Key = formKey(q)
	if err := s.prefillCustomer(r, &d, q.Get("customer")); err != nil {
		return err
	}
	if err := s.newPicker(r, c, &d, q); err != nil {
		return err
	}
	return s.show(w, r, "staff_new", s.staffPage(r, "New booking", "new", d))
}

func (s *Server) handleStaffNewPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	f := r.PostForm
	d := s.newBookingData(r, c, f)
	posted := formKey(f)
	if d.Key = posted; d.Key == "" {
		d.Key = newFormKey()
	}
	show := func(status error) error {
		if err := s.newPicker(r, c, &d, f); err != nil {
			return err
		}
		d.Picker.Err = cmp.Or(d.Form.Errors["when"], d.Form.Errors["start"])
		if status == nil {
			return s.show(w, r, "staff_new", s.staffPage(r, "New booking", "new", d))
		}
		return again(status, "staff_new", s.staffPage(r, "New booking", "new", d))
	}
	if f.Get("action") == "times" || f.Get("goto") != "" {
		return show(nil) // another day or another choice: the form again with its times
	}
	start, err := pickedStart(f, c.Loc)
	if err != nil {
		d.Form.Errors = map[string]string{"when": pickProblem(err)}
		return show(booking.FieldErrors(d.Form.Errors).Err())
	}
	created, err := s.staff.app.StaffCreateBooking(r.Context(), staffUser(r), app.BookingRequest{
		Service: f.Get("service"), Mode: booking.Mode(f.Get("mode")), Artisan: f.Get("artisan"), Start: start,
		Customer: booking.Customer{Name: d.Form.Name, Email: d.Form.Email, Phone: d.Form.Phone, Timezone: d.TZ},
		Notes:    d.Form.Notes, Answers: formAnswers(c.service(selected(d.Services)), f),
	}, app.CreateOptions{IdempotencyKey: posted, Replay: firstResponse{}})
	if err == nil {
		// A repeat of the form lands on the booking it made.
		id, _, err := made(created)
		if err != nil {
			return err
		}
		http.Redirect(w, r, staffBookingPath(id, s.joinCommission(r, d.Commission, id)), http.StatusSeeOther)
		return nil
	}
	var e *booking.Error
	if !errors.As(err, &e) || (e.Kind != booking.EINVALID && e.Kind != booking.ECONFLICT) {
		return err
	}
	if e.Code == booking.CodeIdempotencyMismatch {
		d.Key = newFormKey()
		d.Error = "This form has already made a booking, with the details first sent: it is in the calendar. To make a second booking, check the details and save again."
		return show(err)
	}
	d.Form.Errors = map[string]string{}
	for k, m := range e.Fields {
		if fk, ok := customerFields[k]; ok {
			d.Form.Errors[fk] = m
		} else if fk := answerFormField(k); fk != "" {
			d.Form.Errors[fk] = answerSentence(s.langs.Staff(), m)
		} else {
			d.Form.Errors[k] = m
		}
	}
	d.Questions = staffQuestions(s.langs.Staff(), c.service(selected(d.Services)), f, d.Form.Errors)
	if _, bad := e.Fields["start"]; bad {
		// The picker offers only good starts: one from a stale or altered
		// form is chosen again from the day's times.
		d.Form.Errors["start"] = "Choose one of the free times."
	}
	if _, bad := e.Fields["customer.timezone"]; bad {
		d.Form.Errors["tz"] = "is not a time zone: choose one from the list"
	}
	if e.Kind == booking.ECONFLICT {
		d.Error = staffConflict(e)
	} else {
		d.Error = "Please check the highlighted fields."
	}
	return show(err)
}

// staffConflict is the message of a refused booking or move: the engine's
// reason in plain words, with what to do.
func staffConflict(e *booking.Error) string {
	msg := e.Message
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	if e.Code == booking.CodeBookingInPast {
		return "That time has passed. Choose one of the free times below."
	}
	return msg + ". Choose one of the free times below."
}

// languageName names a language for staff: "English", "简体中文 (zh-Hans)".
func languageName(l *i18n.Lang) string {
	if l.Name() == i18n.Default {
		return l.Native()
	}
	return l.Native() + " (" + l.Name() + ")"
}
