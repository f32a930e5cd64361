// Package invite renders bookings as iCalendar objects: iTIP invites
// (RFC 5546) that calendar clients recognise and update in place, and
// subscription feeds. It does no I/O and never reads the clock.
package invite

import (
	"bytes"
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/i18n"
	"github.com/atelier-app/atelier/internal/mailaddr"
)

// ProductID is the PRODID of every calendar object the application writes.
const ProductID = "-//Atelier//Atelier Bookings//EN"

// iTIP methods.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// defaultUIDHost is the UID domain when no public URL is configured.
const defaultUIDHost = "atelier.invalid"

// Details is a booking with the display data an invite needs.
type Details struct {
	Booking      *booking.Booking
	ServiceName  string
	ArtisanName  string
	ArtisanEmail string
	// Atelier supplies the name, address and e-mail (the default organizer).
	Atelier *booking.Atelier
	// OrganizerName and OrganizerEmail override the atelier's name and
	// e-mail as the ORGANIZER (replies from calendar clients go there).
	OrganizerName  string
	OrganizerEmail string
	// PublicURL is server.public_url; its host becomes the UID's domain, so
	// every caller must pass the same value for a booking's UID to stay
	// stable.
	PublicURL string
	// ManageURL links to the booking's manage page (may be empty).
	ManageURL string
	// Bring is the service's "what to bring" advice for the mode
	// (Advice.For); empty gives the general advice.
	Bring string
	// Lang is the language of the SUMMARY and DESCRIPTION (the customer's,
	// booking.Customer.Language); nil is English.
	Lang *i18n.Lang
	// Now is the DTSTAMP: when this invite was made.
	Now time.Time
	// RSVP asks the customer's calendar to reply (RSVP=TRUE on the
	// ATTENDEE): Accept or Decline then sends an iTIP REPLY to the
	// ORGANIZER. Off until replies are read and applied; the attendee is
	// listed either way (PARTSTAT=NEEDS-ACTION), so that clients show the
	// event as an invitation.
	RSVP bool
}

// Method returns the iTIP method for the current state of b: CANCEL once
// cancelled, REQUEST otherwise.
func Method(b *booking.Booking) string {
	if b.Status == booking.Cancelled {
		return MethodCancel
	}
	return MethodRequest
}

// UID returns the iCalendar UID for a new booking id: its id at the host
// of the public URL. The booking keeps it (booking.Booking.UID) for its
// whole life, so that an update or cancellation replaces the first invite
// even after the public URL changes.
func UID(id, publicURL string) string {
	host := defaultUIDHost
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return id + "@" + host
}

// bookingUID is the UID kept with the booking (booking.Booking.UID), or
// for a booking that has none yet the one UID makes from the public URL.
func bookingUID(d Details) string {
	if d.Booking.UID != "" {
		return d.Booking.UID
	}
	return UID(d.Booking.ID, d.PublicURL)
}

// Summary is the one-line title of the appointment, e.g. "Bespoke design
// consultation with Mei at Maison Lumière".
//
// A discreet booking (a surprise) is only "Appointment at Maison Lumière":
// no service, piece or stone, and no artisan who would give it away.
func Summary(d Details) string {
	l := d.lang()
	if d.Booking.Discreet {
		return DiscreetTitle(l, d.Atelier)
	}
	s := nonEmpty(d.ServiceName, l.T("invite.appointment"))
	if d.ArtisanName != "" {
		s = l.T("invite.with", "Service", s, "Artisan", d.ArtisanName)
	}
	if d.Atelier != nil && d.Atelier.Name != "" {
		s = l.T("invite.at", "What", s, "Atelier", d.Atelier.Name)
	}
	return s
}

// DiscreetTitle is what a discreet booking is called wherever its customer
// sees it without opening it (a subject, an invitation's title), in l:
// "Appointment at Maison Lumière", or "Appointment" for an atelier without
// a name.
func DiscreetTitle(l *i18n.Lang, a *booking.Atelier) string {
	if l == nil {
		l = i18n.English()
	}
	if a == nil || a.Name == "" {
		return l.T("invite.appointment")
	}
	return l.T("invite.discreet", "Atelier", a.Name)
}

// Location is where the appointment takes place: the address for a visit,
// the meeting link for a virtual call.
func Location(d Details) string {
	b := d.Booking
	if b.Mode == booking.Virtual {
		return b.MeetingURL
	}
	if b.Location != "" {
		return b.Location
	}
	if d.Atelier != nil {
		return d.Atelier.Address
	}
	return ""
}

