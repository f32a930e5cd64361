package replies

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mailaddr"
)

// Why a message is passed over. Each is counted in Status.Skipped and
// logged once per message (its key shortened, never its content).
const (
	SkipTooLarge  = "too_large" // over MaxMessageBytes
	SkipMalformed = "malformed" // a calendar part that does not read as an iTIP reply
)

// errNotReply is Parse's answer for a message with no iTIP REPLY or
// COUNTER: most of what arrives in the mailbox, which is left alone.
var errNotReply = errors.New("replies: not a reply")

// malformedError is a message that carries a calendar part meant as a
// reply but that cannot be read as one. Its text (logged) says what is
// wrong without anything taken from the message, which may hold personal
// data: only numbers of ours are filled in.
type malformedError struct{ why string }

func (e *malformedError) Error() string { return "replies: malformed reply: " + e.why }

func malformed(format string, args ...any) error {
	safe := make([]any, len(args))
	for i, a := range args {
		switch a.(type) {
		case int, int64, uint32:
			safe[i] = a
		default:
			safe[i] = "…"
		}
	}
	return &malformedError{why: fmt.Sprintf(format, safe...)}
}

// Limits of the MIME walk: a reply has a handful of parts.
const (
	maxParts = 64
	maxDepth = 8
)

// Message is a message read from the mailbox, as Parse makes it: the iTIP
// reply it carries (the mailbox fields of Reply are for the reader to
// fill) and its Message-ID.
type Message struct {
	MessageID string
	Reply     booking.InboundReply
}

// Parse reads raw (a whole RFC 5322 message) and returns the iTIP REPLY or
// COUNTER it carries, or errNotReply, or a *malformedError. floating is
// the zone of a proposed time written without one (the atelier's).
//
// It tolerates the shapes calendar clients send a reply in: a
// text/calendar part inside multipart/alternative (Gmail, Outlook with a
// comment), the whole message as text/calendar (Outlook without one), a
// text/calendar attachment (Apple Calendar), an application/ics one
// (Gmail's copy of its inline part; other clients), and any attachment
// named *.ics. A message holding several copies (Gmail's inline part and
// invite.ics) is read once; copies that disagree make it malformed.
// Forwarded messages (message/rfc822 parts) are not looked into: a reply
// forwarded by someone is not the customer's answer.
func Parse(raw []byte, floating *time.Location) (msg *Message, err error) {
	defer func() {
		// go-ical and go-message are not written against hostile input:
		// whatever they do with it, the reader carries on.
		if p := recover(); p != nil {
			msg, err = nil, malformed("parser panic: %v", p)
		}
	}()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, errNotReply // not a message we can read at all
	}
	cals, err := calendarParts(e, 0, new(int))
	if err != nil {
		return nil, err
	}
	var replies []booking.InboundReply
	for _, c := range cals {
		r, err := readReply(c, floating)
		if errors.Is(err, errNotReply) {
			continue
		}
		if err != nil {
			return nil, err
		}
		replies = append(replies, r)
	}
	if len(replies) == 0 {
		return nil, errNotReply
	}
	for _, r := range replies[1:] {
		if !sameReply(r, replies[0]) {
			return nil, malformed("the message carries replies that disagree")
		}
	}
	m := &Message{Reply: replies[0]}
	h := e.Header
	m.MessageID = messageID(h.Get("Message-Id"))
	m.Reply.Author = author(h)
	m.Reply.Unauthenticated = dmarcFailed(h)
	if m.Reply.Stamp.IsZero() {
		if d, err := netmail.ParseDate(h.Get("Date")); err == nil {
			m.Reply.Stamp = d.UTC()
		}
	}
	return m, nil
}

