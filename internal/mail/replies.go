package mail

import (
	"fmt"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
)

// KindReplyNotice is the notice to staff of a customer's answer that asks
// for them: a "No" that did not cancel (mail.declined_reply: notify), or
// another time proposed.
const KindReplyNotice = booking.MailReplyNotice

// ReplyJobs returns the hook the store calls inside the transaction that
// records a reply staff are to hear of: the notice, rendered in full, to
// the artisan and each of StaffCopies.
func ReplyJobs(o Options) booking.ReplyJobsFunc {
	return o.replyJobs
}

func (o Options) replyJobs(e booking.ReplyEvent) ([]booking.Job, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if e.Booking == nil || e.Reply == nil {
		return nil, fmt.Errorf("mail: reply event without a booking")
	}
	now := o.Now()
	d := o.display(e.Booking)
	seen := map[string]bool{}
	var jobs []booking.Job
	idx := 0
	add := func(name, addr string) error {
		key := strings.ToLower(strings.TrimSpace(addr))
		if key == "" || seen[key] {
			return nil
		}
		seen[key] = true
		idx++
		raw, err := o.replyNotice(e, d, address(name, addr), idx, now)
		if err != nil {
			return err
		}
		p, err := payload{From: o.From.Address, To: []string{addr}, Message: raw, Sequence: e.Booking.Sequence}.encode()
		if err != nil {
			return fmt.Errorf("mail: payload: %w", err)
		}
		jobs = append(jobs, booking.Job{Queue: Queue, Kind: KindReplyNotice, BookingID: e.Booking.ID, Payload: p})
		return nil
	}
	if err := add(d.artisan, d.artisanMail); err != nil {
		return nil, err
	}
	for _, a := range o.StaffCopies {
		if err := add("", a); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// replyNotice renders the notice of e to one member of staff.
func (o *Options) replyNotice(e booking.ReplyEvent, d display, to *gomail.Address, idx int, now time.Time) ([]byte, error) {
	b, r := d.b, e.Reply
	who := b.Customer.Name
	d.l = o.staffLang()
	short := shortWhen(d.l, b.Start, d.atelierLoc)
	v := &view{Signature: d.signature()}
	var subject string
	switch e.Outcome {
	case booking.ReplyNotified:
		subject = "Declined by the customer: " + who + ", " + short
		v.Heading = "The customer declined the invitation"
		v.Paragraphs = []string{who + " answered No to the invitation for " + d.title() + ". " +
			"The booking stays confirmed and the time stays taken: please get in touch with them, and cancel it if they no longer come."}
	case booking.ReplyCountered:
		subject = "New time proposed: " + who + ", " + short
		v.Heading = "The customer proposes another time"
		v.Paragraphs = []string{who + " proposes to move " + d.title() + ". " +
			"The booking is unchanged until you move it: its page shows whether the time proposed is free and moves it in one click."}
	default:
		return nil, fmt.Errorf("mail: no notice for a reply %q", e.Outcome)
	}
	v.Preheader = subject
	v.Rows = []row{
		{Label: "Customer", Value: b.Customer.Name},
		{Label: "E-mail", Value: b.Customer.Email, URL: "mailto:" + b.Customer.Email},
	}
	if b.Customer.Phone != "" {
		v.Rows = append(v.Rows, row{Label: "Phone", Value: b.Customer.Phone})
	}
	v.Rows = append(v.Rows, row{Label: "Appointment", Value: d.service}, row{Label: "With", Value: d.artisan},
		row{Label: "When", Value: when(d.l, b.Start, b.End, d.atelierLoc)})
	if e.Outcome == booking.ReplyCountered {
		v.Rows = append(v.Rows, row{Label: "Proposed", Value: when(d.l, r.Start, r.End, d.atelierLoc)})
	}
	v.Rows = append(v.Rows, row{Label: "Reference", Value: b.ID})
	if o.PublicURL != "" {
		v.Button = &link{Label: "Open the booking", URL: strings.TrimRight(o.PublicURL, "/") + "/staff/bookings/" + b.ID}
	}
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	return Compose(Message{
		From:    o.From,
		To:      []*gomail.Address{to},
		Subject: subject,
		Date:    now,
		// One notice per message read: its key tells two answers apart.
		MessageID: fmt.Sprintf("%s.%d.%s.%s.%d@%s", b.ID, b.Sequence, KindReplyNotice, shortKey(r.Key), idx, o.messageHost()),
		Text:      text,
		HTML:      html,
	})
}

func shortKey(k string) string {
	if len(k) > 12 {
		return k[:12]
	}
	return k
}
