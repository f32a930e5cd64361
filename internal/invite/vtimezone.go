package invite

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"
)

// A VTIMEZONE (RFC 5545 §3.6.5) describing a Go time zone. Go does not
// expose the rules of a *time.Location, so they are recovered from the
// zone itself: its offset changes (onsets) are found by scanning the years
// 1900 to 2100, and the onsets of consecutive years that follow one yearly
// rule ("last Sunday of March at 02:00") become one observance with an
// RRULE, as Google Calendar and Apple's CalDAV server write them. Years
// that follow no rule get one observance per onset, so the result is exact
// over the period asked for whatever the zone's history.

// Years scanned for onsets. Go's zone data continue a zone's last rule
// forever, so a rule still in force in maxYear is written without an end.
const (
	minYear = 1900
	maxYear = 2100
)

// onset is a change of a zone's offset, abbreviation or DST flag.
type onset struct {
	at       time.Time // the instant, UTC
	from, to int       // UTC offsets before and after, in seconds
	name     string    // abbreviation after, e.g. "CEST"
	dst      bool      // daylight saving time after
}

// wall is the onset as RFC 5545 writes DTSTART: the local time just
// before the change (in the offset it changes from).
func (o onset) wall() time.Time {
	return o.at.Add(time.Duration(o.from) * time.Second).UTC()
}

// year is the local year the onset falls in.
func (o onset) year() int { return o.wall().Year() }

// sameKind reports whether a and b change between the same offsets at the
// same wall-clock time of the same month: the precondition for one yearly
// rule to describe both.
func (a onset) sameKind(b onset) bool {
	aw, bw := a.wall(), b.wall()
	ah, am, as := aw.Clock()
	bh, bm, bs := bw.Clock()
	return a.from == b.from && a.to == b.to && a.name == b.name && a.dst == b.dst &&
		aw.Month() == bw.Month() && ah == bh && am == bm && as == bs
}

type zoneState struct {
	name string
	off  int
	dst  bool
}

func stateAt(loc *time.Location, t time.Time) zoneState {
	lt := t.In(loc)
	name, off := lt.Zone()
	return zoneState{name, off, lt.IsDST()}
}

// zoneOnsets lists the onsets of loc from minYear to maxYear. Zones are
// scanned a day at a time (no zone changes twice in a day) and each change
// found is narrowed down to the second.
func zoneOnsets(loc *time.Location) []onset {
	key := zoneKey(loc)
	if v, ok := onsetCache.Load(key); ok {
		return v.([]onset)
	}
	const day = 24 * time.Hour
	var out []onset
	t := time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(maxYear+1, 1, 2, 0, 0, 0, 0, time.UTC)
	prev := stateAt(loc, t)
	for t.Before(end) {
		next := t.Add(day)
		s := stateAt(loc, next)
		if s != prev {
			lo, hi := t, next // prev holds at lo, s at hi
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
				if mid.Equal(lo) {
					mid = lo.Add(time.Second)
				}
				if stateAt(loc, mid) == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			out = append(out, onset{at: hi, from: prev.off, to: s.off, name: s.name, dst: s.dst})
			prev = s
		}
		t = next
	}
	onsetCache.Store(key, out)
	return out
}

var onsetCache sync.Map // zone key → []onset

// zoneKey names loc for the caches. Two zones may share a name
// (time.FixedZone); their offsets at a few instants tell them apart.
func zoneKey(loc *time.Location) string {
	key := loc.String()
	for _, y := range []int{1950, 2000, 2050} {
		for _, m := range []time.Month{time.January, time.July} {
			key += fmt.Sprintf("|%d", stateAt(loc, time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)).off)
		}
	}
	return key
}

