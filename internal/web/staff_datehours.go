package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// Hours for one date on the staff pages (issue 12): a list and a form on
// the "Hours and closures" page (the atelier's) and on each artisan's
// page (theirs). Plain forms; the hours are wall-clock times at the
// atelier, on that date.

// dateHoursSection is the list and the form of one page's date hours.
type dateHoursSection struct {
	Artisan string // "" for the atelier's
	Items   []dateHoursItem
	Date    string // the form as typed
	Hours   string
	Closed  bool
	Errors  map[string]string
}

type dateHoursItem struct {
	ID, When, Hours string
	FromFile        bool
}

// dateHoursSection lists the hours set for dates from today on, of
// artisan ("" the atelier's).
func (s *Server) dateHoursSection(r *http.Request, c *catalogue, artisan string) (*dateHoursSection, error) {
	staffLang := s.langs.Staff()
	today := booking.DateOf(s.app.Now().In(c.Loc))
	list, err := s.staff.app.DateHoursList(r.Context(), staffUser(r), app.DateRange{From: today, To: today.AddDays(2 * 366)})
	if err != nil {
		return nil, err
	}
	sec := &dateHoursSection{Artisan: artisan}
	for _, d := range list {
		if d.ArtisanID != artisan {
			continue
		}
		sec.Items = append(sec.Items, dateHoursItem{
			ID: d.ID, When: fmtDateRange(staffLang, d.Date, d.Date), Hours: spansLabel(d.Hours), FromFile: d.Source == "config",
		})
	}
	return sec, nil
}

// spansLabel writes a date's hours: "10:00–13:00, 14:00–21:00", or
// "Closed" for none.
func spansLabel(spans []booking.Span) string {
	if len(spans) == 0 {
		return "Closed"
	}
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = sp.Start.String() + "–" + sp.End.String()
	}
	return strings.Join(parts, ", ")
}

// parseDateHoursForm reads the form: a date, and the hours as the weekly
// editor takes them ("10:00-13:00, 14:00-19:00") or "closed" ticked.
func parseDateHoursForm(f url.Values, artisan string) app.DateHoursRequest {
	unread := booking.FieldErrors{}
	req := app.DateHoursRequest{Artisan: artisan, Date: formDate(unread, "date", f.Get("date")), Unread: unread}
	text := strings.TrimSpace(f.Get("hours"))
	switch {
	case f.Get("closed") != "":
		req.HoursGiven = true
		if text != "" {
			unread.Add("hours", "must be empty when the date is closed (untick “Closed all day” to set hours)")
		}
		return req
	case text == "":
		unread.Add("hours", "are required: spans such as 10:00-19:00, or tick “Closed all day”")
		return req
	}
	req.HoursGiven, req.At = true, []int{}
	i := 0
	for part := range strings.SplitSeq(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, found := strings.Cut(part, "-")
		start, err1 := booking.ParseClock(strings.TrimSpace(a))
		end, err2 := booking.ParseClock(strings.TrimSpace(b))
		if !found || err1 != nil || err2 != nil {
			unread.Add("hours", "“"+part+"” is not a span such as 10:00-19:00")
		} else {
			req.Hours = append(req.Hours, booking.Span{Start: start, End: end})
			req.At = append(req.At, i)
		}
		i++
	}
	return req
}

// dateHoursErrors puts the messages about single spans ("hours[1]") under
// the one hours field of the form.
func dateHoursErrors(err error) map[string]string {
	out := map[string]string{}
	for k, msg := range fieldErrors(err) {
		if strings.HasPrefix(k, "hours[") {
			k = "hours"
		}
		if out[k] != "" {
			msg = out[k] + "; " + msg
		}
		out[k] = msg
	}
	return out
}

// dateHoursBack is the page a date hours form returns to.
func dateHoursBack(artisan string) string {
	if artisan == "" {
		return "/staff/hours"
	}
	return "/staff/artisans/" + url.PathEscape(artisan)
}

func (s *Server) handleSetDateHours(w http.ResponseWriter, r *http.Request) error {
	if err := parseStaffForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	artisan := strings.TrimSpace(f.Get("artisan"))
	set, err := s.staff.app.SetDateHours(r.Context(), staffUser(r), parseDateHoursForm(f, artisan))
	if err == nil {
		http.Redirect(w, r, dateHoursBack(artisan)+"?"+conflictQuery(url.Values{"saved": {"date-hours"}}, set.Conflicts).Encode(), http.StatusSeeOther)
		return nil
	}
	if booking.ErrorKind(err) != booking.EINVALID {
		return err
	}
	c, cerr := s.catalogue(r.Context())
	if cerr != nil {
		return cerr
	}
	fill := func(sec *dateHoursSection) {
		sec.Date, sec.Hours, sec.Closed, sec.Errors = f.Get("date"), f.Get("hours"), f.Get("closed") != "", dateHoursErrors(err)
	}
	if artisan == "" {
		d, derr := s.hoursPage(r, c)
		if derr != nil {
			return derr
		}
		fill(d.DateHours)
		return again(err, "staff_hours", s.staffPage(r, "Opening hours and closures", "hours", d))
	}
	d, derr := s.artisanPage(r, c, artisan)
	if derr != nil {
		return derr
	}
	fill(d.DateHours)
	return again(err, "staff_artisan", s.staffPage(r, d.Name, "artisan", d))
}

func (s *Server) handleDeleteDateHours(w http.ResponseWriter, r *http.Request) error {
	gone, err := s.staff.app.DeleteDateHours(r.Context(), staffUser(r), mux.Vars(r)["did"])
	if err != nil {
		return err
	}
	http.Redirect(w, r, dateHoursBack(gone.ArtisanID)+"?"+conflictQuery(url.Values{"saved": {"date-hours-removed"}}, gone.Conflicts).Encode(), http.StatusSeeOther)
	return nil
}
