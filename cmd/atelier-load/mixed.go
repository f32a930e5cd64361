package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type mixedOptions struct {
	rate        float64
	duration    time.Duration
	mix         string
	service     string
	availDays   int
	maxInflight int
	warmup      int
	pid         int
	goalP99     time.Duration
	seed        uint64
}

func (o *mixedOptions) register(fs *flag.FlagSet) {
	fs.Float64Var(&o.rate, "rate", 500, "target requests per second (open loop: sent on schedule whatever the answers)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send")
	fs.StringVar(&o.mix, "mix", "avail=70,book=15,reschedule=10,cancel=5", "weights of availability reads, bookings, reschedules and cancellations")
	fs.StringVar(&o.service, "service", "", "service `id` (default: the first one offered virtually)")
	fs.IntVar(&o.availDays, "avail-days", 7, "days each availability read covers (1 to 62)")
	fs.IntVar(&o.maxInflight, "max-inflight", 2000, "requests in flight at most; a request due beyond it is counted as dropped")
	fs.IntVar(&o.warmup, "warmup", 200, "bookings made before the measured run, for reschedules and cancellations to work on")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id, to report its resident memory (VmRSS, VmHWM) before and after")
	fs.DurationVar(&o.goalP99, "goal-avail-p99", 0, "fail when the availability p99 is above this (0: report only)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the request mix")
}

// op is one kind of request of the mix.
type op int

const (
	opAvail op = iota
	opBook
	opReschedule
	opCancel
	nOps
)

var opNames = [nOps]string{"availability", "book", "reschedule", "cancel"}

// parseMix reads "avail=70,book=15,reschedule=10,cancel=5" into cumulative weights.
func parseMix(s string) ([nOps]int, error) {
	var w [nOps]int
	names := map[string]op{"avail": opAvail, "availability": opAvail, "book": opBook, "reschedule": opReschedule, "cancel": opCancel}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		o, known := names[k]
		n, err := strconv.Atoi(v)
		if !ok || !known || err != nil || n < 0 {
			return w, fmt.Errorf("--mix: %q: want name=weight with names avail, book, reschedule, cancel", part)
		}
		w[o] = n
	}
	sum := 0
	for i := range w {
		sum += w[i]
		w[i] = sum
	}
	if sum == 0 {
		return w, fmt.Errorf("--mix: every weight is 0")
	}
	return w, nil
}

// pool holds the bookings made during the run, for reschedules and cancels.
type pool struct {
	mu sync.Mutex
	bs []bookingView
}

func (p *pool) put(b bookingView) {
	p.mu.Lock()
	p.bs = append(p.bs, b)
	p.mu.Unlock()
}

// take removes and returns a random booking.
func (p *pool) take(r *rand.Rand) (bookingView, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.bs) == 0 {
		return bookingView{}, false
	}
	i := r.IntN(len(p.bs))
	b := p.bs[i]
	p.bs[i] = p.bs[len(p.bs)-1]
	p.bs = p.bs[:len(p.bs)-1]
	return b, true
}

