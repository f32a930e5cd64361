package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

type raceOptions struct {
	clients  int
	slots    int
	rounds   int
	service  string
	firstDay int
	cleanup  bool
}

func (o *raceOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&o.clients, "clients", 200, "concurrent clients per round, each sending one booking request")
	fs.IntVar(&o.slots, "slots", 20, "slots the clients of a round fight over")
	fs.IntVar(&o.rounds, "rounds", 6, "rounds; they cycle through in person (any artisan), virtual (any artisan) and virtual (one named artisan)")
	fs.StringVar(&o.service, "service", "", "service `id` (default: the first one offered in person)")
	fs.IntVar(&o.firstDay, "first-day", 2, "round r books on the day today+first-day+r (atelier's zone)")
	fs.BoolVar(&o.cleanup, "cleanup", true, "cancel the bookings made once checked, so the run can be repeated")
}

// raceFlavour is how the clients of a round ask.
type raceFlavour struct {
	mode     string
	explicit bool // name the slot's first free artisan instead of "any"
}

var raceFlavours = []raceFlavour{{"in_person", false}, {"virtual", false}, {"virtual", true}}

// raceRound is what one round did.
type raceRound struct {
	flavour raceFlavour
	day     time.Time
	slots   []slot
}

// runRace lets many clients fight over the same few slots, then checks
// through the API that no artisan and no room was booked twice.
func runRace(ctx context.Context, cl *client, o raceOptions, w io.Writer) error {
	if o.clients < 1 || o.slots < 1 || o.rounds < 1 {
		return fmt.Errorf("race: --clients, --slots and --rounds must be at least 1")
	}
	cat, err := cl.catalogue(ctx)
	if err != nil {
		return err
	}
	svc, err := cat.service(o.service, "in_person")
	if err != nil {
		return err
	}
	rooms := len(cat.atelier.Rooms)
	now := time.Now()
	fmt.Fprintf(w, "race: %d clients x %d slots x %d rounds, service %s, %d rooms\n", o.clients, o.slots, o.rounds, svc.ID, rooms)

	var (
		mu       sync.Mutex
		created  []bookingView
		failures []string
		total    tally
		rounds   []raceRound
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	defer func() {
		if o.cleanup {
			cancelAll(context.WithoutCancel(ctx), cl, created, w)
		}
	}()

	for r := range o.rounds {
		fl := raceFlavours[r%len(raceFlavours)]
		if !svc.offers(fl.mode) {
			fl = raceFlavour{mode: "in_person"}
		}
		day := dayAfter(now, cat.atelier.loc, o.firstDay+r)
		free, err := cl.availability(ctx, svc.ID, fl.mode, day, day)
		if err != nil {
			return err
		}
		if len(free) == 0 {
			return fmt.Errorf("race: round %d: no free %s slot on %s; pick another --first-day or a fresh database", r+1, fl.mode, day.Format(dateLayout))
		}
		slots := free[:min(o.slots, len(free))]
		rounds = append(rounds, raceRound{flavour: fl, day: day, slots: slots})

		var round tally
		wins := make([]int, len(slots))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range o.clients {
			wg.Go(func() {
				k := i % len(slots)
				req := bookingRequest{
					Service: svc.ID, Mode: fl.mode, Start: slots[k].Start,
					Customer: customer{Name: fmt.Sprintf("Racer %d-%d", r+1, i), Email: fmt.Sprintf("racer%d-%d@load.example", r+1, i)},
				}
				if fl.explicit {
					req.Artisan = slots[k].Artisans[0]
				}
				<-start
				res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings", req, nil)
				key := statusKey(res.status, err)
				round.add(key)
				total.add(key)
				switch {
				case err != nil:
					fail("round %d: POST /bookings: %v", r+1, err)
				case res.status >= 500:
					fail("round %d: POST /bookings: %d %.200s", r+1, res.status, res.body)
				case res.status == http.StatusCreated:
					var b bookingView
					if err := json.Unmarshal(res.body, &b); err != nil || b.ID == "" || b.ManageToken == "" {
						fail("round %d: a 201 without a booking and manage token: %.200s", r+1, res.body)
						return
					}
					mu.Lock()
					created = append(created, b)
					wins[k]++
					mu.Unlock()
				}
			})
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		fmt.Fprintf(w, "round %d: %-9s %-5s on %s: %d slots, %s in %s; winners per slot %d..%d\n",
			r+1, fl.mode, map[bool]string{true: "named", false: "any"}[fl.explicit], day.Format(dateLayout),
			len(slots), round.String(), time.Since(t0).Round(time.Millisecond), slices.Min(wins), slices.Max(wins))
		if round.get("429") > 0 {
			fmt.Fprintln(w, "  note: 429s mean the server's rate limit is on; run it with limits.bookings_per_minute: 0 (testdata/load.yaml)")
		}
	}

	fmt.Fprintf(w, "total: %s\n", total.String())
	for _, msg := range verifyBookings(ctx, cl, created, rooms) {
		fail("%s", msg)
	}
	for _, rd := range rounds {
		msgs, err := verifyAvailability(ctx, cl, svc.ID, rd, created, rooms)
		if err != nil {
			return err
		}
		for _, msg := range msgs {
			fail("%s", msg)
		}
	}
	return report(w, "race", len(created), failures)
}

// report prints the failures, if any, and returns errFailed then.
func report(w io.Writer, what string, n int, failures []string) error {
	if len(failures) == 0 {
		fmt.Fprintf(w, "%s: OK: %d bookings checked, no 5xx, no double booking\n", what, n)
		return nil
	}
	fmt.Fprintf(w, "%s: FAILED: %d problems\n", what, len(failures))
	for i, f := range failures {
		if i == 50 {
			fmt.Fprintf(w, "  ... and %d more\n", len(failures)-i)
			break
		}
		fmt.Fprintln(w, "  -", f)
	}
	return errFailed
}

// verifyBookings fetches every created booking with its manage token and
// checks that it is intact, that no artisan has two overlapping bookings
// and that no more in-person visits overlap than there are rooms.
func verifyBookings(ctx context.Context, cl *client, created []bookingView, rooms int) []string {
	var (
		mu   sync.Mutex
		msgs []string
	)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, b := range created {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			got, status, err := cl.getBooking(ctx, b.ID, b.ManageToken)
			var msg string
			switch {
			case err != nil:
				msg = fmt.Sprintf("booking %s: %v", b.ID, err)
			case status != http.StatusOK:
				msg = fmt.Sprintf("booking %s (a 201) answers %d with its manage token", b.ID, status)
			default:
				if d := got.differs(b); d != "" {
					msg = fmt.Sprintf("booking %s changed: %s", b.ID, d)
				}
			}
			if msg != "" {
				mu.Lock()
				msgs = append(msgs, msg)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return append(msgs, overlaps(created, rooms)...)
}

// overlaps reports every pair of confirmed bookings of one artisan that
// overlap and every instant with more in-person visits than rooms.
func overlaps(bs []bookingView, rooms int) []string {
	var msgs []string
	byArtisan := map[string][]bookingView{}
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, b := range bs {
		if b.Status != "confirmed" {
			continue
		}
		byArtisan[b.Artisan] = append(byArtisan[b.Artisan], b)
		if b.Mode == "in_person" {
			edges = append(edges, edge{b.Start, +1}, edge{b.End, -1})
		}
	}
	for a, list := range byArtisan {
		slices.SortFunc(list, func(x, y bookingView) int { return x.Start.Compare(y.Start) })
		for i := 1; i < len(list); i++ {
			if list[i].Start.Before(list[i-1].End) {
				msgs = append(msgs, fmt.Sprintf("DOUBLE BOOKING: artisan %s has %s (%s) and %s (%s)", a,
					list[i-1].ID, list[i-1].Start.Format(time.RFC3339), list[i].ID, list[i].Start.Format(time.RFC3339)))
			}
		}
	}
	// Ends sort before starts at the same instant: [a,b) and [b,c) do not overlap.
	slices.SortFunc(edges, func(x, y edge) int {
		if c := x.at.Compare(y.at); c != 0 {
			return c
		}
		return x.delta - y.delta
	})
	n := 0
	for _, e := range edges {
		n += e.delta
		if n > rooms {
			msgs = append(msgs, fmt.Sprintf("ROOMS OVER CAPACITY: %d in-person visits at %s, %d rooms", n, e.at.Format(time.RFC3339), rooms))
		}
	}
	return msgs
}

// verifyAvailability checks that availability, asked after the round,
// offers no slot that the round's bookings made impossible.
func verifyAvailability(ctx context.Context, cl *client, service string, rd raceRound, created []bookingView, rooms int) ([]string, error) {
	free, err := cl.availability(ctx, service, rd.flavour.mode, rd.day, rd.day)
	if err != nil {
		return nil, err
	}
	var msgs []string
	for _, s := range free {
		visits := 0
		for _, b := range created {
			if b.Status != "confirmed" || !(b.Start.Before(s.End) && s.Start.Before(b.End)) {
				continue
			}
			if b.Mode == "in_person" {
				visits++
			}
			if slices.Contains(s.Artisans, b.Artisan) {
				msgs = append(msgs, fmt.Sprintf("availability offers %s at %s although booking %s has them then",
					b.Artisan, s.Start.Format(time.RFC3339), b.ID))
			}
		}
		if rd.flavour.mode == "in_person" && visits >= rooms {
			msgs = append(msgs, fmt.Sprintf("availability offers a visit at %s although all %d rooms are taken", s.Start.Format(time.RFC3339), rooms))
		}
	}
	return msgs, nil
}

// cancelAll cancels the bookings made by a run (best effort, bounded).
func cancelAll(ctx context.Context, cl *client, bs []bookingView, w io.Writer) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var t tally
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, b := range bs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			status, err := cl.cancel(ctx, b.ID, b.ManageToken)
			t.add(statusKey(status, err))
		})
	}
	wg.Wait()
	if len(bs) > 0 {
		fmt.Fprintf(w, "cleanup: cancelled the run's bookings: %s\n", t.String())
	}
}
