package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// The page an invitation to book a commission's next step opens
// (app.InvitationPath, ?token=): the step ("Fitting for your Emerald
// engagement ring"), the staff's note, a few days of free times and one
// button that books with the customer's details from the commission. It
// works without script: the mode, the artisan and other days are links,
// the times radio buttons of one form. A link that is not one, used,
// expired or revoked is a page that says so (404, 409, 410).

func (s *Server) registerInvitationRoutes(r *mux.Router) {
	r.Handle(app.InvitationPath, s.page(s.handleInvitation)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(app.InvitationPath, s.page(s.handleInvitationPost)).Methods(http.MethodPost)
}

// invitationDays is how many days of free times the page looks through at
// once; invitationShown how many days with free times it lists.
const (
	invitationDays  = 14
	invitationShown = 3
)

// stepArtisan is an artisan to see the times of (Current: the shown).
type stepArtisan struct {
	Title, URL string
	Current    bool
}

// invitationData is the invitation's page.
type invitationData struct {
	Token                 string
	Heading, Description  string
	Note, For, Until      string
	Mode, Artisan         string // chosen ("" while a choice is asked)
	ModeLabel, WithLabel  string
	Modes                 []choice
	Artisans              []stepArtisan
	Days                  []pickDay
	ZoneLabel             string
	EarlierURL, LaterURL  string
	From                  string
	Notes, Error, NotesEr string
}

// invitationQuery is what the page is asked for beside the token.
type invitationQuery struct {
	Token, Mode, Artisan string
	From                 booking.Date
}

func (q invitationQuery) url(from booking.Date) string {
	v := url.Values{"token": {q.Token}}
	if q.Mode != "" {
		v.Set("mode", q.Mode)
	}
	if q.Artisan != "" {
		v.Set("artisan", q.Artisan)
	}
	if !from.IsZero() {
		v.Set("from", from.String())
	}
	return app.InvitationPath + "?" + v.Encode()
}

func readInvitationQuery(v url.Values) invitationQuery {
	q := invitationQuery{Token: strings.TrimSpace(v.Get("token")), Mode: v.Get("mode"), Artisan: v.Get("artisan")}
	if d, err := booking.ParseDate(v.Get("from")); err == nil {
		q.From = d
	}
	return q
}

func (s *Server) handleInvitation(w http.ResponseWriter, r *http.Request) error {
	d, status, err := s.invitationPage(r, readInvitationQuery(r.URL.Query()))
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "book_invitation", d)
}

// invitationPage builds the page of q, or the error whose page says why
// the invitation does not book.
func (s *Server) invitationPage(r *http.Request, q invitationQuery) (*page, int, error) {
	ctx, l := r.Context(), s.langOf(r)
	oi, err := s.app.Invitation(ctx, q.Token)
	if err != nil {
		return nil, 0, s.closedInvitation(ctx, l, err)
	}
	c, err := s.catalogue(ctx) // the whole catalogue: the step may not be public
	if err != nil {
		return nil, 0, err
	}
	iv, cm := &oi.Invitation, &oi.Commission
	svc := c.service(iv.ServiceID)
	if svc == nil {
		return nil, 0, withWords(booking.Errorf(booking.EGONE, booking.CodeInvitationRevoked, "the service is no longer offered"),
			words{Heading: l.T("invitation.closed.revoked.heading"), Message: l.T("invitation.closed.service", "Contact", contactOf(*c.Atelier))})
	}
	loc, ok := loadZone(cm.Customer.Timezone)
	if !ok {
		loc = c.Loc
	}
	d := &invitationData{Token: q.Token, Description: svc.Description, Note: iv.Note,
		Heading: l.T("invitation.title", "Service", svc.Name, "Title", cm.Title),
		For:     l.T("invitation.for", "Name", cm.Customer.Name, "Email", cm.Customer.Email),
		Until:   l.T("invitation.until", "When", l.DateTime(iv.ExpiresAt.In(loc)), "Zone", zoneLabel(loc.String())),
	}
	s.invitationChoices(l, c, svc, iv, &q, d)
	p := &page{Atelier: c.Atelier, Title: d.Heading, Data: d}
	if d.Mode == "" {
		return p, http.StatusOK, nil
	}
	today := booking.DateOf(s.app.Now().In(loc))
	if q.From.Before(today) {
		q.From = today
	}
	d.From, d.ZoneLabel = q.From.String(), zoneLabel(loc.String())
	last, err := s.invitationTimes(ctx, l, c, q, loc, d)
	if err != nil {
		return nil, 0, err
	}
	if q.From.After(today) {
		earlier := q.From.AddDays(-invitationDays)
		if earlier.Before(today) {
			earlier = today
		}
		d.EarlierURL = q.url(earlier)
	}
	d.LaterURL = q.url(last.AddDays(1))
	return p, http.StatusOK, nil
}