// runMixed sends a realistic mix at a fixed rate and reports latency per
// endpoint. Latency is measured from the moment a request was due, not
// from when it was sent, so a slow server cannot hide its queueing (no
// coordinated omission).
func runMixed(ctx context.Context, cl *client, o mixedOptions, w io.Writer) error {
	weights, err := parseMix(o.mix)
	if err != nil {
		return err
	}
	if o.rate <= 0 || o.duration <= 0 || o.availDays < 1 || o.availDays > 62 {
		return fmt.Errorf("mixed: want --rate > 0, --duration > 0 and --avail-days 1..62")
	}
	cat, err := cl.catalogue(ctx)
	if err != nil {
		return err
	}
	svc, err := cat.service(o.service, "virtual")
	if err != nil {
		return err
	}
	loc := cat.atelier.loc
	now := time.Now()
	first := dayAfter(now, loc, 1)
	horizon := max(1, min(cat.atelier.Booking.HorizonDays-2, 62))
	last := first.AddDate(0, 0, horizon-1)
	free, err := cl.availability(ctx, svc.ID, "virtual", first, last)
	if err != nil {
		return err
	}
	if len(free) == 0 {
		return fmt.Errorf("mixed: no free %s slot in the next %d days", svc.ID, horizon)
	}
	fmt.Fprintf(w, "mixed: %.0f req/s for %s, mix %s, service %s, availability over %d days, %d free slots to pick from\n",
		o.rate, o.duration, o.mix, svc.ID, o.availDays, len(free))

	rssBefore := readMemory(o.pid)
	var live pool
	var failures []string
	var fmu sync.Mutex
	fail := func(format string, args ...any) {
		fmu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		fmu.Unlock()
	}
	defer func() { cancelAll(context.WithoutCancel(ctx), cl, live.bs, w) }()

	book := func(r *rand.Rand) (response, error) {
		s := free[r.IntN(len(free))]
		req := bookingRequest{
			Service: svc.ID, Mode: "virtual", Start: s.Start, Artisan: s.Artisans[r.IntN(len(s.Artisans))],
			Customer: customer{Name: "Mixed Load", Email: "mixed@load.example"},
		}
		res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings", req, nil)
		if err == nil && res.status == http.StatusCreated {
			var b bookingView
			if json.Unmarshal(res.body, &b) == nil {
				live.put(b)
			}
		}
		return res, err
	}

	// Warm-up, not measured: bookings for reschedules and cancels.
	wr := rand.New(rand.NewPCG(o.seed, 0))
	for range o.warmup {
		if _, err := book(wr); err != nil {
			return fmt.Errorf("mixed: warm-up: %w", err)
		}
	}

	byName := map[string]*latencies{}
	for _, n := range opNames {
		byName[n] = &latencies{}
	}
	var dropped, inflight atomic.Int64
	interval := time.Duration(float64(time.Second) / o.rate)
	total := int(o.duration / interval)
	sem := make(chan struct{}, o.maxInflight)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range total {
		due := t0.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		default:
			dropped.Add(1)
			continue
		}
		inflight.Add(1)
		r := rand.New(rand.NewPCG(o.seed, uint64(i)+1))
		wg.Go(func() {
			defer func() { <-sem; inflight.Add(-1) }()
			k := op(0)
			x := r.IntN(weights[nOps-1])
			for x >= weights[k] {
				k++
			}
			k, res, err := doOp(ctx, cl, k, r, o, svc.ID, first, last, free, &live, book)
			lat := time.Since(due)
			byName[opNames[k]].add(lat, statusKey(res.status, err))
			switch {
			case err != nil && ctx.Err() == nil:
				fail("%s: %v", opNames[k], err)
			case res.status >= 500:
				fail("%s: %d %.200s", opNames[k], res.status, res.body)
			}
		})
	}
	sendDone := time.Since(t0)
	wg.Wait()
	elapsed := time.Since(t0)
	rssAfter := readMemory(o.pid)

	done := 0
	for _, l := range byName {
		done += l.summary().n
	}
	fmt.Fprintf(w, "sent %d requests in %s (target %.0f/s, achieved %.1f/s), all answered after %s, dropped (over --max-inflight) %d\n",
		done, sendDone.Round(time.Millisecond), o.rate, float64(done)/sendDone.Seconds(), elapsed.Round(time.Millisecond), dropped.Load())
	printTable(w, opNames[:], byName, sendDone)
	if o.pid > 0 {
		fmt.Fprintf(w, "server memory: before %s; after %s\n", rssBefore, rssAfter)
	}
	if d := dropped.Load(); d > 0 {
		fail("%d requests dropped: the server fell behind the target rate", d)
	}
	if o.goalP99 > 0 {
		if p := byName["availability"].summary().p99; p > o.goalP99 {
			fail("availability p99 %s is over the goal %s", ms(p), ms(o.goalP99))
		}
	}
	if len(failures) > 0 {
		return report(w, "mixed", done, failures)
	}
	fmt.Fprintln(w, "mixed: OK: no 5xx, no transport error")
	return nil
}

// doOp sends one request of kind k and returns the kind it sent:
// reschedules and cancellations fall back to an availability read when no
// booking of the run is left.
func doOp(ctx context.Context, cl *client, k op, r *rand.Rand, o mixedOptions, service string, first, last time.Time,
	free []slot, live *pool, book func(*rand.Rand) (response, error)) (op, response, error) {
	switch k {
	case opBook:
		res, err := book(r)
		return k, res, err
	case opReschedule:
		b, ok := live.take(r)
		if !ok {
			break
		}
		s := free[r.IntN(len(free))]
		res, err := cl.do(ctx, http.MethodPost, "/api/v1/bookings/"+url.PathEscape(b.ID)+"/reschedule",
			map[string]any{"start": s.Start}, bearer(b.ManageToken))
		live.put(b) // moved or not, it is still confirmed
		return k, res, err
	case opCancel:
		b, ok := live.take(r)
		if !ok {
			break
		}
		status, err := cl.cancel(ctx, b.ID, b.ManageToken)
		return k, response{status: status}, err
	}
	span := int(last.Sub(first).Hours()/24) + 1
	from := first.AddDate(0, 0, r.IntN(max(1, span-o.availDays+1)))
	q := url.Values{}
	q.Set("service", service)
	q.Set("mode", "virtual")
	q.Set("from", from.Format(dateLayout))
	q.Set("to", from.AddDate(0, 0, o.availDays-1).Format(dateLayout))
	res, err := cl.do(ctx, http.MethodGet, "/api/v1/availability?"+q.Encode(), nil, nil)
	return opAvail, res, err
}
