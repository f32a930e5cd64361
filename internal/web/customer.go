package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// anyArtisan is the artisan value meaning "whoever is free".
const anyArtisan = "any"

func (s *Server) registerCustomerRoutes(r *mux.Router) {
	r.Handle("/", s.page(s.handleHome)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/book", s.page(s.handleBook)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/embed", s.page(s.handleEmbed)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/book/details", s.page(s.handleDetails)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/book/details", s.page(s.handleDetailsPost)).Methods(http.MethodPost)
}

// homeData is the landing page.
type homeData struct {
	// Face holds the configured words and pictures; Monogram stands in
	// for a logo when there is none.
	Face     *face
	Monogram string
	MapURL   string
	Hours    []hoursRow
	Closures []closureRow
	// Special are the coming dates with their own opening hours.
	Special  []closureRow
	Services []serviceCard
	TZCity   string
}

type hoursRow struct {
	Day, Hours string
	Closed     bool
}

type closureRow struct{ When, Reason string }

type serviceCard struct {
	Name, Description, Duration, Modes, URL string
	Photo                                   *picture // nil: a card of words only
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	c, err := s.publicCatalogue(r.Context())
	if err != nil {
		return err
	}
	at, l := c.Atelier, s.langOf(r)
	d := homeData{Face: s.face.in(l), Monogram: initials(at.Name), MapURL: mapURL(at.MapURL, at.Address), TZCity: cityOf(l, at.Timezone)}
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7) // Monday first
		row := hoursRow{Day: l.Weekday(wd), Hours: l.T("calendar.closed"), Closed: true}
		if spans := at.Hours.On(wd); len(spans) > 0 {
			parts := make([]string, len(spans))
			for j, sp := range spans {
				parts[j] = l.Range(clockLabel(l, sp.Start), clockLabel(l, sp.End))
			}
			row.Hours, row.Closed = strings.Join(parts, l.T("list.sep")), false
		}
		d.Hours = append(d.Hours, row)
	}
	today := booking.DateOf(s.app.Now().In(c.Loc))
	for _, cl := range at.Closures {
		if cl.To.Before(today) || len(d.Closures) == 4 {
			continue
		}
		d.Closures = append(d.Closures, closureRow{When: fmtDateRange(l, cl.From, cl.To), Reason: cl.Reason})
	}
	d.Special = specialHours(l, at.DateHours, today)
	for _, sv := range c.Services {
		d.Services = append(d.Services, serviceCard{
			Name: sv.Name, Description: sv.Description, Duration: fmtDuration(l, int(sv.Duration/time.Minute)),
			Modes: modesLabel(l, sv.Modes), URL: "/book?" + url.Values{"service": {sv.ID}}.Encode(),
			Photo: s.face.services[sv.ID],
		})
	}
	return s.show(w, r, "home", &page{Title: c.Atelier.Name, Atelier: at, Data: d})
}

// specialHours lists the coming dates with opening hours of their own
// (at most four): the date and its hours, or closed.
func specialHours(l *i18n.Lang, dates []booking.DateHours, today booking.Date) []closureRow {
	var out []closureRow
	for _, dh := range dates {
		if dh.Date.Before(today) || len(out) == 4 {
			continue
		}
		hours := l.T("calendar.closed")
		if len(dh.Hours) > 0 {
			parts := make([]string, len(dh.Hours))
			for j, sp := range dh.Hours {
				parts[j] = l.Range(clockLabel(l, sp.Start), clockLabel(l, sp.End))
			}
			hours = strings.Join(parts, l.T("list.sep"))
		}
		out = append(out, closureRow{When: fmtDateRange(l, dh.Date, dh.Date), Reason: hours})
	}
	return out
}

// clockLabel writes a wall-clock time as "10:00 am"; 24:00 is "midnight".
func clockLabel(l *i18n.Lang, c booking.Clock) string { return l.ClockTime(int(c)) }

func modesLabel(l *i18n.Lang, ms []booking.Mode) string {
	var parts []string
	if slices.Contains(ms, booking.InPerson) {
		parts = append(parts, l.T("modes.in_person"))
	}
	if slices.Contains(ms, booking.Virtual) {
		parts = append(parts, l.T("modes.virtual"))
	}
	if len(parts) == 2 {
		return l.T("list.or", "Head", parts[0], "Last", parts[1])
	}
	return strings.Join(parts, "")
}

