package availability

import (
	"slices"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

const day24 = 24 * time.Hour

// OnGrid reports whether t is on the slot grid of the atelier in loc: its
// wall clock reads a whole number of intervals after 00:00 of its local
// day (10:00, 12:00, 14:00 on a 120-minute grid). The grid is wall-clock,
// so every day offers the same local times, a day when the clocks change
// included: a time the clocks skip is not on that day's grid, and a
// repeated time is on it twice, once at each of its instants. It is the
// rule Slots and Place follow, exported so that callers can reject an
// off-grid start as invalid input before asking whether the slot is free.
// A non-positive interval accepts every start.
func OnGrid(t time.Time, interval time.Duration, loc *time.Location) bool {
	if interval <= 0 {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	return onGrid(t, interval, loc, dayOf(t, loc))
}

// onGrid is OnGrid for a start already known to fall on local day d.
func onGrid(t time.Time, step time.Duration, loc *time.Location, d booking.Date) bool {
	w := t.In(loc)
	if booking.DateOf(w) != d {
		// The second pass of a repeated hour that crosses midnight: its
		// wall clock reads the day before, which ended at the first pass.
		return false
	}
	h, m, s := w.Clock()
	since := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(w.Nanosecond())
	return since%step == 0
}

// gridStarts appends the grid starts of local day d, whose instants are
// [dayStart, dayEnd), to buf in order, as Unix nanoseconds.
func gridStarts(buf []int64, d booking.Date, dayStart, dayEnd time.Time, step time.Duration, loc *time.Location) []int64 {
	if uniform(dayStart, dayEnd, loc) {
		// One offset all day, from a midnight that exists: wall time is
		// elapsed time since midnight.
		lo, hi := dayStart.UnixNano(), dayEnd.UnixNano()
		for t := lo; t < hi; t += int64(step) {
			buf = append(buf, t)
		}
		return buf
	}
	from := len(buf)
	lo, hi := dayStart.UnixNano(), dayEnd.UnixNano()
	for since := time.Duration(0); since < day24; since += step {
		occ, n := d.Occurrences(since, loc)
		for _, t := range occ[:n] {
			if u := t.UnixNano(); u >= lo && u < hi {
				buf = append(buf, u)
			}
		}
	}
	// In a repeated hour wall order is not instant order: on a 30-minute
	// grid, 01:00 and 01:30 summer time come before 01:00 winter time.
	slices.Sort(buf[from:])
	return buf
}

// uniform reports whether the day [dayStart, dayEnd) starts at a wall
// clock of 00:00 and keeps one UTC offset throughout.
func uniform(dayStart, dayEnd time.Time, loc *time.Location) bool {
	w := dayStart.In(loc)
	if h, m, s := w.Clock(); h != 0 || m != 0 || s != 0 || w.Nanosecond() != 0 {
		return false
	}
	_, end := w.ZoneBounds()
	return end.IsZero() || !end.Before(dayEnd)
}
