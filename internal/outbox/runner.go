// Package outbox runs the jobs of the transactional outbox: the e-mails and
// calendar writes that a booking change queues in its own transaction (see
// booking.Job). One Runner serves one queue: it claims due jobs with a
// lease, hands each to the queue's Handler, and records what came of it:
// done, retried with backoff, put off, or failed for staff to see. Every
// queue has the same lease, backoff and failure policy, and every outcome
// is logged the same way.
//
// The runner knows nothing of SMTP, Google or SQLite: the store and the
// handler are interfaces, wired in cmd/atelier.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Handler does the work of one job. Its error says what to do next: nil
// (done), Skip (nothing to do: done), Permanent (failed at once), PutOff
// (later, not counted as an attempt), RetryAfter or any other error (a
// temporary failure, retried with backoff).
//
// A job may run more than once (its worker died before recording the
// outcome, or it was retried), so handlers are idempotent or, like mail,
// as close to it as the remote allows.
type Handler interface {
	Handle(ctx context.Context, j booking.QueuedJob) error
}

// Preparer is a Handler that also prepares the jobs of each claim
// together, before the first of them runs: work that each job would
// otherwise do before its own, one job after the other, such as a store
// write, is then done once for the claim (a mail worker can keep the
// manage tokens of a claim's messages in one write, before any of them is
// sent, rather than one write, one wait for the disk, a message). Prepare
// keeps what it prepared for Handle, which still runs each job and returns
// its outcome; a job Prepare did not prepare, or for which it failed, is
// handled as without it, or fails in Handle with that error. Prepare is
// called once for each claim that returned jobs, before the claim's first
// Handle and never at the same time as one; some of the jobs it was given
// may not run (a shutdown), and what it prepared for them is for it to
// drop at its next call.
type Preparer interface {
	Handler
	Prepare(ctx context.Context, jobs []booking.QueuedJob)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, j booking.QueuedJob) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, j booking.QueuedJob) error { return f(ctx, j) }

// GiveUpHandler is a Handler told when the runner gives up on one of its
// jobs after its last temporary failure, to record it where staff look
// (the calendar sync marks the booking's sync failed). A Permanent error
// is the handler's own decision and is not reported again.
type GiveUpHandler interface {
	Handler
	GaveUp(ctx context.Context, j booking.QueuedJob, err error) error
}

// SafeErrorHandler is a Handler whose errors may carry personal data (a
// mail server's reply repeating the recipient's address): the log shows
// SafeError(err) instead, while the job keeps the full text for staff.
type SafeErrorHandler interface {
	Handler
	SafeError(err error) string
}

// Policy is how a queue's jobs are claimed and retried. Zero fields take
// the defaults, which every queue of the server uses.
type Policy struct {
	// Backoff spaces the retries of a failing job: the n-th retry waits
	// Backoff.Delay(n-1); DefaultBackoff when zero.
	Backoff Backoff
	// MaxAttempts is how many attempts a job has before it is given up
	// (put-off ones not counted); DefaultMaxAttempts when 0.
	MaxAttempts int
	// Lease is how long a claimed job is the runner's alone; longer than a
	// job can take (an SMTP exchange, a calendar write with its in-process
	// retries and Meet polls). DefaultLease when 0.
	Lease time.Duration
	// Batch is how many jobs are claimed at once; DefaultBatch when 0.
	Batch int
	// Poll is how often an idle runner looks for jobs that came due (a
	// retry, a reminder); new jobs wake it at once. DefaultPoll when 0.
	Poll time.Duration
}

// The default policy.
var (
	// DefaultBackoff doubles from 30 seconds to an hour.
	DefaultBackoff = Backoff{Base: 30 * time.Second, Max: time.Hour}
)

const (
	DefaultMaxAttempts = 40 // with DefaultBackoff, about a day and a half of retries
	DefaultLease       = 10 * time.Minute
	DefaultBatch       = 10
	DefaultPoll        = 5 * time.Second
)

