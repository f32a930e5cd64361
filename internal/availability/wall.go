package availability

import (
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// wallInstant returns the first instant at which the wall clock in loc reads
// c on date d or later (booking.Date.At: the domain's one rule for local
// times, shared with the pages' date and time fields).
func wallInstant(d booking.Date, c booking.Clock, loc *time.Location) time.Time {
	return d.At(c, loc)
}

// midnight returns the start of local date d: local midnight, or the first
// instant of the day when midnight itself is skipped.
func midnight(d booking.Date, loc *time.Location) time.Time {
	return d.In(loc)
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