// Advice is every service's "what to bring" (services[].bring), by
// service ID. It is configuration passed to whoever gives the advice
// (mail.Options, app.Deps, the pages), never a package variable.
type Advice map[string]BringText

// AdviceOf is the services' "what to bring" (services[].bring) of a
// configuration, by service ID, for whoever gives the advice: the e-mails
// (mail.Options), the invitation download (app.Deps) and the pages. (It is
// here, not in internal/config, which imports no adapter.)
func AdviceOf(cfg *config.Config) Advice {
	a := Advice{}
	for _, s := range cfg.Services {
		a[s.ID] = BringText{InPerson: i18n.Text(s.Bring.InPerson), Virtual: i18n.Text(s.Bring.Virtual)}
	}
	return a
}

// BringText is one service's advice: what to bring to a visit, what to
// have ready for a video call, each in one or several languages. An empty
// one keeps the general advice.
type BringText struct{ InPerson, Virtual i18n.Text }

// For is the advice for a visit to service in mode, written in lang: the
// service's own, else the general advice of the catalogue.
func (a Advice) For(service string, mode booking.Mode, lang *i18n.Lang) string {
	if lang == nil {
		lang = i18n.English()
	}
	t := a[service]
	if mode == booking.Virtual {
		return cmp.Or(t.Virtual.In(lang.Name()), lang.T("bring.virtual"))
	}
	return cmp.Or(t.InPerson.In(lang.Name()), lang.T("bring.in_person"))
}

// Bring is the advice on what to bring to the appointment: d.Bring when
// set, else the general advice in d's language.
//
// A discreet booking gets the general advice: a service's own could name
// the piece or the stone.
func Bring(d Details) string {
	if d.Booking.Discreet {
		return Advice(nil).For("", d.Booking.Mode, d.lang())
	}
	if d.Bring != "" {
		return d.Bring
	}
	return Advice(nil).For(d.Booking.ServiceID, d.Booking.Mode, d.lang())
}

// lang is the language the invite is written in (English when unset).
func (d Details) lang() *i18n.Lang {
	if d.Lang != nil {
		return d.Lang
	}
	return i18n.English()
}

// Build renders d as an iTIP invite: METHOD:REQUEST while the booking is
// confirmed, METHOD:CANCEL with STATUS:CANCELLED once cancelled. Lines are
// folded at 75 octets with CRLF.
func Build(d Details) ([]byte, error) {
	if err := check(d); err != nil {
		return nil, err
	}
	cal := newCalendar()
	cal.Props.SetText(ical.PropMethod, Method(d.Booking))
	ev, err := event(d, true)
	if err != nil {
		return nil, err
	}
	cal.Children = append(cal.Children, ev)
	return encode(cal)
}

// FeedInfo describes a subscription feed.
type FeedInfo struct {
	// Name is the calendar's name (X-WR-CALNAME).
	Name string
	// Location is the zone the feed belongs to (the atelier's), written as
	// X-WR-TIMEZONE and as a VTIMEZONE with its daylight saving rules.
	// UTC when nil.
	Location *time.Location
	// From and To are the period the feed covers; the VTIMEZONE is exact
	// over it.
	From, To time.Time
}

// RefreshInterval is how often subscribers are asked to fetch a feed
// again (REFRESH-INTERVAL, RFC 7986, and X-PUBLISHED-TTL for Outlook).
const RefreshInterval = "PT15M"

// Feed renders a subscription feed (no METHOD, no alarms, no customer
// phone numbers or notes). The feed always holds the VTIMEZONE of its
// zone, so that a feed with no bookings is still a valid calendar (RFC
// 5545 §3.6: at least one component), as Google Calendar's and Apple's
// servers write an empty calendar.
func Feed(info FeedInfo, events []Details) ([]byte, error) {
	if info.From.IsZero() || info.To.Before(info.From) {
		return nil, fmt.Errorf("invite: feed: no period")
	}
	loc := info.Location
	if loc == nil {
		loc = time.UTC
	}
	cal := newCalendar()
	if info.Name != "" {
		setXText(cal.Props, "X-WR-CALNAME", cleanText(info.Name))
	}
	setXText(cal.Props, "X-WR-TIMEZONE", loc.String())
	// RFC 7986 requires VALUE=DURATION; go-ical's SetValueType drops a
	// VALUE equal to the property's default, so the parameter is set as is.
	refresh := ical.NewProp(ical.PropRefreshInterval)
	refresh.Value = RefreshInterval
	refresh.Params.Set(ical.ParamValue, string(ical.ValueDuration))
	cal.Props.Set(refresh)
	setXText(cal.Props, "X-PUBLISHED-TTL", RefreshInterval)
	cal.Children = append(cal.Children, vtimezone(loc, info.From, info.To))
	for _, d := range events {
		if err := check(d); err != nil {
			return nil, err
		}
		ev, err := event(d, false)
		if err != nil {
			return nil, err
		}
		cal.Children = append(cal.Children, ev)
	}
	return encode(cal)
}

