package mail

import (
	"fmt"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
)

// KindPrivacyLink is the e-mail that carries a customer's link to a copy
// of their data or to confirm its erasure (app.RequestPrivacyLink).
const KindPrivacyLink = "privacy_link"

// PrivacyLinkJob returns the builder of the privacy link e-mail to the
// customer of a booking, at the address on record: rendered in full when
// asked for and queued with the link's hash (the payload is dropped once
// sent, as every message's is). It is written in the customer's language.
func PrivacyLinkJob(o Options) func(b *booking.Booking, purpose, url string, expires time.Time) (booking.Job, error) {
	return func(b *booking.Booking, purpose, url string, expires time.Time) (booking.Job, error) {
		if err := o.check(); err != nil {
			return booking.Job{}, err
		}
		msg, err := o.privacyMessage(b, purpose, url, expires)
		if err != nil {
			return booking.Job{}, err
		}
		p, err := payload{From: o.From.Address, To: []string{b.Customer.Email}, Message: msg}.encode()
		if err != nil {
			return booking.Job{}, fmt.Errorf("mail: payload: %w", err)
		}
		return booking.Job{Queue: Queue, Kind: KindPrivacyLink, BookingID: b.ID, Payload: p}, nil
	}
}

func (o *Options) privacyMessage(b *booking.Booking, purpose, url string, expires time.Time) ([]byte, error) {
	d := o.display(b)
	l := d.l // the customer's language
	loc := d.atelier.Zone()
	v := &view{Lang: l.HTML(), Colon: l.T("mail.colon"), Signature: d.signature(), Contact: d.contact()}
	var subject string
	v.Paragraphs = []string{greeting(l, b.Customer.Name)}
	switch purpose {
	case booking.PrivacyErase:
		v.Heading = l.T("mail.privacy.erase.heading")
		subject = l.T("mail.privacy.erase.subject", "Atelier", v.Signature)
		v.Paragraphs = append(v.Paragraphs, l.T("mail.privacy.erase.body"))
		v.Button = &link{Label: l.T("mail.privacy.erase.button"), URL: url}
	default:
		v.Heading = l.T("mail.privacy.copy.heading")
		subject = l.T("mail.privacy.copy.subject", "Atelier", v.Signature)
		v.Paragraphs = append(v.Paragraphs, l.T("mail.privacy.copy.body"))
		v.Button = &link{Label: l.T("mail.privacy.copy.button"), URL: url}
	}
	v.Rows = []row{{Label: l.T("mail.privacy.until"),
		Value: l.T("mail.when", "Span", l.DateTime(expires.In(loc)), "Zone", zoneLabel(l, loc))}}
	v.Notes = []string{l.T("mail.privacy.ignore")}
	v.Preheader = subject
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	return Compose(Message{
		From:      o.From,
		To:        []*gomail.Address{address(b.Customer.Name, b.Customer.Email)},
		Subject:   subject,
		Date:      o.Now(),
		MessageID: o.uniqueMessageID(KindPrivacyLink),
		Text:      text,
		HTML:      html,
	})
}
