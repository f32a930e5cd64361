package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// BookingGetter loads a booking as it is now (to render a reminder when it
// is due). booking.Store satisfies it.
type BookingGetter interface {
	Booking(ctx context.Context, id string) (*booking.Booking, error)
}

// LinkStore is what the messages rendered when they are sent (reminders,
// links sent again) need besides the booking: a place to keep the hashes
// of the fresh manage tokens they carry, stored before the message goes
// out, and a customer's coming bookings. sqlite.DB satisfies it.
type LinkStore interface {
	AddManageTokens(ctx context.Context, tokens ...booking.ManageToken) error
	// CustomerBookings returns the confirmed bookings made with email (in
	// any case) not ended at now, soonest first, at most limit.
	CustomerBookings(ctx context.Context, email string, now time.Time, limit int) ([]booking.Booking, error)
}

// Worker defaults.
const (
	DefaultBatch       = 10
	DefaultLease       = 10 * time.Minute // longer than one SMTP exchange can take
	DefaultPoll        = 30 * time.Second
	DefaultMinBackoff  = 30 * time.Second
	DefaultMaxBackoff  = time.Hour
	DefaultMaxAttempts = 40 // about a day and a half of retries
)

// Worker sends the jobs of the mail queue. A job is completed only after
// the transport accepted the message; temporary failures (refused
// connections, timeouts, 4xx replies) are retried with exponential backoff
// and jitter; a 5xx reply fails the job, which stays for staff to see.
// Several workers may share a queue: the queue's lease keeps them apart.
type Worker struct {
	Queue     booking.JobQueue
	Transport Transport
	// Bookings loads bookings for reminders; without it reminders fail.
	Bookings BookingGetter
	// Links keeps the manage tokens of reminders and finds the bookings
	// of the links sent again; without it those fail.
	Links LinkStore
	// Options render reminders at send time; Options.Now is the worker's clock.
	Options Options
	Logger  *slog.Logger

	Batch       int           // jobs claimed at once; DefaultBatch when 0
	Lease       time.Duration // DefaultLease when 0
	Poll        time.Duration // idle wait between claims; DefaultPoll when 0
	MinBackoff  time.Duration // first retry delay; DefaultMinBackoff when 0
	MaxBackoff  time.Duration // DefaultMaxBackoff when 0
	MaxAttempts int           // attempts before giving up; DefaultMaxAttempts when 0
	// Jitter returns a number in [0, 1); math/rand/v2 when nil.
	Jitter func() float64

	once sync.Once
	wake chan struct{}
}

func (w *Worker) init() {
	w.once.Do(func() { w.wake = make(chan struct{}, 1) })
}

