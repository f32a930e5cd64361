package storetest

import (
	"bytes"
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The job queue (the outbox): claims with leases, retries, put-offs and
// give-ups, and what staff and health checks read of it.

func jobKinds(jobs []booking.QueuedJob) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Kind)
	}
	return out
}

// Due jobs are claimed oldest first, leased, and each outcome (done, retry,
// fail) is final in its own way; a job done or given up keeps no payload.
func testJobQueue(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	db := e.st
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
	if got := jobKinds(jobs); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("claimed %v, want [a b]: due mail jobs, oldest first", got)
	}
	if j := jobs[1]; j.Attempts != 1 || string(j.Payload) != "pb" || j.Queue != "mail" || !j.CreatedAt.Equal(now) || !j.RunAt.Equal(now.Add(-time.Minute)) {
		t.Errorf("job b = %+v, want 1 attempt, its payload, queue and times", j)
	}
	if got, _ := db.ClaimJobs(ctx, "mail", now, 0, lease); len(got) != 0 {
		t.Errorf("a claim of 0 jobs got %v", jobKinds(got))
	}
	a, b := jobs[0], jobs[1]

	// Leased jobs are not claimed again while the lease runs.
	if jobs, _ := db.ClaimJobs(ctx, "mail", now.Add(time.Minute), 10, lease); len(jobs) != 0 {
		t.Errorf("claimed leased jobs again: %v", jobKinds(jobs))
	}
	if err := db.CompleteJob(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	// A delivered job keeps no payload (a sent mail holds a manage token).
	if p := e.payload(t, b.ID); len(p) != 0 {
		t.Errorf("done job still holds a %d-byte payload", len(p))
	}
	// The worker holding a died: after the lease it is claimed again.
	jobs, err = db.ClaimJobs(ctx, "mail", now.Add(lease), 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != a.ID || jobs[0].Attempts != 2 {
		t.Fatalf("after the lease claimed %+v, want a again with 2 attempts", jobs)
	}
	// Done jobs never come back.
	wantCode(t, db.CompleteJob(ctx, b.ID), booking.ENOTFOUND, booking.CodeNotFound)
	wantCode(t, db.RetryJob(ctx, 1<<40, "x", now), booking.ENOTFOUND, booking.CodeNotFound)

	checkRetryThenFail(t, e, a.ID)
}

// checkRetryThenFail retries job id (of testJobQueue) and then gives it
// up: due again only at the retry's time, never after it is given up.
func checkRetryThenFail(t *testing.T, e *env, id int64) {
	t.Helper()
	ctx := context.Background()
	db := e.st
	now := testNow
	const lease = 5 * time.Minute
	// Retry: due again at retryAt, not before.
	retryAt := now.Add(30 * time.Minute)
	if err := db.RetryJob(ctx, id, "smtp: 451 try later", retryAt); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := db.ClaimJobs(ctx, "mail", retryAt.Add(-time.Second), 10, lease); len(jobs) != 0 {
		t.Errorf("claimed before retryAt: %v", jobKinds(jobs))
	}
	jobs, _ := db.ClaimJobs(ctx, "mail", retryAt, 1, lease)
	if len(jobs) != 1 || jobs[0].ID != id || jobs[0].LastError != "smtp: 451 try later" || jobs[0].Attempts != 3 {
		t.Fatalf("at retryAt claimed %+v", jobs)
	}

	// Fail: kept for staff, never claimed again.
	if err := db.FailJob(ctx, id, "smtp: 550 no such user"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.FailJob(ctx, id, "again"), booking.ENOTFOUND, booking.CodeNotFound)
	if jobs, _ := db.ClaimJobs(ctx, "mail", now.Add(24*time.Hour), 10, lease); len(jobs) != 1 || jobs[0].Kind != "later" {
		t.Errorf("a day later claimed %v, want [later]", jobKinds(jobs))
	}
	failed, err := db.FailedJobs(ctx, "mail", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].ID != id || failed[0].LastError != "smtp: 550 no such user" {
		t.Errorf("failed jobs = %+v", failed)
	}
	// A job given up keeps no payload either: it is never sent, and an
	// undelivered confirmation still holds the manage token in clear.
	if p := e.payload(t, id); len(p) != 0 {
		t.Errorf("failed job still holds a %d-byte payload", len(p))
	}
	stats, err := db.JobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{"mail": {"done": 1, "failed": 1, "pending": 1}, "gcal": {"pending": 1}}
	if !reflect.DeepEqual(stats, want) {
		t.Errorf("stats = %v, want %v", stats, want)
	}
}

// ClaimJobsConcurrent: workers of two stores on one database (two
// servers) claim at once, each finishing what it got; every job is
// claimed exactly once.
func testClaimJobsConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	stores := []Store{e.st, e.peer(t)}
	const n, workers = 120, 4 // workers per store
	var jobs []booking.Job
	for range n {
		jobs = append(jobs, booking.Job{Queue: "mail", Kind: "x"})
	}
	if err := e.st.Enqueue(ctx, jobs...); err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		claims = map[int64]int{}
		byPeer = make([]int, len(stores))
	)
	start := make(chan struct{})
	errs := make(chan error, len(stores)*workers)
	for i, st := range stores {
		for range workers {
			wg.Go(func() {
				<-start
				for {
					got, err := st.ClaimJobs(ctx, "mail", testNow, 3, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						claims[j.ID]++
					}
					byPeer[i] += len(got)
					mu.Unlock()
					for _, j := range got {
						if err := st.CompleteJob(ctx, j.ID); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("worker: %v", err)
	}
	for id, c := range claims {
		if c != 1 {
			t.Errorf("job %d claimed %d times", id, c)
		}
	}
	if len(claims) != n {
		t.Errorf("%d jobs claimed, want %d", len(claims), n)
	}
	t.Logf("claims by store: %v", byPeer)
	stats, err := e.st.JobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats["mail"]["done"] != n || stats["mail"]["pending"] != 0 {
		t.Errorf("after the workers: %v, want %d done", stats["mail"], n)
	}
}

// ExpiredLease: a server claims jobs and dies; once the lease has run out
// another server claims them (counting the attempt), never before.
func testExpiredLease(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	other := e.peer(t)
	if err := e.st.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "confirmation", Payload: []byte("p")},
		booking.Job{Queue: "mail", Kind: "update"}); err != nil {
		t.Fatal(err)
	}
	const lease = 10 * time.Minute
	first, err := e.st.ClaimJobs(ctx, "mail", testNow, 10, lease)
	if err != nil || len(first) != 2 {
		t.Fatalf("first claim: %v, %v", jobKinds(first), err)
	}
	// The first server dies holding them.
	if got, err := other.ClaimJobs(ctx, "mail", testNow.Add(lease-time.Millisecond), 10, lease); err != nil || len(got) != 0 {
		t.Fatalf("claimed while the lease runs: %v, %v", jobKinds(got), err)
	}
	got, err := other.ClaimJobs(ctx, "mail", testNow.Add(lease), 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != first[0].ID || got[1].ID != first[1].ID || got[0].Attempts != 2 || string(got[0].Payload) != "p" {
		t.Fatalf("after the lease the other server claimed %+v, want both jobs with their second attempt", got)
	}
	// Its own lease now holds them against everyone, the first server too.
	if again, _ := e.st.ClaimJobs(ctx, "mail", testNow.Add(lease+time.Minute), 10, lease); len(again) != 0 {
		t.Errorf("claimed again under the new lease: %v", jobKinds(again))
	}
	for _, j := range got {
		if err := other.CompleteJob(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	if later, _ := e.st.ClaimJobs(ctx, "mail", testNow.Add(24*time.Hour), 10, lease); len(later) != 0 {
		t.Errorf("done jobs claimed again: %v", jobKinds(later))
	}
}

// PostponeJob: a job put off is due again at the time given, keeps why,
// and its claim is not counted as an attempt; one that is no longer
// pending cannot be put off.
func testPostponeJob(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	db := e.st
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
	wantCode(t, db.PostponeJob(ctx, jobs[0].ID, "late", at), booking.ENOTFOUND, booking.CodeNotFound)
}

// JobHealth: the outbox's counts for /healthz and the staff home. A job is
// queued while it is due and has not failed; failing while it is retried
// after a failure or was given up within the window; neither when done,
// when scheduled for later, or when given up before the window.
// FailingJobs lists the bookings concerned, latest first.
func testJobHealth(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	db := e.st
	ana, ben := seedJobHealth(t, e)
	now := testNow

	t.Run("Health", func(t *testing.T) {
		got, err := db.JobHealth(ctx, now, now.Add(-24*time.Hour), "mail", "gcal", "empty")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]booking.QueueHealth{
			"mail":  {Queued: 1, Failing: 3}, // due; retrying, given up, given up of no booking
			"gcal":  {Queued: 0, Failing: 1}, // parked
			"empty": {},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("JobHealth = %+v, want %+v", got, want)
		}
		wide, err := db.JobHealth(ctx, now, now.Add(-72*time.Hour), "mail")
		if err != nil {
			t.Fatal(err)
		}
		if wide["mail"].Failing != 4 {
			t.Errorf("with a three-day window, %d failing, want 4 (the old one too)", wide["mail"].Failing)
		}
		if none, err := db.JobHealth(ctx, now, now); err != nil || len(none) != 0 {
			t.Errorf("no queues asked: %v, %v", none, err)
		}
	})

	t.Run("FailingJobs", func(t *testing.T) {
		got, err := db.FailingJobs(ctx, "mail", now.Add(-24*time.Hour), "")
		if err != nil {
			t.Fatal(err)
		}
		// Latest first: the retry of ana's is due at now+30m, after the
		// failures at now; among those, the jobs of no booking first.
		want := []booking.FailingJobs{
			{BookingID: ana.ID, Retrying: 1},
			{BookingID: "", Failed: 1},
			{BookingID: ben.ID, Failed: 1},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("FailingJobs = %+v, want %+v", got, want)
		}
		got, err = db.FailingJobs(ctx, "mail", now.Add(-24*time.Hour), "ben")
		if err != nil {
			t.Fatal(err)
		}
		if want := []booking.FailingJobs{{BookingID: ben.ID, Failed: 1}}; !reflect.DeepEqual(got, want) {
			t.Errorf("FailingJobs of ben = %+v, want %+v", got, want)
		}
	})
}

// BookingJobs: the jobs of one booking and queue, in the order written,
// with their delivery state.
func testBookingJobs(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	db := e.st
	mine := e.mustCreate(t, req{ID: "bk_mine", Artisan: "ana", Start: at(10, 0)})
	other := e.mustCreate(t, req{ID: "bk_other", Artisan: "ana", Start: at(13, 0)})
	now := testNow
	err := db.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "confirmation", BookingID: mine.ID, Payload: []byte("secret token")},
		booking.Job{Queue: "mail", Kind: "update", BookingID: mine.ID},
		booking.Job{Queue: "mail", Kind: "reminder", BookingID: mine.ID, RunAt: now.Add(20 * time.Hour)},
		booking.Job{Queue: "gcal", Kind: "created", BookingID: mine.ID},
		booking.Job{Queue: "mail", Kind: "confirmation", BookingID: other.ID},
	)
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := db.ClaimJobs(ctx, "mail", now, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	retryAt := now.Add(10 * time.Minute)
	for _, j := range claimed {
		switch {
		case j.BookingID == mine.ID && j.Kind == "confirmation":
			err = db.CompleteJob(ctx, j.ID)
		case j.BookingID == mine.ID && j.Kind == "update":
			err = db.FailJob(ctx, j.ID, "smtp: 550 mailbox unavailable")
		case j.BookingID == other.ID:
			err = db.RetryJob(ctx, j.ID, "smtp: 451 try later", retryAt)
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		booking string
		queue   string
		want    []booking.JobRecord
	}{
		{"SentFailedScheduled", mine.ID, "mail", []booking.JobRecord{
			{Kind: "confirmation", State: booking.JobDone, Attempts: 1, RunAt: now, DoneAt: now},
			{Kind: "update", State: booking.JobFailed, Attempts: 1, LastError: "smtp: 550 mailbox unavailable", RunAt: now, DoneAt: now},
			{Kind: "reminder", State: booking.JobPending, RunAt: now.Add(20 * time.Hour)},
		}},
		{"OtherQueue", mine.ID, "gcal", []booking.JobRecord{
			{Kind: "created", State: booking.JobPending, RunAt: now},
		}},
		{"RetryingOfAnotherBooking", other.ID, "mail", []booking.JobRecord{
			{Kind: "confirmation", State: booking.JobPending, Attempts: 1, LastError: "smtp: 451 try later", RunAt: retryAt},
		}},
		{"UnknownBooking", "bk_nobody", "mail", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.BookingJobs(ctx, tt.booking, tt.queue)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d jobs %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Kind != w.Kind || g.State != w.State || g.Attempts != w.Attempts || g.LastError != w.LastError ||
					!g.RunAt.Equal(w.RunAt) || !g.DoneAt.Equal(w.DoneAt) {
					t.Errorf("job %d = %+v, want %+v", i, g, w)
				}
				if g.BookingID != tt.booking || g.Queue != tt.queue || g.ID == 0 || !g.CreatedAt.Equal(now) {
					t.Errorf("job %d = %+v: wrong booking, queue, id or creation time", i, g)
				}
			}
		})
	}
}

// seedJobHealth leaves the jobs of testJobHealth: of each kind the workers
// leave, for two bookings (returned) and none.
func seedJobHealth(t *testing.T, e *env) (ana, ben *booking.Booking) {
	t.Helper()
	ctx := context.Background()
	db := e.st
	ana = e.mustCreate(t, req{ID: "bk_ana", Artisan: "ana", Start: at(10, 0)})
	ben = e.mustCreate(t, req{ID: "bk_ben", Artisan: "ben", Start: at(10, 0)})
	now := testNow

	// Jobs of the kinds the workers leave, claimed at now.
	err := db.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "sent", BookingID: ana.ID},
		booking.Job{Queue: "mail", Kind: "retrying", BookingID: ana.ID},
		booking.Job{Queue: "mail", Kind: "given_up", BookingID: ben.ID},
		booking.Job{Queue: "mail", Kind: "given_up_of_no_booking"},
		booking.Job{Queue: "gcal", Kind: "parked", BookingID: ben.ID},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"mail", "gcal"} {
		claimed, err := db.ClaimJobs(ctx, q, now, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range claimed {
			switch j.Kind {
			case "sent":
				err = db.CompleteJob(ctx, j.ID)
			case "retrying", "parked":
				err = db.RetryJob(ctx, j.ID, "451 try later", now.Add(30*time.Minute))
			case "given_up", "given_up_of_no_booking":
				err = db.FailJob(ctx, j.ID, "550 no such mailbox")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// Not yet tried: one due now, one for tomorrow.
	if err := db.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "due", BookingID: ben.ID},
		booking.Job{Queue: "mail", Kind: "reminder", BookingID: ana.ID, RunAt: now.Add(24 * time.Hour)},
	); err != nil {
		t.Fatal(err)
	}
	// Given up two days ago.
	e.setClock(now.Add(-48 * time.Hour))
	if err := db.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "old", BookingID: ana.ID}); err != nil {
		t.Fatal(err)
	}
	old, err := db.ClaimJobs(ctx, "mail", now, 10, time.Minute)
	if err != nil || len(old) != 2 { // the old one and the one due now
		t.Fatalf("claim: %d jobs, %v", len(old), err)
	}
	for _, j := range old {
		if j.Kind == "old" {
			err = db.FailJob(ctx, j.ID, "550 no such mailbox")
		} else {
			err = db.RetryJob(ctx, j.ID, "", now) // released untried (a lost lease)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	e.setClock(now)
	return ana, ben
}

// ClaimOneBookingAtATime: a job waits while an older job of its booking
// and queue is leased by another claim (another server), so two jobs of
// one booking never run at once; jobs claimed together still come
// together, in order, and a job waiting to retry holds nothing back.
func testClaimOneBookingAtATime(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	a, b := e.st, e.peer(t) // two servers
	x := e.mustCreate(t, req{ID: "bk_moved", Artisan: "ana", Start: at(10, 0)})
	y := e.mustCreate(t, req{ID: "bk_other", Artisan: "ana", Start: at(13, 0)})
	now := testNow
	if err := a.Enqueue(ctx,
		booking.Job{Queue: "gcal", Kind: "created", BookingID: x.ID},
		booking.Job{Queue: "gcal", Kind: "rescheduled", BookingID: x.ID},
		booking.Job{Queue: "gcal", Kind: "created", BookingID: y.ID},
	); err != nil {
		t.Fatal(err)
	}
	const lease = 5 * time.Minute
	first, err := a.ClaimJobs(ctx, "gcal", now, 1, lease)
	if err != nil || len(first) != 1 || first[0].BookingID != x.ID || first[0].Kind != "created" {
		t.Fatalf("the first server claimed %+v (%v), want the creation of %s", first, err, x.ID)
	}
	got, err := b.ClaimJobs(ctx, "gcal", now, 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].BookingID != y.ID {
		t.Fatalf("while the creation runs, the second server claimed %v of %v, want only %s's job", jobKinds(got), got, y.ID)
	}
	if err := a.CompleteJob(ctx, first[0].ID); err != nil {
		t.Fatal(err)
	}
	got, err = b.ClaimJobs(ctx, "gcal", now, 10, lease)
	if err != nil || len(got) != 1 || got[0].Kind != "rescheduled" {
		t.Fatalf("once the creation is done the second server claimed %v (%v), want the move", jobKinds(got), err)
	}

	// Claimed together, a booking's jobs come in order; one waiting to
	// retry lets the next go.
	if err := a.Enqueue(ctx,
		booking.Job{Queue: "mail", Kind: "confirmation", BookingID: y.ID},
		booking.Job{Queue: "mail", Kind: "update", BookingID: y.ID},
	); err != nil {
		t.Fatal(err)
	}
	both, err := a.ClaimJobs(ctx, "mail", now, 10, lease)
	if k := jobKinds(both); err != nil || len(k) != 2 || k[0] != "confirmation" || k[1] != "update" {
		t.Fatalf("one claim of a booking's two due mails: %v (%v)", k, err)
	}
	if err := a.RetryJob(ctx, both[0].ID, "smtp: 451 try later", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.RetryJob(ctx, both[1].ID, "smtp: 451 try later", now); err != nil {
		t.Fatal(err)
	}
	if got, err := b.ClaimJobs(ctx, "mail", now, 10, lease); err != nil || len(got) != 1 || got[0].Kind != "update" {
		t.Errorf("with the older mail waiting an hour to retry, claimed %v (%v), want the update", jobKinds(got), err)
	}
}

// JobPayloads: a payload comes back from each claim byte for byte, large
// or empty, whatever bytes it holds (a raw e-mail with its attachments),
// through retries and put-offs, and is dropped once the job is done or
// given up.
func testJobPayloads(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	big := make([]byte, 100_000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	if err := e.st.Enqueue(ctx, booking.Job{Queue: "mail", Kind: "big", Payload: big},
		booking.Job{Queue: "mail", Kind: "empty"}); err != nil {
		t.Fatal(err)
	}
	const lease = time.Minute
	now := testNow
	claim := func() map[string]booking.QueuedJob {
		t.Helper()
		jobs, err := e.st.ClaimJobs(ctx, "mail", now, 10, lease)
		if err != nil || len(jobs) != 2 {
			t.Fatalf("claimed %v, %v; want both jobs", jobKinds(jobs), err)
		}
		out := map[string]booking.QueuedJob{}
		for _, j := range jobs {
			out[j.Kind] = j
		}
		if !bytes.Equal(out["big"].Payload, big) || len(out["empty"].Payload) != 0 {
			t.Fatalf("payloads of %d and %d bytes, want %d and 0 (the big one as queued)",
				len(out["big"].Payload), len(out["empty"].Payload), len(big))
		}
		return out
	}
	jobs := claim()
	if err := e.st.RetryJob(ctx, jobs["big"].ID, "4xx", now); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PostponeJob(ctx, jobs["empty"].ID, "sync stopped", now); err != nil {
		t.Fatal(err)
	}
	jobs = claim()
	if err := e.st.CompleteJob(ctx, jobs["big"].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.st.FailJob(ctx, jobs["empty"].ID, "5xx"); err != nil {
		t.Fatal(err)
	}
	if p := e.payload(t, jobs["big"].ID); len(p) != 0 {
		t.Errorf("the done job still holds a %d-byte payload", len(p))
	}
	if failed, err := e.st.FailedJobs(ctx, "mail", 10); err != nil || len(failed) != 1 || len(failed[0].Payload) != 0 {
		t.Errorf("failed jobs %+v, %v: want the empty one, without payload", failed, err)
	}
}
