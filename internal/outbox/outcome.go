package outbox

import (
	"errors"
	"time"
)

// What a handler's error means to the runner. Any error not made by one of
// the functions below is a temporary failure: the job is retried with the
// runner's backoff until it has had Policy.MaxAttempts attempts.

// Permanent marks err as a failure that retrying cannot fix (a malformed
// job, a mail server's 5xx, a request Google refuses): the job fails at
// once and stays, failed, for staff to see.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &outcome{kind: permanent, err: err}
}

// RetryAfter marks err as a temporary failure after which the remote asked
// to be left alone for d (an HTTP Retry-After): the job is retried at the
// backoff's delay or after d, whichever is later. The attempt counts.
func RetryAfter(d time.Duration, err error) error {
	if err == nil {
		return nil
	}
	return &outcome{kind: temporary, wait: d, err: err}
}

// PutOff says the job cannot run before until for a reason outside the job
// (its artisan's calendar sync is stopped until staff reconnect it): it is
// looked at again then, and the attempt does not count, so a job put off
// for days is not given up.
func PutOff(until time.Time, err error) error {
	if err == nil {
		err = errors.New("put off")
	}
	return &outcome{kind: putOff, until: until, err: err}
}

// Skip says the job has nothing left to do (its booking was cancelled or
// moved since it was queued): it is done, and reason is logged.
func Skip(reason string) error {
	return &outcome{kind: skip, err: errors.New(reason)}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var o *outcome
	return errors.As(err, &o) && o.kind == permanent
}

type outcomeKind int

const (
	temporary outcomeKind = iota
	permanent
	putOff
	skip
)

// outcome is an error that tells the runner what to do with its job.
type outcome struct {
	kind  outcomeKind
	wait  time.Duration // temporary: at least this long before the retry
	until time.Time     // putOff
	err   error
}

func (o *outcome) Error() string { return o.err.Error() }
func (o *outcome) Unwrap() error { return o.err }

// classify returns the outcome err asks for; a plain error is temporary.
func classify(err error) *outcome {
	var o *outcome
	if errors.As(err, &o) {
		return o
	}
	return &outcome{kind: temporary, err: err}
}
