package mail

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/invite"
)

// view is what a message shows; one shape serves every kind of message
// (view.go writes its two bodies).
type view struct {
	Lang       string // <html lang>
	Colon      string // between a label and its value in the text part: ": ", "："
	Preheader  string
	Heading    string
	Paragraphs []string
	Rows       []row
	Button     *link
	Notes      []string
	Signature  string
	Contact    []string
}

type row struct {
	Label, Value string
	Extra        string // a second line, e.g. the time in the customer's zone
	URL          string
}

type link struct{ Label, URL string }

// render returns the text/plain and text/html bodies of v.
func (v *view) render() (text, html string, err error) {
	if v.Colon == "" {
		v.Colon = ": "
	}
	return v.text(), v.html(), nil
}

// display is a booking with the names the messages show.
type display struct {
	b           *booking.Booking
	atelier     booking.Atelier
	service     string
	artisan     string   // every artisan's name, joined in l
	artisans    []string // the names, the booking's own artisan first
	artisanMail string
	atelierLoc  *time.Location
	customerLoc *time.Location // nil when unknown or the same as the atelier's
	// byReply says the change is the customer's answer to the invitation
	// (a "No" in their calendar), read from the mailbox.
	byReply bool
	// l is the language the message is written in: the customer's for
	// their messages, English for staff (staffLang).
	l *i18n.Lang
}

// artisan returns an artisan of the catalogue, or nil.
func (o *Options) artisan(id string) *booking.Artisan {
	if o.Catalog == nil {
		return nil
	}
	if c := o.Catalog(); c != nil {
		return c.Artisan(id)
	}
	return nil
}

// artisanNameOf is the name to show for b's artisan (the catalogue's, or
// the one kept with the booking once they left it).
func (o *Options) artisanNameOf(b *booking.Booking) string {
	var c *booking.Catalog
	if o.Catalog != nil {
		c = o.Catalog()
	}
	return c.ArtisanNameOf(b)
}

func (o *Options) display(b *booking.Booking) display {
	d := display{b: b, atelierLoc: time.UTC, l: o.Languages.Lang(b.Customer.Language)}
	var c *booking.Catalog
	if o.Catalog != nil {
		c = o.Catalog()
	}
	// Names from the catalogue, or kept with the booking when its service
	// or artisan has left it.
	d.service, d.artisans = c.ServiceNameOf(b), c.ArtisanNamesOf(b)
	d.artisan = d.l.Join(d.artisans) // a team's: "Mei Tan and Arjun Nair"
	if c != nil {
		d.atelier = c.Atelier
		if a := c.Artisan(b.ArtisanID); a != nil {
			d.artisanMail = a.Email
		}
	}
	d.atelierLoc = d.atelier.Zone()
	if loc, ok := b.Customer.Zone(); ok && loc.String() != d.atelierLoc.String() {
		d.customerLoc = loc
	}
	return d
}

// primary is the zone a booking is shown in first: the atelier's for a
// visit, the customer's own for a video call.
func (d display) primary() *time.Location {
	if d.b.Mode == booking.Virtual && d.customerLoc != nil {
		return d.customerLoc
	}
	return d.atelierLoc
}

// secondary is the other zone worth showing beside the primary, or nil.
func (d display) secondary() *time.Location {
	if d.customerLoc == nil {
		return nil
	}
	if d.b.Mode == booking.Virtual {
		return d.atelierLoc
	}
	return d.customerLoc
}

// staffLang is the language of staff messages: English, on the
// configured clock.
func (o *Options) staffLang() *i18n.Lang { return o.Languages.Staff() }

// zoneLabel names a zone for people: "Asia/Singapore" → "Singapore time",
// "新加坡时间".
func zoneLabel(l *i18n.Lang, loc *time.Location) string {
	return l.T("zone.time", "City", i18n.City(l, loc.String()))
}

// when formats an appointment as the pages do (i18n.Lang.Span), with its
// zone: "Tuesday 1 December 2026, 10:00 am – 11:30 am (Singapore time)".
func when(l *i18n.Lang, start, end time.Time, loc *time.Location) string {
	return l.T("mail.when", "Span", l.Span(start.In(loc), end.In(loc)), "Zone", zoneLabel(l, loc))
}

