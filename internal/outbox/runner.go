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
// on the job; the error returned is the queue's own (the store failing).
// Once ctx is done no further job is started: the claimed ones stay leased
// and the next start releases them.
//
// The outcomes of a claim's jobs are recorded together (recorder): once
// its last job has run, or recordDelay after the first outcome that waits,
// whichever comes first, every outcome waiting is handed to the store at
// once, each a call of its own, and the store's group commit takes them
// into one transaction: one COMMIT, one wait for the disk, for the lot,
// where each job's completion was a transaction of its own. Each outcome
// is still recorded only once its handler has returned (a message is
// marked sent only after the transport accepted it), and RunOnce returns
// only once all its records are done: the next claim sees them, and a
// shutdown waits for them. A crash between a send and its record sends
// that message again, with the same Message-ID, once its lease is released
// (the next start) or runs out: at least once, as before, but now possibly
// several messages rather than one, those of the claim whose records were
// waiting (at most Batch).
//
// The claim, the outcomes and the handler's own store calls are background
// work (booking.Background): a store may let the writes of requests that
// wait for an answer go first, for a bounded time.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	ctx = booking.Background(ctx)
	jobs, err := r.store.ClaimJobs(ctx, r.queue, r.now(), r.policy.Batch, r.policy.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim %s jobs: %w", r.queue, err)
	}
	if p, ok := r.handler.(Preparer); ok && len(jobs) > 0 && ctx.Err() == nil {
		p.Prepare(ctx, jobs)
	}
	var rec recorder
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		r.run(ctx, j, &rec)
	}
	return len(jobs), rec.wait()
}

// recordTimeout bounds the store call that records a job's outcome, which
// runs even when ctx was cancelled meanwhile: a message handed to the mail
// server just before a shutdown is marked sent, not sent again.
const recordTimeout = 15 * time.Second

// recordDelay is how long an outcome may wait for the others of its claim
// before it is recorded all the same: a claim's jobs run in a few
// milliseconds when the transport is quick, and a slow job (a mail server
// taking seconds, a calendar write with its retries) must not hold the
// records of the jobs before it, whose leases run meanwhile.
const recordDelay = 50 * time.Millisecond

// recorder gathers the outcomes of one claim's jobs and records them
// together (RunOnce): each waiting outcome is a store call, started on a
// goroutine of its own when the claim's jobs have all run (wait) or
// recordDelay after the first of those waiting (the timer), so that the
// calls reach the store together. It gathers their errors.
type recorder struct {
	wg      sync.WaitGroup // the records not done, waiting or running
	mu      sync.Mutex
	waiting []func()
	timer   *time.Timer
	errs    []error
}

// record has fn, the recording of one outcome, run with the others of the
// claim, on a context that outlives ctx's cancellation by at most
// recordTimeout.
func (rec *recorder) record(ctx context.Context, fn func(ctx context.Context) error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	rec.wg.Add(1)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.waiting = append(rec.waiting, func() {
		defer rec.wg.Done()
		defer cancel()
		rec.add(fn(rctx))
	})
	if len(rec.waiting) > 1 {
		return
	}
	if rec.timer == nil {
		rec.timer = time.AfterFunc(recordDelay, rec.start)
	} else {
		rec.timer.Reset(recordDelay)
	}
}

// start starts the waiting records, each on a goroutine of its own.
func (rec *recorder) start() {
	rec.mu.Lock()
	waiting := rec.waiting
	rec.waiting = nil
	rec.mu.Unlock()
	for _, f := range waiting {
		go f()
	}
}

// recordNow runs fn as a record, but returns only once it is done.
func (rec *recorder) recordNow(ctx context.Context, fn func(ctx context.Context) error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	rec.add(fn(rctx))
}

func (rec *recorder) add(err error) {
	if err != nil {
		rec.mu.Lock()
		rec.errs = append(rec.errs, err)
		rec.mu.Unlock()
	}
}

// wait starts the records still waiting, waits for every record and
// returns their errors.
func (rec *recorder) wait() error {
	if rec.timer != nil {
		rec.timer.Stop()
	}
	rec.start()
	rec.wg.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return errors.Join(rec.errs...)
}

// run runs one job and has rec record its outcome; rec gathers only store
// errors. The records that write only the job's own row (done, skipped,
// put off, retried, failed by the handler's Permanent) wait for the
// others of the claim; the give-up, which also tells the handler, is
// recorded before the next job starts.
func (r *Runner) run(ctx context.Context, j booking.QueuedJob, rec *recorder) {
	attempt := max(j.Attempts, 1) // the store counts an attempt when it claims a job
	log := r.log.With("job", j.ID, "kind", j.Kind, "booking", j.BookingID, "attempt", attempt)
	herr := r.handler.Handle(ctx, j)
	if herr != nil && ctx.Err() != nil {
		return // interrupted by the shutdown, not failed: the lease holds it
	}
	wrap := func(verb string, err error) error {
		if err != nil {
			return fmt.Errorf("%s %s job %d: %w", verb, r.queue, j.ID, err)
		}
		return nil
	}
	if herr == nil {
		log.InfoContext(ctx, "job done")
		rec.record(ctx, func(rctx context.Context) error { return wrap("complete", r.store.CompleteJob(rctx, j.ID)) })
		return
	}
	o := classify(herr)
	text := herr.Error()
	switch {
	case o.kind == skip:
		log.InfoContext(ctx, "job skipped", "reason", text)
		rec.record(ctx, func(rctx context.Context) error { return wrap("complete", r.store.CompleteJob(rctx, j.ID)) })
		return
	case o.kind == putOff:
		log.DebugContext(ctx, "job put off", "until", o.until, "err", r.safe(herr))
		rec.record(ctx, func(rctx context.Context) error {
			return wrap("put off", r.store.PostponeJob(rctx, j.ID, text, o.until))
		})
		return
	case o.kind == permanent:
		log.ErrorContext(ctx, "job failed; left for staff", "err", r.safe(herr))
		rec.record(ctx, func(rctx context.Context) error { return wrap("fail", r.store.FailJob(rctx, j.ID, text)) })
		return
	case attempt >= r.policy.MaxAttempts:
		log.ErrorContext(ctx, "job failed; left for staff", "err", r.safe(herr), "gave_up_after", attempt)
		// Before the next job, as before: GaveUp writes more than this
		// job's row (the calendar sync marks its booking failed), and the
		// next job may be of the same booking.
		rec.recordNow(ctx, func(rctx context.Context) error {
			var gerr error
			if g, ok := r.handler.(GiveUpHandler); ok {
				gerr = g.GaveUp(rctx, j, herr)
			}
			return errors.Join(wrap("fail", r.store.FailJob(rctx, j.ID, text)), gerr)
		})
		return
	}
	delay := r.policy.Backoff.Delay(attempt-1, o.wait, r.jitter())
	log.WarnContext(ctx, "job failed; will retry", "err", r.safe(herr), "retry_in", delay)
	retryAt := r.now().Add(delay)
	rec.record(ctx, func(rctx context.Context) error { return wrap("retry", r.store.RetryJob(rctx, j.ID, text, retryAt)) })
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
