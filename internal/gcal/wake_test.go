package gcal_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/outbox"
)

// A booking reaches Google as soon as the worker is woken after its commit,
// not at the next poll.
func TestRunJobsWakes(t *testing.T) {
	e := mustNewEnv(t, nil)
	r := e.runner(func(c *outbox.Config) { c.Policy.Poll = time.Hour })

	waitFor := func(id string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for e.srv.Events(calIDs["ana"])[gcal.EventID(id)] == nil {
			if time.Now().After(deadline) {
				t.Fatalf("booking %s did not reach Google (the poll is an hour)", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// The first booking exists before the runner starts its first pass, so
	// its arrival proves that pass has run.
	start := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	mustCreateBooking(t, e, "bk_first", "ana", booking.InPerson, start)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	waitFor("bk_first")

	// The second arrives only because of Wake.
	mustCreateBooking(t, e, "bk_woken", "ana", booking.InPerson, start.Add(2*time.Hour))
	r.Wake()
	waitFor("bk_woken")
}