// Key is the message's key for exactly-once processing (see
// booking.InboundReply.Key): the hex SHA-256 of its Message-ID or, without
// one, of where it was read.
func Key(messageID, mailbox string, uidValidity, uid uint32) string {
	var s string
	if messageID != "" {
		s = "message-id:" + messageID
	} else {
		s = fmt.Sprintf("mailbox:%s\x00%d\x00%d", mailbox, uidValidity, uid)
	}
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// ShortKey is how a message appears in the log: the first 12 hex digits
// of its key, which identify it without saying anything about it.
func ShortKey(key string) string {
	if len(key) > 12 {
		return key[:12]
	}
	return key
}

// messageID returns the identifier of a Message-ID field, without angle
// brackets; a field that does not parse is used as written, trimmed.
func messageID(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if i, j := strings.IndexByte(v, '<'), strings.LastIndexByte(v, '>'); i >= 0 && j > i {
		return v[i+1 : j]
	}
	return v
}

// calendarAgents are the services known to send their users' replies with
// themselves as the Sender, the user as the From: Google Calendar does for
// every Gmail and Workspace user.
var calendarAgents = []string{"calendar-notification@google.com"}

// author returns the address that wrote the message, as the atelier
// trusts its headers, or "" when they do not name exactly one:
//
//   - From must hold exactly one address: the author (RFC 5322 §3.6.2).
//     That is the address compared with the booking's customer.
//   - Sender, when present, names who transmitted the message for the
//     author. It must be the author again, or a calendar service known to
//     send its users' replies itself (calendarAgents). Anyone else (a
//     mailing list, a delegate's or a shared mailbox) is not the customer
//     answering, and the reply is not trusted.
//   - Return-Path is not compared: it is the bounce address written at
//     delivery from the SMTP envelope, which forwarding (SRS), bounce
//     handling (VERP) and mail services' own bounce domains legitimately
//     rewrite, and which is no harder to forge than From. Whether the
//     domain of From really sent the message is what DMARC answers, and a
//     failure recorded by the receiving server refuses the reply
//     (dmarcFailed).
//
// Display names may be in any charset; only the addresses are read.
func author(h message.Header) string {
	from := addresses(h.Get("From"))
	if len(from) != 1 {
		return ""
	}
	a := from[0]
	if raw := h.Get("Sender"); strings.TrimSpace(raw) != "" {
		sender := addresses(raw)
		if len(sender) != 1 {
			return ""
		}
		if !mailaddr.Equal(sender[0], a) && !isCalendarAgent(sender[0]) {
			return ""
		}
	}
	return a
}

func isCalendarAgent(addr string) bool {
	for _, c := range calendarAgents {
		if mailaddr.Equal(addr, c) {
			return true
		}
	}
	return false
}

// addressParser reads address lists whatever the charset of their display
// names: the names are not used, so their bytes are passed through.
var addressParser = netmail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
}}

// addresses returns the addresses of an address-list field, nil if it
// does not parse.
func addresses(v string) []string {
	list, err := addressParser.ParseList(v)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Address)
	}
	return out
}

var dmarcFail = regexp.MustCompile(`(?i)(^|[;\s])dmarc\s*=\s*fail\b`)

// dmarcFailed reports whether the topmost Authentication-Results field
// (RFC 8601: the one the receiving server added, above any the sender
// wrote) records a DMARC failure of the author's domain. A message
// without one passes: many servers write none. The field is only ever
// used to refuse, so a forged "pass" gains nothing.
func dmarcFailed(h message.Header) bool {
	f := h.FieldsByKey("Authentication-Results")
	if !f.Next() {
		return false
	}
	return dmarcFail.MatchString(f.Value())
}

// calendarParts returns the bodies of the parts of e that may hold an
// iCalendar object.
func calendarParts(e *message.Entity, depth int, parts *int) ([][]byte, error) {
	*parts++
	if *parts > maxParts || depth > maxDepth {
		return nil, malformed("more than %d parts or %d levels", maxParts, maxDepth)
	}
	t, params, _ := e.Header.ContentType()
	if mr := e.MultipartReader(); mr != nil {
		var out [][]byte
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return out, nil
			}
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				if len(out) > 0 {
					return out, nil // a broken tail after the calendar part
				}
				return nil, errNotReply
			}
			got, err := calendarParts(p, depth+1, parts)
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
	}
	if !isCalendarType(t, params, e.Header) {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(e.Body, MaxMessageBytes+1))
	if err != nil {
		return nil, malformed("calendar part: %v", err)
	}
	return [][]byte{body}, nil
}

// isCalendarType reports whether a leaf part may be an iCalendar object.
func isCalendarType(t string, params map[string]string, h message.Header) bool {
	switch t {
	case "text/calendar", "application/ics", "text/x-vcalendar", "application/x-ics":
		return true
	case "message/rfc822", "message/global":
		return false
	}
	name := params["name"]
	if _, dp, err := h.ContentDisposition(); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(name)), ".ics")
}

