package web

import (
	"errors"
	"math"
	"net/url"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// Dates and times are written in the page's language by internal/i18n,
// the same functions as the e-mails': "Tuesday 8 December 2026",
// "2:30 pm" in English (British), "2026年12月8日 星期二", "14:30" in
// Chinese; atelier.clock chooses 12 or 24 hours.

func fmtDate(l *i18n.Lang, t time.Time) string      { return l.Date(t) }
func fmtShortDate(l *i18n.Lang, t time.Time) string { return l.ShortDate(t) }
func fmtTime(l *i18n.Lang, t time.Time) string      { return l.Time(t) }
func fmtMonth(l *i18n.Lang, d booking.Date) string  { return l.Month(d.In(time.UTC)) }

// fmtDateRange writes the days from to to, both included, each with its
// weekday; the first day's year is left out only when both share it:
// "Saturday 6 February – Monday 8 February 2027", "Thursday 31 December
// 2026 – Saturday 2 January 2027", or one date when from is to.
func fmtDateRange(l *i18n.Lang, from, to booking.Date) string {
	return l.DateRange(from.In(time.UTC), to.In(time.UTC))
}

// fmtDuration writes minutes as "90 minutes" or "1 hour 30 minutes".
func fmtDuration(l *i18n.Lang, min int) string { return l.Duration(min) }

// modeLabel names a mode for customers.
func modeLabel(l *i18n.Lang, m booking.Mode) string {
	switch m {
	case booking.InPerson:
		return l.T("mode.in_person")
	case booking.Virtual:
		return l.T("mode.virtual")
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
func waitPhrase(l *i18n.Lang, d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	switch {
	case secs <= 5:
		return l.T("wait.few_seconds")
	case secs < 55:
		return l.N("wait.about_seconds", (secs+4)/5*5)
	case secs <= 60:
		return l.T("wait.minute")
	default:
		return l.N("wait.minutes", (secs+59)/60)
	}
}

// unbookableNotice is what a customer reads when the time they chose
// (start, in the page's zone) cannot be booked after all: "booked by
// someone else a moment ago" only when it was free and has been taken
// meanwhile, otherwise unbookableReason. tail follows either.
func unbookableNotice(l *i18n.Lang, err error, start time.Time, atelierZone, tail string) string {
	var e *booking.Error
	if booking.SlotTaken(err) || !errors.As(err, &e) || e.Kind != booking.ECONFLICT {
		return l.Sentences(l.T("notice.taken_time", "Time", fmtTime(l, start)), tail)
	}
	return l.Sentences(unbookableReason(l, e, start.Location().String(), atelierZone), tail)
}

// unbookableReason is the engine's reason a time never was bookable
// ("The atelier is closed at 20:30 on Saturday 12 December (open
// 10:00-18:00 that day)."), whose times and dates are the atelier's: when
// the page shows another zone (pageZone), it says so.
func unbookableReason(l *i18n.Lang, e *booking.Error, pageZone, atelierZone string) string {
	msg := l.Problem(e.Code, e.Reason, sentence(e.Message))
	if pageZone != atelierZone && l.Name() == i18n.Default {
		// Only the English message names times, in the atelier's zone.
		msg += " Times and dates are the atelier's, in " + cityOf(l, atelierZone) + "."
	}
	return msg
}

// fmtSlotTime is fmtTime for a time in a list of times: in the hour the
// clocks go back, when the same time of day comes twice, the zone's
// abbreviation tells the two apart ("1:30 am BST", "1:30 am GMT").
func fmtSlotTime(l *i18n.Lang, t time.Time) string {
	h, m, _ := t.Clock()
	if _, n := booking.DateOf(t).Occurrences(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute, t.Location()); n > 1 {
		return fmtTime(l, t) + " " + t.Format("MST")
	}
	return fmtTime(l, t)
}
