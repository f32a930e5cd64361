package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// maxConflictsShown caps the bookings listed after a change of hours.
const maxConflictsShown = 30

// hoursRowInput is one weekday of an hours editor: "10:00-19:00", or
// "10:00-13:00, 14:00-19:00", or empty for closed.
type hoursRowInput struct {
	Key, Day, Value, Error string
}

// conflictItem is a booking left outside the hours by a change.
type conflictItem struct {
	URL, When, Customer, Service, Artisan string
}

// hoursPageData is the opening hours and closures page.
type hoursPageData struct {
	Hours     []hoursRowInput
	Closures  []closureItem
	From, To  string
	Reason    string
	Errors    map[string]string
	Saved     string
	Conflicts []conflictItem
	DateHours *dateHoursSection // staff_datehours.go
}

type closureItem struct {
	ID, When, Reason string
	FromFile         bool
}

// artisanPageData is an artisan's working hours and time off.
type artisanPageData struct {
	ID, Name  string
	Hours     []hoursRowInput
	TimeOff   []timeOffItem
	Start     string // datetime-local values
	End       string
	Reason    string
	Errors    map[string]string
	Saved     string
	Conflicts []conflictItem
	DateHours *dateHoursSection // staff_datehours.go
}

type timeOffItem struct {
	ID, When, Reason string
}

// hoursInputs renders week hours as editor rows, Monday first.
func hoursInputs(h booking.WeekHours) []hoursRowInput {
	out := make([]hoursRowInput, 7)
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7)
		parts := make([]string, len(h[wd]))
		for j, sp := range h[wd] {
			parts[j] = sp.String()
		}
		out[i] = hoursRowInput{Key: booking.DayKeys[wd], Day: weekdays[i].Long, Value: strings.Join(parts, ", ")}
	}
	return out
}

// parseHours reads the hours editor. It returns the rows as typed, with
// a message on each wrong one.
func parseHours(form url.Values) (booking.WeekHours, []hoursRowInput, bool) {
	rows := make([]hoursRowInput, 7)
	m := map[string][]booking.Span{}
	ok := true
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7)
		key := booking.DayKeys[wd]
		rows[i] = hoursRowInput{Key: key, Day: weekdays[i].Long, Value: strings.TrimSpace(form.Get("hours_" + key))}
		for part := range strings.SplitSeq(rows[i].Value, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			a, b, found := strings.Cut(part, "-")
			start, err1 := booking.ParseClock(strings.TrimSpace(a))
			end, err2 := booking.ParseClock(strings.TrimSpace(b))
			if !found || err1 != nil || err2 != nil {
				rows[i].Error = fmt.Sprintf("%q is not a span such as 10:00-19:00", part)
				ok = false
				break
			}
			m[key] = append(m[key], booking.Span{Start: start, End: end})
		}
	}
	h, errs := booking.WeekHoursFromMap(m)
	for i := range rows {
		for k, msg := range errs {
			if k == rows[i].Key || strings.HasPrefix(k, rows[i].Key+"[") {
				rows[i].Error, ok = msg, false
			}
		}
	}
	return h, rows, ok
}

// conflictQuery carries the ids of conflicting bookings to the page the
// change redirects to.
func conflictQuery(v url.Values, cs []app.Conflict) url.Values {
	for i, c := range cs {
		if i == maxConflictsShown {
			break
		}
		v.Add("conflict", c.ID)
	}
	return v
}

// conflictItems loads the bookings named in the query.
func (s *Server) conflictItems(r *http.Request, c *catalogue) []conflictItem {
	staffLang := s.langs.Staff()
	var out []conflictItem
	for i, id := range r.URL.Query()["conflict"] {
		if i == maxConflictsShown {
			break
		}
		v, err := s.staff.app.StaffGetBooking(r.Context(), staffUser(r), id)
		if err != nil || v.Status != booking.Confirmed {
			continue
		}
		out = append(out, conflictItem{
			URL: "/staff/bookings/" + url.PathEscape(id), When: whenLabel(staffLang, v.Start.In(c.Loc), v.End.In(c.Loc)),
			Customer: customerName(&v.Booking.Booking), Service: v.ServiceName, Artisan: v.ArtisanName,
		})
	}
	return out
}