// flow is the state of the booking flow, carried in the query string so
// that every step is a plain link or GET form and works without script.
type flow struct {
	Service, Mode, Artisan, TZ, Month, Date string
	// Embed keeps every step in embed mode (/embed) and Lang, there, the
	// language (an iframe on another site may get no cookie of ours).
	Embed             bool
	Lang, Transparent string
}

func flowFrom(q url.Values) flow {
	f := flow{
		Service: strings.TrimSpace(q.Get("service")),
		Mode:    strings.TrimSpace(q.Get("mode")),
		Artisan: strings.TrimSpace(q.Get("artisan")),
		TZ:      strings.TrimSpace(q.Get("tz")),
		Month:   strings.TrimSpace(q.Get("month")),
		Date:    strings.TrimSpace(q.Get("date")),
		Embed:   q.Get(embedParam) == "1",
	}
	if f.Embed {
		f.Lang, f.Transparent = strings.TrimSpace(q.Get(langParam)), strings.TrimSpace(q.Get("transparent"))
	}
	return f
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
	v := f.values()
	f.embedValues(v)
	if len(v) > 0 {
		return path + "?" + v.Encode()
	}
	return path
}

// embedValues adds the embed mode's parameters to v.
func (f flow) embedValues(v url.Values) {
	if !f.Embed {
		return
	}
	v.Set(embedParam, "1")
	if f.Lang != "" {
		v.Set(langParam, f.Lang)
	}
	if f.Transparent != "" {
		v.Set("transparent", f.Transparent)
	}
}

