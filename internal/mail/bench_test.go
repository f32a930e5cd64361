package mail_test

import (
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// BenchmarkJobs measures the hook that runs inside every booking write
// transaction: render and compose the messages for a new booking.
func BenchmarkJobs(b *testing.B) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	jobs := mail.Jobs(MustOptions(b, clk))
	e := booking.Event{Kind: booking.EventCreated, Booking: MustBooking(b, "bk_bench", booking.Virtual, t0)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jobs(e); err != nil {
			b.Fatal(err)
		}
	}
}
