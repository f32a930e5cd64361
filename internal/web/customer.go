package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
)

// maxFormBytes bounds a posted form.
const maxFormBytes = 64 << 10

// anyArtisan is the artisan value meaning "whoever is free".
const anyArtisan = "any"

func (s *Server) registerCustomerRoutes(r *mux.Router) {
	r.HandleFunc("/", s.handleHome).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/book", s.handleBook).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/book/details", s.handleDetails).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/book/details", s.handleDetailsPost).Methods(http.MethodPost)
}

// homeData is the landing page.
type homeData struct {
	MapURL   string
	Hours    []hoursRow
	Closures []closureRow
	Services []serviceCard
	TZCity   string
}

type hoursRow struct{ Day, Hours string }

type closureRow struct{ When, Reason string }

type serviceCard struct {
	Name, Description, Duration, Modes, URL string
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	c, err := s.catalogue(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	at := c.Atelier
	d := homeData{MapURL: mapURL(at.MapURL, at.Address), TZCity: cityOf(at.Timezone)}
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7) // Monday first
		row := hoursRow{Day: weekdays[i].Long, Hours: "Closed"}
		if spans := at.OpeningHours.On(wd); len(spans) > 0 {
			parts := make([]string, len(spans))
			for j, sp := range spans {
				parts[j] = clockLabel(sp.Start) + " – " + clockLabel(sp.End)
			}
			row.Hours = strings.Join(parts, ", ")
		}
		d.Hours = append(d.Hours, row)
	}
	today := booking.DateOf(s.app.Now().In(c.Loc))
	for _, cl := range at.Closures {
		if cl.To.Before(today) || len(d.Closures) == 4 {
			continue
		}
		d.Closures = append(d.Closures, closureRow{When: fmtDateRange(cl.From, cl.To), Reason: cl.Reason})
	}
	for _, sv := range c.Services {
		d.Services = append(d.Services, serviceCard{
			Name: sv.Name, Description: sv.Description, Duration: fmtDuration(sv.DurationMinutes),
			Modes: modesLabel(sv.Modes), URL: "/book?" + url.Values{"service": {sv.ID}}.Encode(),
		})
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: c.Atelier.Name, Atelier: at, Data: d})
}

// clockLabel writes a wall-clock time as "10:00 am"; 24:00 is "midnight".
func clockLabel(c booking.Clock) string {
	if c >= 24*60 {
		return "midnight"
	}
	return time.Date(2000, 1, 1, int(c)/60, int(c)%60, 0, 0, time.UTC).Format("3:04 pm")
}

func modesLabel(ms []booking.Mode) string {
	var parts []string
	if slices.Contains(ms, booking.InPerson) {
		parts = append(parts, "at the atelier")
	}
	if slices.Contains(ms, booking.Virtual) {
		parts = append(parts, "by video call")
	}
	return strings.Join(parts, " or ")
}

// flow is the state of the booking flow, carried in the query string so
// that every step is a plain link or GET form and works without script.
type flow struct {
	Service, Mode, Artisan, TZ, Month, Date string
}

func flowFrom(q url.Values) flow {
	return flow{
		Service: strings.TrimSpace(q.Get("service")),
		Mode:    strings.TrimSpace(q.Get("mode")),
		Artisan: strings.TrimSpace(q.Get("artisan")),
		TZ:      strings.TrimSpace(q.Get("tz")),
		Month:   strings.TrimSpace(q.Get("month")),
		Date:    strings.TrimSpace(q.Get("date")),
	}
}

func (f flow) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{
		{"service", f.Service}, {"mode", f.Mode}, {"artisan", f.Artisan},
		{"tz", f.TZ}, {"month", f.Month}, {"date", f.Date},
	} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// url is the flow's state at path.
func (f flow) url(path string) string {
	if v := f.values(); len(v) > 0 {
		return path + "?" + v.Encode()
	}
	return path
}

// hidden lists the flow's fields except the named ones, for GET forms.
func (f flow) hidden(except ...string) []field {
	var out []field
	v := f.values()
	for _, k := range []string{"service", "mode", "artisan", "tz", "month", "date"} {
		if v.Get(k) != "" && !slices.Contains(except, k) {
			out = append(out, field{Name: k, Value: v.Get(k)})
		}
	}
	return out
}

// field is a hidden form field.
type field struct{ Name, Value string }

// step is one entry of the progress list at the top of the booking flow.
type step struct {
	Label, URL string
	Current    bool
}

