package availability

import (
	"strconv"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// minutes renders an interval as "30-minute" or "1-hour" for messages.
func minutes(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "-hour"
	}
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + "-minute"
	}
	return d.String()
}

// notice renders a minimum notice as "24 hours'" or "1 hour's".
func notice(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	if d%time.Hour == 0 {
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return "1 " + unit + "'s"
	}
	return strconv.Itoa(n) + " " + unit + "s'"
}

// days renders a number of days: "1 day", "90 days".
func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

func modeName(m booking.Mode) string {
	if m == booking.InPerson {
		return "in person"
	}
	return "as a virtual consultation"
}

// speaker writes the reasons Place gives, in the atelier's local time:
// "20:30 on Tuesday 2 June", with the year only when it is not this year's.
// The messages reach customers (problem details, pages) and staff alike,
// so they never name a time off's reason or a customer.
type speaker struct {
	loc *time.Location
	now time.Time
}

// date is "Tuesday 2 June" (or "Tuesday 2 June 2027" in another year).
func (sp speaker) date(d booking.Date) string {
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	if d.Year != sp.now.In(sp.loc).Year() {
		return t.Format("Monday 2 January 2006")
	}
	return t.Format("Monday 2 January")
}

// clock is the local wall time of t, "20:30", with the zone's abbreviation
// in a repeated hour ("01:30 BST"), where the time alone names two instants.
func (sp speaker) clock(t time.Time) string {
	w := t.In(sp.loc)
	h, m, _ := w.Clock()
	s := w.Format("15:04")
	if _, n := booking.DateOf(w).Occurrences(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute, sp.loc); n > 1 {
		s += " " + w.Format("MST")
	}
	return s
}

// when is "20:30 on Tuesday 2 June".
func (sp speaker) when(t time.Time) string {
	return sp.clock(t) + " on " + sp.date(booking.DateOf(t.In(sp.loc)))
}

// bound is the wall time of the end of a span that ends at t on day dy:
// "19:00", or "midnight" at the end of the day.
func (sp speaker) bound(dy *day, t int64) string {
	if t >= dy.end.UnixNano() {
		return "midnight"
	}
	return sp.clock(time.Unix(0, t))
}

