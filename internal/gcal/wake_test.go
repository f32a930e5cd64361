package gcal_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
)

// A booking reaches Google as soon as the worker is woken after its commit,
// not at the next poll.
func TestRunJobsWakes(t *testing.T) {
	e := mustNewEnv(t, func(o *gcal.Options) { o.JobPoll = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.syncer.RunJobs(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunJobs: %v", err)
		}
	}()

	start := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	mustCreateBooking(t, e, "bk_wake", "ana", booking.InPerson, start)
	e.syncer.Wake()
	deadline := time.Now().Add(10 * time.Second)
	for e.srv.Events(calIDs["ana"])[gcal.EventID("bk_wake")] == nil {
		if time.Now().After(deadline) {
			t.Fatal("the event did not reach Google after Wake (the poll is an hour)")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
