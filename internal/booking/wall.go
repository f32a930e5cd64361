package booking

import (
	"fmt"
	"time"
)

// Wall-clock times and instants. Every local date and time in the project
// (opening hours, the slot grid, a date and a time typed into a staff
// form, the first instant of a day in a date range) becomes an instant
// through the functions of this file, so one rule decides what a time in a
// gap (clocks go forward) or in a repeated hour (clocks go back) means.
//
// time.Date is not used for this because its choice for such times depends
// on the direction of the zone's change: in New York 02:30 on a
// spring-forward day becomes 01:30 EST, in London 01:30 becomes 02:30 BST.

// maxOffset bounds the UTC offset of any zone (the tz database stays within
// -12h..+14h); a wall time is searched for within this distance of the same
// wall time read as UTC.
const maxOffset = 15 * time.Hour

// naiveWall is wall time since (the start of date d) + since, read as if it
// were UTC: the instant it names is naiveWall minus the offset in effect.
func naiveWall(d Date, since time.Duration) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(since)
}

// resolve finds the instants at which the wall clock in loc reads naive
// (a wall time read as UTC). occ holds them in order, n of them: 1 as a
// rule, 2 in a repeated hour, 0 in a gap. When n is 0, jump is the moment
// the clocks jumped over it (the first instant whose wall clock is past
// it).
func resolve(naive time.Time, loc *time.Location) (occ [2]time.Time, n int, jump time.Time) {
	t := naive.Add(-maxOffset).In(loc)
	end := naive.Add(maxOffset)
	for {
		_, off := t.Zone()
		start, stop := t.ZoneBounds()
		offset := time.Duration(off) * time.Second
		// Periods come in order and an offset that falls makes the later
		// occurrence the later instant, so occ comes out sorted.
		if cand := naive.Add(-offset); !cand.Before(start) && (stop.IsZero() || cand.Before(stop)) {
			if n < len(occ) {
				occ[n] = cand.In(loc)
				n++
			}
		} else if n == 0 && jump.IsZero() && !start.IsZero() && start.Add(offset).After(naive) {
			jump = start.In(loc)
		}
		if stop.IsZero() || !stop.Before(end) {
			break
		}
		t = stop.In(loc)
	}
	if n == 0 && jump.IsZero() {
		// Unreachable for real zones; fall back to the library's choice.
		jump = time.Date(naive.Year(), naive.Month(), naive.Day(), naive.Hour(), naive.Minute(), naive.Second(), naive.Nanosecond(), loc)
	}
	return occ, n, jump
}

// Occurrences returns the instants at which the wall clock in loc reads
// date d and the time since its midnight, in order: one as a rule, none
// when the clocks skip that time (spring forward), two when they repeat it
// (fall back).
func (d Date) Occurrences(since time.Duration, loc *time.Location) (occ [2]time.Time, n int) {
	occ, n, _ = resolve(naiveWall(d, since), loc)
	return occ, n
}

// At returns the first instant at which the wall clock in loc reads c on d
// or later: the instant of c when it exists, its first occurrence when it
// is repeated, and the moment of the jump when it is skipped. This is the
// rule for the bounds of opening and working hours: "10:00-19:00" on any
// day is 10:00 to 19:00 local time, and a bound in a skipped hour is the
// moment the clocks jump. Clock 24:00 is the start of the next day.
func (d Date) At(c Clock, loc *time.Location) time.Time {
	occ, n, jump := resolve(naiveWall(d, time.Duration(c)*time.Minute), loc)
	if n > 0 {
		return occ[0]
	}
	return jump
}

// In returns the start of d in loc: local midnight, or the first instant
// of the day when midnight itself is skipped.
func (d Date) In(loc *time.Location) time.Time { return d.At(0, loc) }

// Exact returns the instant of a wall-clock time a person gave, such as a
// date and a time typed into a form. A time that the clocks skip that day
// does not exist: Exact returns a *SkippedTimeError rather than moving it.
// A repeated time (the hour the clocks go back) is its first occurrence,
// for a form that offers no choice between the two. Clock 24:00 is refused.
func (d Date) Exact(c Clock, loc *time.Location) (time.Time, error) {
	if c < 0 || c >= 24*60 {
		return time.Time{}, fmt.Errorf("%s is not a time of day", c)
	}
	occ, n, jump := resolve(naiveWall(d, time.Duration(c)*time.Minute), loc)
	if n > 0 {
		return occ[0], nil
	}
	return time.Time{}, skipped(d, c, jump, loc)
}

// SkippedTimeError says that a local time does not exist on a date in a
// zone, because the clocks jump over it: they go forward at GapStart
// (a wall time on Date) to GapEnd.
type SkippedTimeError struct {
	Date             Date
	Clock            Clock
	Zone             string
	GapStart, GapEnd Clock
}

func (e *SkippedTimeError) Error() string {
	return fmt.Sprintf("%s does not exist on %s in %s: the clocks go forward from %s to %s",
		e.Clock, e.Date, e.Zone, e.GapStart, e.GapEnd)
}

func skipped(d Date, c Clock, jump time.Time, loc *time.Location) *SkippedTimeError {
	before := jump.Add(-time.Nanosecond).In(loc)
	_, offBefore := before.Zone()
	// The wall clock just before the jump, rounded up to the minute, and
	// just after it, both as minutes since the start of d (the jump can
	// land on the next date at midnight: 24:00).
	mid := naiveWall(d, 0)
	from := jump.Add(time.Duration(offBefore) * time.Second).UTC().Sub(mid)
	_, offAfter := jump.Zone()
	to := jump.Add(time.Duration(offAfter) * time.Second).UTC().Sub(mid)
	return &SkippedTimeError{
		Date: d, Clock: c, Zone: loc.String(),
		GapStart: Clock(from / time.Minute), GapEnd: Clock(to / time.Minute),
	}
}