func check(d Details) error {
	switch {
	case d.Booking == nil:
		return fmt.Errorf("invite: no booking")
	case d.Booking.ID == "":
		return fmt.Errorf("invite: booking has no id")
	case d.Booking.Start.IsZero() || !d.Booking.End.After(d.Booking.Start):
		return fmt.Errorf("invite: booking %s: bad time range", d.Booking.ID)
	case d.Now.IsZero():
		return fmt.Errorf("invite: booking %s: no DTSTAMP time", d.Booking.ID)
	}
	return nil
}

func newCalendar() *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, ProductID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	return cal
}

// event builds the VEVENT. itip selects the invite form (customer view,
// with alarm); otherwise the feed form (staff view, no alarm, no phone or
// notes in either).
func event(d Details, itip bool) (*ical.Component, error) {
	b := d.Booking
	ev := ical.NewEvent()
	p := ev.Props
	p.SetText(ical.PropUID, bookingUID(d))
	p.SetDateTime(ical.PropDateTimeStamp, d.Now.UTC())
	p.SetDateTime(ical.PropDateTimeStart, b.Start.UTC())
	p.SetDateTime(ical.PropDateTimeEnd, b.End.UTC())
	if !b.CreatedAt.IsZero() {
		p.SetDateTime(ical.PropCreated, b.CreatedAt.UTC())
	}
	if !b.UpdatedAt.IsZero() {
		p.SetDateTime(ical.PropLastModified, b.UpdatedAt.UTC())
	}
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = fmt.Sprint(b.Sequence)
	p.Set(seq)

	summary := Summary(d)
	if !itip && b.Customer.Name != "" {
		// Staff see whom they meet.
		summary = d.ServiceName + ": " + b.Customer.Name
	}
	p.SetText(ical.PropSummary, cleanText(summary))
	p.SetText(ical.PropDescription, cleanText(description(d, itip)))
	if loc := Location(d); loc != "" {
		p.SetText(ical.PropLocation, cleanText(loc))
	}
	if d.ManageURL != "" && itip {
		if u, err := url.Parse(d.ManageURL); err == nil {
			p.SetURI(ical.PropURL, u)
		}
	}
	if b.Mode == booking.Virtual && b.MeetingURL != "" {
		u, err := url.Parse(b.MeetingURL)
		if err != nil {
			return nil, fmt.Errorf("invite: booking %s: meeting link: %w", b.ID, err)
		}
		conf := ical.NewProp(ical.PropConference)
		conf.SetURI(u)
		// RFC 7986 requires the VALUE parameter, although URI is the default.
		conf.Params.Set(ical.ParamValue, string(ical.ValueURI))
		conf.Params.Add(ical.ParamFeature, string(ical.ConferenceAudio))
		conf.Params.Add(ical.ParamFeature, string(ical.ConferenceVideo))
		conf.Params.Set(ical.ParamLabel, paramText(d.lang().T("invite.video_label")))
		p.Set(conf)
	}

	status := ical.EventConfirmed
	if b.Status == booking.Cancelled {
		status = ical.EventCancelled
	}
	ev.SetStatus(status)
	p.SetText(ical.PropTransparency, "OPAQUE")

	orgName, orgEmail := d.OrganizerName, d.OrganizerEmail
	if d.Atelier != nil {
		if orgName == "" {
			orgName = d.Atelier.Name
		}
		if orgEmail == "" {
			orgEmail = d.Atelier.Email
		}
	}
	if orgEmail != "" {
		org := ical.NewProp(ical.PropOrganizer)
		org.Value = mailto(orgEmail)
		if orgName != "" {
			org.Params.Set(ical.ParamCommonName, paramText(orgName))
		}
		p.Set(org)
	}
	if b.Customer.Email != "" {
		att := ical.NewProp(ical.PropAttendee)
		att.Value = mailto(b.Customer.Email)
		if b.Customer.Name != "" {
			att.Params.Set(ical.ParamCommonName, paramText(b.Customer.Name))
		}
		att.Params.Set(ical.ParamCalendarUserType, "INDIVIDUAL")
		att.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
		att.Params.Set(ical.ParamParticipationStatus, "NEEDS-ACTION")
		if d.RSVP {
			att.Params.Set(ical.ParamRSVP, "TRUE")
		}
		p.Add(att)
	}

	if itip && b.Status != booking.Cancelled {
		alarm := ical.NewComponent(ical.CompAlarm)
		alarm.Props.SetText(ical.PropAction, "DISPLAY")
		trig := ical.NewProp(ical.PropTrigger)
		trig.Value = "-PT1H"
		alarm.Props.Set(trig)
		alarm.Props.SetText(ical.PropDescription, cleanText(Summary(d)))
		ev.Children = append(ev.Children, alarm)
	}
	return ev.Component, nil
}

