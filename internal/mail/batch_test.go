package mail_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// batchQueue is a memQueue that completes jobs in batches and records how.
type batchQueue struct {
	*memQueue
	mu      sync.Mutex
	single  int
	batches [][]int64
}

func (q *batchQueue) CompleteJob(ctx context.Context, id int64) error {
	q.mu.Lock()
	q.single++
	q.mu.Unlock()
	return q.memQueue.CompleteJob(ctx, id)
}

func (q *batchQueue) CompleteJobs(ctx context.Context, ids ...int64) error {
	q.mu.Lock()
	q.batches = append(q.batches, slices.Clone(ids))
	q.mu.Unlock()
	for _, id := range ids {
		if err := q.memQueue.CompleteJob(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// TestBatchCompletion: with a queue that can complete jobs in one write,
// a claimed batch is sent and then marked done with one call, not one
// write per message; a failed delivery is still retried on its own.
func TestBatchCompletion(t *testing.T) {
	clk := &clock{t: t0.Add(-72 * time.Hour)}
	o := MustOptions(t, clk)
	o.ReminderBefore = 0
	q := &batchQueue{memQueue: newMemQueue()}
	for i := range 3 {
		b := MustBooking(t, fmt.Sprintf("bk_%d", i), booking.InPerson, t0.Add(time.Duration(i)*time.Hour))
		q.Add(clk.Now(), MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
	}
	const total = 9 // per booking: confirmation, Mei, admin
	srv := MustStartSMTP(t)
	w := MustWorker(t, q, srv, o, nil)

	if n := runOnce(t, w); n != total {
		t.Fatalf("claimed %d jobs, want %d", n, total)
	}
	if got := len(srv.Received()); got != total {
		t.Errorf("%d messages sent, want %d", got, total)
	}
	if q.single != 0 || len(q.batches) != 1 || len(q.batches[0]) != total {
		t.Errorf("completed with %d single calls and batches %v, want one batch of %d", q.single, q.batches, total)
	}
	if st := q.States(); st["done"] != total {
		t.Errorf("job states %v, want all %d done", st, total)
	}

	// A delivery that fails is retried, not completed.
	b := MustBooking(t, "bk_fail", booking.InPerson, t0.Add(5*time.Hour))
	q.Add(clk.Now(), MustJobs(t, o, booking.Event{Kind: booking.EventCreated, Booking: b})...)
	srv.SetMode("tempfail")
	runOnce(t, w)
	if st := q.States(); st["done"] != total || st["pending"] != 3 {
		t.Errorf("after a failed delivery: job states %v, want %d done and 3 pending", st, total)
	}
	if len(q.batches) != 1 {
		t.Errorf("a batch was completed although nothing was sent: %v", q.batches)
	}
}
