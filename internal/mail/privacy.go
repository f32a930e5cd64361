package mail

import (
	"encoding/json"
	"fmt"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// KindPrivacyLink is the e-mail that carries a customer's link to a copy
// of their data or to confirm its erasure (app.RequestPrivacyLink).
const KindPrivacyLink = "privacy_link"

// PrivacyLinkJob returns the builder of the privacy link e-mail to the
// customer of a booking, at the address on record: rendered in full when
// asked for and queued with the link's hash (the payload is dropped once
// sent, as every message's is). It is written in English.
func PrivacyLinkJob(o Options) func(b *booking.Booking, purpose, url string, expires time.Time) (booking.Job, error) {
	return func(b *booking.Booking, purpose, url string, expires time.Time) (booking.Job, error) {
		if err := o.check(); err != nil {
			return booking.Job{}, err
		}
		msg, err := o.privacyMessage(b, purpose, url, expires)
		if err != nil {
			return booking.Job{}, err
		}
		p, err := json.Marshal(payload{From: o.From.Address, To: []string{b.Customer.Email}, Message: msg})
		if err != nil {
			return booking.Job{}, fmt.Errorf("mail: payload: %w", err)
		}
		return booking.Job{Queue: Queue, Kind: KindPrivacyLink, BookingID: b.ID, Payload: p}, nil
	}
}

func (o *Options) privacyMessage(b *booking.Booking, purpose, url string, expires time.Time) ([]byte, error) {
	d := o.display(b)
	loc := d.atelier.Zone()
	v := &view{Signature: d.signature(), Contact: d.contact()}
	var subject string
	v.Paragraphs = []string{greeting(i18n.English(), b.Customer.Name)}
	switch purpose {
	case booking.PrivacyErase:
		v.Heading = "Erase your personal data"
		subject = "Confirm the erasure of your data at " + v.Signature
		v.Paragraphs = append(v.Paragraphs,
			"You asked us to erase the personal data we hold about you. Open the link below to confirm: "+
				"your name, contact details, answers, photos and notes will be removed from your past and cancelled bookings. "+
				"Coming appointments are kept until they are over; cancel them first if you want them erased too.")
		v.Button = &link{Label: "Review and confirm the erasure", URL: url}
	default:
		v.Heading = "A copy of your personal data"
		subject = "A copy of your data at " + v.Signature
		v.Paragraphs = append(v.Paragraphs,
			"You asked for a copy of the personal data we hold about you. The link below downloads it: "+
				"a ZIP file with your details and bookings in data.json (machine-readable JSON) and your photos.")
		v.Button = &link{Label: "Download my data", URL: url}
	}
	v.Rows = []row{{Label: "The link works until", Value: expires.In(loc).Format("Monday 2 January 2006, 15:04") + " (" + loc.String() + ")"}}
	v.Notes = []string{"If you did not ask for this, you can ignore this e-mail: nothing happens without the link."}
	v.Preheader = v.Heading + " at " + v.Signature
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
