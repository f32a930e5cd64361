package web

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Dates and times are written out in British English, the house style of
// the demo atelier: "Tuesday 8 December 2026", "2:30 pm".

func fmtDate(t time.Time) string      { return t.Format("Monday 2 January 2006") }
func fmtShortDate(t time.Time) string { return t.Format("Mon 2 Jan") }
func fmtTime(t time.Time) string      { return t.Format("3:04 pm") }
func fmtMonth(d booking.Date) string  { return d.In(time.UTC).Format("January 2006") }

// fmtDateRange writes the days from to to, both included, each with its
// weekday; the first day's year is left out only when both share it:
// "Saturday 6 February – Monday 8 February 2027", "Thursday 31 December
// 2026 – Saturday 2 January 2027", or one date when from is to.
func fmtDateRange(from, to booking.Date) string {
	f, t := from.In(time.UTC), to.In(time.UTC)
	switch {
	case from == to:
		return fmtDate(f)
	case from.Year == to.Year:
		return f.Format("Monday 2 January") + " – " + fmtDate(t)
	default:
		return fmtDate(f) + " – " + fmtDate(t)
	}
}

// fmtDuration writes minutes as "90 minutes" or "1 hour 30 minutes".
func fmtDuration(min int) string {
	h, m := min/60, min%60
	var parts []string
	switch h {
	case 0:
	case 1:
		parts = append(parts, "1 hour")
	default:
		parts = append(parts, fmt.Sprintf("%d hours", h))
	}
	if m > 0 || h == 0 {
		parts = append(parts, fmt.Sprintf("%d minutes", m))
	}
	return strings.Join(parts, " ")
}

// modeLabel names a mode for customers.
func modeLabel(m booking.Mode) string {
	switch m {
	case booking.InPerson:
		return "Visit to the atelier"
	case booking.Virtual:
		return "Virtual consultation"
	}
	return string(m)
}

// googleCalendarURL is an "add to Google Calendar" link for an event.
func googleCalendarURL(title string, start, end time.Time, details, location, tz string) string {
	const f = "20060102T150405Z"
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", title)
	q.Set("dates", start.UTC().Format(f)+"/"+end.UTC().Format(f))
	if details != "" {
		q.Set("details", details)
	}
	if location != "" {
		q.Set("location", location)
	}
	if tz != "" {
		q.Set("ctz", tz)
	}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}

// mapURL links to the atelier on a map: the configured link, else a search
// for the address.
func mapURL(configured, address string) string {
	if configured != "" {
		return configured
	}
	if address == "" {
		return ""
	}
	return "https://www.openstreetmap.org/search?query=" + url.QueryEscape(address)
}

// waitPhrase says how long to wait in words: "a few seconds", "about 40
// seconds", "a minute", "2 minutes".
func waitPhrase(d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	switch {
	case secs <= 5:
		return "a few seconds"
	case secs < 55:
		return fmt.Sprintf("about %d seconds", (secs+4)/5*5)
	case secs <= 60:
		return "a minute"
	default:
		return fmt.Sprintf("%d minutes", (secs+59)/60)
	}
}

// unbookableNotice is what a customer reads when the time they chose
// (start, in the page's zone) cannot be booked after all: "booked by
// someone else a moment ago" only when it was free and has been taken
// meanwhile, otherwise unbookableReason. tail follows either.
func unbookableNotice(err error, start time.Time, atelierZone, tail string) string {
	var e *booking.Error
	if booking.SlotTaken(err) || !errors.As(err, &e) || e.Kind != booking.ECONFLICT {
		return "Sorry, " + fmtTime(start) + " was booked by someone else a moment ago. " + tail
	}
	return unbookableReason(e, start.Location().String(), atelierZone) + " " + tail
}

// unbookableReason is the engine's reason a time never was bookable
// ("The atelier is closed at 20:30 on Saturday 12 December (open
// 10:00-18:00 that day)."), whose times and dates are the atelier's: when
// the page shows another zone (pageZone), it says so.
func unbookableReason(e *booking.Error, pageZone, atelierZone string) string {
	msg := sentence(e.Message)
	if pageZone != atelierZone {
		msg += " Times and dates are the atelier's, in " + cityOf(atelierZone) + "."
	}
	return msg
}

// fmtSlotTime is fmtTime for a time in a list of times: in the hour the
// clocks go back, when the same time of day comes twice, the zone's
// abbreviation tells the two apart ("1:30 am BST", "1:30 am GMT").
func fmtSlotTime(t time.Time) string {
	h, m, _ := t.Clock()
	if _, n := booking.DateOf(t).Occurrences(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute, t.Location()); n > 1 {
		return fmtTime(t) + " " + t.Format("MST")
	}
	return fmtTime(t)
}
