package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func jobIDs(jobs []booking.QueuedJob) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Kind)
	}
	return out
}

func TestJobQueue(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	now := testNow
	err := db.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "b", RunAt: now.Add(-time.Minute), Payload: []byte("pb")},
		booking.Job{Queue: "mail", Kind: "a", RunAt: now.Add(-time.Hour), Payload: []byte("pa")},
		booking.Job{Queue: "mail", Kind: "later", RunAt: now.Add(time.Hour)},
		booking.Job{Queue: "gcal", Kind: "other"},
	)
	if err != nil {
		t.Fatal(err)
	}
	const lease = 5 * time.Minute

	jobs, err := db.ClaimJobs(ctx, "mail", now, 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	if got := jobIDs(jobs); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("claimed %v, want [a b]: due mail jobs, oldest first", got)
	}
	if jobs[1].Attempts != 1 || string(jobs[1].Payload) != "pb" {
		t.Errorf("job b = %+v, want 1 attempt and its payload", jobs[1])
	}
	a, b := jobs[0], jobs[1]

	// Leased jobs are not claimed again while the lease runs.
	if jobs, _ := db.ClaimJobs(ctx, "mail", now.Add(time.Minute), 10, lease); len(jobs) != 0 {
		t.Errorf("claimed leased jobs again: %v", jobIDs(jobs))
	}
	// The worker holding a died: after the lease it is claimed again.
	if err := db.CompleteJob(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	// A delivered job keeps no payload (a sent mail holds a manage token).
	var payloadLen int
	if err := rawDB(t, db).QueryRowContext(ctx, `SELECT length(coalesce(payload, x'')) FROM jobs WHERE id = ?`, b.ID).Scan(&payloadLen); err != nil {
		t.Fatal(err)
	}
	if payloadLen != 0 {
		t.Errorf("done job still holds a %d-byte payload", payloadLen)
	}
	jobs, err = db.ClaimJobs(ctx, "mail", now.Add(lease), 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != a.ID || jobs[0].Attempts != 2 {
		t.Fatalf("after the lease claimed %+v, want a again with 2 attempts", jobs)
	}
	// Done jobs never come back.
	if err := db.CompleteJob(ctx, b.ID); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("completing a done job: %v, want ENOTFOUND", err)
	}

	// Retry: due again at retryAt, not before.
	retryAt := now.Add(30 * time.Minute)
	if err := db.RetryJob(ctx, a.ID, "smtp: 451 try later", retryAt); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := db.ClaimJobs(ctx, "mail", retryAt.Add(-time.Second), 10, lease); len(jobs) != 0 {
		t.Errorf("claimed before retryAt: %v", jobIDs(jobs))
	}
	jobs, _ = db.ClaimJobs(ctx, "mail", retryAt, 1, lease)
	if len(jobs) != 1 || jobs[0].ID != a.ID || jobs[0].LastError != "smtp: 451 try later" || jobs[0].Attempts != 3 {
		t.Fatalf("at retryAt claimed %+v", jobs)
	}

	// Fail: kept for staff, never claimed again.
	if err := db.FailJob(ctx, a.ID, "smtp: 550 no such user"); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := db.ClaimJobs(ctx, "mail", now.Add(24*time.Hour), 10, lease); len(jobs) != 1 || jobs[0].Kind != "later" {
		t.Errorf("a day later claimed %v, want [later]", jobIDs(jobs))
	}
	failed, err := db.FailedJobs(ctx, "mail", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].ID != a.ID || failed[0].LastError != "smtp: 550 no such user" {
		t.Errorf("failed jobs = %+v", failed)
	}
	// A job given up keeps no payload either: it is never sent, and an
	// undelivered confirmation still holds the manage token in clear.
	if err := rawDB(t, db).QueryRowContext(ctx, `SELECT length(coalesce(payload, x'')) FROM jobs WHERE id = ?`, a.ID).Scan(&payloadLen); err != nil {
		t.Fatal(err)
	}
	if payloadLen != 0 {
		t.Errorf("failed job still holds a %d-byte payload", payloadLen)
	}
	stats, err := db.JobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats["mail"]["done"] != 1 || stats["mail"]["failed"] != 1 || stats["mail"]["pending"] != 1 || stats["gcal"]["pending"] != 1 {
		t.Errorf("stats = %v", stats)
	}
}

// TestClaimJobsConcurrent: workers claiming at once never get the same job.
func TestClaimJobsConcurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	var jobs []booking.Job
	for range 50 {
		jobs = append(jobs, booking.Job{Queue: "mail", Kind: "x"})
	}
	if err := db.Enqueue(ctx, jobs...); err != nil {
		t.Fatal(err)
	}
	seen := make(chan int64, 100)
	done := make(chan error)
	for range 5 {
		go func() {
			for {
				got, err := db.ClaimJobs(ctx, "mail", testNow, 3, time.Hour)
				if err != nil || len(got) == 0 {
					done <- err
					return
				}
				for _, j := range got {
					seen <- j.ID
				}
			}
		}()
	}
	for range 5 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	close(seen)
	ids := map[int64]bool{}
	for id := range seen {
		if ids[id] {
			t.Errorf("job %d claimed twice", id)
		}
		ids[id] = true
	}
	if len(ids) != 50 {
		t.Errorf("%d jobs claimed, want 50", len(ids))
	}
}

// TestPostponeJob: a job put off is due again at the time given, keeps why,
// and its claim is not counted as an attempt; one that is no longer
// pending cannot be put off.
func TestPostponeJob(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if err := db.Enqueue(ctx, booking.Job{Queue: "gcal", Kind: "created", RunAt: testNow}); err != nil {
		t.Fatal(err)
	}
	const lease = time.Minute
	at := testNow
	for range 3 {
		jobs, err := db.ClaimJobs(ctx, "gcal", at, 10, lease)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("claim at %s = %v, %v", at, jobs, err)
		}
		at = at.Add(5 * time.Minute)
		if err := db.PostponeJob(ctx, jobs[0].ID, "sync of artisan ana is stopped", at); err != nil {
			t.Fatal(err)
		}
		if jobs, _ := db.ClaimJobs(ctx, "gcal", at.Add(-time.Second), 10, lease); len(jobs) != 0 {
			t.Fatalf("claimed before the time it was put off to: %+v", jobs)
		}
	}
	jobs, err := db.ClaimJobs(ctx, "gcal", at, 10, lease)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim = %v, %v", jobs, err)
	}
	if j := jobs[0]; j.Attempts != 1 || j.LastError != "sync of artisan ana is stopped" {
		t.Errorf("after three put-offs: %d attempts, error %q; want 1 (this claim) and the reason", j.Attempts, j.LastError)
	}
	if err := db.CompleteJob(ctx, jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.PostponeJob(ctx, jobs[0].ID, "late", at); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("putting off a done job: %v, want ENOTFOUND", err)
	}
}