// hours writes wall-clock spans as "10:00-13:00 and 14:00-19:00", touching
// spans merged.
func hours(spans []booking.Span) string {
	var out []string
	for i := 0; i < len(spans); i++ {
		sp := spans[i]
		for i+1 < len(spans) && spans[i+1].Start <= sp.End {
			sp.End = max(sp.End, spans[i+1].End)
			i++
		}
		out = append(out, sp.String())
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

// containing returns the interval of s that holds instant t.
func containing(s set, t int64) (interval, bool) {
	for _, iv := range s {
		if t >= iv.start && t < iv.end {
			return iv, true
		}
	}
	return interval{}, false
}

// closure says which closure covers d: "that is a closure day: Christmas
// (Friday 25 December)".
func (sp speaker) closure(closures []booking.Closure, d booking.Date) error {
	for _, c := range closures {
		if !c.Covers(d) {
			continue
		}
		if c.Reason != "" {
			return booking.ErrSlotNotBookable(booking.ReasonClosure, "that is a closure day: "+c.Reason+" ("+sp.date(d)+")")
		}
		break
	}
	return booking.ErrSlotNotBookable(booking.ReasonClosure, sp.date(d)+" is a closure day: the atelier is closed")
}

// forDate is what a reason adds when the day's hours were set for that
// date rather than taken from the week: who reads "closed on Sunday"
// after seeing the week's Sunday hours learns why.
func forDate(special bool) string {
	if special {
		return " (hours set for that date)"
	}
	return ""
}

// thatDay names the hours of a day in a reason: "that day", or "on that
// date only" for hours set for the date.
func thatDay(special bool) string {
	if special {
		return "that day, hours set for that date"
	}
	return "that day"
}

// outsideOpening says why [start, end) is outside the opening hours of dy
// (its wall-clock spans: the day's hours as configured or set for the date).
func (sp speaker) outsideOpening(dy *day, svc *booking.Service, start, end time.Time) error {
	iv, ok := containing(dy.opening, start.UnixNano())
	if !ok {
		return booking.ErrSlotNotBookable(booking.ReasonClosed,
			"the atelier is closed at "+sp.when(start)+" (open "+hours(dy.openSpans)+" "+thatDay(dy.special)+")")
	}
	return booking.ErrSlotNotBookable(booking.ReasonClosed,
		"a "+minutes(svc.Duration)+" appointment at "+sp.when(start)+" would end after the atelier closes at "+sp.bound(dy, iv.end)+forDate(dy.special))
}

// noArtisan explains why no candidate can take the slot. A candidate who
// is booked, fully booked or busy in their own calendar means that the
// time has been taken (booking.ErrSlotUnavailable); when every candidate
// is outside their working hours or away, the time never was bookable.
func (sp speaker) noArtisan(s *booking.Schedule, ix *index, dy *day, r Request, svc *booking.Service, start, end, bs, be time.Time) error {
	var errs []*booking.Error
	for i := range ix.artisans {
		errs = append(errs, sp.artisanError(s, ix, dy, i, r, svc, start, end, bs, be))
	}
	if len(errs) == 1 {
		return errs[0]
	}
	away := true
	for _, e := range errs {
		if e.Reason == booking.ReasonTaken {
			return booking.ErrSlotUnavailable("no artisan is free then")
		}
		away = away && e.Reason == booking.ReasonAway
	}
	if away {
		return booking.ErrSlotNotBookable(booking.ReasonAway, "every artisan who offers this service is away at "+sp.when(start))
	}
	return booking.ErrSlotNotBookable(booking.ReasonNotWorking, "no artisan who offers this service is working at "+sp.when(start))
}

// artisanError is why candidate i cannot take the slot.
func (sp speaker) artisanError(s *booking.Schedule, ix *index, dy *day, i int, r Request, svc *booking.Service, start, end, bs, be time.Time) *booking.Error {
	a := ix.artisans[i]
	name := a.Name
	if name == "" {
		name = a.ID
	}
	switch ix.artisanProblem(dy, i, bs.UnixNano(), be.UnixNano()) {
	case notWorking:
		spans, special := dy.workSpans[i], dy.workDate[i]
		work := dy.working[i]
		iv, ok := containing(work, start.UnixNano())
		var msg string
		switch {
		case len(work) == 0:
			msg = name + " does not work on " + sp.date(dy.date) + forDate(special)
		case !ok:
			msg = name + " does not work at " + sp.when(start) + " (working hours " + thatDay(special) + ": " + hours(spans) + ")"
		case end.UnixNano() > iv.end:
			msg = "a " + minutes(svc.Duration) + " appointment at " + sp.when(start) + " would end after " + name + " stops work at " + sp.bound(dy, iv.end) + forDate(special)
		default:
			msg = "with the time kept free around it, the appointment at " + sp.when(start) + " needs " + name +
				" from " + sp.clock(bs) + " to " + sp.clock(be) + ", outside the working hours " + thatDay(special) + " (" + hours(spans) + ")"
		}
		return booking.ErrSlotNotBookable(booking.ReasonNotWorking, msg)
	case capped:
		return booking.ErrSlotUnavailable(name + " is fully booked on " + sp.date(dy.date))
	}
	// Blocked: by a booking (taken), else by time off (never bookable),
	// else by a busy time from the artisan's own calendar (taken).
	for k := range s.Bookings {
		b := &s.Bookings[k]
		if b.HasArtisan(a.ID) && b.Status.Holds() && (r.IgnoreBookingID == "" || b.ID != r.IgnoreBookingID) &&
			booking.Overlaps(bs, be, b.BlockStart, b.BlockEnd) {
			return booking.ErrSlotUnavailable(name + " is booked then")
		}
	}
	bsN, beN := bs.UnixNano(), be.UnixNano()
	for _, run := range s.Holds {
		for k := range run {
			h := &run[k]
			if h.HasArtisan(a.ID) && (r.IgnoreBookingID == "" || h.ID != r.IgnoreBookingID) && bsN < h.BlockEnd && h.BlockStart < beN {
				return booking.ErrSlotUnavailable(name + " is booked then")
			}
		}
	}
	for _, t := range a.TimeOff {
		if !booking.Overlaps(bs, be, t.Start, t.End) {
			continue
		}
		var msg string
		switch {
		case t.Start.After(start):
			msg = name + " is away from " + sp.clock(t.Start) + ", before a " + minutes(svc.Duration) + " appointment at " + sp.when(start) + " would end"
		case !t.End.After(start):
			msg = name + " is away until " + sp.clock(t.End) + " on " + sp.date(dy.date) + ", and an appointment at " + sp.clock(start) +
				" needs " + name + " from " + sp.clock(bs)
		default:
			msg = name + " is away at " + sp.when(start)
		}
		return booking.ErrSlotNotBookable(booking.ReasonAway, msg)
	}
	return booking.ErrSlotUnavailable(name + " is not free then")
}
