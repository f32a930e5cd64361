package availability

import "time"

// OnGrid reports whether t is on the slot grid: local midnight in loc
// (the first instant of the day when midnight is skipped) plus a whole
// number of intervals. It is the grid rule Place enforces, exported so
// that callers can reject an off-grid start as invalid input before
// asking whether the slot is free. A non-positive interval accepts every
// start.
func OnGrid(t time.Time, interval time.Duration, loc *time.Location) bool {
	if interval <= 0 {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.Sub(midnight(dayOf(t, loc), loc))%interval == 0
}
