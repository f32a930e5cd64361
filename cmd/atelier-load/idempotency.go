package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

type idemOptions struct {
	clients  int
	rounds   int
	service  string
	firstDay int
	cleanup  bool
}

func (o *idemOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&o.clients, "clients", 50, "concurrent retries of one request per round, all with the same Idempotency-Key")
	fs.IntVar(&o.rounds, "rounds", 5, "rounds, each with a new key and slot")
	fs.StringVar(&o.service, "service", "", "service `id` (default: the first one offered virtually)")
	fs.IntVar(&o.firstDay, "first-day", 12, "bookings are made from the day today+first-day (atelier's zone)")
	fs.BoolVar(&o.cleanup, "cleanup", true, "cancel the bookings made once checked")
}

// runIdempotency sends many concurrent copies of one booking request with
// one Idempotency-Key and checks that exactly one booking exists after.
func runIdempotency(ctx context.Context, cl *client, o idemOptions, w io.Writer) error {
	if o.clients < 1 || o.rounds < 1 {
		return fmt.Errorf("idempotency: --clients and --rounds must be at least 1")
	}
	cat, err := cl.catalogue(ctx)
	if err != nil {
		return err
	}
	svc, err := cat.service(o.service, "virtual")
	if err != nil {
		return err
	}
	now := time.Now()
	first := dayAfter(now, cat.atelier.loc, o.firstDay)
	free, err := cl.availability(ctx, svc.ID, "virtual", first, first.AddDate(0, 0, 6))
	if err != nil {
		return err
	}
	if len(free) < o.rounds {
		return fmt.Errorf("idempotency: %d free slots from %s, want %d", len(free), first.Format(dateLayout), o.rounds)
	}
	fmt.Fprintf(w, "idempotency: %d concurrent retries x %d rounds, service %s\n", o.clients, o.rounds, svc.ID)

	var (
		failures []string
		made     []bookingView
	)
	defer func() {
		if o.cleanup {
			cancelAll(context.WithoutCancel(ctx), cl, made, w)
		}
	}()
	step := max(1, len(free)/o.rounds)
	for r := range o.rounds {
		s := free[r*step]
		key := rand.Text()
		req := bookingRequest{
			Service: svc.ID, Mode: "virtual", Start: s.Start, Artisan: s.Artisans[0],
			Customer: customer{Name: fmt.Sprintf("Retrier %d", r+1), Email: fmt.Sprintf("retrier%d@load.example", r+1)},
		}
		hdr := http.Header{"Idempotency-Key": {key}}
		var (
			mu  sync.Mutex
			t   tally
			ids = map[string]bookingView{}
		)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range o.clients {
			wg.Go(func() {
				<-start
				res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings", req, hdr)
				t.add(statusKey(res.status, err))
				if err != nil || res.status != http.StatusCreated {
					return
				}
				var b bookingView
				if json.Unmarshal(res.body, &b) == nil && b.ID != "" {
					mu.Lock()
					ids[b.ID] = b
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		fmt.Fprintf(w, "round %d: %s at %s: %s; distinct bookings %d\n", r+1, s.Artisans[0], s.Start.Format(time.RFC3339), t.String(), len(ids))

		if n := t.get("201"); n != o.clients {
			failures = append(failures, fmt.Sprintf("round %d: %d of %d retries got 201 (%s); every retry should get the first response again", r+1, n, o.clients, t.String()))
		}
		if len(ids) != 1 {
			failures = append(failures, fmt.Sprintf("round %d: %d distinct bookings from one Idempotency-Key, want 1", r+1, len(ids)))
		}
		for _, b := range ids {
			made = append(made, b)
		}
		if len(ids) == 0 {
			continue
		}
		// The booking is there, and the slot is gone for that artisan.
		for _, msg := range verifyBookings(ctx, cl, slices.Collect(maps.Values(ids)), len(cat.atelier.Rooms)) {
			failures = append(failures, fmt.Sprintf("round %d: %s", r+1, msg))
		}
		day := time.Date(s.Start.In(cat.atelier.loc).Year(), s.Start.In(cat.atelier.loc).Month(), s.Start.In(cat.atelier.loc).Day(), 0, 0, 0, 0, cat.atelier.loc)
		after, err := cl.availability(ctx, svc.ID, "virtual", day, day)
		if err != nil {
			return err
		}
		for _, a := range after {
			if a.Start.Equal(s.Start) && slices.Contains(a.Artisans, s.Artisans[0]) {
				failures = append(failures, fmt.Sprintf("round %d: %s is still offered at %s after the booking", r+1, s.Artisans[0], s.Start.Format(time.RFC3339)))
			}
		}
		// The same key with another body is refused.
		other := req
		other.Notes = "a different body"
		res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings", other, hdr)
		if err != nil {
			return err
		}
		if res.status != http.StatusUnprocessableEntity {
			failures = append(failures, fmt.Sprintf("round %d: the same key with another body: %d, want 422", r+1, res.status))
		}
	}
	return report(w, "idempotency", len(made), failures)
}