// invitationChoices fills the mode and artisan of the page: the
// invitation's, else the query's when it is a valid one, else a choice.
func (s *Server) invitationChoices(l *i18n.Lang, c *catalogue, svc *booking.Service, iv *booking.Invitation, q *invitationQuery, d *invitationData) {
	switch {
	case iv.Mode != "":
		q.Mode = string(iv.Mode)
	case len(svc.Modes) == 1:
		q.Mode = string(svc.Modes[0])
	case !svc.Offers(booking.Mode(q.Mode)):
		q.Mode = ""
		for _, m := range svc.Modes {
			next := *q
			next.Mode = string(m)
			ch := choice{Title: modeLabel(l, m), URL: next.url(booking.Date{})}
			if m == booking.InPerson {
				ch.Description = l.T("book.mode.in_person", "Address", c.Atelier.Address)
			} else {
				ch.Description = l.T("book.mode.virtual")
			}
			d.Modes = append(d.Modes, ch)
		}
	}
	d.Mode = q.Mode
	if d.Mode != "" {
		d.ModeLabel = modeLabel(l, booking.Mode(d.Mode))
	}
	arts := c.artisansFor(svc)
	switch {
	case iv.ArtisanID != "":
		q.Artisan = iv.ArtisanID
	case q.Artisan != "" && !offeredBy(arts, q.Artisan):
		q.Artisan = ""
	}
	d.Artisan = q.Artisan
	d.WithLabel = l.T("book.artisan.any")
	if d.Artisan != "" {
		d.WithLabel = c.artisanName(d.Artisan)
	}
	if iv.ArtisanID == "" && len(arts) > 1 && d.Mode != "" {
		next := *q
		next.Artisan = ""
		d.Artisans = append(d.Artisans, stepArtisan{Title: l.T("book.artisan.any"), URL: next.url(q.From), Current: q.Artisan == ""})
		for _, a := range arts {
			next.Artisan = a.ID
			d.Artisans = append(d.Artisans, stepArtisan{Title: a.Name, URL: next.url(q.From), Current: q.Artisan == a.ID})
		}
	}
}

func offeredBy(arts []booking.Artisan, id string) bool {
	for _, a := range arts {
		if a.ID == id {
			return true
		}
	}
	return false
}

// invitationTimes lists on d the first days with free times from q.From,
// and returns the last day it looked at.
func (s *Server) invitationTimes(ctx context.Context, l *i18n.Lang, c *catalogue, q invitationQuery, loc *time.Location, d *invitationData) (booking.Date, error) {
	last := q.From.AddDays(invitationDays - 1)
	av, err := s.app.Availability(ctx, app.AvailabilityQuery{Invitation: q.Token, Mode: q.Mode, Artisan: q.Artisan,
		From: q.From, To: last, Timezone: loc.String()})
	if err != nil {
		return last, err
	}
	cq := calendarQuery{Lang: l, Loc: loc, SlotURL: func(t time.Time) string { return t.Format(time.RFC3339) }}
	showAtelier := booking.Mode(q.Mode) == booking.InPerson && loc.String() != c.Loc.String()
	var day booking.Date
	for _, sl := range slotsIn(av) {
		if dd := booking.DateOf(sl.Start.In(loc)); dd != day {
			if len(d.Days) == invitationShown {
				return day, nil // the next page starts the day after
			}
			d.Days = append(d.Days, pickDay{Label: fmtDate(l, sl.Start.In(loc))})
			day = dd
		}
		cell := s.slotCell(sl, cq, c.Loc, showAtelier, cityOf(l, c.Atelier.Timezone))
		pd := &d.Days[len(d.Days)-1]
		pd.Times = append(pd.Times, pickTime{ID: fmt.Sprintf("time-%d-%d", len(d.Days), len(pd.Times)+1),
			Value: cell.URL, Time: cell.Time, AtelierTime: cell.AtelierTime})
	}
	return last, nil
}

