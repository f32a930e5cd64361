package mail

import (
	"fmt"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
)

// KindInvitation is the e-mail that invites a commission's customer to
// book its next step (app.CreateInvitation).
const KindInvitation = "invitation"

// InvitationJob returns the builder of the e-mail of an invitation to book
// a commission's next step: rendered in full when the invitation is made,
// in the customer's language, and queued with it (the link is in the
// message; the payload is dropped once sent, as every message's is).
func InvitationJob(o Options) func(iv booking.Invitation, cm booking.Commission, link string) (booking.Job, error) {
	return func(iv booking.Invitation, cm booking.Commission, link string) (booking.Job, error) {
		if err := o.check(); err != nil {
			return booking.Job{}, err
		}
		msg, err := o.invitationMessage(iv, cm, link)
		if err != nil {
			return booking.Job{}, err
		}
		p, err := payload{From: o.From.Address, To: []string{cm.Customer.Email}, Message: msg}.encode()
		if err != nil {
			return booking.Job{}, fmt.Errorf("mail: payload: %w", err)
		}
		return booking.Job{Queue: Queue, Kind: KindInvitation, Payload: p}, nil
	}
}

func (o *Options) invitationMessage(iv booking.Invitation, cm booking.Commission, url string) ([]byte, error) {
	// The display of a booking that is not made yet: the customer's
	// language and zone, the atelier, the service and artisan's names.
	b := &booking.Booking{ServiceID: iv.ServiceID, ArtisanID: iv.ArtisanID, Mode: iv.Mode, Customer: cm.Customer}
	d := o.display(b)
	l := d.l
	v := &view{Lang: l.HTML(), Colon: l.T("mail.colon"), Signature: d.signature(), Contact: d.contact()}
	v.Heading = l.T("mail.invitation.heading", "Service", d.service)
	v.Paragraphs = []string{greeting(l, cm.Customer.Name),
		l.T("mail.invitation.body", "Service", d.service, "Title", cm.Title)}
	if iv.Note != "" {
		v.Paragraphs = append(v.Paragraphs, iv.Note)
	}
	v.Rows = []row{{Label: l.T("mail.row.appointment"), Value: d.service}}
	if iv.ArtisanID != "" && d.artisan != "" {
		v.Rows = append(v.Rows, row{Label: l.T("mail.row.with"), Value: d.artisan})
	}
	switch iv.Mode {
	case booking.InPerson:
		v.Rows = append(v.Rows, d.whereRow())
	case booking.Virtual:
		v.Rows = append(v.Rows, row{Label: l.T("mail.row.where"), Value: l.T("mail.video_call")})
	}
	zone := d.atelierLoc
	if d.customerLoc != nil {
		zone = d.customerLoc
	}
	v.Rows = append(v.Rows, row{Label: l.T("mail.invitation.until"),
		Value: l.T("mail.when", "Span", l.DateTime(iv.ExpiresAt.In(zone)), "Zone", zoneLabel(l, zone))})
	v.Button = &link{Label: l.T("mail.invitation.button"), URL: url}
	v.Notes = []string{l.T("mail.invitation.note", "URL", url)}
	v.Preheader = l.T("mail.invitation.subject", "Service", d.service, "Title", cm.Title)
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	m := Message{
		From:      o.From,
		To:        []*gomail.Address{address(cm.Customer.Name, cm.Customer.Email)},
		Subject:   l.T("mail.invitation.subject", "Service", d.service, "Title", cm.Title),
		Date:      o.Now(),
		MessageID: o.uniqueMessageID(KindInvitation),
		Text:      text,
		HTML:      html,
	}
	if at := d.atelier; at.Email != "" && !strings.EqualFold(at.Email, o.From.Address) {
		m.ReplyTo = []*gomail.Address{address(at.Name, at.Email)}
	}
	return Compose(m)
}