// shortWhen is the time in a subject line, with its zone named so that a
// reader never has to guess whose 10:00 it is: "Tuesday 1 December at
// 10:00 am Singapore time".
func shortWhen(l *i18n.Lang, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return l.T("mail.short_when", "Date", l.DateNoYear(t), "Time", l.Time(t), "Zone", zoneLabel(l, loc))
}

func (d display) whenRow(label string, b *booking.Booking) row {
	r := row{Label: label, Value: when(d.l, b.Start, b.End, d.primary())}
	if sec := d.secondary(); sec != nil {
		r.Extra = when(d.l, b.Start, b.End, sec)
		if d.b.Mode == booking.InPerson {
			r.Extra = d.l.T("mail.in_your_zone", "When", r.Extra)
		}
	}
	return r
}

func (d display) whereRow() row {
	b := d.b
	if b.Mode == booking.Virtual {
		return row{Label: d.l.T("mail.row.where"), Value: d.l.T("mail.video_call"), URL: b.MeetingURL, Extra: b.MeetingURL}
	}
	addr := b.Location
	if addr == "" {
		addr = d.atelier.Address
	}
	name := d.atelier.Name
	if name != "" && addr != "" {
		name += ", "
	}
	return row{Label: d.l.T("mail.row.where"), Value: name + addr, URL: d.atelier.MapURL}
}

func (d display) contact() []string {
	var c []string
	for _, s := range []string{d.atelier.Address, d.atelier.Phone, d.atelier.Email} {
		if s != "" {
			c = append(c, s)
		}
	}
	return c
}

func (d display) signature() string {
	if d.atelier.Name != "" {
		return d.atelier.Name
	}
	return "Atelier"
}

func (d display) title() string {
	if d.artisan != "" {
		return d.l.T("invite.with", "Service", d.service, "Artisan", d.artisan)
	}
	return d.service
}

// subjectWhat is what the subject of a message to the customer calls the
// appointment: the service, or for a discreet booking (a surprise) only an
// appointment at the atelier, so that whoever glances at the customer's
// mailbox learns nothing of the piece.
func (d display) subjectWhat() string {
	if d.b.Discreet {
		return invite.DiscreetTitle(d.l, &d.atelier)
	}
	return d.service
}

// greeting opens a message to the customer: "Dear Mei,"; in Chinese the
// whole name, as written ("林美玲，您好：").
func greeting(l *i18n.Lang, name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return l.T("mail.greeting_anon")
	}
	if l.Name() == i18n.Default {
		name = strings.Fields(name)[0]
	}
	return l.T("mail.greeting", "Name", name)
}

func address(name, addr string) *gomail.Address {
	return &gomail.Address{Name: strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, name), Address: strings.TrimSpace(addr)}
}

// customerMessage renders the message to the customer for kind. token is
// the fresh manage token its links carry (the caller stores its hash).
func (o *Options) customerMessage(kind string, d display, prev *booking.Booking, now time.Time, token string) ([]byte, error) {
	b := d.b
	manage := o.manageURL(b.ID, token)
	l := d.l
	v := &view{Lang: l.HTML(), Colon: l.T("mail.colon"), Signature: d.signature(), Contact: d.contact()}
	subject, err := o.customerWords(v, kind, d, prev)
	if err != nil {
		return nil, err
	}
	// The preheader shows beside the subject in a mailbox's list: as
	// discreet as the subject.
	v.Preheader = d.subjectWhat() + l.T("list.sep") + when(l, b.Start, b.End, d.primary())
	if !b.Discreet {
		v.Preheader = d.title() + l.T("list.sep") + when(l, b.Start, b.End, d.primary())
	}
	v.Rows = append(v.Rows, row{Label: l.T("mail.row.appointment"), Value: d.service}, row{Label: l.T("mail.row.with"), Value: d.artisan}, d.whenRow(l.T("mail.row.when"), b))
	if kind == KindUpdate && prev != nil {
		v.Rows = append(v.Rows, o.previousRow(d, prev))
	}
	v.Rows = append(v.Rows, d.whereRow(), row{Label: l.T("mail.row.reference"), Value: b.ID})
	o.customerLinks(v, kind, d, now, manage)
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	m := Message{
		From:      o.From,
		To:        []*gomail.Address{address(b.Customer.Name, b.Customer.Email)},
		Subject:   subject,
		Date:      now,
		MessageID: o.messageID(b, kind, 0),
		Text:      text,
		HTML:      html,
	}
	if d.atelier.Email != "" && !strings.EqualFold(d.atelier.Email, o.From.Address) {
		m.ReplyTo = []*gomail.Address{address(d.atelier.Name, d.atelier.Email)}
	}
	if carriesInvite(kind, prev) {
		id := o.inviteDetails(d, now)
		id.ManageURL = manage
		id.Lang = l
		if m.Invite, err = invite.Build(id); err != nil {
			return nil, fmt.Errorf("mail: %s invite: %w", kind, err)
		}
	}
	return Compose(m)
}

