package web

import (
	"net/http"
	"strings"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// resendPath is the "send me my link again" form: a customer who lost the
// e-mail with their manage link, or whose link no longer opens, asks for
// fresh links by e-mail address. It is registered before /bookings/{id}.
const resendPath = "/bookings/resend"

// resendData is the "send me my link again" page.
type resendData struct {
	Eyebrow string // e.g. the status of the invalid-link page
	Heading string // the page's h1
	Lede    string // why the visitor is here
	Email   string
	Error   string // about the address field
	Sent    bool   // the request went through (shown after the redirect)
	Notice  string // a message for the whole form (rate limit)
	// Secondary shows the form's button as a secondary action (on the
	// manage page).
	Secondary bool
}

// resendSent is what every accepted request is answered with, whether or
// not the address has bookings.
const resendSentPath = resendPath + "?sent=1"

func (s *Server) handleResend(w http.ResponseWriter, r *http.Request) error {
	l := s.langOf(r)
	d := resendData{Heading: l.T("resend.heading"), Lede: l.T("resend.lede"), Sent: r.URL.Query().Get("sent") == "1"}
	return s.show(w, r, "resend", &page{Title: d.Heading, Data: d})
}

// handleResendPost queues the e-mail of fresh links and answers every
// well-formed request the same way (a redirect to the same page), whether
// or not the address has bookings, so that the form tells no one who
// books with the atelier. It is rate-limited per client address and per
// e-mail address.
func (s *Server) handleResendPost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	l := s.langOf(r)
	d := resendData{Heading: l.T("resend.heading"), Lede: l.T("resend.lede"), Email: email}
	if err := s.limits.AllowLinkRequest(r, email); err != nil {
		wait, _ := httpx.RetryWait(err)
		d.Notice = l.T("resend.too_many", "Wait", waitPhrase(l, wait))
		return again(err, "resend", &page{Title: d.Heading, Data: d})
	}
	err := s.app.RequestManageLinks(r.Context(), email)
	switch {
	case err == nil:
		http.Redirect(w, r, resendSentPath, http.StatusSeeOther)
		return nil
	case booking.ErrorKind(err) == booking.EINVALID:
		// Only the address's form: nothing here depends on bookings.
		d.Error = l.T("resend.bad_email")
		if email == "" {
			d.Error = l.T("resend.no_email")
		}
		return again(err, "resend", &page{Title: d.Heading, Data: d})
	}
	return err
}