// yearlyRule returns the BYxxx part of an RRULE that yields exactly the
// given onsets, one per consecutive year, all of the same kind: the n-th
// or last weekday of the month, a weekday within a seven-day window (Israel:
// the Friday before the last Sunday), or a fixed day of the month.
func yearlyRule(os []onset) (string, bool) {
	first := os[0].wall()
	by := "BYMONTH=" + strconv.Itoa(int(first.Month()))
	sameWeekday, sameDay := true, true
	last := true
	lo, hi := 1, 31 // window starts D such that every day is in [D, D+6]
	for _, o := range os {
		w := o.wall()
		if w.Weekday() != first.Weekday() {
			sameWeekday = false
		}
		if w.Day() != first.Day() {
			sameDay = false
		}
		if w.Day()+7 <= daysIn(w.Year(), w.Month()) {
			last = false
		}
		lo, hi = max(lo, w.Day()-6), min(hi, w.Day())
	}
	day := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[first.Weekday()]
	switch {
	case sameWeekday && lo <= hi:
		for d := lo; d <= hi; d++ {
			if d%7 == 1 {
				return by + ";BYDAY=" + strconv.Itoa(d/7+1) + day, true
			}
		}
		if last {
			return by + ";BYDAY=-1" + day, true
		}
		days := make([]string, 7)
		for i := range days {
			days[i] = strconv.Itoa(lo + i)
		}
		return by + ";BYMONTHDAY=" + strings.Join(days, ",") + ";BYDAY=" + day, true
	case sameWeekday && last:
		return by + ";BYDAY=-1" + day, true
	case sameDay:
		return by + ";BYMONTHDAY=" + strconv.Itoa(first.Day()), true
	}
	return "", false
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// years groups onsets by local year.
func years(all []onset) map[int][]onset {
	by := map[int][]onset{}
	for _, o := range all {
		by[o.year()] = append(by[o.year()], o)
	}
	return by
}

// regular reports whether the years y0..y1 follow one set of yearly rules:
// the same number of onsets each year, the k-th of each year described by
// one RRULE.
func regular(by map[int][]onset, y0, y1 int) bool {
	n := len(by[y0])
	for y := y0; y <= y1; y++ {
		if len(by[y]) != n {
			return false
		}
	}
	for k := 0; k < n; k++ {
		col := make([]onset, 0, y1-y0+1)
		for y := y0; y <= y1; y++ {
			if !by[y][k].sameKind(by[y0][k]) {
				return false
			}
			col = append(col, by[y][k])
		}
		if _, ok := yearlyRule(col); !ok {
			return false
		}
	}
	return true
}

// vtimezone describes loc over [from, to]. The observances in force then
// are written from the start of the rule they belong to, so the output
// changes only when the zone's rules do, not with from and to.
func vtimezone(loc *time.Location, from, to time.Time) *ical.Component {
	y0 := min(max(from.In(loc).Year(), minYear+1), maxYear)
	y1 := min(max(to.In(loc).Year(), y0), maxYear)
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	setXText(tz.Props, "X-LIC-LOCATION", loc.String())
	for _, o := range zonePlan(loc, y0, y1) {
		tz.Children = append(tz.Children, observance(o.onsets, o.open))
	}
	return tz
}

// planned is one observance to write: onsets of one kind in consecutive
// years, and whether its rule is still in force at the end of the data.
type planned struct {
	onsets []onset
	open   bool
}

var planCache sync.Map // zone key, years → []planned

// zonePlan lists the observances that cover the local years y0 to y1.
func zonePlan(loc *time.Location, y0, y1 int) []planned {
	key := zoneKey(loc) + fmt.Sprintf("|%d-%d", y0, y1)
	if v, ok := planCache.Load(key); ok {
		return v.([]planned)
	}
	all := zoneOnsets(loc)
	by := years(all)
	var plan []planned
	for y := y0; y <= y1; {
		// The run of regular years containing y, as long as it goes.
		start, end := y, y
		for start > minYear+1 && regular(by, start-1, end) {
			start--
		}
		for end < maxYear && regular(by, start, end+1) {
			end++
		}
		if y > y0 {
			start = y // an earlier run already covers the years before y
		}
		// Where a year swings between two offsets, the larger is summer
		// time, whatever tzdata's flag says (it calls Irish winter time
		// "daylight saving", a negative DST that clients do not expect).
		pattern := by[start]
		if len(pattern) == 2 && pattern[0].to != pattern[1].to {
			summer := max(pattern[0].to, pattern[1].to)
			for yy := start; yy <= end; yy++ {
				for k := range by[yy] {
					by[yy][k].dst = by[yy][k].to == summer
				}
			}
		}
		for k := range pattern {
			col := make([]onset, 0, end-start+1)
			for yy := start; yy <= end; yy++ {
				col = append(col, by[yy][k])
			}
			plan = append(plan, planned{col, end == maxYear})
		}
		y = end + 1
	}

	// The offset in force at the start of y0 may come from an onset before
	// the first one planned (a zone without DST: its last change, long ago).
	yearStart := time.Date(y0, 1, 1, 0, 0, 0, 0, loc)
	var firstAt time.Time
	for _, p := range plan {
		if firstAt.IsZero() || p.onsets[0].at.Before(firstAt) {
			firstAt = p.onsets[0].at
		}
	}
	if firstAt.IsZero() || firstAt.After(yearStart) {
		var before *onset
		for i := range all {
			if all[i].at.Before(yearStart) {
				before = &all[i]
			}
		}
		if before == nil {
			// No change on record: the zone's offset has always been this.
			s := stateAt(loc, yearStart)
			before = &onset{at: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(s.off) * time.Second),
				from: s.off, to: s.off, name: s.name, dst: s.dst}
		}
		plan = append([]planned{{onsets: []onset{*before}}}, plan...)
	}
	planCache.Store(key, plan)
	return plan
}

// observance is one STANDARD or DAYLIGHT component for onsets of one kind
// in consecutive years; with more than one it carries the yearly RRULE,
// ending at the last unless open says the rule is still in force.
func observance(os []onset, open bool) *ical.Component {
	o := os[0]
	name := ical.CompTimezoneStandard
	if o.dst {
		name = ical.CompTimezoneDaylight
	}
	c := ical.NewComponent(name)
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Value = o.wall().Format("20060102T150405")
	c.Props.Set(start)
	if len(os) > 1 || open {
		rule, _ := yearlyRule(os)
		rr := ical.NewProp(ical.PropRecurrenceRule)
		rr.Value = "FREQ=YEARLY;" + rule
		if !open {
			// A rule that ended is bounded by COUNT rather than UNTIL:
			// UNTIL must be UTC here (RFC 5545 §3.3.10), which readers
			// that compare it with DTSTART's local time mishandle
			// (python-icalendar 4 refuses the zone).
			rr.Value += ";COUNT=" + strconv.Itoa(len(os))
		}
		c.Props.Set(rr)
	}
	for prop, off := range map[string]int{ical.PropTimezoneOffsetFrom: o.from, ical.PropTimezoneOffsetTo: o.to} {
		p := ical.NewProp(prop)
		p.Value = utcOffset(off)
		c.Props.Set(p)
	}
	if o.name != "" {
		setXText(c.Props, ical.PropTimezoneName, o.name)
	}
	return c
}

// utcOffset formats seconds east of UTC as RFC 5545 UTC-OFFSET: +0800,
// -0330, or with seconds (+001730) for old local mean times.
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// setXText sets a TEXT property without the VALUE=TEXT parameter that
// go-ical adds to properties whose default type it does not know.
func setXText(props ical.Props, name, value string) {
	props.SetText(name, value)
	props.Get(name).Params.Del(ical.ParamValue)
}
