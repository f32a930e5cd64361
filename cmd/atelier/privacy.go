package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/outbox"
)

// The daily retention erasure (privacy.retention_years): one job of the
// queue booking.PrivacyQueue a day, whichever server claims it. Every
// server offers the next run each hour (housekeeping); the database keeps
// one pending job of the kind (jobs_periodic), so with several servers it
// still runs once a day. Its handler is idempotent: a booking erased
// already is not erased again.

// retentionHour is the hour of the atelier's day the erasure runs at.
const retentionHour = 3

// nextRetention is the first retentionHour:00 in loc after now.
func nextRetention(now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	next := time.Date(t.Year(), t.Month(), t.Day(), retentionHour, 0, 0, 0, loc)
	if !next.After(t) {
		next = time.Date(t.Year(), t.Month(), t.Day()+1, retentionHour, 0, 0, 0, loc)
	}
	return next.UTC()
}

// offerRetention queues the next run unless one is queued already.
func offerRetention(ctx context.Context, db database, years int, loc *time.Location, now time.Time, logger *slog.Logger) {
	if years <= 0 {
		return
	}
	j := booking.Job{Queue: booking.PrivacyQueue, Kind: booking.RetentionJob, RunAt: nextRetention(now, loc)}
	if _, err := db.OfferJob(ctx, j); err != nil {
		logger.Warn("queueing the retention erasure", "err", err)
	}
}

// retentionHandler runs the erasure of a retention job.
func retentionHandler(a *app.App) outbox.Handler {
	return outbox.HandlerFunc(func(ctx context.Context, j booking.QueuedJob) error {
		if j.Kind != booking.RetentionJob {
			return outbox.Permanent(fmt.Errorf("privacy: unknown job kind %q", j.Kind))
		}
		_, err := a.RunRetention(ctx)
		return err
	})
}