// carriesInvite reports whether the customer's message of kind carries
// the invitation: not a reminder, nor any message about a request that
// was never confirmed (its making, its decline, its withdrawal), since no
// invitation of it reached the customer's calendar.
func carriesInvite(kind string, prev *booking.Booking) bool {
	switch kind {
	case KindReminder, KindRequestReceived, KindRequestDeclined:
		return false
	case KindCancellation:
		return prev == nil || prev.Status != booking.Pending
	}
	return true
}

// customerWords writes the heading and opening paragraphs of the message
// of kind into v and returns its subject.
func (o *Options) customerWords(v *view, kind string, d display, prev *booking.Booking) (subject string, err error) {
	b, l := d.b, d.l
	greeting := greeting(l, b.Customer.Name)
	short := shortWhen(l, b.Start, d.primary())
	switch kind {
	case KindConfirmation:
		subject = l.T("mail.confirmed.subject", "Service", d.subjectWhat(), "When", short)
		v.Heading = l.T("mail.confirmed.heading")
		v.Paragraphs = []string{greeting, l.T("mail.confirmed.body", "Artisan", d.artisan)}
		if prev != nil && prev.Status == booking.Pending {
			v.Paragraphs = []string{greeting, l.T("mail.confirmed.request"), l.T("mail.confirmed.body", "Artisan", d.artisan)}
		}
	case KindRequestReceived:
		subject = l.T("mail.request.subject", "Service", d.subjectWhat(), "When", short)
		v.Heading = l.T("mail.request.heading")
		v.Paragraphs = []string{greeting, l.T("mail.request.body", "By", l.DateTime(b.DecideBy.In(d.primary())))}
	case KindRequestDeclined:
		subject = l.T("mail.declined.subject", "Service", d.subjectWhat(), "When", short)
		v.Heading = l.T("mail.declined.heading")
		if b.Expired() {
			v.Paragraphs = []string{greeting, l.T("mail.declined.expired")}
		} else {
			v.Paragraphs = []string{greeting, l.T("mail.declined.body"), l.T("mail.declined.reason", "Reason", b.DeclineReason), l.T("mail.declined.again")}
		}
	case KindUpdate:
		subject = o.updateWords(v, d, prev, greeting)
	case KindCancellation:
		if prev != nil && prev.Status == booking.Pending {
			subject = l.T("mail.withdrawn.subject", "Service", d.subjectWhat(), "When", short)
			v.Heading = l.T("mail.withdrawn.heading")
			v.Paragraphs = []string{greeting, l.T("mail.withdrawn.body")}
			break
		}
		subject = l.T("mail.cancelled.subject", "Service", d.subjectWhat(), "When", short)
		v.Heading = l.T("mail.cancelled.heading")
		v.Paragraphs = []string{greeting, l.T("mail.cancelled.body")}
		if d.byReply {
			v.Paragraphs[1] = l.T("mail.cancelled.by_reply")
		}
	case KindReminder:
		subject = l.T("mail.reminder.subject", "Service", d.subjectWhat(), "When", short)
		v.Heading = l.T("mail.reminder.heading")
		v.Paragraphs = []string{greeting, l.T("mail.reminder.body", "Artisan", d.artisan)}
	default:
		return "", fmt.Errorf("mail: unknown message kind %q", kind)
	}
	return subject, nil
}

