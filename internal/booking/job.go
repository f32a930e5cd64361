package booking

import (
	"context"
	"time"
)

// EventKind names a change to a booking.
type EventKind string

const (
	EventCreated     EventKind = "created"
	EventRescheduled EventKind = "rescheduled"
	EventCancelled   EventKind = "cancelled"
	// A request that staff decide on (issue 13): confirmed by staff, or
	// declined by staff or by its expiry (then the actor is
	// RequestExpiryActor and Booking.DeclineReason is "").
	EventConfirmed EventKind = "confirmed"
	EventDeclined  EventKind = "declined"
)

// Event describes a change to a booking that is being committed.
type Event struct {
	Kind     EventKind
	Booking  *Booking // the booking after the change
	Previous *Booking // before the change (nil for EventCreated)
	Actor    Actor
}

// Job is work for a background worker (an e-mail to send, an event to push
// to Google Calendar). Jobs are written in the same transaction as the
// change that caused them: a booking never exists without its jobs, and no
// job exists for a change that rolled back.
type Job struct {
	Queue     string    // "mail", "gcal", ...
	Kind      string    // queue-specific, e.g. "confirmation"
	BookingID string    // may be empty
	Payload   []byte    // queue-specific
	RunAt     time.Time // not before; zero means at once
	// ManageTokenHash, when set, is the hash of a manage token of
	// BookingID that the job's message carries; the store keeps it with
	// the job, in the same transaction (see ManageToken).
	ManageTokenHash []byte
}

// ManageToken is the stored form of a manage token: the hash of a random
// secret that opens one booking's manage page and API. A booking holds
// several: the one in the answer that made it and one in each e-mail to
// the customer. Purpose says what carried it ("created", or the kind of
// e-mail).
type ManageToken struct {
	BookingID string
	Hash      []byte
	Purpose   string
}

// JobsFunc returns the jobs to enqueue for an event. It runs inside the
// store's write transaction, so it must be fast and do no I/O; a store may
// also call it just before the transaction, for the event it predicts, and
// keep the jobs only if the transaction records exactly that event, so it
// must have no effect besides its result.
type JobsFunc func(e Event) ([]Job, error)

// QueuedJob is a job as stored, with its delivery state.
type QueuedJob struct {
	Job
	ID        int64
	Attempts  int
	LastError string
	CreatedAt time.Time
}

// JobQueue is the durable queue behind the background workers.
type JobQueue interface {
	// ClaimJobs leases up to limit due jobs of queue until now+lease; a
	// job whose lease runs out (the worker died) is claimed again.
	ClaimJobs(ctx context.Context, queue string, now time.Time, limit int, lease time.Duration) ([]QueuedJob, error)
	// CompleteJob marks a job done; it is never claimed again.
	CompleteJob(ctx context.Context, id int64) error
	// RetryJob records a failed attempt and makes the job due again at retryAt.
	RetryJob(ctx context.Context, id int64, errText string, retryAt time.Time) error
	// PostponeJob makes the job due again at until without counting the
	// attempt it was claimed for: it could not run for a reason outside
	// itself (its artisan's calendar sync is stopped). errText says why.
	PostponeJob(ctx context.Context, id int64, errText string, until time.Time) error
	// FailJob gives up on a job (a permanent failure), keeping it for staff to see.
	FailJob(ctx context.Context, id int64, errText string) error
}

// Job states as stored.
const (
	JobPending = "pending" // waiting for its first or next attempt
	JobDone    = "done"    // delivered
	JobFailed  = "failed"  // given up
)

// JobRecord is a stored job with its delivery history, for staff to see
// (e.g. the mail of a booking). The payload is not included.
type JobRecord struct {
	ID        int64
	Queue     string
	Kind      string
	BookingID string
	State     string    // JobPending, JobDone or JobFailed
	Attempts  int       // attempts started so far
	LastError string    // of the latest failed attempt; "" if none
	CreatedAt time.Time // when the change that caused it was committed
	RunAt     time.Time // when a pending job is (next) due
	DoneAt    time.Time // when it was delivered or given up; zero while pending
}

// QueueHealth is what an operator watches of one job queue. A job is in
// at most one of the counts.
type QueueHealth struct {
	// Queued are the pending jobs that are due and have not failed yet
	// (being sent, or waiting for the worker). Jobs scheduled for later,
	// such as reminders, are not counted until they are due.
	Queued int
	// Failing are the pending jobs whose last attempt failed (retried with
	// backoff, or parked) and the jobs given up since the start of the
	// window asked for.
	Failing int
}

// FailingJobs is a booking with failing jobs of one queue (see
// QueueHealth): BookingID "" gathers the jobs of no booking.
type FailingJobs struct {
	BookingID string
	Retrying  int // pending after a failed attempt
	Failed    int // given up within the window
}

// workKey marks a context as a job runner's (Background, JobWork).
type workKey struct{}

// Kinds of work a context may be marked with (workKey).
const (
	workBackground = 1 + iota // may give way to requests' writes
	workJob                   // a job's own, not a request's
)

// Background returns ctx marked as background work: a job runner's
// claims. A store with one writer may let the writes of requests that
// wait for an answer go first, for a bounded time (sqlite:
// maxBackgroundWait).
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, workKey{}, workBackground)
}

// JobWork returns ctx marked as a job runner's work that must not wait
// (recording a job's outcome, the job itself): such a store neither holds
// it back nor counts it as a request's write.
func JobWork(ctx context.Context) context.Context {
	return context.WithValue(ctx, workKey{}, workJob)
}

// IsBackground reports whether ctx is marked as background work.
func IsBackground(ctx context.Context) bool {
	w, _ := ctx.Value(workKey{}).(int)
	return w == workBackground
}

// IsJobWork reports whether ctx is marked as a job runner's work of
// either kind (Background, JobWork).
func IsJobWork(ctx context.Context) bool {
	w, _ := ctx.Value(workKey{}).(int)
	return w != 0
}