// embedURL is path with only the embed mode's parameters (a form's
// action: its fields carry the rest).
func (f flow) embedURL(path string) string {
	v := url.Values{}
	f.embedValues(v)
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// keep is g with f's embed mode: a link from one step to another.
func (f flow) keep(g flow) flow {
	g.Embed, g.Lang, g.Transparent = f.Embed, f.Lang, f.Transparent
	return g
}

// bookPath is the booking flow's steps' address.
func (f flow) bookPath() string { return "/book" }

// hidden lists the flow's fields except the named ones, for GET forms.
func (f flow) hidden(except ...string) []field {
	var out []field
	v := f.values()
	f.embedValues(v)
	for _, k := range []string{"service", "mode", "artisan", "tz", "month", "date", embedParam, langParam, "transparent"} {
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
func (f flow) steps(l *i18n.Lang, cur int) []step {
	back := []flow{
		{Mode: f.Mode, TZ: f.TZ},
		{Service: f.Service, TZ: f.TZ},
		{Service: f.Service, Mode: f.Mode, TZ: f.TZ},
		{Service: f.Service, Mode: f.Mode, Artisan: f.Artisan, TZ: f.TZ, Month: f.Month, Date: f.Date},
		{},
	}
	labels := []string{l.T("steps.service"), l.T("steps.mode"), l.T("steps.artisan"), l.T("steps.when"), l.T("steps.details")}
	out := make([]step, len(labels))
	for i, lb := range labels {
		out[i] = step{Label: lb, Current: i == cur}
		if i < cur {
			b := back[i]
			b.Embed, b.Lang, b.Transparent = f.Embed, f.Lang, f.Transparent
			out[i].URL = b.url(f.bookPath())
		}
	}
	return out
}

// bookData is a step of the booking flow.
type bookData struct {
	Steps   []step
	Flow    flow
	Notice  string // e.g. the time chosen was taken meanwhile
	Service *booking.Service

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

// choice is one option of a step: a link with a title and a description,
// and for an artisan a portrait or, without one, initials.
type choice struct {
	Title, Description, URL string
	Photo                   *picture
	Initials                string
}

// zoneForm is the time zone selector: a GET form back to the same step.
type zoneForm struct {
	Action  string
	Hidden  []field
	Options []zoneOption
}

func (s *Server) handleBook(w http.ResponseWriter, r *http.Request) error {
	c, err := s.publicCatalogue(r.Context())
	if err != nil {
		return err
	}
	f := flowFrom(r.URL.Query())
	loc, ok := loadZone(f.TZ)
	if !ok {
		loc, f.TZ = c.Loc, c.Atelier.Timezone
	}
	l := s.langOf(r)
	p := &page{Atelier: c.Atelier, DetectZone: !r.URL.Query().Has("tz"), Nav: "book"}
	mode := booking.Mode(f.Mode)

	svc := c.service(f.Service)
	if svc == nil {
		d := bookData{Steps: f.steps(l, 0), Flow: f}
		for _, sv := range c.Services {
			if mode.Valid() && !slices.Contains(sv.Modes, mode) {
				continue
			}
			next := f.keep(flow{Service: sv.ID, Mode: f.Mode, TZ: f.TZ})
			d.Services = append(d.Services, serviceChoice{ID: sv.ID, serviceCard: serviceCard{
				Name: sv.Name, Description: sv.Description, Duration: fmtDuration(l, int(sv.Duration/time.Minute)),
				Modes: modesLabel(l, sv.Modes), URL: next.url("/book"), Photo: s.face.services[sv.ID],
			}})
		}
		p.Title, p.Data = l.T("book.service.title"), d
		return s.show(w, r, "book_service", p)
	}
	if !slices.Contains(svc.Modes, mode) {
		if len(svc.Modes) != 1 {
			d := bookData{Steps: f.steps(l, 1), Flow: f, Service: svc}
			for _, m := range svc.Modes {
				next := f.keep(flow{Service: svc.ID, Mode: string(m), TZ: f.TZ})
				ch := choice{Title: modeLabel(l, m), URL: next.url("/book")}
				if m == booking.InPerson {
					ch.Description = l.T("book.mode.in_person", "Address", c.Atelier.Address)
				} else {
					ch.Description = l.T("book.mode.virtual")
				}
				d.Modes = append(d.Modes, ch)
			}
			p.Title, p.Data = l.T("book.mode.title"), d
			return s.show(w, r, "book_mode", p)
		}
		f.Mode = string(svc.Modes[0])
	}
	arts := c.artisansFor(svc)
	if f.Artisan != anyArtisan && !slices.ContainsFunc(arts, func(a booking.Artisan) bool { return a.ID == f.Artisan }) {
		if len(arts) != 1 {
			d := bookData{Steps: f.steps(l, 2), Flow: f, Service: svc}
			next := f.keep(flow{Service: svc.ID, Mode: f.Mode, Artisan: anyArtisan, TZ: f.TZ})
			d.Artisans = append(d.Artisans, choice{Title: l.T("book.artisan.any"), Description: l.T("book.artisan.any_text"), URL: next.url("/book")})
			for _, a := range arts {
				next.Artisan = a.ID
				d.Artisans = append(d.Artisans, choice{Title: a.Name, Description: a.Bio, URL: next.url("/book"),
					Photo: s.face.artisans[a.ID], Initials: initials(a.Name)})
			}
			p.Title, p.Data = l.T("book.artisan.title"), d
			return s.show(w, r, "book_artisan", p)
		}
		f.Artisan = arts[0].ID
	}
	return s.renderBookCalendar(w, r, c, p, f, loc)
}

// renderBookCalendar renders the date and time step of flow f.
func (s *Server) renderBookCalendar(w http.ResponseWriter, r *http.Request, c *catalogue, p *page, f flow, loc *time.Location) error {
	svc := c.service(f.Service)
	l := s.langOf(r)
	q := calendarQuery{
		Lang:    l,
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
			g := f.keep(flow{Service: f.Service, Mode: f.Mode, Artisan: f.Artisan, TZ: f.TZ})
			v := g.values()
			g.embedValues(v)
			v.Set("start", start.Format(time.RFC3339))
			return "/book/details?" + v.Encode()
		},
	}
	if f.Artisan != anyArtisan {
		q.Artisan = f.Artisan
	}
	cal, err := s.calendar(r.Context(), c.Atelier, c.Loc, q)
	if err != nil {
		return err
	}
	d := bookData{
		Steps: f.steps(l, 3), Flow: f, Service: svc, Calendar: cal,
		ModeLabel: modeLabel(l, booking.Mode(f.Mode)), ArtisanName: l.T("book.artisan.any"),
		Duration: fmtDuration(l, int(svc.Duration/time.Minute)),
		ZoneForm: zoneForm{Action: "/book", Hidden: f.hidden("tz"), Options: zoneOptions(f.TZ, c.Atelier.Timezone)},
	}
	if f.Artisan != anyArtisan {
		d.ArtisanName = c.artisanName(f.Artisan)
	}
	p.Title, p.Data = l.T("book.calendar.heading"), d
	return s.show(w, r, "book_calendar", p)
}

// detailsForm is the customer's details, as posted.
type detailsForm struct {
	Name, Email, Phone, Notes string
	// Discreet is "Keep it a surprise" (booking.Booking.Discreet).
	Discreet bool
	Errors   map[string]string
	// Values is the form as posted: the answers to the questions are
	// shown again from it (intake.go).
	Values url.Values
}

// detailsData is the details step.
type detailsData struct {
	Steps     []step
	Flow      flow
	Start     string // RFC 3339, posted back; "" while a time is chosen on the page
	Key       string // the form's one-time key (formKeyParam)
	Action    string // where the form posts: /book/details, with the embed mode
	Summary   summary
	Form      detailsForm
	Error     string // a message for the whole form
	ChangeURL string
	// Questions are the service's intake questions; Multipart is set when
	// they ask for photos (the form is then multipart/form-data).
	Questions []questionField
	Multipart bool

	// Pick is set when the customer chooses the time on this page (the
	// time first chosen was taken meanwhile, or cannot be booked):
	// Notice says why, Days are the free times offered, DayValue is the
	// first day offered (posted back) and CalendarURL shows other days.
	Pick        bool
	Notice      string
	Days        []pickDay
	DayValue    string
	CalendarURL string
	ZoneLabel   string
	// Policy is the booking policy of the service, in words (issue 13).
	Policy []string
}

// pickDay is a day of free times on the details page.
type pickDay struct {
	Label string
	Times []pickTime
}

// pickTime is one free time to choose, in the customer's zone and, for a
// visit seen from another zone, at the atelier.
type pickTime struct {
	ID, Value, Time, AtelierTime string
	Checked                      bool
}

// summary describes an appointment in words.
type summary struct {
	Service, Mode, Artisan, Duration string
	When, AtelierWhen, ZoneLabel     string
	Location, MapURL                 string
}

// bookingSummary describes the appointment of flow f at start.
func bookingSummary(l *i18n.Lang, c *catalogue, f flow, start time.Time, loc *time.Location) summary {
	svc := c.service(f.Service)
	sm := summary{
		Service: c.serviceName(f.Service), Mode: modeLabel(l, booking.Mode(f.Mode)), Artisan: l.T("summary.any_artisan"),
		ZoneLabel: zoneLabel(loc.String()),
	}
	if f.Artisan != "" && f.Artisan != anyArtisan {
		sm.Artisan = c.artisanName(f.Artisan)
	}
	var end time.Time
	if svc != nil {
		sm.Duration = fmtDuration(l, int(svc.Duration/time.Minute))
		end = start.Add(time.Duration(int(svc.Duration/time.Minute)) * time.Minute)
	}
	sm.When = whenLabel(l, start.In(loc), end.In(loc))
	if booking.Mode(f.Mode) == booking.InPerson {
		sm.Location, sm.MapURL = c.Atelier.Address, mapURL(c.Atelier.MapURL, c.Atelier.Address)
		if !sameOffsets(loc, c.Loc, start) {
			sm.AtelierWhen = atelierWhen(l, start.In(c.Loc), end.In(c.Loc), c.Atelier.Timezone)
		}
	}
	return sm
}

// whenLabel is "Tuesday 8 December 2026, 2:30 pm – 4:00 pm": the same
// words as the e-mails' (i18n.Lang.Span).
func whenLabel(l *i18n.Lang, start, end time.Time) string { return l.Span(start, end) }

// atelierWhen is whenLabel at the atelier: "... in Singapore".
func atelierWhen(l *i18n.Lang, start, end time.Time, zone string) string {
	return l.T("summary.at_atelier", "When", whenLabel(l, start, end), "City", cityOf(l, zone))
}

// detailsProblem is what keeps the flow of a details request from naming
// a bookable appointment.
type detailsProblem int

const (
	detailsOK        detailsProblem = iota
	detailsNoService                // unknown service, or a mode it is not offered in
	detailsNoArtisan                // unknown artisan, or one who does not offer the service
	detailsNoStart                  // no time, or not an RFC 3339 one
)

// detailsFlow reads and checks the flow and start of the details step
// against the catalogue: the service must be offered in the mode, and a
// named artisan must offer the service.
func detailsFlow(c *catalogue, v url.Values) (f flow, start time.Time, loc *time.Location, problem detailsProblem) {
	f = flowFrom(v)
	f.Month, f.Date = "", ""
	loc, zok := loadZone(f.TZ)
	if !zok {
		loc, f.TZ = c.Loc, c.Atelier.Timezone
	}
	if f.Artisan == "" {
		f.Artisan = anyArtisan
	}
	svc := c.service(f.Service)
	if svc == nil || !slices.Contains(svc.Modes, booking.Mode(f.Mode)) {
		return f, time.Time{}, loc, detailsNoService
	}
	start, err := time.Parse(time.RFC3339, strings.TrimSpace(v.Get("start")))
	if err != nil {
		start = time.Time{}
	}
	if f.Artisan != anyArtisan && !slices.ContainsFunc(c.artisansFor(svc), func(a booking.Artisan) bool { return a.ID == f.Artisan }) {
		return f, start, loc, detailsNoArtisan
	}
	if start.IsZero() {
		return f, start, loc, detailsNoStart
	}
	return f, start, loc, detailsOK
}

// formKeyParam carries the details form's one-time key, in the address of
// the details page and in its form. The key is the request's
// Idempotency-Key (the API's mechanism, app.CreateOptions): sending the
// same form again (a double click, Back then Confirm, a browser retrying
// the POST) answers with the first booking instead of making a second.
// It is in the address, not only in the form, so that the page fetched
// again on Back (pages are no-store) carries the same key.
const formKeyParam = "key"

// newFormKey returns a fresh one-time key: 128 random bits, base64url.
func newFormKey() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// formKey returns the one-time key in v, or "" when there is none of the
// shape newFormKey makes.
func formKey(v url.Values) string {
	k := v.Get(formKeyParam)
	if b, err := base64.RawURLEncoding.DecodeString(k); err != nil || len(b) != 16 {
		return ""
	}
	return k
}

// detailsURL is the details page of flow f at start with the one-time key.
func detailsURL(f flow, start time.Time, key string) string {
	v := flow{Service: f.Service, Mode: f.Mode, Artisan: f.Artisan, TZ: f.TZ}.values()
	f.embedValues(v)
	v.Set("start", start.Format(time.RFC3339))
	v.Set(formKeyParam, key)
	return "/book/details?" + v.Encode()
}

func (s *Server) handleDetails(w http.ResponseWriter, r *http.Request) error {
	c, err := s.publicCatalogue(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, start, loc, problem := detailsFlow(c, q)
	if problem != detailsOK {
		// The flow's own pages ask for what is missing.
		http.Redirect(w, r, f.url("/book"), http.StatusSeeOther)
		return nil
	}
	key := formKey(q)
	if key == "" {
		// Give this page its key in the address, where Back and reload
		// find it again.
		http.Redirect(w, r, detailsURL(f, start, newFormKey()), http.StatusSeeOther)
		return nil
	}
	p, err := s.detailsPage(r.Context(), c, detailsState{Lang: s.langOf(r), Flow: f, Start: start, Loc: loc, Key: key})
	if err != nil {
		return err
	}
	return s.show(w, r, "book_details", p)
}

// detailsState is the details step as shown.
type detailsState struct {
	Lang  *i18n.Lang
	Flow  flow
	Start time.Time // while picking, the time to show chosen (zero for none)
	Loc   *time.Location
	Key   string
	Form  detailsForm
	Error string // a message for the whole form
	// Pick lets the customer choose the time on the page, keeping what
	// they typed: Notice says why, Day is the first day offered.
	Pick   bool
	Notice string
	Day    booking.Date
}

// pickSpan is how many days ahead the details page looks for free times,
// and pickDays how many days with free times it offers.
const (
	pickSpan = 14
	pickDays = 2
)

// detailsPage builds the details step as st shows it.
func (s *Server) detailsPage(ctx context.Context, c *catalogue, st detailsState) (*page, error) {
	f, loc, l := st.Flow, st.Loc, st.Lang
	back := f
	d := detailsData{
		Steps: f.steps(l, 4), Flow: f, Key: st.Key, Action: f.embedURL("/book/details"), Form: st.Form, Error: st.Error,
		Pick: st.Pick, Notice: st.Notice, ZoneLabel: zoneLabel(loc.String()),
	}
	if st.Pick {
		days, err := s.pickTimes(ctx, l, c, f, loc, st.Day, st.Start)
		if err != nil {
			return nil, err
		}
		d.Days, d.DayValue = days, st.Day.String()
		d.Summary = bookingSummary(l, c, f, time.Time{}, loc)
		d.Summary.When, d.Summary.AtelierWhen = "", ""
		back.Date = st.Day.String()
		d.CalendarURL = back.url("/book") + "#times"
	} else {
		d.Start = st.Start.Format(time.RFC3339)
		d.Summary = bookingSummary(l, c, f, st.Start, loc)
		back.Date = booking.DateOf(st.Start.In(loc)).String()
	}
	d.ChangeURL = back.url("/book") + "#times"
	if svc := c.service(f.Service); svc != nil {
		d.Questions = questionFields(l, svc, st.Form.Values, st.Form.Errors) // intake.go
		d.Multipart = svc.PhotoQuestion() != nil
	}
	d.Policy = servicePolicyWords(l, c, f.Service)
	return &page{Title: l.T("book.details.title"), Atelier: c.Atelier, Nav: "book", Data: d}, nil
}

// detailsAgain is the details step shown again as st, for err: the form
// keeps what was typed, and says what to change.
func (s *Server) detailsAgain(ctx context.Context, c *catalogue, st detailsState, err error) error {
	p, perr := s.detailsPage(ctx, c, st)
	if perr != nil {
		return perr
	}
	return again(err, "book_details", p)
}

// pickTimes lists the free times of flow f on the first pickDays days
// that have any, from the day from on (today at the earliest) and at most
// pickSpan days ahead; chosen is marked.
func (s *Server) pickTimes(ctx context.Context, l *i18n.Lang, c *catalogue, f flow, loc *time.Location, from booking.Date, chosen time.Time) ([]pickDay, error) {
	now := s.app.Now().In(loc)
	if today := booking.DateOf(now); from.IsZero() || from.Before(today) {
		from = today
	}
	q := app.AvailabilityQuery{Service: f.Service, Mode: f.Mode, From: from, To: from.AddDays(pickSpan - 1), Timezone: f.TZ}
	if f.Artisan != anyArtisan {
		q.Artisan = f.Artisan
	}
	av, err := s.app.Availability(ctx, q)
	if err != nil {
		return nil, err
	}
	// The calendar's slot labels, with the start as the slot's value.
	cq := calendarQuery{Lang: l, Loc: loc, SlotURL: func(t time.Time) string { return t.Format(time.RFC3339) }}
	showAtelier := booking.Mode(f.Mode) == booking.InPerson && !sameOffsets(loc, c.Loc, now)
	var days []pickDay
	var last booking.Date
	for _, sl := range slotsIn(av) {
		d := booking.DateOf(sl.Start.In(loc))
		if d != last {
			if len(days) == pickDays {
				break
			}
			days = append(days, pickDay{Label: fmtDate(l, sl.Start.In(loc))})
			last = d
		}
		cell := s.slotCell(sl, cq, c.Loc, showAtelier, cityOf(l, c.Atelier.Timezone))
		day := &days[len(days)-1]
		day.Times = append(day.Times, pickTime{
			ID: fmt.Sprintf("time-%d-%d", len(days), len(day.Times)+1), Value: cell.URL,
			Time: cell.Time, AtelierTime: cell.AtelierTime, Checked: sl.Start.Equal(chosen),
		})
	}
	return days, nil
}

// customerFields maps the API's field paths to the form's.
var customerFields = map[string]string{
	"customer.name": "name", "customer.email": "email", "customer.phone": "phone", "notes": "notes",
}

func (s *Server) handleDetailsPost(w http.ResponseWriter, r *http.Request) error {
	form, err := readPostedForm(w, r) // intake.go: urlencoded, or multipart with photos
	if err != nil {
		return err
	}
	c, err := s.publicCatalogue(r.Context())
	if err != nil {
		return err
	}
	pf := r.PostForm
	f, start, loc, problem := detailsFlow(c, pf)
	// A form without a key of ours (not one of our pages) books without
	// the protection; the page shown again carries a fresh key.
	posted := formKey(pf)
	l := s.langOf(r)
	st := detailsState{
		Lang: l, Flow: f, Start: start, Loc: loc, Key: posted,
		Form: detailsForm{
			Name:     strings.TrimSpace(pf.Get("name")),
			Email:    strings.TrimSpace(pf.Get("email")),
			Phone:    strings.TrimSpace(pf.Get("phone")),
			Notes:    strings.TrimSpace(pf.Get("notes")),
			Discreet: pf.Get("discreet") != "",
			Values:   pf,
		},
		Pick: pf.Get("pick") != "",
	}
	if st.Key == "" {
		st.Key = newFormKey()
	}
	if d, err := booking.ParseDate(strings.TrimSpace(pf.Get("date"))); err == nil {
		st.Day = d
	}
	if !start.IsZero() {
		st.Day = booking.DateOf(start.In(loc))
	}
	switch problem {
	case detailsNoService:
		return withWords(booking.Errorf(booking.EINVALID, booking.CodeInvalid, "the appointment is not offered in that way"),
			words{Heading: l.T("book.details.not_offered"), Message: l.T("book.details.not_offered_text")})
	case detailsNoArtisan:
		// A stale or altered form: keep what was typed, offer the times
		// of any artisan.
		st.Flow.Artisan, st.Pick, st.Start = anyArtisan, true, time.Time{}
		st.Notice = l.T("book.details.artisan_gone")
		return s.detailsAgain(r.Context(), c, st, booking.Errorf(booking.EINVALID, booking.CodeInvalid, "artisan does not offer this service"))
	case detailsNoStart:
		st.Pick, st.Notice = true, l.T("book.details.choose_time")
		return s.detailsAgain(r.Context(), c, st, booking.Errorf(booking.EINVALID, booking.CodeInvalid, "no time chosen"))
	}
	req := app.BookingRequest{
		Service: f.Service, Mode: booking.Mode(f.Mode), Start: start,
		Customer: booking.Customer{Name: st.Form.Name, Email: st.Form.Email, Phone: st.Form.Phone, Timezone: f.TZ, Language: l.Name()},
		Notes:    st.Form.Notes,
		Answers:  formAnswers(c.service(f.Service), pf),
		Discreet: st.Form.Discreet,
	}
	if f.Artisan != anyArtisan {
		req.Artisan = f.Artisan
	}
	photos, msg := s.preparePhotos(r.Context(), l, form)
	if msg != "" {
		st.Form.Errors = map[string]string{photosField: msg}
		st.Error = l.T("book.details.check_fields")
		return s.detailsAgain(r.Context(), c, st, booking.Errorf(booking.EINVALID, booking.CodeInvalid, "a photo was refused"))
	}
	if len(photos) > 0 {
		// A page shown again cannot keep the files chosen.
		st.Form.Errors = map[string]string{photosField: l.T("intake.photos_again")}
	}
	if err := s.limits.AllowBooking(r); err != nil {
		// The API's limit, shared: the form is kept so that nothing needs
		// typing again.
		wait, _ := httpx.RetryWait(err)
		st.Error = l.T("book.details.too_many", "Wait", waitPhrase(l, wait))
		return s.detailsAgain(r.Context(), c, st, err)
	}
	created, err := s.app.CreateBooking(r.Context(), req, app.CreateOptions{IdempotencyKey: posted, Replay: firstResponse{}})
	if err != nil {
		return s.bookingFailed(r.Context(), c, st, err)
	}
	// A repeat of the form (created.Replayed) lands on the same page.
	id, token, err := made(created)
	if err != nil {
		return err
	}
	if !created.Replayed {
		s.addPhotos(r.Context(), id, token, photos)
	}
	v := url.Values{"token": {token}, "new": {"1"}}
	f.embedValues(v)
	http.Redirect(w, r, "/bookings/"+url.PathEscape(id)+"?"+v.Encode(), http.StatusSeeOther)
	return nil
}

// bookingFailed shows what went wrong with a booking request, with the
// status of the one table and everything the customer typed kept:
// invalid details beside their fields, a time taken meanwhile (or no
// longer bookable) with the free times to choose from instead.
func (s *Server) bookingFailed(ctx context.Context, c *catalogue, st detailsState, err error) error {
	var e *booking.Error
	if !errors.As(err, &e) {
		return err
	}
	l := st.Lang
	switch {
	case e.Code == booking.CodeIdempotencyMismatch:
		// This page already booked, with other details (changed after
		// Back). The first booking stands; a new key lets the customer
		// book a second one on purpose.
		st.Key = newFormKey()
		st.Error = l.T("book.details.already_booked")
		return s.detailsAgain(ctx, c, st, err)
	case e.Kind == booking.EINVALID:
		kept := st.Form.Errors[photosField]
		st.Form.Errors = map[string]string{}
		for k, m := range e.Fields {
			if fk, ok := customerFields[k]; ok {
				st.Form.Errors[fk] = fieldSentence(l, fk, k, m)
			} else if fk := answerFormField(k); fk != "" {
				st.Form.Errors[fk] = answerSentence(l, m) // intake.go
			}
		}
		if len(st.Form.Errors) == len(e.Fields) && len(st.Form.Errors) > 0 {
			if kept != "" {
				st.Form.Errors[photosField] = kept
			}
			st.Error = l.T("book.details.check_fields")
			return s.detailsAgain(ctx, c, st, err)
		}
		// The time itself is not bookable (not on the grid, in the past).
		st.Pick, st.Start = true, time.Time{}
		st.Notice = l.T("book.details.time_gone")
		return s.detailsAgain(ctx, c, st, err)
	case e.Kind == booking.ECONFLICT && booking.SlotTaken(err):
		taken := st.Start.In(st.Loc)
		st.Pick, st.Start = true, time.Time{}
		st.Notice = l.T("book.details.taken", "Time", fmtTime(l, taken), "Date", fmtDate(l, taken))
		return s.detailsAgain(ctx, c, st, err)
	case e.Kind == booking.ECONFLICT:
		// A time that never was bookable (closed, too soon, beyond the
		// horizon): the message says why.
		st.Pick, st.Start = true, time.Time{}
		st.Notice = l.Sentences(unbookableReason(l, e, st.Loc.String(), c.Atelier.Timezone), l.T("book.details.kept_choose"))
		return s.detailsAgain(ctx, c, st, err)
	case e.Kind == booking.EUNAVAILABLE:
		// The form is kept: nothing needs typing again to retry.
		st.Error = l.Sentences(l.Problem(e.Code, e.Reason, sentence(e.Message)), l.T("book.details.kept"))
		return s.detailsAgain(ctx, c, st, err)
	}
	return err
}

// fieldSentence is a form field's error as a sentence: "Your e-mail must
// be a valid e-mail address." in English, from the domain's message m of
// the API field path k; the field's own words in another language.
func fieldSentence(l *i18n.Lang, formField, k, m string) string {
	if l.Name() == i18n.Default {
		switch formField {
		case "name":
			return l.T("book.details.err_name", "Msg", m)
		case "email":
			return l.T("book.details.err_email", "Msg", m)
		case "phone":
			return l.T("book.details.err_phone", "Msg", m)
		case "notes":
			return l.T("book.details.err_notes", "Msg", m)
		}
		return sentence(m)
	}
	return l.Field(k, m)
}

// HiddenAll lists every field of the flow as hidden form fields.
func (f flow) HiddenAll() []field { return f.hidden() }
