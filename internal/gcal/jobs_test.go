package gcal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/outbox"
)

// A write Google keeps refusing with 503 is retried until the runner's last
// attempt, then given up: the job is failed and the booking's sync says
// failed, with Google's error, instead of pending forever.
func TestGivenUpWriteMarksBookingFailed(t *testing.T) {
	e := mustNewEnv(t, nil)
	ctx := context.Background()
	e.srv.Inject(gcaltest.Fault{Calendar: calIDs["ana"], Status: 503})
	mustCreateBooking(t, e, "bk_down", "ana", booking.InPerson, time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
	three := func(c *outbox.Config) { c.Policy.MaxAttempts = 3 }
	for i := range 3 {
		if n, err := e.runJobs(ctx, three); err != nil || n != 1 {
			t.Fatalf("round %d: claimed %d, %v; want the job", i, n, err)
		}
		if st, _ := e.syncer.BookingStatus(ctx, "bk_down"); i < 2 && (st == nil || st.State != calsync.SyncPending) {
			t.Fatalf("after attempt %d: sync %+v, want pending", i+1, st)
		}
		e.advance(time.Hour)
	}
	if f := e.bookings.Failed(); len(f) != 1 || !strings.Contains(f[0].LastError, "503") {
		t.Fatalf("failed jobs %+v, want the one job with Google's 503", f)
	}
	st, err := e.syncer.BookingStatus(ctx, "bk_down")
	if err != nil {
		t.Fatal(err)
	}
	if st == nil || st.State != calsync.SyncFailed || !strings.Contains(st.LastError, "503") {
		t.Errorf("booking sync %+v, want failed with Google's error", st)
	}
	if n, _ := e.runJobs(ctx, three); n != 0 {
		t.Errorf("a given-up job was claimed again")
	}
}

// The jobs of a stopped artisan are put off, not retried: however often
// they are looked at while the artisan is stopped, none is given up or
// uses up its attempts, and all reach Google once the artisan is
// reconnected, even through a failure then.
func TestStoppedArtisanJobsNeverGivenUp(t *testing.T) {
	e := mustNewEnv(t, nil)
	ctx := context.Background()
	e.srv.Inject(gcaltest.Fault{Calendar: calIDs["ana"], Status: 401, Reason: "authError"})
	start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	for i := range 3 {
		mustCreateBooking(t, e, fmt.Sprintf("a%d", i), "ana", booking.InPerson, start.Add(time.Duration(i)*time.Hour))
	}
	two := func(c *outbox.Config) { c.Policy.MaxAttempts = 2 }
	for range 10 { // five times the attempts allowed
		if _, err := e.runJobs(ctx, two); err != nil {
			t.Fatal(err)
		}
		e.advance(10 * time.Minute)
	}
	if f := e.bookings.Failed(); len(f) > 0 {
		t.Fatalf("jobs of a stopped artisan given up: %+v", f)
	}
	if got := statusOf(t, e)["ana"].State; got != calsync.StateDisconnected {
		t.Fatalf("ana: %s, want disconnected", got)
	}
	e.srv.ClearFaults()
	if err := e.syncer.Reconnect(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	// The first write after the reconnect fails past the in-process
	// retries: its job has an attempt left.
	e.srv.Inject(gcaltest.Fault{Calendar: calIDs["ana"], Status: 503, Times: 3})
	for range 5 {
		if _, err := e.runJobs(ctx, two); err != nil {
			t.Fatal(err)
		}
		e.advance(10 * time.Minute)
	}
	if p := e.bookings.Pending(); len(p) > 0 {
		t.Fatalf("%d jobs still pending after the reconnect", len(p))
	}
	assertGoogleMatches(t, e)
	if f := e.bookings.Failed(); len(f) > 0 {
		t.Errorf("jobs lost: %+v", f)
	}
}
