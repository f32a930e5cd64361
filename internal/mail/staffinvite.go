package mail

import (
	"fmt"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// KindStaffInvite is the e-mail that invites a new staff account to set
// its password (app.InviteStaff).
const KindStaffInvite = "staff_invite"

// StaffInviteJob returns the builder of the invitation e-mail of a staff
// account: rendered in full when the invitation is made and queued with
// it (the link is in the message; the payload is dropped once sent, as
// every message's is).
func StaffInviteJob(o Options) func(u booking.User, invitedBy, url string, expires time.Time) (booking.Job, error) {
	return func(u booking.User, invitedBy, url string, expires time.Time) (booking.Job, error) {
		if err := o.check(); err != nil {
			return booking.Job{}, err
		}
		msg, err := o.staffInviteMessage(u, invitedBy, url, expires)
		if err != nil {
			return booking.Job{}, err
		}
		p, err := payload{From: o.From.Address, To: []string{u.Email}, Message: msg}.encode()
		if err != nil {
			return booking.Job{}, fmt.Errorf("mail: payload: %w", err)
		}
		return booking.Job{Queue: Queue, Kind: KindStaffInvite, Payload: p}, nil
	}
}

func (o *Options) staffInviteMessage(u booking.User, invitedBy, url string, expires time.Time) ([]byte, error) {
	var d display
	if o.Catalog != nil {
		if c := o.Catalog(); c != nil {
			d.atelier = c.Atelier
		}
	}
	loc := d.atelier.Zone()
	v := &view{Signature: d.signature(), Contact: d.contact()}
	v.Heading = "Your staff account"
	who := "An administrator"
	if invitedBy != "" {
		who = invitedBy
	}
	role := "an administrator's account: the whole calendar, the catalogue and the accounts"
	if u.Role == booking.RoleArtisan {
		role = "an artisan's account: your own calendar, hours and time off"
	}
	v.Paragraphs = []string{greeting(i18n.English(), u.Name),
		fmt.Sprintf("%s has made you a staff account at %s, %s. Choose your password with the link below; then sign in with this address.", who, v.Signature, role)}
	v.Button = &link{Label: "Choose your password", URL: url}
	v.Rows = []row{{Label: "Sign in with", Value: u.Email}, {Label: "The link works until", Value: expires.In(loc).Format("Monday 2 January 2006, 15:04") + " (" + loc.String() + ")"}}
	v.Notes = []string{"The link works once. If it has expired, ask an administrator to send a new one. If you did not expect this e-mail, you can ignore it: without the password, the account cannot be used."}
	v.Preheader = v.Heading + " at " + v.Signature
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	return Compose(Message{
		From:      o.From,
		To:        []*gomail.Address{address(u.Name, u.Email)},
		Subject:   "Your staff account at " + v.Signature,
		Date:      o.Now(),
		MessageID: o.uniqueMessageID(KindStaffInvite),
		Text:      text,
		HTML:      html,
	})
}
