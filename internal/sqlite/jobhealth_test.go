package sqlite_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestJobHealth: the outbox's counts for /healthz and the staff home. A
// job is queued while it is due and has not failed; failing while it is
// retried after a failure or was given up within the window; neither when
// done, when scheduled for later, or when given up before the window.
func TestJobHealth(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ana := MustCreateBooking(t, db, req{ID: "bk_ana", Artisan: "ana", Start: at(10, 0)})
	ben := MustCreateBooking(t, db, req{ID: "bk_ben", Artisan: "ben", Start: at(10, 0)})
	now := testNow
	clock := now
	db.Now = func() time.Time { return clock }

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
	clock = now.Add(-48 * time.Hour)
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
	clock = now

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
	})

	t.Run("FailingJobs", func(t *testing.T) {
		got, err := db.FailingJobs(ctx, "mail", now.Add(-24*time.Hour), "")
		if err != nil {
			t.Fatal(err)
		}
		// Latest first: the retry of ana's is due at now+30m, after the
		// failures at now; the jobs of no booking last by id.
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
