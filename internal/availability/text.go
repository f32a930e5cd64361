package availability

import (
	"strconv"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// minutes renders an interval as "30-minute" or "1-hour" for messages.
func minutes(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "-hour"
	}
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + "-minute"
	}
	return d.String()
}

// notice renders a minimum notice as "24 hours'" or "1 hour's".
func notice(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	if d%time.Hour == 0 {
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return "1 " + unit + "'s"
	}
	return strconv.Itoa(n) + " " + unit + "s'"
}

func modeName(m booking.Mode) string {
	if m == booking.InPerson {
		return "in person"
	}
	return "as a virtual consultation"
}
