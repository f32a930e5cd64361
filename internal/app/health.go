package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// calendarQueue is the job queue of Google Calendar writes (gcal.Queue).
const calendarQueue = "gcal"

// Windows over which a message or calendar write given up still counts as
// failing. A job being retried counts until it succeeds or is given up,
// whatever its age.
const (
	// HealthFailedWindow is /healthz's: a monitor hears of a bounce for a
	// day, then the state clears by itself (nobody can "fix" a customer's
	// mistyped address).
	HealthFailedWindow = 24 * time.Hour
	// StaffFailedWindow is the staff home's: a week, so that a message
	// given up on a Saturday is still there for staff on Monday.
	StaffFailedWindow = 7 * 24 * time.Hour
)

// Health is the state of the outbox for /healthz.
type Health struct {
	// Mail counts the e-mails queued (due, not failed yet) and failing
	// (retried after a failure, or given up within HealthFailedWindow).
	Mail booking.QueueHealth
	// Calendar counts the Google Calendar writes the same way; nil when
	// Google Calendar sync is off.
	Calendar *booking.QueueHealth
}

// Failing reports whether any mail or calendar job is failing.
func (h *Health) Failing() bool {
	return h.Mail.Failing > 0 || (h.Calendar != nil && h.Calendar.Failing > 0)
}

// Health checks that the database answers and counts the outbox's queued
// and failing jobs, in one indexed query. An error means the database is
// down.
func (a *App) Health(ctx context.Context) (*Health, error) {
	if err := a.store.Ping(ctx); err != nil {
		return nil, internal("ping the database", err)
	}
	queues := []string{mailQueue}
	if a.google != nil {
		queues = append(queues, calendarQueue)
	}
	now := a.now()
	counts, err := a.store.JobHealth(ctx, now, now.Add(-HealthFailedWindow), queues...)
	if err != nil {
		return nil, internal("count the outbox", err)
	}
	h := &Health{Mail: counts[mailQueue]}
	if a.google != nil {
		c := counts[calendarQueue]
		h.Calendar = &c
	}
	return h, nil
}