// updateWords writes the heading and paragraphs of the message about a
// move (to another time, another artisan or both) and returns its subject.
func (o *Options) updateWords(v *view, d display, prev *booking.Booking, greeting string) (subject string) {
	b, l := d.b, d.l
	short := shortWhen(l, b.Start, d.primary())
	subject = l.T("mail.updated.subject", "Service", d.subjectWhat(), "When", short)
	v.Heading = l.T("mail.updated.heading")
	change := l.T("mail.updated.body")
	if prev != nil && prev.ArtisanID != b.ArtisanID {
		// Another artisan: said in the subject and first thing, since
		// the customer may have chosen the first by name.
		subject = l.T("mail.updated.subject_artisan", "Service", d.subjectWhat(), "Artisan", d.artisan, "When", short)
		was := o.artisanNameOf(prev)
		if prev.Start.Equal(b.Start) {
			v.Heading = l.T("mail.updated.heading_artisan", "Artisan", d.artisan)
			change = l.T("mail.updated.body_artisan", "Artisan", d.artisan, "Was", was)
		} else {
			change = l.T("mail.updated.body_both", "Artisan", d.artisan, "Was", was)
		}
	}
	v.Paragraphs = []string{greeting, change + l.T("mail.updated.calendar")}
	if prev != nil && b.Mode == booking.Virtual && b.MeetingURL != "" && prev.MeetingURL != "" && prev.MeetingURL != b.MeetingURL {
		v.Paragraphs = append(v.Paragraphs, l.T("mail.updated.new_link"))
	}
	return subject
}

// previousRow is the "Previously" row of a message about a move: the old
// time, and the old artisan when the move changed it.
func (o *Options) previousRow(d display, prev *booking.Booking) row {
	pd := d
	pd.b = prev
	r := pd.whenRow(d.l.T("mail.row.previously"), prev)
	r.Extra = ""
	if prev.ArtisanID != d.b.ArtisanID {
		r.Value = d.l.T("mail.previously_with", "When", r.Value, "Artisan", o.artisanNameOf(prev))
		if prev.Start.Equal(d.b.Start) {
			r.Value = d.l.T("mail.previously_with_only", "Artisan", o.artisanNameOf(prev))
		}
	}
	return r
}

// customerLinks adds what to bring, the button (the video call, else the
// manage page) and the manage link to v; a cancellation gets only the
// link to the booking's page.
func (o *Options) customerLinks(v *view, kind string, d display, now time.Time, manage string) {
	b, l := d.b, d.l
	if kind == KindCancellation || kind == KindRequestDeclined {
		if manage != "" {
			v.Notes = append(v.Notes, l.T("mail.note.booking_page", "URL", manage))
		}
		return
	}
	if kind == KindRequestReceived {
		// No call link yet (it comes with the confirmation): the request's
		// page, where it can be withdrawn (not moved: the policy is the
		// appointment's, once confirmed).
		v.Notes = append(v.Notes, o.policyNote(d, l.T("policy.request_mail")))
		if manage != "" {
			v.Button = &link{Label: l.T("mail.button.request"), URL: manage}
		} else {
			v.Notes = append(v.Notes, l.T("mail.note.reply"))
		}
		return
	}
	v.Notes = append(v.Notes, l.T("invite.bring", "Advice", invite.Bring(o.inviteDetails(d, now))))
	v.Notes = append(v.Notes, o.policyNote(d))
	switch {
	case b.Mode == booking.Virtual && b.MeetingURL != "":
		v.Button = &link{Label: l.T("mail.button.join"), URL: b.MeetingURL}
	case manage != "":
		v.Button = &link{Label: l.T("mail.button.change"), URL: manage}
	}
	if manage != "" && v.Button.URL != manage {
		v.Notes = append(v.Notes, l.T("mail.note.change", "URL", manage))
	} else if manage == "" {
		v.Notes = append(v.Notes, l.T("mail.note.reply"))
	}
}

