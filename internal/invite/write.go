package invite

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/booking"
)

// Build's invite is written here line by line, as go-ical's encoder writes
// the calendar that event builds (kept for the feeds and as the
// reference): the components' properties in the order of their names,
// each property's parameters in the order of theirs, a parameter value
// in double quotes when it holds ";", ":" or ",", and TEXT values escaped
// as Prop.SetText escapes them. Building go-ical's maps of properties
// and encoding them was 14 % of rendering a booking's e-mails (issue 18;
// docs/PERFORMANCE.md, "2026-12-02, mailcpu"). TestBuildMatchesGoICal
// compares the two on random bookings; a value go-ical would refuse (a
// double quote in a parameter, a line break in a value) takes go-ical's
// path, so it fails as it did.

// icsWriter accumulates content lines, unfolded (Fold folds them).
type icsWriter struct {
	b  []byte
	ok bool // false once a value go-ical refuses was written
}

// param is a property parameter, written NAME=VALUE[,VALUE...].
type param struct {
	name   string
	values []string
}

func p(name string, values ...string) param { return param{name, values} }

// prop writes a property line: name, params (in the order of their
// names already) and value (escaped already).
func (w *icsWriter) prop(name string, value string, params ...param) {
	w.b = append(w.b, name...)
	for _, pa := range params {
		w.b = append(w.b, ';')
		w.b = append(w.b, pa.name...)
		w.b = append(w.b, '=')
		for i, v := range pa.values {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			if strings.IndexByte(v, '"') >= 0 {
				w.ok = false
			}
			if strings.ContainsAny(v, ";:,") {
				w.b = append(w.b, '"')
				w.b = append(w.b, v...)
				w.b = append(w.b, '"')
			} else {
				w.b = append(w.b, v...)
			}
		}
	}
	w.b = append(w.b, ':')
	if strings.ContainsAny(value, "\r\n") {
		w.ok = false
	}
	w.b = append(w.b, value...)
	w.b = append(w.b, '\r', '\n')
}

// text writes a TEXT property, its value escaped as Prop.SetText does.
func (w *icsWriter) text(name, value string) {
	w.prop(name, escapeText(value))
}

// dateTime writes a DATE-TIME property in UTC.
func (w *icsWriter) dateTime(name string, t time.Time) {
	w.prop(name, t.UTC().Format("20060102T150405Z"))
}

// escapeText escapes a TEXT value as go-ical's Prop.SetText does, rune
// by rune: a backslash before "\", ";" and ",", "\n" for a line feed,
// and U+FFFD for a byte that is not UTF-8.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "\\;,\n") && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// buildDirect is Build's invite written directly; ok is false when d
// holds a value go-ical refuses, and the caller then builds it with
// go-ical for its error.
func buildDirect(d Details) (ics []byte, ok bool, err error) {
	w := &icsWriter{b: make([]byte, 0, 2048), ok: true}
	w.prop("BEGIN", "VCALENDAR")
	w.text("CALSCALE", "GREGORIAN")
	w.text("METHOD", Method(d.Booking))
	w.text("PRODID", ProductID)
	w.text("VERSION", "2.0")
	if err := w.event(d); err != nil {
		return nil, false, err
	}
	w.prop("END", "VCALENDAR")
	if !w.ok {
		return nil, false, nil
	}
	return Fold(w.b), true, nil
}

// event writes the VEVENT that event(d, true) builds.
func (w *icsWriter) event(d Details) error {
	b := d.Booking
	w.prop("BEGIN", "VEVENT")
	if b.Customer.Email != "" {
		params := make([]param, 0, 5)
		if b.Customer.Name != "" {
			params = append(params, p("CN", paramText(b.Customer.Name)))
		}
		params = append(params, p("CUTYPE", "INDIVIDUAL"), p("PARTSTAT", "NEEDS-ACTION"), p("ROLE", "REQ-PARTICIPANT"))
		if d.RSVP {
			params = append(params, p("RSVP", "TRUE"))
		}
		w.prop("ATTENDEE", mailto(b.Customer.Email), params...)
	}
	if b.Mode == booking.Virtual && b.MeetingURL != "" {
		u, err := url.Parse(b.MeetingURL)
		if err != nil {
			return fmt.Errorf("invite: booking %s: meeting link: %w", b.ID, err)
		}
		w.prop("CONFERENCE", u.String(), p("FEATURE", "AUDIO", "VIDEO"), p("LABEL", paramText(d.lang().T("invite.video_label"))), p("VALUE", "URI"))
	}
	if !b.CreatedAt.IsZero() {
		w.dateTime("CREATED", b.CreatedAt)
	}
	w.text("DESCRIPTION", cleanText(description(d, true)))
	w.dateTime("DTEND", b.End)
	w.dateTime("DTSTAMP", d.Now)
	w.dateTime("DTSTART", b.Start)
	if !b.UpdatedAt.IsZero() {
		w.dateTime("LAST-MODIFIED", b.UpdatedAt)
	}
	if loc := Location(d); loc != "" {
		w.text("LOCATION", cleanText(loc))
	}
	if orgName, orgEmail := d.organizer(); orgEmail != "" {
		if orgName != "" {
			w.prop("ORGANIZER", mailto(orgEmail), p("CN", paramText(orgName)))
		} else {
			w.prop("ORGANIZER", mailto(orgEmail))
		}
	}
	w.prop("SEQUENCE", strconv.Itoa(b.Sequence))
	status := "CONFIRMED"
	if b.Status == booking.Cancelled {
		status = "CANCELLED"
	}
	w.text("STATUS", status)
	summary := Summary(d)
	w.text("SUMMARY", cleanText(summary))
	w.text("TRANSP", "OPAQUE")
	w.text("UID", bookingUID(d))
	if d.ManageURL != "" {
		if u, err := url.Parse(d.ManageURL); err == nil {
			w.prop("URL", u.String())
		}
	}
	if b.Status != booking.Cancelled {
		w.prop("BEGIN", "VALARM")
		w.text("ACTION", "DISPLAY")
		w.text("DESCRIPTION", cleanText(summary))
		w.prop("TRIGGER", "-PT1H")
		w.prop("END", "VALARM")
	}
	w.prop("END", "VEVENT")
	return nil
}
