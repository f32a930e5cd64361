package sqlite_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// The store wakes the job workers after a commit that queued work, and only
// then: a worker's own claims must not wake it again, or an idle server
// spins.
func TestAfterCommitOnlyWhenJobsQueued(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	var wakes atomic.Int32
	db.Subscribe(func(c sqlite.Changes) {
		if c.JobsQueued > 0 {
			wakes.Add(1)
		}
	})

	if _, err := db.ClaimJobs(ctx, "mail", testNow, 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := wakes.Load(); got != 0 {
		t.Fatalf("an empty claim woke the workers %d times", got)
	}
	if err := db.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "test"}); err != nil {
		t.Fatal(err)
	}
	if got := wakes.Load(); got != 1 {
		t.Fatalf("after queueing a job: %d wakes, want 1", got)
	}
	jobs, err := db.ClaimJobs(ctx, "mail", testNow.Add(time.Hour), 10, time.Minute)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim = %v, %v", jobs, err)
	}
	if err := db.CompleteJob(ctx, jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := wakes.Load(); got != 1 {
		t.Errorf("claiming and completing woke the workers: %d wakes, want 1", got)
	}
}

// Jobs leased by a process that died are claimable again as soon as the
// next server releases the leases at start-up, not after the lease runs out.
func TestReleaseLeases(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if err := db.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "confirmation", RunAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if jobs, err := db.ClaimJobs(ctx, "mail", testNow, 10, time.Hour); err != nil || len(jobs) != 1 {
		t.Fatalf("claim = %v, %v", jobs, err)
	}
	if jobs, _ := db.ClaimJobs(ctx, "mail", testNow.Add(time.Minute), 10, time.Hour); len(jobs) != 0 {
		t.Fatalf("a leased job was claimed again: %v", jobs)
	}
	n, err := db.ReleaseLeases(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ReleaseLeases = %d, %v; want 1", n, err)
	}
	jobs, err := db.ClaimJobs(ctx, "mail", testNow.Add(time.Minute), 10, time.Hour)
	if err != nil || len(jobs) != 1 || jobs[0].Attempts != 2 {
		t.Fatalf("after release: %+v, %v; want the job again with 2 attempts", jobs, err)
	}
}
