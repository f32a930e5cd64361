package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The manage pages are reached from the link in the mails,
// /bookings/{id}?token=TOKEN. Every GET only shows; cancelling and
// rescheduling are POST forms on a confirmation page that carry the token
// in the body.
func (s *Server) registerManageRoutes(r *mux.Router) {
	// Before /bookings/{id}, which would match it.
	r.Handle(resendPath, s.page(s.handleResend)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(resendPath, s.page(s.handleResendPost)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}", s.managePage(s.handleManage)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/bookings/{id}/cancel", s.managePage(s.handleCancelConfirm)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/bookings/{id}/cancel", s.managePage(s.handleCancelPost)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}/reschedule", s.managePage(s.handleReschedule)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/bookings/{id}/reschedule/confirm", s.managePage(s.handleRescheduleConfirm)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/bookings/{id}/reschedule", s.managePage(s.handleReschedulePost)).Methods(http.MethodPost)
	r.Handle("/bookings/{id}/photos", s.managePage(s.handleAddPhotos)).Methods(http.MethodPost)                // intake.go
	r.Handle("/bookings/{id}/photos/{pid}/delete", s.managePage(s.handleDeletePhoto)).Methods(http.MethodPost) // intake.go
}

// manageData is the manage page and its confirmation steps.
type manageData struct {
	ID, Token string // ID is shown in full (bk_…), as in the e-mails and the API
	// Photos is the booking's photos section, nil when its service asks
	// for none (intake.go).
	Photos    *managePhotos
	Summary   summary
	Cancelled bool // cancelled, or a declined request: it holds no time
	// A request that staff decide on (issue 13): Pending while it waits
	// (DecideBy: when it expires, in the page's zone), Declined once
	// declined (DeclineReason, or Expired undecided).
	Pending, Declined, Expired bool
	DecideBy, DeclineReason    string
	Just                       string // "booked", "cancelled", "rescheduled"
	// Bring is the service's advice for the mode (invite.BringFor), under
	// BringHeading.
	Bring, BringHeading string
	Customer            booking.Customer
	Notes               string
	MeetingURL          string
	ICSURL              string
	GoogleURL           string
	ManageURL           string
	CancelURL           string
	MoveURL             string
	ManagePath          string
	NewStart            string // RFC 3339, on the reschedule confirmation
	NewSummary          summary
	Resend              resendData // "send me my link again", for another device
	TZ                  string
	Calendar            *calendarView
	ZoneForm            zoneForm
	Notice              string
	BookURL             string
	ContactLine         string

	// The booking policy (issue 13, manage_policy.go): its words, when
	// online changes close, whether the customer may still cancel and
	// move, the moves left, and how to reach the atelier when not.
	Policy    []string
	ClosesAt  string
	CanCancel bool
	CanMove   bool
	MovesLeft string
	Contact   string

	// PrivacySent says which privacy link was just mailed (privacy.go).
	PrivacySent string

	// Whose times a move offers, and who would host it (see movePick).
	Artisans   []artisanChoice
	Choice     string // the artisan choice of the move: "" the booking's own, "any", or an id
	NewArtisan string // on the confirmation: the artisan to post ("" keeps the booking's)
	WasArtisan string // the booking's artisan's name, when the move changes it
	WasID      string // and their id
	Virtual    bool

	// The commission the booking is part of, when it is (commission.go):
	// its title and the customer's page of it, opened with the same token.
	CommissionTitle, CommissionURL string
}

// artisanChoice is one "Times with" link of a move: the booking's own
// artisan (the default), any artisan, or another one offering the service.
type artisanChoice struct {
	Label, Note, URL string
	Current          bool
}

// manageLink is the path of the manage page with the token and extra query.
func manageLink(id, token string, extra url.Values) string {
	v := url.Values{"token": {token}}
	for k, vs := range extra {
		v[k] = vs
	}
	return "/bookings/" + url.PathEscape(id) + "?" + v.Encode()
}

// loadManaged loads the booking of the request's id and token (from the
// query, or the form for a POST) with the catalogue.
func (s *Server) loadManaged(r *http.Request, token string) (*app.Booking, *catalogue, error) {
	v, err := s.app.GetBooking(r.Context(), mux.Vars(r)["id"], token)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.catalogue(r.Context())
	if err != nil {
		return nil, nil, err
	}
	return v, c, nil
}

