package outbox

import (
	"context"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestBellRingsOnlyItsQueues: a commit that queued mail wakes the mail
// runners (each once, however often rung), not the calendar's.
func TestBellRingsOnlyItsQueues(t *testing.T) {
	bell := &Bell{}
	h := HandlerFunc(func(context.Context, booking.QueuedJob) error { return nil })
	mk := func(queue string) *Runner {
		r, err := New(Config{Queue: queue, Store: idleStore{}, Handler: h, Bell: bell})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mail1, mail2, gcal := mk("mail"), mk("mail"), mk("gcal")
	bell.Ring("mail")
	bell.Ring("mail")
	bell.Ring("nobody")
	for _, tc := range []struct {
		name string
		r    *Runner
		want int
	}{{"mail", mail1, 1}, {"mail again", mail2, 1}, {"gcal", gcal, 0}} {
		if got := len(tc.r.wake); got != tc.want {
			t.Errorf("%s runner: %d wake-ups pending, want %d", tc.name, got, tc.want)
		}
	}
}

// idleStore is a store for runners that never run.
type idleStore struct{ booking.JobQueue }