func description(d Details, itip bool) string {
	b := d.Booking
	l := d.lang()
	var s strings.Builder
	if b.Status == booking.Cancelled {
		s.WriteString(l.T("invite.cancelled") + "\n\n")
	}
	s.WriteString(descriptionTitle(d, itip) + "\n")
	if b.Mode == booking.Virtual {
		if b.MeetingURL != "" {
			s.WriteString(l.T("invite.video_at", "URL", b.MeetingURL))
		} else {
			s.WriteString(l.T("invite.video"))
		}
		s.WriteString("\n")
	} else if loc := Location(d); loc != "" {
		s.WriteString(l.T("invite.at_atelier", "Address", loc) + "\n")
	}
	if !itip {
		if b.Customer.Name != "" {
			s.WriteString(l.T("invite.customer", "Name", b.Customer.Name) + "\n")
		}
		return strings.TrimRight(s.String(), "\n")
	}
	if b.Status != booking.Cancelled {
		s.WriteString("\n" + l.T("invite.bring", "Advice", Bring(d)) + "\n")
	}
	if d.ManageURL != "" {
		if b.Status == booking.Cancelled {
			s.WriteString("\n" + l.T("invite.details", "URL", d.ManageURL) + "\n")
		} else {
			s.WriteString("\n" + l.T("invite.change", "URL", d.ManageURL) + "\n")
		}
	}
	return strings.TrimRight(s.String(), "\n")
}

// descriptionTitle is the first line of the DESCRIPTION: the service with
// the artisan, or for a customer's copy of a discreet booking only the
// appointment at the atelier.
func descriptionTitle(d Details, itip bool) string {
	l := d.lang()
	if itip && d.Booking.Discreet {
		return DiscreetTitle(l, d.Atelier)
	}
	what := nonEmpty(d.ServiceName, l.T("invite.appointment"))
	if d.ArtisanName != "" {
		what = l.T("invite.with", "Service", what, "Artisan", d.ArtisanName)
	}
	return what
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// mailto is the CAL-ADDRESS of addr: a URI, so an internationalised
// domain is written in IDNA A-labels, as in the mail's envelope and
// headers, and a non-ASCII local part percent-encoded (RFC 6068).
func mailto(addr string) string {
	return mailaddr.Mailto(addr)
}

// cleanText prepares a TEXT value: line breaks become LF (which the encoder
// escapes as \n) and other control characters are dropped.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r), r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
}

// paramText prepares a parameter value (a CN or LABEL). Parameter values
// cannot hold a DQUOTE (RFC 5545 §3.1), and RFC 6868's ^' escape for it is
// not understood by Gmail or Outlook, so a double quote becomes a single
// one; control characters, line breaks included, become spaces. A caret
// is written as RFC 6868 asks where a reader that knows RFC 6868 (Apple
// Calendar, Thunderbird, ical.js) would otherwise decode it: before n, '
// and another caret it becomes ^^; elsewhere it is left alone, which both
// kinds of reader show as is. Commas, semicolons and colons are kept: the
// encoder quotes the value.
func paramText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case unicode.IsControl(r):
			return ' '
		case r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "^") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '^' && i+1 < len(s) && strings.IndexByte("n'^", s[i+1]) >= 0 {
			b.WriteByte('^')
		}
	}
	return b.String()
}

func encode(cal *ical.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("invite: encode: %w", err)
	}
	return Fold(buf.Bytes()), nil
}

// Fold folds content lines longer than 75 octets (RFC 5545 §3.1): each
// continuation starts with a space, lines end with CRLF, and a UTF-8
// sequence is never split. Input lines may end with CRLF or LF.
func Fold(in []byte) []byte {
	const limit = 75
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/70*3)
	for len(in) > 0 {
		line := in
		if i := bytes.IndexByte(in, '\n'); i >= 0 {
			line, in = in[:i], in[i+1:]
		} else {
			in = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		max := limit // octets allowed on this physical line, prefix included
		for len(line) > max {
			cut := max
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			max = limit - 1 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}
