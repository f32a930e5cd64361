package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

func TestBookingJobs(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mine := MustCreateBooking(t, db, req{ID: "bk_mine", Artisan: "ana", Start: at(10, 0)})
	other := MustCreateBooking(t, db, req{ID: "bk_other", Artisan: "ana", Start: at(13, 0)})
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
