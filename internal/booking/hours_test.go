package booking_test

import (
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// A clone of a week's hours can be changed without changing the original
// (an artisan's hours start as the atelier's; a cached catalogue is
// handed out in copies).
func TestWeekHoursClone(t *testing.T) {
	var w booking.WeekHours
	w[time.Monday] = []booking.Span{{Start: 10 * 60, End: 19 * 60}}
	c := w.Clone()
	c[time.Monday][0].End = 12 * 60
	c[time.Tuesday] = append(c[time.Tuesday], booking.Span{Start: 9 * 60, End: 17 * 60})
	if got := w[time.Monday][0].String(); got != "10:00-19:00" {
		t.Errorf("the original's Monday became %s", got)
	}
	if len(w[time.Tuesday]) != 0 {
		t.Errorf("the original gained Tuesday hours %v", w[time.Tuesday])
	}
	if got := c[time.Monday][0].String(); got != "10:00-12:00" || c[time.Sunday] != nil {
		t.Errorf("clone = %v", c)
	}
}
