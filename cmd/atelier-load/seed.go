package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

type seedOptions struct {
	bookings    int
	days        int
	firstDay    int
	service     string
	concurrency int
	seed        uint64
}

func (o *seedOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&o.bookings, "bookings", 10000, "confirmed bookings to make")
	fs.IntVar(&o.days, "days", 62, "days to spread them over")
	fs.IntVar(&o.firstDay, "first-day", 1, "the first day is today+first-day (atelier's zone)")
	fs.StringVar(&o.service, "service", "", "service `id` (default: the first one offered virtually)")
	fs.IntVar(&o.concurrency, "concurrency", 8, "requests in flight")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the choice of slots")
}

// runSeed fills the calendar through the public API: it lists the free
// (slot, artisan) pairs of a virtual service over the days and books a
// random sample of them. Going through the API (rather than writing rows)
// keeps the seeded data exactly what the service itself would have stored,
// jobs and audit rows included; it needs the rate limit off.
func runSeed(ctx context.Context, cl *client, o seedOptions, w io.Writer) error {
	if o.bookings < 1 || o.days < 1 || o.concurrency < 1 {
		return fmt.Errorf("seed: --bookings, --days and --concurrency must be at least 1")
	}
	cat, err := cl.catalogue(ctx)
	if err != nil {
		return err
	}
	svc, err := cat.service(o.service, "virtual")
	if err != nil {
		return err
	}
	type pair struct {
		start   time.Time
		artisan string
	}
	var pairs []pair
	first := dayAfter(time.Now(), cat.atelier.loc, o.firstDay)
	for d := 0; d < o.days; d += 62 {
		from := first.AddDate(0, 0, d)
		to := first.AddDate(0, 0, min(d+62, o.days)-1)
		free, err := cl.availability(ctx, svc.ID, "virtual", from, to)
		if err != nil {
			return err
		}
		for _, s := range free {
			for _, a := range s.Artisans {
				pairs = append(pairs, pair{s.Start, a})
			}
		}
	}
	r := rand.New(rand.NewPCG(o.seed, 0))
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	fmt.Fprintf(w, "seed: %d bookings of %s over %d days from %s; %d free (slot, artisan) pairs\n",
		o.bookings, svc.ID, o.days, first.Format(dateLayout), len(pairs))
	if len(pairs) < o.bookings {
		fmt.Fprintf(w, "seed: note: fewer free pairs than bookings asked for; overlapping slots also refuse each other\n")
	}

	var (
		next, made atomic.Int64
		t          tally
		wg         sync.WaitGroup
		firstErr   error
		once       sync.Once
	)
	t0 := time.Now()
	for range o.concurrency {
		wg.Go(func() {
			for made.Load() < int64(o.bookings) && ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(pairs)) {
					return
				}
				p := pairs[i]
				req := bookingRequest{
					Service: svc.ID, Mode: "virtual", Start: p.start, Artisan: p.artisan,
					Customer: customer{Name: fmt.Sprintf("Seed %d", i), Email: fmt.Sprintf("seed%d@load.example", i)},
				}
				res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings", req, nil)
				t.add(statusKey(res.status, err))
				switch {
				case err != nil:
					once.Do(func() { firstErr = err })
					return
				case res.status == http.StatusCreated:
					var b bookingView
					if json.Unmarshal(res.body, &b) == nil {
						made.Add(1)
					}
				case res.status == http.StatusTooManyRequests:
					once.Do(func() { firstErr = fmt.Errorf("rate limited (429): run the server with limits.bookings_per_minute: 0") })
					return
				case res.status >= 500:
					once.Do(func() { firstErr = fmt.Errorf("POST /bookings: %d %.200s", res.status, res.body) })
					return
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(t0)
	fmt.Fprintf(w, "seed: made %d bookings in %s (%.0f/s); %s\n", made.Load(), el.Round(time.Millisecond), float64(made.Load())/el.Seconds(), t.String())
	if firstErr != nil {
		return fmt.Errorf("seed: %w", firstErr)
	}
	if made.Load() < int64(o.bookings) {
		return fmt.Errorf("seed: made %d of %d bookings: %w", made.Load(), o.bookings, errFailed)
	}
	return nil
}