// steps returns the progress list with the step at index cur current; the
// steps before it link back.
func (f flow) steps(cur int) []step {
	back := []flow{
		{Mode: f.Mode, TZ: f.TZ},
		{Service: f.Service, TZ: f.TZ},
		{Service: f.Service, Mode: f.Mode, TZ: f.TZ},
		{Service: f.Service, Mode: f.Mode, Artisan: f.Artisan, TZ: f.TZ, Month: f.Month, Date: f.Date},
		{},
	}
	labels := []string{"Service", "Visit or video", "Artisan", "Date and time", "Your details"}
	out := make([]step, len(labels))
	for i, l := range labels {
		out[i] = step{Label: l, Current: i == cur}
		if i < cur {
			out[i].URL = back[i].url("/book")
		}
	}
	return out
}

// bookData is a step of the booking flow.
type bookData struct {
	Steps   []step
	Flow    flow
	Notice  string // e.g. the time chosen was taken meanwhile
	Service *app.ServiceView

	Services []serviceChoice
	Modes    []choice
	Artisans []choice

	Calendar    *calendarView
	ZoneForm    zoneForm
	ModeLabel   string
	ArtisanName string
	Duration    string
}

type serviceChoice struct {
	serviceCard
	ID string
}

// choice is one option of a step: a link with a title and a description.
type choice struct {
	Title, Description, URL string
}

// zoneForm is the time zone selector: a GET form back to the same step.
type zoneForm struct {
	Action  string
	Hidden  []field
	Options []zoneOption
}

