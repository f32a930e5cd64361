package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// testConcurrentWrites: writers book, cancel and finish jobs at once, as a
// busy server does; a store may gather such writes into one transaction
// (SQLite's group commit) or run them side by side (PostgreSQL). Pairs of
// writers want the same slots, one through the placement check and one
// with it bypassed (only the database's constraint stands in its way):
// every slot is booked once, every booking answered is stored as its
// writer last left it, and every job is finished once.
func testConcurrentWrites(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	const pairs, slots = 8, 6
	type result struct {
		id        string
		cancelled bool
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		made     []result
		refused  int
		finished = map[int64]int{}
	)
	errorf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, args...)
	}
	for w := range 2 * pairs {
		wg.Go(func() {
			for i := range slots + 1 {
				day := at(10, 0).AddDate(0, 0, w/2-3)
				r := req{ID: fmt.Sprintf("bk_c%02d_%d", w, i), Artisan: []string{"ana", "ben"}[i%2],
					Start: day.Add(time.Duration(i/2) * 2 * time.Hour)}
				own := i == slots // a slot of this writer's alone, which it cancels
				if own {
					r.Artisan, r.Start = []string{"ana", "ben"}[w%2], day.Add(6*time.Hour)
				}
				nb := newBooking(r)
				pf := place(nb, "")
				if w%2 == 1 {
					pf = blindPlace(nb, "salon")
				}
				b, _, err := e.st.CreateBooking(ctx, nb, pf)
				if booking.ErrorCode(err) == booking.CodeSlotUnavailable && !own {
					mu.Lock()
					refused++
					mu.Unlock()
					continue
				}
				if err != nil {
					errorf("booking %s: %v", r.ID, err)
					continue
				}
				res := result{id: b.ID}
				if own {
					if _, err := e.st.CancelBooking(ctx, b.ID, booking.Actor{Kind: "customer"}); err != nil {
						errorf("cancel %s: %v", b.ID, err)
					} else {
						res.cancelled = true
					}
				}
				mu.Lock()
				made = append(made, res)
				mu.Unlock()
			}
		})
	}
	writing := make(chan struct{})
	var workers sync.WaitGroup
	for range 2 {
		workers.Go(func() {
			for {
				select {
				case <-writing:
					return
				default:
				}
				jobs, err := e.st.ClaimJobs(ctx, "mail", e.now(), 5, time.Minute)
				if err != nil {
					errorf("claim: %v", err)
					return
				}
				for _, j := range jobs {
					if err := e.st.CompleteJob(ctx, j.ID); err != nil {
						errorf("complete job %d: %v", j.ID, err)
						continue
					}
					mu.Lock()
					finished[j.ID]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(writing)
	workers.Wait()

	if len(made) != pairs*slots+2*pairs || refused != pairs*slots {
		t.Errorf("%d booked and %d refused, want %d and %d: one booking a slot, and each writer's own",
			len(made), refused, pairs*slots+2*pairs, pairs*slots)
	}
	cancels := 0
	for _, m := range made {
		b, err := e.st.Booking(ctx, m.id)
		if err != nil {
			t.Errorf("booking %s answered as made: %v", m.id, err)
			continue
		}
		want := booking.Confirmed
		if m.cancelled {
			want = booking.Cancelled
			cancels++
		}
		if b.Status != want {
			t.Errorf("booking %s: %s, want %s", m.id, b.Status, want)
		}
	}
	if got := len(e.stored(t)); got != len(made) {
		t.Errorf("%d bookings stored, %d answered as made", got, len(made))
	}
	for id, n := range finished {
		if n != 1 {
			t.Errorf("job %d finished %d times", id, n)
		}
	}
	stats, err := e.st.JobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// One job for each booking made and each cancellation.
	if got, want := stats["mail"]["done"]+stats["mail"]["pending"], len(made)+cancels; got != want {
		t.Errorf("%d mail jobs (%v), want %d", got, stats["mail"], want)
	}
	if stats["mail"]["done"] != len(finished) {
		t.Errorf("%d jobs done, %d finished by the workers", stats["mail"]["done"], len(finished))
	}
}