// policyOf is the booking policy of d's service (issue 13): the
// catalogue's, else the atelier's rules as the message has them.
func (o *Options) policyOf(d display) booking.Policy {
	if o.Catalog != nil {
		if c := o.Catalog(); c != nil {
			return c.PolicyOf(d.b.ServiceID)
		}
	}
	r := d.atelier.Rules
	return booking.Policy{ChangeCutoff: r.ChangeCutoff, MaxReschedules: r.MaxReschedules, Note: r.PolicyNote}
}

// policyNote is the booking policy in the customer's words, with when
// online changes close for this booking, after the sentences first.
func (o *Options) policyNote(d display, first ...string) string {
	p, l := o.policyOf(d), d.l
	parts := append(first, l.PolicySentences(int(p.ChangeCutoff/time.Hour), p.MaxReschedules, p.Note)...)
	if p.ChangeCutoff > 0 {
		parts = append(parts, l.T("policy.closes_at", "When", l.DateTime(p.ChangesCloseAt(d.b.Start).In(d.primary()))))
	}
	return l.T("policy.mail", "Text", l.Sentences(parts...))
}

// notice is which staff notice of an event a recipient gets.
type notice int

const (
	noticeArtisan    notice = iota // the booking's artisan (and staff copies) of any change
	noticeMovedAway                // the artisan a move took the booking from
	noticeMovedIn                  // the artisan a move gave the booking to: a new booking for them
	noticeMovedStaff               // staff copies of a move between artisans
)

// staffMessage renders the notice n of an event to one member of staff.
func (o *Options) staffMessage(e booking.Event, d display, to *gomail.Address, idx int, now time.Time, n notice) ([]byte, error) {
	d.l = o.staffLang()
	d.artisan = d.l.Join(d.artisans)
	b, l := d.b, d.l
	v := &view{Lang: l.HTML(), Colon: l.T("mail.colon"), Signature: d.signature()}
	who := b.Customer.Name
	short := shortWhen(l, b.Start, d.atelierLoc)
	was := ""
	if e.Previous != nil {
		was = o.artisanNameOf(e.Previous)
	}
	var subject string
	switch {
	case n == noticeMovedAway:
		subject = "Moved away from you: " + who + ", " + shortWhen(l, e.Previous.Start, d.atelierLoc)
		v.Heading = "A booking moved away from you"
		v.Paragraphs = []string{"The appointment with " + who + " (" + d.service + ") has moved away from you to " + d.artisan + ". It is no longer in your calendar."}
	case n == noticeMovedIn:
		subject = "New booking (moved from " + was + "): " + who + ", " + short
		v.Heading = "New booking, moved to you"
		v.Paragraphs = []string{"The appointment with " + who + " (" + d.service + ") has moved to you from " + was + ". It is now in your calendar."}
	case n == noticeMovedStaff:
		subject = "Booking moved to " + d.artisan + ": " + who + ", now " + short
		v.Heading = "Booking moved to another artisan"
		v.Paragraphs = []string{"The appointment with " + who + " (" + d.service + ") has moved from " + was + " to " + d.artisan + "."}
	case requestNotice(e):
		subject = o.requestWords(e, d, v, who, short)
	case e.Kind == booking.EventCreated:
		subject = "New booking: " + who + ", " + short
		v.Heading = "New booking"
		v.Paragraphs = []string{who + " booked " + d.title() + "."}
	case e.Kind == booking.EventRescheduled:
		subject = "Booking moved: " + who + ", now " + short
		v.Heading = "Booking moved"
		v.Paragraphs = []string{who + " has a new time for " + d.title() + "."}
	case e.Kind == booking.EventCancelled:
		subject = "Booking cancelled: " + who + ", " + short
		v.Heading = "Booking cancelled"
		v.Paragraphs = []string{"This appointment was cancelled; the time is free again."}
	default:
		return nil, fmt.Errorf("mail: unknown event kind %q", e.Kind)
	}
	v.Preheader = subject
	atelierOnly := d
	atelierOnly.customerLoc = nil
	v.Rows = []row{
		{Label: "Customer", Value: b.Customer.Name},
		{Label: "E-mail", Value: b.Customer.Email, URL: "mailto:" + b.Customer.Email},
	}
	if b.Customer.Phone != "" {
		v.Rows = append(v.Rows, row{Label: "Phone", Value: b.Customer.Phone})
	}
	v.Rows = append(v.Rows, row{Label: "Language", Value: o.languageName(b)})
	v.Rows = append(v.Rows, row{Label: "Appointment", Value: d.service}, row{Label: "With", Value: d.artisan})
	if b.Discreet {
		// Staff see the flag everywhere, so that no call or message
		// gives the surprise away.
		v.Rows = append(v.Rows, row{Label: "Discreet", Value: "Yes, a surprise: the customer's e-mails and invite name no service or piece. Take care in any call or message."})
	}
	whenRow := row{Label: "When", Value: when(l, b.Start, b.End, d.atelierLoc)}
	if d.customerLoc != nil {
		whenRow.Extra = "Customer's time: " + when(l, b.Start, b.End, d.customerLoc)
	}
	v.Rows = append(v.Rows, whenRow)
	if e.Previous != nil && e.Kind == booking.EventRescheduled {
		r := row{Label: "Previously", Value: when(l, e.Previous.Start, e.Previous.End, d.atelierLoc)}
		if n != noticeArtisan {
			r.Value += ", with " + was
		}
		v.Rows = append(v.Rows, r)
	}
	switch {
	case b.Mode == booking.Virtual && n == noticeMovedAway:
		// The call is the new artisan's now; its link is not for the
		// artisan who no longer hosts it.
		v.Rows = append(v.Rows, row{Label: "Where", Value: "Video call, hosted by " + d.artisan})
	case b.Mode == booking.Virtual:
		v.Rows = append(v.Rows, row{Label: "Where", Value: "Video call", URL: b.MeetingURL, Extra: b.MeetingURL})
	default:
		r := row{Label: "Where", Value: "At the atelier"}
		if b.RoomID != "" {
			r.Value += ", room " + roomName(d.atelier, b.RoomID)
		}
		v.Rows = append(v.Rows, r)
	}
	if b.Notes != "" {
		v.Rows = append(v.Rows, row{Label: "Notes", Value: b.Notes})
	}
	v.Rows = append(v.Rows, row{Label: "Reference", Value: b.ID})
	if r, ok := o.intakeRow(b, e.Kind, n); ok {
		v.Rows = append(v.Rows, r)
	}
	if e.Actor.Kind == "staff" {
		v.Notes = append(v.Notes, "This change was made by staff.")
	}
	if d.byReply {
		v.Notes = append(v.Notes, "The customer declined the invitation in their calendar.")
	}
	text, html, err := v.render()
	if err != nil {
		return nil, err
	}
	return Compose(Message{
		From:      o.From,
		To:        []*gomail.Address{to},
		Subject:   subject,
		Date:      now,
		MessageID: o.messageID(b, KindStaffNotice, idx),
		Text:      text,
		HTML:      html,
	})
}