func (s *Server) handleBook(w http.ResponseWriter, r *http.Request) {
	c, err := s.catalogue(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := flowFrom(r.URL.Query())
	loc, ok := loadZone(f.TZ)
	if !ok {
		loc, f.TZ = c.Loc, c.Atelier.Timezone
	}
	p := &page{Atelier: c.Atelier, DetectZone: !r.URL.Query().Has("tz"), Nav: "book"}
	mode := booking.Mode(f.Mode)

	svc := c.service(f.Service)
	if svc == nil {
		d := bookData{Steps: f.steps(0), Flow: f}
		for _, sv := range c.Services {
			if mode.Valid() && !slices.Contains(sv.Modes, mode) {
				continue
			}
			next := flow{Service: sv.ID, Mode: f.Mode, TZ: f.TZ}
			d.Services = append(d.Services, serviceChoice{ID: sv.ID, serviceCard: serviceCard{
				Name: sv.Name, Description: sv.Description, Duration: fmtDuration(sv.DurationMinutes),
				Modes: modesLabel(sv.Modes), URL: next.url("/book"),
			}})
		}
		p.Title, p.Data = "Choose a service", d
		s.render(w, r, http.StatusOK, "book_service", p)
		return
	}
	if !slices.Contains(svc.Modes, mode) {
		if len(svc.Modes) != 1 {
			d := bookData{Steps: f.steps(1), Flow: f, Service: svc}
			for _, m := range svc.Modes {
				next := flow{Service: svc.ID, Mode: string(m), TZ: f.TZ}
				ch := choice{Title: modeLabel(m), URL: next.url("/book")}
				if m == booking.InPerson {
					ch.Description = "Meet your artisan at " + c.Atelier.Address + ". Stones and metals to hand."
				} else {
					ch.Description = "A video call from wherever you are. We send the link with your confirmation."
				}
				d.Modes = append(d.Modes, ch)
			}
			p.Title, p.Data = "Visit or video call", d
			s.render(w, r, http.StatusOK, "book_mode", p)
			return
		}
		f.Mode = string(svc.Modes[0])
	}
	arts := c.artisansFor(svc)
	if f.Artisan != anyArtisan && !slices.ContainsFunc(arts, func(a app.ArtisanView) bool { return a.ID == f.Artisan }) {
		if len(arts) != 1 {
			d := bookData{Steps: f.steps(2), Flow: f, Service: svc}
			next := flow{Service: svc.ID, Mode: f.Mode, Artisan: anyArtisan, TZ: f.TZ}
			d.Artisans = append(d.Artisans, choice{Title: "Any artisan", Description: "The first free time with whichever of our artisans is available.", URL: next.url("/book")})
			for _, a := range arts {
				next.Artisan = a.ID
				d.Artisans = append(d.Artisans, choice{Title: a.Name, Description: a.Bio, URL: next.url("/book")})
			}
			p.Title, p.Data = "Choose your artisan", d
			s.render(w, r, http.StatusOK, "book_artisan", p)
			return
		}
		f.Artisan = arts[0].ID
	}
	s.renderBookCalendar(w, r, c, p, f, loc, http.StatusOK, "")
}

// renderBookCalendar renders the date and time step of flow f.
func (s *Server) renderBookCalendar(w http.ResponseWriter, r *http.Request, c *catalogue, p *page, f flow, loc *time.Location, status int, notice string) {
	svc := c.service(f.Service)
	q := calendarQuery{
		Service: f.Service, Mode: f.Mode, Loc: loc, TZ: f.TZ, Month: f.Month, Date: f.Date,
		DayURL: func(d booking.Date) string {
			g := f
			g.Month, g.Date = "", d.String()
			return g.url("/book") + "#times"
		},
		MonthURL: func(d booking.Date) string {
			g := f
			g.Month, g.Date = d.String()[:7], ""
			return g.url("/book")
		},
		SlotURL: func(start time.Time) string {
			v := flow{Service: f.Service, Mode: f.Mode, Artisan: f.Artisan, TZ: f.TZ}.values()
			v.Set("start", start.Format(time.RFC3339))
			return "/book/details?" + v.Encode()
		},
	}
	if f.Artisan != anyArtisan {
		q.Artisan = f.Artisan
	}
	cal, err := s.calendar(r.Context(), c.Atelier, c.Loc, q)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := bookData{
		Steps: f.steps(3), Flow: f, Service: svc, Calendar: cal, Notice: notice,
		ModeLabel: modeLabel(booking.Mode(f.Mode)), ArtisanName: "Any artisan",
		Duration: fmtDuration(svc.DurationMinutes),
		ZoneForm: zoneForm{Action: "/book", Hidden: f.hidden("tz"), Options: zoneOptions(f.TZ, c.Atelier.Timezone)},
	}
	if f.Artisan != anyArtisan {
		d.ArtisanName = c.artisanName(f.Artisan)
	}
	p.Title, p.Data = "Choose a date and time", d
	s.render(w, r, status, "book_calendar", p)
}

// detailsForm is the customer's details, as posted.
type detailsForm struct {
	Name, Email, Phone, Notes string
	Errors                    map[string]string
}

// detailsData is the details step.
type detailsData struct {
	Steps     []step
	Flow      flow
	Start     string // RFC 3339, posted back
	Summary   summary
	Form      detailsForm
	Error     string // a message for the whole form
	ChangeURL string
}

// summary describes an appointment in words.
type summary struct {
	Service, Mode, Artisan, Duration string
	When, AtelierWhen, ZoneLabel     string
	Location, MapURL                 string
}

// bookingSummary describes the appointment of flow f at start.
func bookingSummary(c *catalogue, f flow, start time.Time, loc *time.Location) summary {
	svc := c.service(f.Service)
	sm := summary{
		Service: c.serviceName(f.Service), Mode: modeLabel(booking.Mode(f.Mode)), Artisan: "Any available artisan",
		ZoneLabel: zoneLabel(loc.String()),
	}
	if f.Artisan != "" && f.Artisan != anyArtisan {
		sm.Artisan = c.artisanName(f.Artisan)
	}
	var end time.Time
	if svc != nil {
		sm.Duration = fmtDuration(svc.DurationMinutes)
		end = start.Add(time.Duration(svc.DurationMinutes) * time.Minute)
	}
	sm.When = whenLabel(start.In(loc), end.In(loc))
	if booking.Mode(f.Mode) == booking.InPerson {
		sm.Location, sm.MapURL = c.Atelier.Address, mapURL(c.Atelier.MapURL, c.Atelier.Address)
		if !sameOffsets(loc, c.Loc, start) {
			sm.AtelierWhen = whenLabel(start.In(c.Loc), end.In(c.Loc)) + " in " + cityOf(c.Atelier.Timezone)
		}
	}
	return sm
}

// whenLabel is "Tuesday 8 December 2026, 2:30 pm – 4:00 pm".
func whenLabel(start, end time.Time) string {
	s := fmtDate(start) + ", " + fmtTime(start)
	if !end.IsZero() {
		s += " – " + fmtTime(end)
	}
	return s
}

// detailsFlow reads and checks the flow and start of the details step. ok
// is false when they do not name a bookable service, mode and time.
func detailsFlow(c *catalogue, v url.Values) (f flow, start time.Time, loc *time.Location, ok bool) {
	f = flowFrom(v)
	f.Month, f.Date = "", ""
	loc, zok := loadZone(f.TZ)
	if !zok {
		loc, f.TZ = c.Loc, c.Atelier.Timezone
	}
	start, err := time.Parse(time.RFC3339, strings.TrimSpace(v.Get("start")))
	svc := c.service(f.Service)
	if err != nil || svc == nil || !slices.Contains(svc.Modes, booking.Mode(f.Mode)) {
		return f, time.Time{}, loc, false
	}
	if f.Artisan == "" {
		f.Artisan = anyArtisan
	}
	return f, start, loc, true
}

func (s *Server) handleDetails(w http.ResponseWriter, r *http.Request) {
	c, err := s.catalogue(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f, start, loc, ok := detailsFlow(c, r.URL.Query())
	if !ok {
		http.Redirect(w, r, f.url("/book"), http.StatusSeeOther)
		return
	}
	s.renderDetails(w, r, c, f, start, loc, http.StatusOK, detailsForm{}, "")
}

func (s *Server) renderDetails(w http.ResponseWriter, r *http.Request, c *catalogue, f flow, start time.Time, loc *time.Location, status int, form detailsForm, msg string) {
	back := f
	back.Date = booking.DateOf(start.In(loc)).String()
	d := detailsData{
		Steps: f.steps(4), Flow: f, Start: start.Format(time.RFC3339),
		Summary: bookingSummary(c, f, start, loc), Form: form, Error: msg,
		ChangeURL: back.url("/book") + "#times",
	}
	s.render(w, r, status, "book_details", &page{Title: "Your details", Atelier: c.Atelier, Nav: "book", Data: d})
}

// customerFields maps the API's field paths to the form's.
var customerFields = map[string]string{
	"customer.name": "name", "customer.email": "email", "customer.phone": "phone", "notes": "notes",
}

func (s *Server) handleDetailsPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Your form could not be read", "Please go back and send it again.")
		return
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f, start, loc, ok := detailsFlow(c, r.PostForm)
	if !ok {
		http.Redirect(w, r, f.url("/book"), http.StatusSeeOther)
		return
	}
	form := detailsForm{
		Name:  strings.TrimSpace(r.PostForm.Get("name")),
		Email: strings.TrimSpace(r.PostForm.Get("email")),
		Phone: strings.TrimSpace(r.PostForm.Get("phone")),
		Notes: strings.TrimSpace(r.PostForm.Get("notes")),
	}
	req := app.BookingRequest{
		Service: f.Service, Mode: f.Mode, Start: start.Format(time.RFC3339),
		Customer: booking.Customer{Name: form.Name, Email: form.Email, Phone: form.Phone, Timezone: f.TZ},
		Notes:    form.Notes,
	}
	if f.Artisan != anyArtisan {
		req.Artisan = f.Artisan
	}
	if ok, wait := s.limits.AllowBooking(r); !ok {
		// The API's limit, shared: the form is kept so that nothing needs
		// typing again.
		w.Header().Set("Retry-After", httpapi.RetryAfter(wait))
		s.renderDetails(w, r, c, f, start, loc, http.StatusTooManyRequests, form,
			"We have received many booking requests from your connection in the last minute. "+
				"Please wait "+waitPhrase(wait)+" and confirm again; your details are kept.")
		return
	}
	created, err := s.app.CreateBooking(r.Context(), req, app.CreateOptions{})
	if err != nil {
		s.bookingFailed(w, r, c, f, start, loc, form, err)
		return
	}
	v := url.Values{"token": {created.View.ManageToken}, "new": {"1"}}
	http.Redirect(w, r, "/bookings/"+url.PathEscape(created.View.ID)+"?"+v.Encode(), http.StatusSeeOther)
}

// bookingFailed shows what went wrong with a booking request: invalid
// details on the form, a time taken meanwhile on the calendar of that day.
func (s *Server) bookingFailed(w http.ResponseWriter, r *http.Request, c *catalogue, f flow, start time.Time, loc *time.Location, form detailsForm, err error) {
	var e *booking.Error
	if !errors.As(err, &e) {
		s.serverError(w, r, err)
		return
	}
	day := f
	day.Date = booking.DateOf(start.In(loc)).String()
	p := &page{Atelier: c.Atelier, Nav: "book"}
	switch e.Kind {
	case booking.EINVALID:
		form.Errors = map[string]string{}
		for k, m := range e.Fields {
			if fk, ok := customerFields[k]; ok {
				form.Errors[fk] = m
			}
		}
		if len(form.Errors) == len(e.Fields) && len(form.Errors) > 0 {
			s.renderDetails(w, r, c, f, start, loc, http.StatusUnprocessableEntity, form, "Please check the highlighted fields.")
			return
		}
		// The time itself is not bookable (e.g. too soon): choose again.
		s.renderBookCalendar(w, r, c, p, day, loc, http.StatusUnprocessableEntity,
			"That time can no longer be booked. Please choose another.")
	case booking.ECONFLICT:
		s.renderBookCalendar(w, r, c, p, day, loc, http.StatusConflict,
			"Sorry, "+fmtTime(start.In(loc))+" was booked by someone else a moment ago. Here are the times still free.")
	case booking.EUNAVAILABLE:
		// The form is kept: nothing needs typing again to retry.
		s.unavailable(w, r, err)
		s.renderDetails(w, r, c, f, start, loc, http.StatusServiceUnavailable, form, sentence(e.Message))
	default:
		s.serverError(w, r, err)
	}
}

// HiddenAll lists every field of the flow as hidden form fields.
func (f flow) HiddenAll() []field { return f.hidden() }
