package web

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// commonZones are offered in the time zone selector (Go cannot list the
// zones it knows). The atelier's zone and the zone in use are added when
// missing, and any valid IANA name is accepted in the URL.
var commonZones = []string{
	"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
	"America/Chicago", "America/New_York", "America/Toronto", "America/Mexico_City",
	"America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
	"Atlantic/Reykjavik", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris",
	"Europe/Madrid", "Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome",
	"Europe/Stockholm", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos",
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi",
	"Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Kuala_Lumpur",
	"Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Taipei", "Asia/Manila",
	"Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide", "Australia/Brisbane",
	"Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "UTC",
}

// loadZone loads an IANA zone by the one rule (booking.LoadZone: the
// empty name and "Local" are refused, so the server's own zone never
// leaks into a page); ok is false for a name that is not a zone.
func loadZone(name string) (loc *time.Location, ok bool) {
	loc, err := booking.LoadZone(name)
	return loc, err == nil
}

// zoneOption is one entry of the time zone selector.
type zoneOption struct {
	Name, Label string
	Selected    bool
}

// zoneOptions lists commonZones plus extra zones, with selected marked.
func zoneOptions(selected string, extra ...string) []zoneOption {
	names := slices.Clone(commonZones)
	for _, z := range append(extra, selected) {
		if z != "" && !slices.Contains(names, z) {
			names = append(names, z)
		}
	}
	slices.Sort(names)
	out := make([]zoneOption, 0, len(names))
	for _, n := range names {
		out = append(out, zoneOption{Name: n, Label: zoneLabel(n), Selected: n == selected})
	}
	return out
}

// zoneLabel is a zone name for people: "Europe/London" becomes
// "Europe / London".
func zoneLabel(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "_", " "), "/", " / ")
}

// cityOf is the last part of a zone name: "Singapore", "London", "New York".
func cityOf(l *i18n.Lang, name string) string { return i18n.City(l, name) }

// errNotLocalTime is a date or a time of day that does not parse.
var errNotLocalTime = errors.New("not a date and a time of day")

// localTime turns a date ("2026-03-29") and a time of day ("14:30") that a
// person typed into an instant in loc. It is the one rule of every form
// that takes a local date and time (booking on a customer's behalf,
// moving a booking, time off): booking.Date.Exact. A time that the clocks
// skip that day is a *booking.SkippedTimeError, never silently moved to
// another time (time.Date would make 01:30 on a London spring-forward day
// 02:30); a time in the hour the clocks go back is its first occurrence
// (summer time), since no form offers a choice between the two. Anything
// that does not parse is errNotLocalTime.
func localTime(date, clock string, loc *time.Location) (time.Time, error) {
	d, err := booking.ParseDate(strings.TrimSpace(date))
	if err != nil {
		return time.Time{}, errNotLocalTime
	}
	c, err := booking.ParseClock(strings.TrimSpace(clock))
	if err != nil || c >= 24*60 {
		return time.Time{}, errNotLocalTime
	}
	return d.Exact(c, loc)
}

// localDateTime reads an <input type="datetime-local"> value
// ("2026-03-29T14:30") by the rule of localTime.
func localDateTime(s string, loc *time.Location) (time.Time, error) {
	date, clock, ok := strings.Cut(strings.TrimSpace(s), "T")
	if !ok {
		return time.Time{}, errNotLocalTime
	}
	return localTime(date, clock, loc)
}

// skippedWhy says why a skipped time does not exist, for a form's field:
// "on Sunday 29 March 2026 the clocks in London go forward from 1:00 am to
// 2:00 am".
func skippedWhy(e *booking.SkippedTimeError) string {
	clock := func(c booking.Clock) string {
		return fmtTime(i18n.English(), time.Date(2000, 1, 1, int(c)/60, int(c)%60, 0, 0, time.UTC))
	}
	return "on " + fmtDate(i18n.English(), time.Date(e.Date.Year, e.Date.Month, e.Date.Day, 12, 0, 0, 0, time.UTC)) +
		" the clocks in " + cityOf(i18n.English(), e.Zone) + " go forward from " + clock(e.GapStart) + " to " + clock(e.GapEnd)
}

// whenProblem is the message of a form's date and time fields that
// localTime refused, as a sentence.
func whenProblem(err error) string {
	var se *booking.SkippedTimeError
	if errors.As(err, &se) {
		return fmtTime(i18n.English(), time.Date(2000, 1, 1, int(se.Clock)/60, int(se.Clock)%60, 0, 0, time.UTC)) +
			" does not exist that day: " + skippedWhy(se) + ". Choose another time."
	}
	return "Give a date and a time such as 14:30."
}

// fieldProblem is the same for a single date-and-time field whose
// template writes "The start {{.}}.".
func fieldProblem(err error) string {
	var se *booking.SkippedTimeError
	if errors.As(err, &se) {
		return "is a time that does not exist: " + skippedWhy(se)
	}
	return "must be a date and time"
}