// invalidLink is the answer of the manage pages to an unknown id, a wrong
// token and an expired one alike (pageRenderer): one "not valid" page,
// which offers to e-mail fresh links.
func (s *Server) invalidLink(w http.ResponseWriter, r *http.Request, status int) {
	l := s.langOf(r)
	d := resendData{Eyebrow: "404", Heading: l.T("manage.invalid.heading"), Lede: l.T("manage.invalid.lede")}
	if err := s.renderStatus(w, r, status, "resend", &page{Title: d.Heading, Data: d, Lang: l}); err != nil {
		s.renderErrorPage(w, r, status, customerWording(l, status, err))
	}
}

// bookingZone is where the booking's times are shown: the zone asked for
// in the query, else where the customer sees it (the customer's zone,
// else the atelier's: booking.Customer.ZoneOr), with its name.
func bookingZone(v *app.Booking, c *catalogue, asked string) (*time.Location, string) {
	if loc, ok := loadZone(asked); ok {
		return loc, asked
	}
	loc := v.Customer.ZoneOr(c.Loc)
	return loc, loc.String()
}

// bookingLang is the language of a manage page of v: an explicit
// choice (?lang=, the cookie) first, then the language the booking was
// made in, then the browser's.
func (s *Server) bookingLang(r *http.Request, v *app.Booking) *i18n.Lang {
	explicit := r.URL.Query().Get(langParam)
	if c, err := r.Cookie(langCookie); err == nil && explicit == "" {
		explicit = c.Value
	}
	if explicit == "" || !s.langs.Has(explicit) {
		explicit = v.Customer.Language
	}
	return s.langs.Negotiate(explicit, "", r.Header.Get("Accept-Language"))
}

func (s *Server) manageData(l *i18n.Lang, v *app.Booking, c *catalogue, token string, loc *time.Location) manageData {
	f := flow{Service: v.ServiceID, Mode: string(v.Mode), Artisan: v.ArtisanID}
	sm := bookingSummary(l, c, f, v.Start, loc)
	sm.Service, sm.Artisan = v.ServiceName, c.teamName(l, &v.Booking, v.ArtisanName) // also once they left the catalogue
	if sm.Duration == "" {
		sm.Duration = fmtDuration(l, int(v.End.Sub(v.Start)/time.Minute))
	}
	sm.When = whenLabel(l, v.Start.In(loc), v.End.In(loc))
	if sm.AtelierWhen != "" {
		sm.AtelierWhen = atelierWhen(l, v.Start.In(c.Loc), v.End.In(c.Loc), c.Atelier.Timezone)
	}
	if v.Location != "" {
		sm.Location = v.Location
	}
	d := manageData{
		ID: v.ID, Token: token, Summary: sm, Cancelled: !v.Status.Holds(),
		Pending: v.Status == booking.Pending, Declined: v.Status == booking.Declined, Expired: v.Expired(),
		DeclineReason: v.DeclineReason,
		Customer:      v.Customer, Notes: v.Notes, MeetingURL: v.MeetingURL,
		ICSURL:     "/api/v1/bookings/" + url.PathEscape(v.ID) + "/invite.ics?" + url.Values{"token": {token}}.Encode(),
		ManagePath: manageLink(v.ID, token, nil),
		ManageURL:  s.app.PublicURL() + manageLink(v.ID, token, nil),
		CancelURL:  "/bookings/" + url.PathEscape(v.ID) + "/cancel?" + url.Values{"token": {token}}.Encode(),
		MoveURL:    "/bookings/" + url.PathEscape(v.ID) + "/reschedule?" + url.Values{"token": {token}}.Encode(),
		TZ:         loc.String(),
		BookURL:    "/book",
		Resend:     resendData{Email: v.Customer.Email, Secondary: true},
		Bring:      s.advice.For(v.ServiceID, v.Mode, l), BringHeading: l.T("manage.bring"),
	}
	if v.Mode == booking.Virtual {
		d.BringHeading = l.T("manage.bring_call")
	}
	if !v.DecideBy.IsZero() {
		d.DecideBy = l.DateTime(v.DecideBy.In(loc))
	}
	policyData(&d, l, v, c, loc)
	title := sm.Service + " — " + c.Atelier.Name
	details := l.T("manage.gcal_details", "Artisan", sm.Artisan, "URL", d.ManageURL)
	where := sm.Location
	if v.MeetingURL != "" {
		details = l.T("manage.gcal_join", "URL", v.MeetingURL) + "\n" + details
		where = v.MeetingURL
	}
	d.GoogleURL = googleCalendarURL(title, v.Start, v.End, details, where, loc.String())
	return d
}