// Wake nudges the worker to look for jobs now (after a booking commits)
// instead of at its next poll. It never blocks.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func intOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Run sends mail until ctx is done; it returns nil then.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	if err := w.Options.check(); err != nil {
		return err
	}
	poll := orDefault(w.Poll, DefaultPoll)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.logger().ErrorContext(ctx, "mail queue", "err", err)
		}
		if err == nil && n == intOr(w.Batch, DefaultBatch) {
			continue // more may be waiting
		}
		timer.Reset(poll)
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// RunOnce claims the due jobs (up to Batch) and handles each; it returns
// how many it claimed. Errors of single jobs are recorded on the jobs; the
// error returned is the queue's own.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if err := w.Options.check(); err != nil {
		return 0, err
	}
	jobs, err := w.Queue.ClaimJobs(ctx, Queue, w.Options.Now(), intOr(w.Batch, DefaultBatch), orDefault(w.Lease, DefaultLease))
	if err != nil {
		return 0, fmt.Errorf("claim mail jobs: %w", err)
	}
	var errs []error
	for i := range jobs {
		if ctx.Err() != nil {
			break // the lease brings the rest back
		}
		if err := w.handle(ctx, &jobs[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return len(jobs), errors.Join(errs...)
}

// handle sends one job and records the outcome; it returns only queue
// errors.
func (w *Worker) handle(ctx context.Context, j *booking.QueuedJob) error {
	log := w.logger().With("job", j.ID, "kind", j.Kind, "booking", j.BookingID, "attempt", attempt(j))
	env, msg, skip, err := w.prepare(ctx, j)
	switch {
	case err != nil:
		return w.failed(ctx, log, j, err)
	case skip != "":
		log.InfoContext(ctx, "mail not sent", "reason", skip)
		if err := w.Queue.CompleteJob(ctx, j.ID); err != nil {
			return fmt.Errorf("complete mail job %d: %w", j.ID, err)
		}
		return nil
	}
	if err := w.Transport.Send(ctx, env, msg); err != nil {
		if ctx.Err() != nil {
			return nil // shutting down; the lease brings the job back
		}
		return w.failed(ctx, log, j, err)
	}
	if err := w.Queue.CompleteJob(ctx, j.ID); err != nil {
		// Sent but not marked: after the lease it is sent again, with the
		// same Message-ID. At least once is the best SMTP allows.
		return fmt.Errorf("complete mail job %d after sending: %w", j.ID, err)
	}
	log.InfoContext(ctx, "mail sent")
	return nil
}

// prepare returns the envelope and message of j, or a reason to skip it.
func (w *Worker) prepare(ctx context.Context, j *booking.QueuedJob) (env Envelope, msg []byte, skip string, err error) {
	var pl payload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return env, nil, "", &permanentError{fmt.Errorf("mail job payload: %w", err)}
	}
	env = Envelope{From: pl.From, To: pl.To, Kind: j.Kind, BookingID: j.BookingID, JobID: j.ID}
	if j.Kind == KindLinks {
		return w.prepareLinks(ctx, env, pl)
	}
	if j.Kind != KindReminder {
		if len(pl.Message) == 0 || len(pl.To) == 0 || pl.From == "" {
			return env, nil, "", &permanentError{errors.New("mail job without message or envelope")}
		}
		return env, pl.Message, "", nil
	}
	if w.Bookings == nil {
		return env, nil, "", errors.New("reminder: no booking source configured")
	}
	b, err := w.Bookings.Booking(ctx, j.BookingID)
	if booking.ErrorKind(err) == booking.ENOTFOUND {
		return env, nil, "booking no longer exists", nil
	}
	if err != nil {
		return env, nil, "", fmt.Errorf("reminder: load booking: %w", err)
	}
	now := w.Options.Now()
	if !reminderApplies(b, pl, now) {
		return env, nil, "booking cancelled, moved or begun since the reminder was queued", nil
	}
	if w.Links == nil {
		return env, nil, "", errors.New("reminder: no store for its manage token configured")
	}
	// A fresh manage token, stored before the message can reach anyone.
	links, grants := mintLinks([]booking.Booking{*b}, KindReminder)
	if err := w.Links.AddManageTokens(ctx, grants...); err != nil {
		return env, nil, "", fmt.Errorf("reminder: store its manage token: %w", err)
	}
	msg, err = w.Options.renderReminder(b, now, links[0].token)
	if err != nil {
		return env, nil, "", &permanentError{err}
	}
	env.To = []string{b.Customer.Email}
	return env, msg, "", nil
}

// prepareLinks renders the e-mail of the links sent again to the address
// of pl: a fresh manage link for each of its coming bookings, their
// tokens stored first. An address without coming bookings gets nothing.
func (w *Worker) prepareLinks(ctx context.Context, env Envelope, pl payload) (Envelope, []byte, string, error) {
	if len(pl.To) != 1 || pl.From == "" {
		return env, nil, "", &permanentError{errors.New("links job without its address")}
	}
	if w.Links == nil {
		return env, nil, "", errors.New("links: no booking store configured")
	}
	now := w.Options.Now()
	bs, err := w.Links.CustomerBookings(ctx, pl.To[0], now, MaxLinks)
	if err != nil {
		return env, nil, "", fmt.Errorf("links: find the bookings: %w", err)
	}
	if len(bs) == 0 {
		return env, nil, "no coming bookings for the address", nil
	}
	links, grants := mintLinks(bs, KindLinks)
	if err := w.Links.AddManageTokens(ctx, grants...); err != nil {
		return env, nil, "", fmt.Errorf("links: store the manage tokens: %w", err)
	}
	// To the address as the bookings hold it, not as it was typed.
	to := bs[0].Customer.Email
	msg, err := w.Options.linksMessage(to, links, now)
	if err != nil {
		return env, nil, "", &permanentError{err}
	}
	env.To = []string{to}
	return env, msg, "", nil
}

// attempt is the number of this attempt at j, counting from 1. The queue
// counts an attempt when it claims a job (so a worker that dies mid-send
// used one up too).
func attempt(j *booking.QueuedJob) int { return max(j.Attempts, 1) }

// failed records a failed attempt: retried later, or failed for good.
func (w *Worker) failed(ctx context.Context, log *slog.Logger, j *booking.QueuedJob, sendErr error) error {
	text := sendErr.Error()
	maxAttempts := intOr(w.MaxAttempts, DefaultMaxAttempts)
	if Permanent(sendErr) || attempt(j) >= maxAttempts {
		log.ErrorContext(ctx, "mail failed; left for staff", "err", safeError(sendErr))
		if err := w.Queue.FailJob(ctx, j.ID, text); err != nil {
			return fmt.Errorf("fail mail job %d: %w", j.ID, err)
		}
		return nil
	}
	delay := w.backoff(attempt(j) - 1)
	log.WarnContext(ctx, "mail not sent; will retry", "err", safeError(sendErr), "retry_in", delay)
	if err := w.Queue.RetryJob(ctx, j.ID, text, w.Options.Now().Add(delay)); err != nil {
		return fmt.Errorf("retry mail job %d: %w", j.ID, err)
	}
	return nil
}

// backoff is the delay before the next try after a failure, when retries
// earlier retries failed too: MinBackoff doubled each time up to
// MaxBackoff, with "equal jitter" (half fixed, half random) so that a
// recovering server is not hit by every message at once.
func (w *Worker) backoff(retries int) time.Duration {
	lo, hi := orDefault(w.MinBackoff, DefaultMinBackoff), orDefault(w.MaxBackoff, DefaultMaxBackoff)
	d := lo
	for i := 0; i < retries && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	jitter := rand.Float64
	if w.Jitter != nil {
		jitter = w.Jitter
	}
	return d/2 + time.Duration(jitter()*float64(d/2))
}