func (p Policy) withDefaults() Policy {
	if p.Backoff.Base <= 0 {
		p.Backoff = DefaultBackoff
	}
	if p.Backoff.Max < p.Backoff.Base {
		p.Backoff.Max = p.Backoff.Base
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.Lease <= 0 {
		p.Lease = DefaultLease
	}
	if p.Batch <= 0 {
		p.Batch = DefaultBatch
	}
	if p.Poll <= 0 {
		p.Poll = DefaultPoll
	}
	return p
}

// Config is what a Runner is made of.
type Config struct {
	Queue   string           // the queue's name (booking.Job.Queue); required
	Store   booking.JobQueue // required
	Handler Handler          // required
	Policy  Policy
	// Bell, when set, wakes the runner: the store rings it for the queues
	// of the jobs a commit queued.
	Bell *Bell
	// Now is the clock of claims and retries; time.Now when nil.
	Now func() time.Time
	// Jitter returns a number in [0, 1) for the backoff; math/rand/v2 when nil.
	Jitter func() float64
	// Logger receives one line per outcome; discarded when nil.
	Logger *slog.Logger
}

// Runner runs the jobs of one queue. Several runners (in one process or
// several) may share a queue: the lease keeps them apart.
type Runner struct {
	queue   string
	store   booking.JobQueue
	handler Handler
	policy  Policy
	now     func() time.Time
	jitter  func() float64
	log     *slog.Logger
	wake    chan struct{}
}

// New returns the runner of c.Queue.
func New(c Config) (*Runner, error) {
	if c.Queue == "" || c.Store == nil || c.Handler == nil {
		return nil, errors.New("outbox: a runner needs a queue, a store and a handler")
	}
	r := &Runner{
		queue: c.Queue, store: c.Store, handler: c.Handler, policy: c.Policy.withDefaults(),
		now: c.Now, jitter: c.Jitter, log: c.Logger, wake: make(chan struct{}, 1),
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.jitter == nil {
		r.jitter = rand.Float64
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.log = r.log.With("queue", c.Queue)
	if c.Bell != nil {
		c.Bell.add(c.Queue, r.wake)
	}
	return r, nil
}

// Queue returns the name of the runner's queue.
func (r *Runner) Queue() string { return r.queue }

// Wake makes the runner look for jobs now instead of at its next poll. It
// never blocks.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run runs jobs until ctx is done, then returns nil: at once, whenever
// woken, and every Poll for jobs that came due meanwhile. A full batch is
// followed by another claim at once, since more may be waiting.
func (r *Runner) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.log.ErrorContext(ctx, "job queue", "err", err)
		}
		if err == nil && n == r.policy.Batch {
			continue
		}
		timer.Reset(r.policy.Poll)
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// RunOnce claims the due jobs (up to Batch) and runs them one after the
// other; it returns how many it claimed. What came of each job is recorded
// on the job before the next one starts, so that a crash in a job's work
// (a mail server that never answers) leaves only that job to run again:
// every message accepted before it is marked sent. The error returned is
// the queue's own (the store failing). Once ctx is done no further job is
// started: the claimed ones stay leased and the next start releases them.
//
// The claim is background work (booking.Background): a store with one
// writer may let the writes of requests that wait for an answer go first,
// for a bounded time, so that a burst of bookings is not slowed by the
// e-mails it queued. The rest, the jobs and their outcomes, is the
// runner's work that does not wait (booking.JobWork).
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	ctx = booking.JobWork(ctx)
	jobs, err := r.store.ClaimJobs(booking.Background(ctx), r.queue, r.now(), r.policy.Batch, r.policy.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim %s jobs: %w", r.queue, err)
	}
	if p, ok := r.handler.(Preparer); ok && len(jobs) > 0 && ctx.Err() == nil {
		p.Prepare(ctx, jobs)
	}
	var errs []error
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		if err := r.run(ctx, j); err != nil {
			errs = append(errs, err)
		}
	}
	return len(jobs), errors.Join(errs...)
}

// recordTimeout bounds the store call that records a job's outcome, which
// runs even when ctx was cancelled meanwhile: a message handed to the mail
// server just before a shutdown is marked sent, not sent again.
const recordTimeout = 15 * time.Second

// run runs one job and records its outcome; it returns only store errors.
func (r *Runner) run(ctx context.Context, j booking.QueuedJob) error {
	attempt := max(j.Attempts, 1) // the store counts an attempt when it claims a job
	log := r.log.With("job", j.ID, "kind", j.Kind, "booking", j.BookingID, "attempt", attempt)
	herr := r.handler.Handle(ctx, j)
	if herr != nil && ctx.Err() != nil {
		return nil // interrupted by the shutdown, not failed: the lease holds it
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	wrap := func(verb string, err error) error {
		if err != nil {
			return fmt.Errorf("%s %s job %d: %w", verb, r.queue, j.ID, err)
		}
		return nil
	}
	if herr == nil {
		log.InfoContext(ctx, "job done")
		return wrap("complete", r.store.CompleteJob(rctx, j.ID))
	}
	o := classify(herr)
	text := herr.Error()
	switch {
	case o.kind == skip:
		log.InfoContext(ctx, "job skipped", "reason", text)
		return wrap("complete", r.store.CompleteJob(rctx, j.ID))
	case o.kind == putOff:
		log.DebugContext(ctx, "job put off", "until", o.until, "err", r.safe(herr))
		return wrap("put off", r.store.PostponeJob(rctx, j.ID, text, o.until))
	case o.kind == permanent:
		log.ErrorContext(ctx, "job failed; left for staff", "err", r.safe(herr))
		return wrap("fail", r.store.FailJob(rctx, j.ID, text))
	case attempt >= r.policy.MaxAttempts:
		log.ErrorContext(ctx, "job failed; left for staff", "err", r.safe(herr), "gave_up_after", attempt)
		var gerr error
		if g, ok := r.handler.(GiveUpHandler); ok {
			gerr = g.GaveUp(rctx, j, herr)
		}
		return errors.Join(wrap("fail", r.store.FailJob(rctx, j.ID, text)), gerr)
	}
	delay := r.policy.Backoff.Delay(attempt-1, o.wait, r.jitter())
	log.WarnContext(ctx, "job failed; will retry", "err", r.safe(herr), "retry_in", delay)
	return wrap("retry", r.store.RetryJob(rctx, j.ID, text, r.now().Add(delay)))
}

// safe is err as the log may show it.
func (r *Runner) safe(err error) string {
	if s, ok := r.handler.(SafeErrorHandler); ok {
		return s.SafeError(err)
	}
	return err.Error()
}

// Bell wakes runners: ringing it for a queue wakes the runners of that
// queue made with it. The store rings it after each commit that queued
// jobs, for their queues. The zero value is ready to use; it is safe for
// concurrent use.
type Bell struct {
	mu    sync.Mutex
	wakes map[string][]chan struct{}
}

// Ring wakes the runners of queues. It never blocks.
func (b *Bell) Ring(queues ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, q := range queues {
		for _, w := range b.wakes[q] {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}
}

func (b *Bell) add(queue string, w chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wakes == nil {
		b.wakes = map[string][]chan struct{}{}
	}
	b.wakes[queue] = append(b.wakes[queue], w)
}