func (s *Server) handleManage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	v, c, err := s.loadManaged(r, token)
	if err != nil {
		return err
	}
	loc, _ := bookingZone(v, c, r.URL.Query().Get("tz"))
	l := s.bookingLang(r, v)
	d := s.manageData(l, v, c, token, loc)
	switch r.URL.Query().Get("new") {
	case "1":
		d.Just = "booked"
	}
	switch r.URL.Query().Get("done") {
	case "cancelled", "rescheduled":
		d.Just = r.URL.Query().Get("done")
	}
	if was := r.URL.Query().Get("was"); d.Just == "rescheduled" && was != v.ArtisanID && c.artisan(was) != nil {
		d.WasArtisan = c.artisanName(was)
	}
	d.Photos = s.managePhotosOf(r.Context(), v, c, token, r.URL.Query(), l) // intake.go
	if v.CommissionID != "" {
		if cm, err := s.app.GetCommission(r.Context(), v.CommissionID, token); err == nil {
			d.CommissionTitle, d.CommissionURL = cm.Title, commissionLink(cm.ID, token)
		}
	}
	d.PrivacySent = s.privacySentNotice(r) // privacy.go
	title := l.T("manage.title")
	switch {
	case d.Pending:
		title = l.T("manage.title_request")
	case d.Declined:
		title = l.T("manage.title_declined")
	case d.Just == "booked":
		title = l.T("manage.title_booked")
	}
	return s.show(w, r, "booking", &page{Title: title, Atelier: c.Atelier, Data: d, Lang: l})
}

func (s *Server) handleCancelConfirm(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	v, c, err := s.loadManaged(r, token)
	if err != nil {
		return err
	}
	if !v.Status.Holds() {
		http.Redirect(w, r, manageLink(v.ID, token, nil), http.StatusSeeOther)
		return nil
	}
	if !v.Changes.Open {
		return s.policyRefused(r, v, c, token, booking.CodeChangeWindowClosed)
	}
	loc, _ := bookingZone(v, c, "")
	l := s.bookingLang(r, v)
	return s.show(w, r, "cancel", &page{Title: l.T("cancel.title"), Atelier: c.Atelier, Data: s.manageData(l, v, c, token, loc), Lang: l})
}

func (s *Server) handleCancelPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, token := mux.Vars(r)["id"], r.PostForm.Get("token")
	if _, err := s.app.CancelBooking(r.Context(), id, token); err != nil {
		if code := booking.ErrorCode(err); code == booking.CodeChangeWindowClosed {
			return s.policyRefusedAfter(r, token, err)
		}
		if booking.ErrorKind(err) == booking.ECONFLICT {
			// Already cancelled: the manage page says so.
			http.Redirect(w, r, manageLink(id, token, nil), http.StatusSeeOther)
			return nil
		}
		return err
	}
	http.Redirect(w, r, manageLink(id, token, url.Values{"done": {"cancelled"}}), http.StatusSeeOther)
	return nil
}

func (s *Server) handleReschedule(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	token := q.Get("token")
	v, c, err := s.loadManaged(r, token)
	if err != nil {
		return err
	}
	if v.Status != booking.Confirmed {
		// Cancelled, declined, or a request waiting (which is withdrawn,
		// not moved): the manage page says what can be done.
		http.Redirect(w, r, manageLink(v.ID, token, nil), http.StatusSeeOther)
		return nil
	}
	if err := refuseMove(v); err != "" {
		return s.policyRefused(r, v, c, token, err)
	}
	loc, tz := bookingZone(v, c, q.Get("tz"))
	p, err := s.reschedulePage(r.Context(), s.bookingLang(r, v), v, c, token, loc, tz, movePick(v, c, q.Get("artisan")), q.Get("month"), q.Get("date"), "")
	if err != nil {
		return err
	}
	return s.show(w, r, "reschedule", p)
}

// movePick reads the artisan choice of a move: "" (the default) for the
// booking's own artisan, anyArtisan, or another artisan offering the
// service. Anything else, and the booking's own artisan when they no
// longer take the service, falls back to a choice that works.
func movePick(v *app.Booking, c *catalogue, asked string) string {
	svc := c.service(v.ServiceID)
	if svc == nil {
		return ""
	}
	offered := func(id string) bool {
		return slices.ContainsFunc(c.artisansFor(svc), func(a booking.Artisan) bool { return a.ID == id })
	}
	switch {
	case asked == v.ArtisanID || asked == "":
		asked = ""
	case asked == anyArtisan:
	case !offered(asked):
		asked = ""
	}
	if asked == "" && !offered(v.ArtisanID) {
		return anyArtisan
	}
	return asked
}

