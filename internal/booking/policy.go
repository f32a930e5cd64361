package booking

import (
	"strconv"
	"strings"
	"time"
)

// The booking policy (issue 13): how close to an appointment a customer
// may still cancel or move it themselves, and how often they may move it.
// Staff are never bound by it.

// Error codes of a customer's change the policy refuses (ECONFLICT, 409).
const (
	CodeChangeWindowClosed = "change_window_closed"
	CodeRescheduleLimit    = "reschedule_limit"
)

// Policy is the booking policy that applies to one service.
type Policy struct {
	// ChangeCutoff is how long before the start a customer's own changes
	// stop (0: until the appointment starts).
	ChangeCutoff time.Duration
	// MaxReschedules is how many times a customer may move a booking
	// themselves (0: no limit).
	MaxReschedules int
	// Note is the atelier's own words about its policy, shown after the
	// generated text ("" for none).
	Note string
}

// PolicyOf returns the policy of service id: the atelier's, with the
// service's own values where it has them.
func (c *Catalog) PolicyOf(serviceID string) Policy {
	r := c.Atelier.Rules
	p := Policy{ChangeCutoff: r.ChangeCutoff, MaxReschedules: r.MaxReschedules, Note: r.PolicyNote}
	if s := c.Service(serviceID); s != nil {
		if s.ChangeCutoff != nil {
			p.ChangeCutoff = *s.ChangeCutoff
		}
		if s.MaxReschedules != nil {
			p.MaxReschedules = *s.MaxReschedules
		}
	}
	return p
}

// ChangesCloseAt is the instant from which a customer can no longer change
// an appointment that starts at start.
func (p Policy) ChangesCloseAt(start time.Time) time.Time { return start.Add(-p.ChangeCutoff) }

// WindowOpen reports whether a customer may still change b at now.
func (p Policy) WindowOpen(b *Booking, now time.Time) bool {
	return now.Before(p.ChangesCloseAt(b.Start))
}

// ReschedulesLeft is how many more times the customer may move b, or -1
// for no limit.
func (p Policy) ReschedulesLeft(b *Booking) int {
	if p.MaxReschedules <= 0 {
		return -1
	}
	return max(0, p.MaxReschedules-b.Reschedules)
}

// CheckCustomerCancel refuses a customer's cancel of b at now inside the
// change window (CodeChangeWindowClosed); a refers the customer to the
// atelier's phone and e-mail.
func (p Policy) CheckCustomerCancel(b *Booking, now time.Time, a *Atelier) error {
	if p.WindowOpen(b, now) {
		return nil
	}
	return &Error{Kind: ECONFLICT, Code: CodeChangeWindowClosed,
		Message: "this appointment can no longer be cancelled or moved online" + p.cutoffWords() + contactWords(a)}
}

// CheckCustomerReschedule refuses a customer's move of b at now inside
// the change window, or once the customer has moved it as often as the
// policy allows (CodeRescheduleLimit).
func (p Policy) CheckCustomerReschedule(b *Booking, now time.Time, a *Atelier) error {
	if err := p.CheckCustomerCancel(b, now, a); err != nil {
		return err
	}
	if p.ReschedulesLeft(b) == 0 {
		return &Error{Kind: ECONFLICT, Code: CodeRescheduleLimit,
			Message: "this appointment has been moved " + Times(b.Reschedules) + " already, as often as it can be moved online" + contactWords(a)}
	}
	return nil
}

// cutoffWords is "(changes close 48 hours before the appointment)".
func (p Policy) cutoffWords() string {
	if p.ChangeCutoff <= 0 {
		return " (the appointment has started)"
	}
	return " (changes close " + HoursWords(p.ChangeCutoff) + " before the appointment)"
}

// contactWords is "; please call +65 6000 0000 or write to hello@…".
func contactWords(a *Atelier) string {
	switch {
	case a == nil || (a.Phone == "" && a.Email == ""):
		return "; please contact the atelier"
	case a.Phone == "":
		return "; please write to " + a.Email
	case a.Email == "":
		return "; please call " + a.Phone
	}
	return "; please call " + a.Phone + " or write to " + a.Email
}

// HoursWords writes a cutoff in English: "48 hours", "1 hour", "90 minutes".
func HoursWords(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d == time.Minute:
		return "1 minute"
	}
	return strconv.Itoa(int(d/time.Minute)) + " minutes"
}

// Times writes a count of times in English: "once", "twice", "3 times".
func Times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.Itoa(n) + " times"
}

// Sentences are the booking policy in words for customers, before a
// booking is made (the details page) and after (with the booking's own
// times, which the pages and e-mails add): when changes close, how often a
// booking can be moved, and the atelier's own note.
func (p Policy) Sentences() []string {
	var out []string
	if p.ChangeCutoff > 0 {
		out = append(out, "You can cancel or move your appointment yourself until "+HoursWords(p.ChangeCutoff)+" before it starts; after that, please contact the atelier.")
	} else {
		out = append(out, "You can cancel or move your appointment yourself until it starts.")
	}
	if p.MaxReschedules > 0 {
		out = append(out, "It can be moved at most "+Times(p.MaxReschedules)+".")
	}
	if p.Note != "" {
		out = append(out, p.Note)
	}
	return out
}

// Text is Sentences as one paragraph.
func (p Policy) Text() string { return strings.Join(p.Sentences(), " ") }
