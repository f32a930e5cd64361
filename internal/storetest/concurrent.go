package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The writes of testConcurrentWrites.
const (
	concurrentPairs = 8 // pairs of writers wanting the same slots
	concurrentSlots = 6 // the slots each pair wants
)

// testConcurrentWrites: writers book, cancel and finish jobs at once, as a
// busy server does; a store may gather such writes into one transaction
// (SQLite's group commit) or run them side by side (PostgreSQL). Pairs of
// writers want the same slots, one through the placement check and one
// with it bypassed (only the database's constraint stands in its way):
// every slot is booked once, every booking answered is stored as its
// writer last left it, and every job is finished once.
func testConcurrentWrites(t *testing.T, open Opener) {
	c := &concurrentRun{t: t, e: newEnv(t, open, Catalog()), finished: map[int64]int{}}
	var writers sync.WaitGroup
	for w := range 2 * concurrentPairs {
		writers.Go(func() { c.write(w) })
	}
	writing := make(chan struct{})
	var workers sync.WaitGroup
	for range 2 {
		workers.Go(func() { c.work(writing) })
	}
	writers.Wait()
	close(writing)
	workers.Wait()
	c.check()
}

// concurrentRun is what the writers and workers of testConcurrentWrites
// did.
type concurrentRun struct {
	t *testing.T
	e *env

	mu       sync.Mutex
	made     []madeBooking
	refused  int
	finished map[int64]int // job id: times completed
}

// madeBooking is a booking answered as made, and whether its cancellation
// was answered as done.
type madeBooking struct {
	id        string
	cancelled bool
}

func (c *concurrentRun) errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Errorf(format, args...)
}

// write is writer w: the pair's slots (through the placement check, or
// for odd w bypassing it), then one slot of its own, which it cancels.
func (c *concurrentRun) write(w int) {
	ctx := context.Background()
	for i := range concurrentSlots + 1 {
		day := at(10, 0).AddDate(0, 0, w/2-3)
		r := req{ID: fmt.Sprintf("bk_c%02d_%d", w, i), Artisan: []string{"ana", "ben"}[i%2],
			Start: day.Add(time.Duration(i/2) * 2 * time.Hour)}
		own := i == concurrentSlots
		if own {
			r.Artisan, r.Start = []string{"ana", "ben"}[w%2], day.Add(6*time.Hour)
		}
		nb := newBooking(r)
		pf := place(nb, "")
		if w%2 == 1 {
			pf = blindPlace(nb, "salon")
		}
		b, _, err := c.e.st.CreateBooking(ctx, nb, pf)
		switch {
		case booking.ErrorCode(err) == booking.CodeSlotUnavailable && !own:
			c.mu.Lock()
			c.refused++
			c.mu.Unlock()
			continue
		case err != nil:
			c.errorf("booking %s: %v", r.ID, err)
			continue
		}
		m := madeBooking{id: b.ID}
		if own {
			_, err := c.e.st.CancelBooking(ctx, b.ID, booking.Actor{Kind: "customer"})
			if err != nil {
				c.errorf("cancel %s: %v", b.ID, err)
			}
			m.cancelled = err == nil
		}
		c.mu.Lock()
		c.made = append(c.made, m)
		c.mu.Unlock()
	}
}

// work claims and completes mail jobs until writing is closed.
func (c *concurrentRun) work(writing <-chan struct{}) {
	ctx := context.Background()
	for {
		select {
		case <-writing:
			return
		default:
		}
		jobs, err := c.e.st.ClaimJobs(ctx, "mail", c.e.now(), 5, time.Minute)
		if err != nil {
			c.errorf("claim: %v", err)
			return
		}
		for _, j := range jobs {
			if err := c.e.st.CompleteJob(ctx, j.ID); err != nil {
				c.errorf("complete job %d: %v", j.ID, err)
				continue
			}
			c.mu.Lock()
			c.finished[j.ID]++
			c.mu.Unlock()
		}
	}
}

// check compares what the store holds with what its writers were told.
func (c *concurrentRun) check() {
	t, ctx := c.t, context.Background()
	want := concurrentPairs*concurrentSlots + 2*concurrentPairs
	if len(c.made) != want || c.refused != concurrentPairs*concurrentSlots {
		t.Errorf("%d booked and %d refused, want %d and %d: one booking a slot, and each writer's own",
			len(c.made), c.refused, want, concurrentPairs*concurrentSlots)
	}
	cancels := 0
	for _, m := range c.made {
		b, err := c.e.st.Booking(ctx, m.id)
		if err != nil {
			t.Errorf("booking %s answered as made: %v", m.id, err)
			continue
		}
		status := booking.Confirmed
		if m.cancelled {
			status = booking.Cancelled
			cancels++
		}
		if b.Status != status {
			t.Errorf("booking %s: %s, want %s", m.id, b.Status, status)
		}
	}
	if got := len(c.e.stored(t)); got != len(c.made) {
		t.Errorf("%d bookings stored, %d answered as made", got, len(c.made))
	}
	for id, n := range c.finished {
		if n != 1 {
			t.Errorf("job %d finished %d times", id, n)
		}
	}
	stats, err := c.e.st.JobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// One job for each booking made and each cancellation.
	if got, want := stats["mail"]["done"]+stats["mail"]["pending"], len(c.made)+cancels; got != want {
		t.Errorf("%d mail jobs (%v), want %d", got, stats["mail"], want)
	}
	if stats["mail"]["done"] != len(c.finished) {
		t.Errorf("%d jobs done, %d finished by the workers", stats["mail"]["done"], len(c.finished))
	}
}