func savedMessage(r *http.Request) string {
	switch r.URL.Query().Get("saved") {
	case "hours":
		return "The hours are saved and apply to bookings at once."
	case "closure":
		return "The closure is saved."
	case "reopened":
		return "The closure is removed."
	case "timeoff":
		return "The time off is saved."
	case "timeoff-removed":
		return "The time off is removed."
	case "date-hours":
		return "The hours for that date are saved and apply to bookings at once."
	case "date-hours-removed":
		return "The hours for that date are removed: the weekly hours apply that day."
	}
	return ""
}

func (s *Server) hoursPage(r *http.Request, c *catalogue) (*hoursPageData, error) {
	staffLang := s.langs.Staff()
	d := &hoursPageData{Hours: hoursInputs(c.Atelier.Hours), Saved: savedMessage(r), Conflicts: s.conflictItems(r, c)}
	cls, err := s.staff.app.Closures(r.Context(), staffUser(r))
	if err != nil {
		return nil, err
	}
	today := booking.DateOf(s.app.Now().In(c.Loc))
	for _, cl := range cls {
		if cl.To.Before(today) {
			continue
		}
		d.Closures = append(d.Closures, closureItem{ID: cl.ID, When: fmtDateRange(staffLang, cl.From, cl.To), Reason: cl.Reason, FromFile: cl.Source == "config"})
	}
	if d.DateHours, err = s.dateHoursSection(r, c, ""); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) handleHoursPage(w http.ResponseWriter, r *http.Request) error {
	if !staffUser(r).IsAdmin() {
		return booking.Errorf(booking.EFORBIDDEN, "forbidden", "admins only")
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	d, err := s.hoursPage(r, c)
	if err != nil {
		return err
	}
	return s.show(w, r, "staff_hours", s.staffPage(r, "Opening hours and closures", "hours", d))
}

func (s *Server) handleOpeningHours(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	h, rows, ok := parseHours(r.PostForm)
	if !ok {
		d, err := s.hoursPage(r, c)
		if err != nil {
			return err
		}
		d.Hours = rows
		return again(hoursInvalid(rows), "staff_hours", s.staffPage(r, "Opening hours and closures", "hours", d))
	}
	ch, err := s.staff.app.SetOpeningHours(r.Context(), staffUser(r), h)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/hours?"+conflictQuery(url.Values{"saved": {"hours"}}, ch.Conflicts).Encode(), http.StatusSeeOther)
	return nil
}

// formDate reads a date field of a form (YYYY-MM-DD, as date inputs send
// it); empty is the zero date, anything else not a date is a message in
// unread.
func formDate(unread booking.FieldErrors, field, s string) booking.Date {
	s = strings.TrimSpace(s)
	if s == "" {
		return booking.Date{}
	}
	d, err := booking.ParseDate(s)
	if err != nil {
		unread.Add(field, "must be a date (YYYY-MM-DD)")
		return booking.Date{}
	}
	return d
}

func (s *Server) handleAddClosure(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	to := f.Get("to")
	if strings.TrimSpace(to) == "" {
		to = f.Get("from") // one day
	}
	unread := booking.FieldErrors{}
	req := app.ClosureRequest{From: formDate(unread, "from", f.Get("from")), To: formDate(unread, "to", to), Reason: f.Get("reason"), Unread: unread}
	added, err := s.staff.app.AddClosure(r.Context(), staffUser(r), req)
	if err != nil {
		exists := booking.ErrorCode(err) == booking.CodeClosureExists
		if booking.ErrorKind(err) != booking.EINVALID && !exists {
			return err
		}
		c, cerr := s.catalogue(r.Context())
		if cerr != nil {
			return cerr
		}
		d, derr := s.hoursPage(r, c)
		if derr != nil {
			return derr
		}
		d.From, d.To, d.Reason = f.Get("from"), f.Get("to"), f.Get("reason")
		d.Errors = fieldErrors(err)
		if exists {
			d.Errors = map[string]string{"": "The atelier is already closed on exactly these dates (see the list above). To change the reason, reopen that closure first, then add it again."}
		}
		return again(err, "staff_hours", s.staffPage(r, "Opening hours and closures", "hours", d))
	}
	http.Redirect(w, r, "/staff/hours?"+conflictQuery(url.Values{"saved": {"closure"}}, added.Conflicts).Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) handleDeleteClosure(w http.ResponseWriter, r *http.Request) error {
	if err := s.staff.app.DeleteClosure(r.Context(), staffUser(r), mux.Vars(r)["cid"]); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/hours?saved=reopened", http.StatusSeeOther)
	return nil
}

// hoursInvalid is the error of an hours editor with wrong rows (422, as
// the app's own), keyed by day.
func hoursInvalid(rows []hoursRowInput) error {
	errs := booking.FieldErrors{}
	for _, row := range rows {
		if row.Error != "" {
			errs.Add(row.Key, row.Error)
		}
	}
	if len(errs) == 0 {
		errs.Add("hours", "are not valid")
	}
	return errs.Err()
}

// fieldErrors returns the field messages of an EINVALID error.
func fieldErrors(err error) map[string]string {
	var e *booking.Error
	if errors.As(err, &e) && e.Fields != nil {
		return e.Fields
	}
	return map[string]string{"": booking.ErrorMessage(err)}
}

func (s *Server) artisanPage(r *http.Request, c *catalogue, id string) (*artisanPageData, error) {
	a, err := s.staff.app.StaffArtisan(r.Context(), staffUser(r), id)
	if err != nil {
		return nil, err
	}
	d := &artisanPageData{ID: a.ID, Name: a.Name, Hours: hoursInputs(a.Hours), Saved: savedMessage(r), Conflicts: s.conflictItems(r, c)}
	now := s.app.Now()
	for _, t := range a.TimeOff {
		if !t.End.After(now) {
			continue
		}
		d.TimeOff = append(d.TimeOff, timeOffItem{ID: t.ID, When: whenSpan(t.Start.In(c.Loc), t.End.In(c.Loc)), Reason: t.Reason})
	}
	if d.DateHours, err = s.dateHoursSection(r, c, a.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// whenSpan writes a span that may cross days.
func whenSpan(a, b time.Time) string {
	staffLang := i18n.English()
	if booking.DateOf(a) == booking.DateOf(b) {
		return whenLabel(staffLang, a, b)
	}
	return fmtDate(staffLang, a) + ", " + fmtTime(staffLang, a) + " – " + fmtDate(staffLang, b) + ", " + fmtTime(staffLang, b)
}

func (s *Server) handleArtisanPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	d, err := s.artisanPage(r, c, mux.Vars(r)["aid"])
	if err != nil {
		return err
	}
	return s.show(w, r, "staff_artisan", s.staffPage(r, d.Name, "artisan", d))
}

func (s *Server) handleWorkingHours(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := mux.Vars(r)["aid"]
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	h, rows, ok := parseHours(r.PostForm)
	if !ok {
		d, err := s.artisanPage(r, c, id)
		if err != nil {
			return err
		}
		d.Hours = rows
		return again(hoursInvalid(rows), "staff_artisan", s.staffPage(r, d.Name, "artisan", d))
	}
	ch, err := s.staff.app.SetWorkingHours(r.Context(), staffUser(r), id, h)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/artisans/"+url.PathEscape(id)+"?"+conflictQuery(url.Values{"saved": {"hours"}}, ch.Conflicts).Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) handleAddTimeOff(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	id := mux.Vars(r)["aid"]
	c, err := s.catalogue(r.Context())
	if err != nil {
		return err
	}
	f := r.PostForm
	errs := booking.FieldErrors{}
	start, err1 := localDateTime(f.Get("start"), c.Loc)
	end, err2 := localDateTime(f.Get("end"), c.Loc)
	if err1 != nil {
		errs["start"] = fieldProblem(err1)
	}
	if err2 != nil {
		errs["end"] = fieldProblem(err2)
	}
	cause := errs.Err() // a time that does not parse
	if cause == nil {
		added, err := s.staff.app.AddTimeOff(r.Context(), staffUser(r), id, app.TimeOffRequest{
			Start: start, End: end, Reason: f.Get("reason"),
		})
		if err == nil {
			http.Redirect(w, r, "/staff/artisans/"+url.PathEscape(id)+"?"+conflictQuery(url.Values{"saved": {"timeoff"}}, added.Conflicts).Encode(), http.StatusSeeOther)
			return nil
		}
		if booking.ErrorKind(err) != booking.EINVALID {
			return err
		}
		errs, cause = fieldErrors(err), err
	}
	d, derr := s.artisanPage(r, c, id)
	if derr != nil {
		return derr
	}
	d.Start, d.End, d.Reason, d.Errors = f.Get("start"), f.Get("end"), f.Get("reason"), errs
	return again(cause, "staff_artisan", s.staffPage(r, d.Name, "artisan", d))
}

func (s *Server) handleDeleteTimeOff(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	if err := s.staff.app.DeleteTimeOff(r.Context(), staffUser(r), v["aid"], v["tid"]); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/artisans/"+url.PathEscape(v["aid"])+"?saved=timeoff-removed", http.StatusSeeOther)
	return nil
}