// requestNotice reports whether e is the making, decision or withdrawal of
// a request staff decide on (issue 13), whose staff notice requestWords
// writes.
func requestNotice(e booking.Event) bool {
	switch e.Kind {
	case booking.EventCreated:
		return e.Booking.Status == booking.Pending
	case booking.EventConfirmed, booking.EventDeclined:
		return true
	case booking.EventCancelled:
		return e.Previous != nil && e.Previous.Status == booking.Pending
	}
	return false
}

// requestWords writes the heading and paragraphs of the staff notice of a
// request's event (requestNotice) into v and returns its subject.
func (o *Options) requestWords(e booking.Event, d display, v *view, who, short string) (subject string) {
	b, l := d.b, d.l
	switch {
	case e.Kind == booking.EventCreated:
		subject = "Request to confirm: " + who + ", " + short
		v.Heading = "A request waits for your decision"
		v.Paragraphs = []string{who + " asked for " + d.title() + ". The time is held for them until staff confirm or decline the request; " +
			"undecided, it is declined on its own on " + shortWhen(l, b.DecideBy, d.atelierLoc) + ".",
			"Confirm or decline it on its page: " + o.staffURL(b.ID)}
	case e.Kind == booking.EventConfirmed:
		subject = "Request confirmed: " + who + ", " + short
		v.Heading = "Request confirmed"
		v.Paragraphs = []string{"The request of " + who + " for " + d.title() + " is confirmed: it is an appointment now, and the customer has the invitation."}
	case e.Kind == booking.EventDeclined && b.Expired():
		subject = "Request expired: " + who + ", " + short
		v.Heading = "Request expired undecided"
		v.Paragraphs = []string{"No one confirmed or declined the request of " + who + " in time, so it was declined on its own and the time is free again. The customer was told."}
	case e.Kind == booking.EventDeclined:
		subject = "Request declined: " + who + ", " + short
		v.Heading = "Request declined"
		v.Paragraphs = []string{"The request of " + who + " was declined and the time is free again. The customer was told: " + b.DeclineReason}
	case e.Kind == booking.EventCancelled:
		subject = "Request withdrawn: " + who + ", " + short
		v.Heading = "Request withdrawn"
		v.Paragraphs = []string{"The request of " + who + " was withdrawn; the time is free again."}
	}
	return subject
}

