// Package mail sends the atelier's e-mail: confirmations with calendar
// invites, updates, cancellations, reminders and notices to staff. Each
// message of a booking change is a job on the "mail" queue, written inside
// the booking's transaction (a transactional outbox) with the facts it is
// rendered from; a Sender, which an outbox.Runner runs, renders and sends
// it afterwards, over SMTP or into a folder of .eml files.
package mail

import (
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// Queue is the job queue of outgoing mail.
const Queue = "mail"

// Kinds of message (booking.Job.Kind): the domain's, which also names
// them for staff (booking.MailKindLabel).
const (
	KindConfirmation = booking.MailConfirmation // to the customer, with the invite
	KindUpdate       = booking.MailUpdate       // to the customer, on reschedule, with the invite
	KindCancellation = booking.MailCancellation // to the customer, with METHOD:CANCEL
	KindReminder     = booking.MailReminder     // to the customer, before the appointment
	KindStaffNotice  = booking.MailStaffNotice  // to the artisan (and admins) on every change
	KindLinks        = booking.MailLinks        // to a customer who asked for their links again
	// Requests that staff approve (issue 13): neither carries an invite.
	KindRequestReceived = booking.MailRequestReceived // to the customer, when the request is made
	KindRequestDeclined = booking.MailRequestDeclined // to the customer, when it is declined or expires
)

// DefaultReminderBefore is how long before an appointment the reminder
// goes out unless configured otherwise (mail.reminder_hours_before).
const DefaultReminderBefore = 24 * time.Hour

// Options are what rendering needs besides the booking.
type Options struct {
	// From is the sender (mail.from): the From header and envelope sender.
	From *gomail.Address
	// PublicURL is server.public_url, for links and invite UIDs.
	PublicURL string
	// Catalog returns the current catalogue snapshot (names of services
	// and artisans, the atelier); it is called when a change's jobs are
	// made, inside or just before the booking transaction, so it must not
	// do I/O, and when a message is rendered to be sent. It may return
	// nil: messages then show ids.
	Catalog func() *booking.Catalog
	// Now is the clock: the Date header, DTSTAMP and the reminder window.
	Now func() time.Time
	// ReminderBefore is how long before the start a reminder is sent; zero
	// sends none. Bookings made less than this before their start get no
	// reminder.
	ReminderBefore time.Duration
	// StaffCopies (mail.admin_emails) receive the staff notice of every
	// change, besides the artisan.
	StaffCopies []string
	// RSVP asks customers' calendars to answer the invitations
	// (RSVP=TRUE): set while the answers are read (mail.imap).
	RSVP bool
	// Languages is the message catalogue: a customer's messages are
	// written in the language of their booking (booking.Customer.Language);
	// nil writes English.
	Languages *i18n.Catalogue
	// Advice is the services' "what to bring" (services[].bring).
	Advice invite.Advice
}

// payload is what a mail job holds; encode gives its stored form
// (payload.go), which since 2026-12-02 is this JSON without its message,
// a newline and the message as it is.
type payload struct {
	From    string   `json:"from"`              // envelope sender
	To      []string `json:"to,omitempty"`      // envelope recipients
	Message []byte   `json:"message,omitempty"` // the RFC 5322 message
	// Sequence and Start identify the booking state a reminder was queued
	// for; a reminder for an older state is dropped at send time.
	Sequence int       `json:"sequence"`
	Start    time.Time `json:"start,omitzero"`
	// Render holds the facts the message is rendered from when it is
	// sent, for the messages of a booking change (since 2026-12-02; nil
	// for a message rendered when queued, and for a reminder).
	Render *facts `json:"render,omitempty"`
}

// ParsePayload returns the envelope and message of a mail job. The message
// is empty for one rendered when it is sent: a reminder, and the messages
// of a booking change (Options.JobMessage renders those).
func ParsePayload(p []byte) (from string, to []string, msg []byte, err error) {
	pl, err := decodePayload(p)
	if err != nil {
		return "", nil, nil, fmt.Errorf("mail: payload: %w", err)
	}
	return pl.From, pl.To, pl.Message, nil
}

// JobMessage returns what a mail job sends, its message rendered as the
// Sender renders it (with a fresh manage token, which the Sender stores
// first); for a job whose message was rendered when it was queued it is
// ParsePayload's.
func (o Options) JobMessage(j booking.Job) (Outgoing, error) {
	pl, err := decodePayload(j.Payload)
	if err != nil {
		return Outgoing{}, fmt.Errorf("mail: payload: %w", err)
	}
	out := Outgoing{From: pl.From, To: pl.To, Message: pl.Message}
	if pl.Render != nil {
		if out.Message, out.Token, err = o.renderFacts(j.Kind, pl); err != nil {
			return Outgoing{}, err
		}
	}
	return out, nil
}

// Jobs returns the hook the store calls inside every booking change: a job
// on Queue for each message of the event, holding the facts it is rendered
// from when sent (facts), plus a reminder job due ReminderBefore the
// start.
func Jobs(o Options) booking.JobsFunc {
	return o.jobs
}

func (o *Options) check() error {
	if o.From == nil || o.From.Address == "" {
		return fmt.Errorf("mail: no sender address")
	}
	if o.Now == nil {
		return fmt.Errorf("mail: no clock")
	}
	return nil
}

func (o Options) jobs(e booking.Event) ([]booking.Job, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if e.Booking == nil {
		return nil, fmt.Errorf("mail: event %q without a booking", e.Kind)
	}
	if e.Kind == booking.EventErased {
		return nil, nil // nobody is told: the customer's address is gone
	}
	now := o.Now()
	b := e.Booking
	d := o.display(b)
	var letters []letter

	kind := customerKind(e)
	if kind == "" {
		return nil, fmt.Errorf("mail: unknown event kind %q", e.Kind)
	}
	if b.Customer.Email != "" {
		// Its manage token is made when it is sent (renderFacts).
		letters = append(letters, letter{kind: kind, to: b.Customer.Email})
	}

	// Staff: the artisan, each admin once, and on a move between artisans
	// the artisan who lost the booking. Each address gets one notice, the
	// first that concerns it.
	seen := map[string]bool{}
	idx := 0
	notify := func(name, addr string, n notice) {
		key := strings.ToLower(strings.TrimSpace(addr))
		if key == "" || seen[key] {
			return
		}
		seen[key] = true
		idx++
		letters = append(letters, letter{kind: KindStaffNotice, to: addr, name: name, index: idx, notice: n})
	}
	moved := e.Kind == booking.EventRescheduled && e.Previous != nil && e.Previous.ArtisanID != b.ArtisanID
	toArtisan, toStaff := noticeArtisan, noticeArtisan
	if moved {
		toArtisan, toStaff = noticeMovedIn, noticeMovedStaff
		if a := o.artisan(e.Previous.ArtisanID); a != nil && !b.HasArtisan(e.Previous.ArtisanID) {
			notify(a.Name, a.Email, noticeMovedAway)
		}
	}
	notify(d.artisan, d.artisanMail, toArtisan)
	o.notifyTeam(e, notify, toArtisan)
	for _, a := range o.StaffCopies {
		notify("", a, toStaff)
	}

	jobs := make([]booking.Job, 0, len(letters)+1)
	for _, m := range letters {
		p, err := payload{From: o.From.Address, To: []string{m.to}, Sequence: b.Sequence, Render: m.facts(e, now)}.encode()
		if err != nil {
			return nil, fmt.Errorf("mail: payload: %w", err)
		}
		jobs = append(jobs, booking.Job{Queue: Queue, Kind: m.kind, BookingID: b.ID, Payload: p})
	}
	if r, ok := o.reminder(b, now); ok {
		jobs = append(jobs, r)
	}
	return jobs, nil
}

// letter is one message an event's jobs will send: to whom, and for a
// member of staff which notice.
type letter struct {
	kind   string
	to     string // the envelope's recipient
	name   string // a member of staff's display name
	index  int    // a staff notice's place among the event's (its Message-ID)
	notice notice
}

func (m letter) facts(e booking.Event, now time.Time) *facts {
	return &facts{Event: e, Now: now, Name: m.name, Index: m.index, Notice: m.notice}
}

// facts are what a job of a booking change holds instead of its message:
// the change as it was made (the booking after it and before it, who made
// it), the time it was made (the message's Date, the invitation's
// DTSTAMP) and, for a staff notice, its recipient's name and which notice
// it is. The Sender renders the message from them when it sends it
// (renderFacts), as it always has a reminder: the booking's transaction
// writes about a kilobyte instead of the 10-25 KB of a rendered message,
// and the request renders nothing. The message is the one the change
// would have rendered, byte for byte (TestMessagesByteForByte,
// TestFactsRenderAsTheChange), except for what it reads of the catalogue
// and the configuration (the atelier's contact details, the services'
// advice), which is as it is when it is sent, and for the customer's
// manage token, made when the message is sent and stored (as a hash, the
// only form a token is ever kept in) before it goes out.
type facts struct {
	Event  booking.Event `json:"event"`
	Now    time.Time     `json:"now"`
	Name   string        `json:"name,omitempty"`
	Index  int           `json:"index,omitempty"`
	Notice notice        `json:"notice,omitempty"`
}

// Outgoing is what a mail job sends: its envelope, its message and the
// manage token the message carries, whose hash must be stored before the
// message goes out (nil when it carries none).
type Outgoing struct {
	From    string
	To      []string
	Message []byte
	Token   *booking.ManageToken
}

// renderFacts renders the message of a job of kind to the one recipient
// of pl from pl's facts; a message to the customer carries a fresh manage
// token, returned with it.
func (o *Options) renderFacts(kind string, pl payload) ([]byte, *booking.ManageToken, error) {
	f := pl.Render
	e := f.Event
	if e.Booking == nil || len(pl.To) != 1 {
		return nil, nil, errors.New("mail: the facts of a message without its booking or recipient")
	}
	d := o.display(e.Booking)
	d.byReply = e.Actor == booking.ReplyActor
	switch kind {
	case KindStaffNotice:
		msg, err := o.staffMessage(e, d, address(f.Name, pl.To[0]), f.Index, f.Now, f.Notice)
		return msg, nil, err
	case customerKind(e):
		token, hash := newSecret()
		msg, err := o.customerMessage(kind, d, e.Previous, f.Now, token)
		if err != nil {
			return nil, nil, err
		}
		return msg, &booking.ManageToken{BookingID: e.Booking.ID, Hash: hash, Purpose: kind}, nil
	}
	return nil, nil, fmt.Errorf("mail: a %s message of a %s event", kind, e.Kind)
}

// notifyTeam gives a team's other artisans the artisan's notice (n); on a
// move, one who is no longer in the team hears that it moved away.
func (o Options) notifyTeam(e booking.Event, notify func(name, addr string, n notice), n notice) {
	b := e.Booking
	for _, id := range b.Extras() {
		if a := o.artisan(id); a != nil {
			notify(a.Name, a.Email, n)
		}
	}
	if e.Kind != booking.EventRescheduled || e.Previous == nil {
		return
	}
	for _, id := range e.Previous.ArtisanIDs() {
		if a := o.artisan(id); a != nil && !b.HasArtisan(id) {
			notify(a.Name, a.Email, noticeMovedAway)
		}
	}
}

// customerKind is the kind of the customer's message about e ("" for an
// event it does not know). A request's making and decline are told
// without an invite; its confirmation is the usual confirmation.
func customerKind(e booking.Event) string {
	switch {
	case e.Kind == booking.EventCreated && e.Booking.Status == booking.Pending:
		return KindRequestReceived
	case e.Kind == booking.EventCreated, e.Kind == booking.EventConfirmed:
		return KindConfirmation
	case e.Kind == booking.EventRescheduled:
		return KindUpdate
	case e.Kind == booking.EventCancelled:
		return KindCancellation
	case e.Kind == booking.EventDeclined:
		return KindRequestDeclined
	}
	return ""
}

// reminder returns the reminder job for a new or moved booking, unless
// reminders are off, the booking is cancelled or it starts within the
// reminder window.
func (o *Options) reminder(b *booking.Booking, now time.Time) (booking.Job, bool) {
	if o.ReminderBefore <= 0 || b.Status != booking.Confirmed || b.Customer.Email == "" {
		return booking.Job{}, false
	}
	at := b.Start.Add(-o.ReminderBefore)
	if !at.After(now) {
		return booking.Job{}, false
	}
	p, _ := payload{From: o.From.Address, To: []string{b.Customer.Email}, Sequence: b.Sequence, Start: b.Start.UTC()}.encode()
	return booking.Job{Queue: Queue, Kind: KindReminder, BookingID: b.ID, Payload: p, RunAt: at.UTC()}, true
}

// reminderApplies reports whether the reminder queued with pl still
// applies to the booking as it is now: not if it was cancelled or moved
// after the reminder was queued, or has begun.
func reminderApplies(b *booking.Booking, pl payload, now time.Time) bool {
	return b.Status == booking.Confirmed && b.Sequence == pl.Sequence && b.Start.Equal(pl.Start) && now.Before(b.Start)
}

// renderReminder renders the reminder for the booking as it is now, with
// the manage token token (whose hash the caller stored).
func (o *Options) renderReminder(b *booking.Booking, now time.Time, token string) ([]byte, error) {
	return o.customerMessage(KindReminder, o.display(b), nil, now, token)
}

// ManageLinksJob returns the job that e-mails email a fresh manage link
// for each of its coming bookings (app.ManageLinksJob). The message is
// rendered when it is sent: the worker finds the bookings then, and sends
// nothing to an address that has none.
func ManageLinksJob(o Options) func(email string) (booking.Job, error) {
	return func(email string) (booking.Job, error) {
		if err := o.check(); err != nil {
			return booking.Job{}, err
		}
		p, err := payload{From: o.From.Address, To: []string{email}}.encode()
		if err != nil {
			return booking.Job{}, fmt.Errorf("mail: payload: %w", err)
		}
		return booking.Job{Queue: Queue, Kind: KindLinks, Payload: p}, nil
	}
}

// AdminNotice returns the job of an e-mail to the atelier's admins
// (Options.StaffCopies, from mail.admin_emails) about the service itself
// rather than a booking, such as an artisan's calendar sync that stopped:
// one message to all of them from Options.From, queued on Queue as a
// KindStaffNotice of no booking and sent as it is, with the usual retries.
// With no admin address there is no job.
func AdminNotice(o Options, subject, text string) ([]booking.Job, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if len(o.StaffCopies) == 0 {
		return nil, nil
	}
	to := make([]*gomail.Address, len(o.StaffCopies))
	for i, a := range o.StaffCopies {
		to[i] = &gomail.Address{Address: a}
	}
	msg, err := Compose(Message{From: o.From, To: to, Date: o.Now(), Subject: subject, Text: text})
	if err != nil {
		return nil, err
	}
	p, err := payload{From: o.From.Address, To: o.StaffCopies, Message: msg}.encode()
	if err != nil {
		return nil, fmt.Errorf("mail: payload: %w", err)
	}
	return []booking.Job{{Queue: Queue, Kind: KindStaffNotice, Payload: p}}, nil
}

// newSecret makes the manage tokens of the messages (a variable only so
// that the golden test can number them).
var newSecret = auth.NewSecret
