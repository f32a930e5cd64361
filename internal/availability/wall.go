package availability

import (
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// maxOffset bounds the UTC offset of any zone (the tz database stays within
// -12h..+14h); wall times are searched for within this distance of the same
// wall time read as UTC.
const maxOffset = 15 * time.Hour

// wallInstant returns the first instant at which the wall clock in loc reads
// c on date d or later. It is the instant of the wall time when that exists;
// in a repeated hour (clocks go back) it is the first occurrence; in a
// skipped hour (clocks go forward) it is the moment of the jump, the first
// instant whose wall clock is past c. Clock 24:00 is the start of the next
// day.
//
// time.Date is not used directly because for times in a gap or an overlap
// its choice depends on the direction of the zone's offset.
func wallInstant(d booking.Date, c booking.Clock, loc *time.Location) time.Time {
	// naive is the wall time read as if it were UTC; the real instant is
	// naive minus the offset in effect at that instant.
	naive := time.Date(d.Year, d.Month, d.Day, 0, int(c), 0, 0, time.UTC)
	t := naive.Add(-maxOffset).In(loc)
	end := naive.Add(maxOffset)
	for {
		_, off := t.Zone()
		zoneStart, zoneEnd := t.ZoneBounds()
		offset := time.Duration(off) * time.Second
		cand := naive.Add(-offset)
		if !cand.Before(zoneStart) && (zoneEnd.IsZero() || cand.Before(zoneEnd)) {
			return cand.In(loc) // the wall time exists in this zone period
		}
		if !zoneStart.IsZero() && zoneStart.Add(offset).After(naive) {
			return zoneStart.In(loc) // the wall time was skipped: the jump
		}
		if zoneEnd.IsZero() || !zoneEnd.Before(end) {
			// Unreachable for real zones; fall back to the library's choice.
			return time.Date(d.Year, d.Month, d.Day, 0, int(c), 0, 0, loc)
		}
		t = zoneEnd.In(loc)
	}
}

// midnight returns the start of local date d: local midnight, or the first
// instant of the day when midnight itself is skipped.
func midnight(d booking.Date, loc *time.Location) time.Time {
	return wallInstant(d, 0, loc)
}

// dayOf returns the local day whose grid contains t: the date d with
// midnight(d) <= t < midnight(d+1). It is the date of t's wall clock except
// in a repeated hour that crosses midnight.
func dayOf(t time.Time, loc *time.Location) booking.Date {
	d := booking.DateOf(t.In(loc))
	if t.Before(midnight(d, loc)) {
		return d.AddDays(-1)
	}
	if next := d.AddDays(1); !t.Before(midnight(next, loc)) {
		return next
	}
	return d
}
