package web

import (
	"net/http"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The booking policy on the customer's pages (issue 13): the manage page
// says what the customer may still change, and offers the buttons only
// while they may; inside the window (or past the moves allowed) it says
// how to reach the atelier instead. The cancel and move pages refuse with
// the manage page and its words (409), and nothing changes.

// policyData fills d's policy part for booking v.
func policyData(d *manageData, l *i18n.Lang, v *app.Booking, c *catalogue, loc *time.Location) {
	ch := v.Changes
	d.Policy = l.PolicySentences(int(ch.Policy.ChangeCutoff/time.Hour), ch.Policy.MaxReschedules, ch.Policy.Note)
	if v.Status == booking.Pending {
		// The rules are those of the appointment it becomes; a request
		// itself can only be withdrawn.
		d.Policy = append([]string{l.T("policy.request")}, d.Policy...)
	}
	d.CanCancel, d.CanMove = ch.Open, ch.CanReschedule
	if ch.Policy.ChangeCutoff > 0 && d.CanCancel {
		d.ClosesAt = l.T("policy.closes_at", "When", l.DateTime(ch.ClosesAt.In(loc)))
	}
	switch {
	case !ch.Open:
		d.Contact = l.T("policy.closed") + " " + l.PolicyContact(c.Atelier.Phone, c.Atelier.Email)
	case ch.ReschedulesLeft == 0:
		d.MovesLeft = l.T("policy.no_moves_left")
		d.Contact = l.PolicyContact(c.Atelier.Phone, c.Atelier.Email)
	case ch.ReschedulesLeft > 0:
		d.MovesLeft = l.N("policy.moves_left", ch.ReschedulesLeft)
	}
}

// refuseMove is the policy's code against a move of v now, or "".
func refuseMove(v *app.Booking) string {
	switch {
	case !v.Changes.Open:
		return booking.CodeChangeWindowClosed
	case !v.Changes.CanReschedule:
		return booking.CodeRescheduleLimit
	}
	return ""
}

// policyRefused answers a cancel or move the policy does not allow with
// the manage page (409), its notice saying why and how to reach the
// atelier.
func (s *Server) policyRefused(r *http.Request, v *app.Booking, c *catalogue, token, code string) error {
	loc, _ := bookingZone(v, c, r.URL.Query().Get("tz"))
	l := s.bookingLang(r, v)
	d := s.manageData(l, v, c, token, loc)
	d.Notice = l.T("policy.closed")
	if code == booking.CodeRescheduleLimit {
		d.Notice = l.T("policy.no_moves_left")
	}
	d.Notice += " " + l.PolicyContact(c.Atelier.Phone, c.Atelier.Email)
	err := booking.Errorf(booking.ECONFLICT, code, "refused by the booking policy")
	return again(err, "booking", &page{Title: l.T("manage.title"), Atelier: c.Atelier, Data: d, Lang: l})
}

// policyRefusedAfter is policyRefused for a POST the app refused, with the
// booking read again.
func (s *Server) policyRefusedAfter(r *http.Request, token string, err error) error {
	v, c, lerr := s.loadManaged(r, token)
	if lerr != nil {
		return lerr
	}
	return s.policyRefused(r, v, c, token, booking.ErrorCode(err))
}

// servicePolicyWords is the booking policy of service id in words, for
// the details page before a booking is made.
func servicePolicyWords(l *i18n.Lang, c *catalogue, id string) []string {
	cat := booking.Catalog{Atelier: *c.Atelier, Services: c.Services}
	p := cat.PolicyOf(id)
	return l.PolicySentences(int(p.ChangeCutoff/time.Hour), p.MaxReschedules, p.Note)
}
