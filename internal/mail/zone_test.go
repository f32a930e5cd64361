package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// A customer zone that is not an IANA zone, "Local" included (the
// server's own zone), is no zone: the e-mail shows the atelier's time
// alone, as the pages and the API do (booking.LoadZone).
func TestCustomerZoneLocalIsRefused(t *testing.T) {
	clk := &clock{t: t0.Add(-48 * time.Hour)}
	o := MustOptions(t, clk)
	for _, zone := range []string{"Local", "Mars/Base"} {
		t.Run(zone, func(t *testing.T) {
			v := MustBooking(t, "bk_local", booking.Virtual, t0)
			v.Customer.Timezone = zone
			jobs := summarize(t, MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: v}))
			h, text, _, _, _ := inviteOf(t, jobs[0].msg)
			subject, _ := h.Subject()
			if want := "Tuesday 1 December at 10:00 Singapore time"; !strings.Contains(subject, want) {
				t.Errorf("subject %q lacks %q", subject, want)
			}
			if strings.Contains(text, "In your time zone") || strings.Contains(text, "Local") {
				t.Errorf("text shows a customer zone for %q:\n%s", zone, text)
			}
		})
	}
}