// staffURL is the staff page of booking id.
func (o *Options) staffURL(id string) string {
	return strings.TrimSuffix(o.PublicURL, "/") + "/staff/bookings/" + url.PathEscape(id)
}

// languageName is the language of b's customer for staff: "English",
// "简体中文 (zh-Hans)".
func (o *Options) languageName(b *booking.Booking) string {
	l := o.Languages.Lang(b.Customer.Language)
	if l.Name() == i18n.Default {
		return l.Native()
	}
	return l.Native() + " (" + l.Name() + ")"
}

func roomName(a booking.Atelier, id string) string {
	for _, r := range a.Rooms {
		if r.ID == id && r.Name != "" {
			return r.Name
		}
	}
	return id
}

func (o *Options) inviteDetails(d display, now time.Time) invite.Details {
	return invite.Details{
		Lang:         d.l,
		Bring:        o.Advice.For(d.b.ServiceID, d.b.Mode, d.l),
		Booking:      d.b,
		ServiceName:  d.service,
		ArtisanName:  d.artisan,
		ArtisanEmail: d.artisanMail,
		Atelier:      &d.atelier,
		PublicURL:    o.PublicURL,
		Now:          now,
		RSVP:         o.RSVP,
	}
}

// manageURL is the link to booking id's manage page with token, or "" when
// there is no token or no public URL.
func (o *Options) manageURL(id, token string) string {
	if token == "" || o.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(o.PublicURL, "/") + "/bookings/" + url.PathEscape(id) + "?" + url.Values{"token": {token}}.Encode()
}

// messageID is deterministic, so a message sent again after a lost
// acknowledgement carries the same Message-ID and can be recognised.
func (o *Options) messageID(b *booking.Booking, kind string, idx int) string {
	return fmt.Sprintf("%s.%d.%s.%d@%s", b.ID, b.Sequence, kind, idx, o.messageHost())
}

// messageHost is the domain of Message-IDs: the sender's.
func (o *Options) messageHost() string {
	if o.From != nil {
		if i := strings.LastIndexByte(o.From.Address, '@'); i >= 0 && i+1 < len(o.From.Address) {
			return o.From.Address[i+1:]
		}
	}
	return "atelier.invalid"
}

// intakeRow is the link to the customer's answers and photos on the staff
// booking page, for a notice of a booking whose service asks questions:
// a link only, never the answers or the photos themselves (a notice may
// be forwarded, and photos are the customer's). None for a cancellation
// or for the artisan a booking moved away from.
func (o *Options) intakeRow(b *booking.Booking, kind booking.EventKind, n notice) (row, bool) {
	if kind == booking.EventCancelled || n == noticeMovedAway {
		return row{}, false
	}
	asks := len(b.Answers) > 0
	if o.Catalog != nil {
		if c := o.Catalog(); c != nil {
			if svc := c.Service(b.ServiceID); svc != nil && len(svc.Questions) > 0 {
				asks = true
			}
		}
	}
	if !asks {
		return row{}, false
	}
	u := strings.TrimRight(o.PublicURL, "/") + "/staff/bookings/" + b.ID
	return row{Label: "Answers and photos", Value: "On the booking page", URL: u, Extra: u}, true
}