// moveRequest is the artisan of a reschedule request for a choice.
func moveRequest(choice string) string {
	if choice == anyArtisan {
		return app.AnyArtisan
	}
	return choice
}

// reschedulePage is the calendar of a move of v, with notice.
func (s *Server) reschedulePage(ctx context.Context, l *i18n.Lang, v *app.Booking, c *catalogue, token string, loc *time.Location, tz, choice, month, date, notice string) (*page, error) {
	base := "/bookings/" + url.PathEscape(v.ID) + "/reschedule"
	link := func(path, choice string, kv ...string) string {
		q := url.Values{"token": {token}, "tz": {tz}}
		if choice != "" {
			q.Set("artisan", choice)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return path + "?" + q.Encode()
	}
	cq := calendarQuery{
		Lang:    l,
		Service: v.ServiceID, Mode: string(v.Mode), Moving: v.ID, Loc: loc, TZ: tz, Month: month, Date: date,
		DayURL:   func(d booking.Date) string { return link(base, choice, "date", d.String()) + "#times" },
		MonthURL: func(d booking.Date) string { return link(base, choice, "month", d.String()[:7]) },
		SlotURL:  func(t time.Time) string { return link(base+"/confirm", choice, "start", t.Format(time.RFC3339)) },
	}
	switch choice {
	case "":
		cq.Artisan = v.ArtisanID
	case anyArtisan:
	default:
		cq.Artisan = choice
	}
	cal, err := s.calendar(ctx, c.Atelier, c.Loc, cq)
	if err != nil {
		return nil, err
	}
	d := s.manageData(l, v, c, token, loc)
	d.Calendar, d.Notice, d.Choice = cal, notice, choice
	// The choice of artisan: links, so it works without JavaScript; the
	// day or month looked at stays.
	var keep []string
	if date != "" {
		keep = append(keep, "date", date)
	} else if month != "" {
		keep = append(keep, "month", month)
	}
	if svc := c.service(v.ServiceID); svc != nil {
		arts := c.artisansFor(svc)
		if len(arts) > 1 || !slices.ContainsFunc(arts, func(a booking.Artisan) bool { return a.ID == v.ArtisanID }) {
			for _, a := range arts {
				if a.ID == v.ArtisanID {
					d.Artisans = append(d.Artisans, artisanChoice{Label: a.Name, Note: l.T("reschedule.your_artisan"), URL: link(base, "", keep...), Current: choice == ""})
				}
			}
			d.Artisans = append(d.Artisans, artisanChoice{Label: l.T("book.artisan.any"), Note: l.T("reschedule.whoever"), URL: link(base, anyArtisan, keep...), Current: choice == anyArtisan})
			for _, a := range arts {
				if a.ID != v.ArtisanID {
					d.Artisans = append(d.Artisans, artisanChoice{Label: a.Name, URL: link(base, a.ID, keep...), Current: choice == a.ID})
				}
			}
		}
	}
	hidden := []field{{"token", token}}
	if choice != "" {
		hidden = append(hidden, field{"artisan", choice})
	}
	if month != "" {
		hidden = append(hidden, field{"month", month})
	}
	if date != "" {
		hidden = append(hidden, field{"date", date})
	}
	d.ZoneForm = zoneForm{Action: base, Hidden: hidden, Options: zoneOptions(tz, c.Atelier.Timezone)}
	return &page{Title: l.T("reschedule.title"), Atelier: c.Atelier, Data: d, Lang: l}, nil
}

func (s *Server) handleRescheduleConfirm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	token := q.Get("token")
	v, c, err := s.loadManaged(r, token)
	if err != nil {
		return err
	}
	loc, tz := bookingZone(v, c, q.Get("tz"))
	start, err := time.Parse(time.RFC3339, q.Get("start"))
	if err != nil || v.Status == booking.Cancelled {
		http.Redirect(w, r, manageLink(v.ID, token, nil), http.StatusSeeOther)
		return nil
	}
	choice := movePick(v, c, q.Get("artisan"))
	// Who would host the move, asked now: the page names them, and the
	// form posts that artisan, so the customer confirms what they see.
	p, err := s.app.PreviewReschedule(r.Context(), v.ID, token, app.RescheduleRequest{Start: start, Artisan: moveRequest(choice)})
	if err != nil {
		return s.moveRefused(w, r, v, c, token, tz, choice, start.Format(time.RFC3339), err)
	}
	l := s.bookingLang(r, v)
	d := s.manageData(l, v, c, token, loc)
	d.Choice, d.Virtual = choice, v.Mode == booking.Virtual
	d.NewStart = start.Format(time.RFC3339)
	d.NewSummary = bookingSummary(l, c, flow{Service: v.ServiceID, Mode: string(v.Mode), Artisan: p.Artisan}, start, loc)
	d.NewSummary.Service, d.NewSummary.Artisan = v.ServiceName, v.ArtisanName
	if p.Changes() {
		d.NewSummary.Artisan = c.artisanName(p.Artisan)
		d.NewArtisan, d.WasArtisan, d.WasID = p.Artisan, v.ArtisanName, v.ArtisanID
	}
	d.TZ = tz
	back := url.Values{"token": {token}, "tz": {tz}, "date": {booking.DateOf(start.In(loc)).String()}}
	if choice != "" {
		back.Set("artisan", choice)
	}
	d.MoveURL = "/bookings/" + url.PathEscape(v.ID) + "/reschedule?" + back.Encode()
	return s.show(w, r, "reschedule_confirm", &page{Title: l.T("reschedule.confirm_title"), Atelier: c.Atelier, Data: d, Lang: l})
}