// closedInvitation is err (the app's refusal of an invitation) with the
// words of its page: not a link of ours, used, expired or withdrawn.
func (s *Server) closedInvitation(ctx context.Context, l *i18n.Lang, err error) error {
	contact := ""
	if at, aerr := s.atelier(ctx); aerr == nil {
		contact = contactOf(*at)
	}
	var key string
	switch booking.ErrorCode(err) {
	case booking.CodeNotFound:
		key = "not_found"
	case booking.CodeInvitationUsed:
		key = "used"
	case booking.CodeInvitationExpired:
		key = "expired"
	case booking.CodeInvitationRevoked:
		key = "revoked"
	default:
		return err
	}
	return withWords(err, words{Heading: l.T("invitation.closed." + key + ".heading"),
		Message: l.T("invitation.closed."+key+".text", "Contact", contact)})
}

// contactOf is how to reach the atelier: its phone and e-mail address.
func contactOf(at booking.Atelier) string {
	var parts []string
	for _, p := range []string{at.Phone, at.Email} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return at.Name
	}
	return strings.Join(parts, ", ")
}

func (s *Server) handleInvitationPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f, l := r.PostForm, s.langOf(r)
	q := readInvitationQuery(f)
	start, terr := time.Parse(time.RFC3339, f.Get("start"))
	notes := f.Get("notes")
	retry := func(err error, msg, notesMsg string) error {
		p, _, perr := s.invitationPage(r, q)
		if perr != nil {
			return perr
		}
		d := p.Data.(*invitationData)
		d.Error, d.Notes, d.NotesEr = msg, notes, notesMsg
		return again(err, "book_invitation", p)
	}
	if terr != nil {
		return retry(booking.Errorf(booking.EINVALID, booking.CodeInvalid, "no time chosen"), l.T("invitation.choose_time"), "")
	}
	if err := s.limits.AllowBooking(r); err != nil {
		wait, _ := httpx.RetryWait(err)
		return retry(err, l.T("book.details.too_many", "Wait", waitPhrase(l, wait)), "")
	}
	req := app.BookingRequest{Invitation: q.Token, Mode: booking.Mode(q.Mode), Artisan: q.Artisan, Start: start, Notes: notes,
		Customer: booking.Customer{Language: l.Name()}}
	// One key per invitation and time: the same form sent twice lands on
	// the same booking; another time after it booked is invitation_used.
	key := sha256.Sum256([]byte("invitation:" + q.Token))
	created, err := s.app.CreateBooking(r.Context(), req, app.CreateOptions{
		IdempotencyKey: hex.EncodeToString(key[:16]) + "-" + start.UTC().Format("20060102T1504"), Replay: firstResponse{}})
	if err != nil {
		var e *booking.Error
		switch {
		case !errors.As(err, &e):
			return err
		case e.Kind == booking.ENOTFOUND || e.Kind == booking.EGONE || e.Code == booking.CodeInvitationUsed:
			return s.closedInvitation(r.Context(), l, err)
		case e.Code == booking.CodeSlotUnavailable:
			return retry(err, l.Sentences(l.Problem(e.Code, e.Reason, sentence(e.Message)), l.T("invitation.choose_other")), "")
		case e.Kind == booking.EINVALID && e.Fields["notes"] != "":
			return retry(err, l.T("book.details.check_fields"), l.Field("notes", sentence(e.Fields["notes"])))
		case e.Kind == booking.EINVALID:
			return retry(err, l.T("invitation.choose_time"), "")
		}
		return err
	}
	id, token, err := made(created)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/bookings/"+url.PathEscape(id)+"?"+url.Values{"token": {token}, "new": {"1"}}.Encode(), http.StatusSeeOther)
	return nil
}