// readReply reads one iCalendar object: errNotReply unless its METHOD is
// REPLY or COUNTER (invitations, cancellations, published events), else
// the reply or why it is malformed.
func readReply(body []byte, floating *time.Location) (booking.InboundReply, error) {
	var r booking.InboundReply
	cal, method, err := decodeReply(body)
	if err != nil {
		return r, err
	}
	r.Method = method
	ev, err := replyEvent(cal)
	if err != nil {
		return r, err
	}
	if err := readAnswer(ev, &r); err != nil {
		return r, err
	}
	if method == booking.MethodCounter {
		if err := readProposal(ev, cal, floating, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// decodeReply decodes body and returns its METHOD, errNotReply unless it
// is REPLY or COUNTER; a body that names one of them but does not decode
// is malformed.
func decodeReply(body []byte) (*ical.Calendar, string, error) {
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		if bytes.Contains(bytes.ToUpper(body), []byte("METHOD:REPLY")) || bytes.Contains(bytes.ToUpper(body), []byte("METHOD:COUNTER")) {
			return nil, "", malformed("iCalendar: %v", err)
		}
		return nil, "", errNotReply
	}
	method := ""
	if p := cal.Props.Get(ical.PropMethod); p != nil {
		method = strings.ToUpper(strings.TrimSpace(p.Value))
	}
	if method != booking.MethodReply && method != booking.MethodCounter {
		return nil, "", errNotReply
	}
	return cal, method, nil
}

// replyEvent is the one event a reply answers (occurrences of recurring
// events are none of ours).
func replyEvent(cal *ical.Calendar) (*ical.Component, error) {
	var ev *ical.Component
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		if c.Props.Get(ical.PropRecurrenceID) != nil {
			continue // an occurrence of a recurring event: none of ours
		}
		if ev != nil {
			return nil, malformed("more than one event")
		}
		ev = c
	}
	if ev == nil {
		return nil, malformed("no event")
	}
	return ev, nil
}

// readAnswer reads the event's UID, SEQUENCE, the one attendee answering
// with their PARTSTAT, and DTSTAMP into r.
func readAnswer(ev *ical.Component, r *booking.InboundReply) error {
	uid := ev.Props.Get(ical.PropUID)
	if uid == nil || strings.TrimSpace(uid.Value) == "" {
		return malformed("no UID")
	}
	r.EventUID = strings.TrimSpace(uid.Value)
	if p := ev.Props.Get(ical.PropSequence); p != nil {
		n, err := strconv.Atoi(strings.TrimSpace(p.Value))
		if err != nil || n < 0 {
			return malformed("SEQUENCE %q", p.Value)
		}
		r.Sequence = n
	}
	// RFC 5546 §3.2.3: a REPLY names exactly one attendee, the one
	// answering. More than one names nobody we can trust.
	atts := ev.Props.Values(ical.PropAttendee)
	if len(atts) == 1 {
		r.Attendee = calAddress(atts[0].Value)
		r.PartStat = booking.PartStat(strings.ToUpper(strings.TrimSpace(atts[0].Params.Get(ical.ParamParticipationStatus))))
		if r.PartStat == "" {
			r.PartStat = "NEEDS-ACTION" // the default (RFC 5545 §3.2.12)
		}
	}
	if p := ev.Props.Get(ical.PropDateTimeStamp); p != nil {
		if t, err := p.DateTime(time.UTC); err == nil {
			r.Stamp = t.UTC()
		}
	}
	return nil
}

// readProposal reads the other time a COUNTER proposes: DTSTART, and
// DTEND or DURATION.
func readProposal(ev *ical.Component, cal *ical.Calendar, floating *time.Location, r *booking.InboundReply) error {
	var err error
	if r.Start, err = eventTime(ev.Props.Get(ical.PropDateTimeStart), cal, floating); err != nil {
		return malformed("DTSTART: %v", err)
	}
	if p := ev.Props.Get(ical.PropDateTimeEnd); p != nil {
		if r.End, err = eventTime(p, cal, floating); err != nil {
			return malformed("DTEND: %v", err)
		}
		return nil
	}
	if p := ev.Props.Get(ical.PropDuration); p != nil {
		d, err := p.Duration()
		if err != nil {
			return malformed("DURATION: %v", err)
		}
		r.End = r.Start.Add(d)
		return nil
	}
	return malformed("a proposal with no end")
}

// calAddress returns the address of a CAL-ADDRESS ("mailto:ana@example.com",
// percent-encoded where the local part needs it).
func calAddress(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	return strings.TrimSpace(v)
}

// sameReply reports whether two copies of a reply say the same.
func sameReply(a, b booking.InboundReply) bool {
	return a.Method == b.Method && a.EventUID == b.EventUID && a.Sequence == b.Sequence &&
		strings.EqualFold(a.Attendee, b.Attendee) && a.PartStat == b.PartStat &&
		a.Start.Equal(b.Start) && a.End.Equal(b.End)
}
