package mail

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// MaxLinks is the most bookings one e-mail of links lists (the soonest).
const MaxLinks = 20

// linkedBooking is a booking with the fresh manage token of its link.
type linkedBooking struct {
	b     *booking.Booking
	token string
}

// mintLinks gives each booking a fresh manage token and returns them with
// the hashes to store before the message goes out.
func mintLinks(bs []booking.Booking, purpose string) ([]linkedBooking, []booking.ManageToken) {
	links := make([]linkedBooking, len(bs))
	grants := make([]booking.ManageToken, len(bs))
	for i := range bs {
		token, hash := newSecret()
		links[i] = linkedBooking{b: &bs[i], token: token}
		grants[i] = booking.ManageToken{BookingID: bs[i].ID, Hash: hash, Purpose: purpose}
	}
	return links, grants
}

// linksMessage renders the e-mail to the address to that sends a manage
// link for each of its coming bookings again ("send me my link again").
func (o *Options) linksMessage(to string, links []linkedBooking, now time.Time) ([]byte, error) {
	if len(links) == 0 {
		return nil, fmt.Errorf("mail: links message without bookings")
	}
	// In the language of the soonest booking (the customer's latest
	// choice is not known here; each booking keeps its own).
	first := o.display(links[0].b)
	lang := first.l
	v := &view{Lang: lang.HTML(), Colon: lang.T("mail.colon"), Signature: first.signature(), Contact: first.contact()}
	v.Heading = lang.T("mail.links.heading")
	v.Paragraphs = []string{greeting(lang, links[0].b.Customer.Name), lang.N("mail.links.intro", len(links))}
	for _, l := range links {
		d := o.display(l.b)
		d.l = lang
		manage := o.manageURL(l.b.ID, l.token)
		v.Rows = append(v.Rows,
			row{Label: lang.T("mail.row.appointment"), Value: d.title() + modeNote(lang, l.b), Extra: when(lang, l.b.Start, l.b.End, d.primary())},
			row{Label: lang.T("mail.row.link"), Value: manage, URL: manage})
	}
	v.Preheader = lang.T("mail.links.preheader", "Atelier", v.Signature)
	v.Notes = []string{lang.T("mail.links.note")}
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	m := Message{
		From:      o.From,
		To:        []*gomail.Address{address(links[0].b.Customer.Name, to)},
		Subject:   lang.T("mail.links.subject", "Atelier", v.Signature),
		Date:      now,
		MessageID: o.uniqueMessageID(KindLinks),
		Text:      text,
		HTML:      html,
	}
	if at := first.atelier; at.Email != "" && !strings.EqualFold(at.Email, o.From.Address) {
		m.ReplyTo = []*gomail.Address{address(at.Name, at.Email)}
	}
	return Compose(m)
}

// uniqueMessageID is a random Message-ID for a message about no single
// booking state.
func (o *Options) uniqueMessageID(kind string) string {
	var r [12]byte
	rand.Read(r[:]) // never fails (crypto/rand)
	return fmt.Sprintf("%s.%s@%s", kind, hex.EncodeToString(r[:]), o.messageHost())
}

// modeNote marks a video call in a list of appointments.
func modeNote(l *i18n.Lang, b *booking.Booking) string {
	if b.Mode == booking.Virtual {
		return l.T("mail.links.video_note")
	}
	return ""
}
