package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
)

// BenchmarkJobs measures the hook that runs for every booking write
// transaction: the jobs of a new booking, each holding the facts its
// message is rendered from when sent.
func BenchmarkJobs(b *testing.B) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	jobs := mail.Jobs(MustOptions(b, clk))
	e := booking.Event{Kind: booking.EventCreated, Booking: MustBooking(b, "bk_bench", booking.Virtual, t0)}
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		if _, err := jobs(e); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkJobMessages measures what the Sender does for a new booking's
// messages before it sends them: render and compose each from its job's
// facts (the confirmation with its invite, the staff notices).
func BenchmarkJobMessages(b *testing.B) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(b, clk)
	jobs, err := mail.Jobs(o)(booking.Event{Kind: booking.EventCreated, Booking: MustBooking(b, "bk_bench", booking.Virtual, t0)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		for _, j := range jobs {
			if _, err := o.JobMessage(j); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, start)
}

// reportCPU reports the process's CPU since start, a b.N-th of it an
// operation (cpu-µs/op): unlike ns/op, other work on the machine does
// not count in it.
func reportCPU(b *testing.B, start time.Duration) {
	if used := processCPU() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	}
}

// BenchmarkChangeJobs measures the same hook for the changes the mixed
// load makes besides new bookings: a move to another time (the customer's
// update with its invite, the notices) and a cancellation.
func BenchmarkChangeJobs(b *testing.B) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	jobs := mail.Jobs(MustOptions(b, clk))
	prev := MustBooking(b, "bk_bench", booking.Virtual, t0)
	moved := *prev
	moved.Start, moved.End, moved.Sequence = prev.Start.Add(2*time.Hour), prev.End.Add(2*time.Hour), 1
	cancelled := *prev
	cancelled.Status, cancelled.Sequence = booking.Cancelled, 1
	for _, tc := range []struct {
		name string
		e    booking.Event
	}{
		{"reschedule", booking.Event{Kind: booking.EventRescheduled, Booking: &moved, Previous: prev}},
		{"cancel", booking.Event{Kind: booking.EventCancelled, Booking: &cancelled, Previous: prev}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jobs(tc.e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParsePayload reads a confirmation's job payload, as the mail
// worker does for every message it delivers (mail.Sender reads it the
// same way), before it renders the message from its facts.
func BenchmarkParsePayload(b *testing.B) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	jobs, err := mail.Jobs(MustOptions(b, clk))(booking.Event{Kind: booking.EventCreated, Booking: MustBooking(b, "bk_bench", booking.Virtual, t0)})
	if err != nil {
		b.Fatal(err)
	}
	p := jobs[0].Payload
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if from, _, _, err := mail.ParsePayload(p); err != nil || from == "" {
			b.Fatal(err, from)
		}
	}
}

// BenchmarkDirSend writes a 12 KB message into the outbox folder, as the
// mail worker does for every message when no SMTP server is configured.
// cpu-µs/op is the process's user and system CPU over the loop alone (the
// removal of the folder after it is left out), most of it the kernel's.
func BenchmarkDirSend(b *testing.B) {
	d := &mail.Dir{Path: b.TempDir(), Now: time.Now}
	msg := make([]byte, 12000)
	var job int64
	start := processCPU()
	for b.Loop() {
		job++
		if err := d.Send(context.Background(), mail.Envelope{Kind: mail.KindConfirmation, BookingID: "bk_7nyo33znhysuzjljnuhm", JobID: job}, msg); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}
