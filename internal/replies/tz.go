package replies

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atelier-app/atelier/internal/booking"
)

const (
	icalDateTime    = "20060102T150405"
	icalDateTimeUTC = "20060102T150405Z"
)

// eventTime reads a DTSTART or DTEND of a proposed time. UTC times are
// read as such; a TZID that names an IANA zone ("Asia/Singapore", Google
// and Apple) is that zone; any other TZID ("Singapore Standard Time",
// Outlook's Windows names) is resolved with the VTIMEZONE of the same
// name that the object carries, as RFC 5545 §3.2.19 requires; a time with
// neither is floating and read in floating. A date without a time is not
// a proposal for an appointment.
func eventTime(p *ical.Prop, cal *ical.Calendar, floating *time.Location) (time.Time, error) {
	if p == nil {
		return time.Time{}, fmt.Errorf("missing")
	}
	v := strings.TrimSpace(p.Value)
	if p.ValueType() == ical.ValueDate || len(v) == len("20060102") {
		return time.Time{}, fmt.Errorf("a date without a time")
	}
	if strings.HasSuffix(v, "Z") {
		return time.Parse(icalDateTimeUTC, v)
	}
	local, err := time.Parse(icalDateTime, v) // the wall clock, as if in UTC
	if err != nil {
		return time.Time{}, err
	}
	tzid := strings.Trim(strings.TrimSpace(p.Params.Get(ical.PropTimezoneID)), `"`)
	if tzid == "" {
		if floating == nil {
			floating = time.UTC
		}
		return time.ParseInLocation(icalDateTime, v, floating)
	}
	if loc, err := booking.LoadZone(tzid); err == nil {
		return time.ParseInLocation(icalDateTime, v, loc)
	}
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		if id := c.Props.Get(ical.PropTimezoneID); id != nil && strings.TrimSpace(id.Value) == tzid {
			off, err := vtimezoneOffset(c, local)
			if err != nil {
				return time.Time{}, fmt.Errorf("time zone %q: %w", tzid, err)
			}
			return local.Add(-off), nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown time zone %q", tzid)
}

// vtimezoneOffset returns the UTC offset that the VTIMEZONE tz gives the
// wall-clock time local (a time in UTC standing for the wall clock): the
// TZOFFSETTO of its STANDARD or DAYLIGHT observance with the latest onset
// at or before local. Onsets repeat by RRULE; only yearly rules are
// followed (every real time zone's are), so that a hostile rule cannot
// make the reader count seconds for centuries. An onset is compared in
// wall-clock time, which is off only within the hour of a change.
func vtimezoneOffset(tz *ical.Component, local time.Time) (time.Duration, error) {
	var best, earliest observance
	found := false
	for _, o := range tz.Children {
		if o.Name != ical.CompTimezoneStandard && o.Name != ical.CompTimezoneDaylight {
			continue
		}
		ob, err := readObservance(o, local)
		if err != nil {
			return 0, err
		}
		if earliest.start.IsZero() || ob.start.Before(earliest.start) {
			earliest = ob
		}
		if !ob.onset.IsZero() && (!found || ob.onset.After(best.onset)) {
			best, found = ob, true
		}
	}
	switch {
	case found:
		return best.to, nil
	case !earliest.start.IsZero():
		return earliest.from, nil // before every onset: the offset before the first
	}
	return 0, fmt.Errorf("no observance")
}

// observance is one STANDARD or DAYLIGHT part of a VTIMEZONE as it
// bears on a wall-clock time.
type observance struct {
	start    time.Time     // its DTSTART, the first onset
	onset    time.Time     // its latest onset at or before the time; zero if none
	from, to time.Duration // TZOFFSETFROM (TZOFFSETTO when missing) and TZOFFSETTO
}

// readObservance reads the observance o for the wall-clock time local.
func readObservance(o *ical.Component, local time.Time) (observance, error) {
	to, err := utcOffset(o.Props.Get(ical.PropTimezoneOffsetTo))
	if err != nil {
		return observance{}, err
	}
	from, err := utcOffset(o.Props.Get(ical.PropTimezoneOffsetFrom))
	if err != nil {
		from = to
	}
	start := o.Props.Get(ical.PropDateTimeStart)
	if start == nil {
		return observance{}, fmt.Errorf("an observance without DTSTART")
	}
	onset0, err := time.Parse(icalDateTime, strings.TrimSpace(start.Value))
	if err != nil || onset0.Year() < 1600 {
		return observance{}, fmt.Errorf("DTSTART %q", start.Value)
	}
	ob := observance{start: onset0, from: from, to: to}
	if !onset0.After(local) {
		ob.onset = onset0
	}
	if ob.onset, err = latestOnset(o, onset0, local, ob.onset); err != nil {
		return observance{}, err
	}
	return ob, nil
}

// latestOnset is the latest onset of o at or before local, from its
// yearly RRULE and its RDATEs, or onset when none is later.
func latestOnset(o *ical.Component, onset0, local, onset time.Time) (time.Time, error) {
	if rule := o.Props.Get(ical.PropRecurrenceRule); rule != nil {
		if err := yearlyRule(rule.Value); err != nil {
			return time.Time{}, err
		}
		set, err := reanchored(o, onset0, local).RecurrenceSet(time.UTC)
		if err != nil {
			return time.Time{}, err
		}
		if set != nil {
			if t := set.Before(local, true); !t.IsZero() {
				onset = t
			}
		}
	}
	for _, rd := range o.Props.Values(ical.PropRecurrenceDates) {
		for _, s := range strings.Split(rd.Value, ",") {
			if t, err := time.Parse(icalDateTime, strings.TrimSpace(s)); err == nil && !t.After(local) && t.After(onset) {
				onset = t
			}
		}
	}
	return onset, nil
}

// utcOffset reads a UTC-OFFSET value: "+0800", "-0330", "+053000".
func utcOffset(p *ical.Prop) (time.Duration, error) {
	if p == nil {
		return 0, fmt.Errorf("missing offset")
	}
	v := strings.TrimSpace(p.Value)
	if len(v) != 5 && len(v) != 7 || (v[0] != '+' && v[0] != '-') {
		return 0, fmt.Errorf("offset %q", v)
	}
	h, err1 := strconv.Atoi(v[1:3])
	m, err2 := strconv.Atoi(v[3:5])
	s := 0
	var err3 error
	if len(v) == 7 {
		s, err3 = strconv.Atoi(v[5:7])
	}
	if err1 != nil || err2 != nil || err3 != nil || h > 23 || m > 59 || s > 59 {
		return 0, fmt.Errorf("offset %q", v)
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	if v[0] == '-' {
		d = -d
	}
	return d, nil
}

// yearlyRule accepts the RRULEs of time zone observances: yearly, by
// month and day (weekday or day of the month). Anything else could
// expand to millions of onsets a year.
func yearlyRule(rule string) error {
	yearly := false
	for _, part := range strings.Split(strings.ToUpper(rule), ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "FREQ":
			yearly = value == "YEARLY"
		case "BYMONTH", "BYDAY", "BYMONTHDAY":
			if strings.Count(value, ",") > 11 {
				return fmt.Errorf("an observance rule with too many values")
			}
		case "UNTIL", "COUNT", "INTERVAL", "WKST", "":
		default:
			return fmt.Errorf("an observance rule with %s", name)
		}
	}
	if !yearly {
		return fmt.Errorf("an observance repeating other than yearly")
	}
	return nil
}

// reanchored returns observance o with its DTSTART moved to two years
// before local, same month, day and time, when it is older: Outlook starts
// every rule in 1601, and the recurrence library stops expanding after a
// few hundred occurrences. A yearly rule by month and day gives the same
// onsets from either start; a rule with a COUNT is left as it is.
func reanchored(o *ical.Component, onset0, local time.Time) *ical.Component {
	rule := strings.ToUpper(o.Props.Get(ical.PropRecurrenceRule).Value)
	year := local.Year() - 2
	if onset0.Year() >= year || strings.Contains(rule, "COUNT=") {
		return o
	}
	at := time.Date(year, onset0.Month(), onset0.Day(), onset0.Hour(), onset0.Minute(), onset0.Second(), 0, time.UTC)
	c := *o
	c.Props = make(ical.Props, len(o.Props))
	for k, v := range o.Props {
		c.Props[k] = v
	}
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Value = at.Format(icalDateTime)
	c.Props.Set(start)
	return &c
}