func (s *Server) handleReschedulePost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, token := mux.Vars(r)["id"], r.PostForm.Get("token")
	startText := r.PostForm.Get("start")
	// artisan is who the confirmation named (empty: the booking's own);
	// choice is what the calendar offered, to show it again on a refusal.
	moved, err := s.app.RescheduleBooking(r.Context(), id, token, moveTo(startText, r.PostForm.Get("artisan")))
	if err == nil {
		done := url.Values{"done": {"rescheduled"}}
		if was := r.PostForm.Get("was"); was != "" && was != moved.ArtisanID {
			done.Set("was", was)
		}
		http.Redirect(w, r, manageLink(id, token, done), http.StatusSeeOther)
		return nil
	}
	kind := booking.ErrorKind(err)
	if kind != booking.ECONFLICT && kind != booking.EINVALID {
		return err
	}
	v, c, lerr := s.loadManaged(r, token)
	if lerr != nil {
		return lerr
	}
	_, tz := bookingZone(v, c, r.PostForm.Get("tz"))
	return s.moveRefused(w, r, v, c, token, tz, movePick(v, c, r.PostForm.Get("choice")), startText, err)
}

// moveTo is the move the confirmation posts: the start it showed (RFC
// 3339, as the calendar links carry it) and the artisan it named.
func moveTo(start, artisan string) app.RescheduleRequest {
	req := app.RescheduleRequest{Artisan: artisan}
	if s := strings.TrimSpace(start); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			req.Unread = booking.FieldErrors{"start": "is not a time"}
		}
		req.Start = t
	}
	return req
}

// moveRefused answers a move that cannot be made (the time was taken,
// the artisan is not free then, or the request is invalid) with the
// calendar of the same choice again and a notice; the booking is unchanged.
func (s *Server) moveRefused(w http.ResponseWriter, r *http.Request, v *app.Booking, c *catalogue, token, tz, choice, startText string, err error) error {
	kind := booking.ErrorKind(err)
	if kind != booking.ECONFLICT && kind != booking.EINVALID {
		return err
	}
	if v.Status == booking.Cancelled {
		http.Redirect(w, r, manageLink(v.ID, token, nil), http.StatusSeeOther)
		return nil
	}
	if code := booking.ErrorCode(err); code == booking.CodeChangeWindowClosed || code == booking.CodeRescheduleLimit {
		return s.policyRefused(r, v, c, token, code)
	}
	loc, tz := bookingZone(v, c, tz)
	l := s.bookingLang(r, v)
	date, notice := "", l.T("reschedule.time_gone")
	if start, perr := time.Parse(time.RFC3339, startText); perr == nil {
		date = booking.DateOf(start.In(loc)).String()
		if kind == booking.ECONFLICT {
			notice = unbookableNotice(l, err, start.In(loc), c.Atelier.Timezone, l.T("reschedule.unchanged"))
		}
	}
	p, perr := s.reschedulePage(r.Context(), l, v, c, token, loc, tz, choice, "", date, notice)
	if perr != nil {
		return perr
	}
	return again(err, "reschedule", p)
}
