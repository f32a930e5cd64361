package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// JobHealth counts, for each of queues, the queued and the failing jobs
// (see booking.QueueHealth) at now, with the jobs given up at or after
// failedSince. Every queue asked for is in the map.
//
// It reads only the pending and failed rows, through the (queue, state)
// index: jobs done, which are nearly all of them, are never visited.
func (st *JobStore) JobHealth(ctx context.Context, now, failedSince time.Time, queues ...string) (map[string]booking.QueueHealth, error) {
	out := make(map[string]booking.QueueHealth, len(queues))
	if len(queues) == 0 {
		return out, nil
	}
	for _, q := range queues {
		out[q] = booking.QueueHealth{}
	}
	rows, err := st.db.pool.Query(ctx, `SELECT queue,
			count(*) FILTER (WHERE state = 'pending' AND last_error = '' AND run_at <= $1),
			count(*) FILTER (WHERE (state = 'pending' AND last_error <> '') OR (state = 'failed' AND done_at >= $2))
		FROM jobs
		WHERE queue = ANY($3) AND state IN ('pending', 'failed')
		GROUP BY queue`, utc(now), utc(failedSince), queues)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: job health: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var q string
		var h booking.QueueHealth
		if err := rows.Scan(&q, &h.Queued, &h.Failing); err != nil {
			return nil, fmt.Errorf("postgres: job health: %w", err)
		}
		out[q] = h
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: job health: %w", err))
	}
	return out, nil
}

// FailingJobs lists the bookings with failing jobs of queue: pending after
// a failed attempt, or given up at or after failedSince. With artisanID
// set, only that artisan's bookings are listed (and no jobs of no
// booking). The most recently failing bookings come first; among equals,
// the jobs of no booking first, then by booking id (as SQLite orders its
// NULLs).
func (st *JobStore) FailingJobs(ctx context.Context, queue string, failedSince time.Time, artisanID string) ([]booking.FailingJobs, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT coalesce(j.booking_id, ''),
			count(*) FILTER (WHERE j.state = 'pending'),
			count(*) FILTER (WHERE j.state = 'failed'),
			max(coalesce(j.done_at, j.run_at)) AS latest
		FROM jobs AS j LEFT JOIN bookings AS b ON b.id = j.booking_id
		WHERE j.queue = $1 AND j.state IN ('pending', 'failed')
		  AND ((j.state = 'pending' AND j.last_error <> '') OR (j.state = 'failed' AND j.done_at >= $2))
		  AND ($3 = '' OR b.artisan_id = $3)
		GROUP BY j.booking_id
		ORDER BY latest DESC, j.booking_id NULLS FIRST`, queue, utc(failedSince), artisanID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: failing %s jobs: %w", queue, err))
	}
	defer rows.Close()
	var out []booking.FailingJobs
	for rows.Next() {
		var f booking.FailingJobs
		var latest time.Time
		if err := rows.Scan(&f.BookingID, &f.Retrying, &f.Failed, &latest); err != nil {
			return nil, fmt.Errorf("postgres: failing %s jobs: %w", queue, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: failing %s jobs: %w", queue, err))
	}
	return out, nil
}

// BookingJobs lists the jobs of queue (e.g. "mail") for a booking, in the
// order they were written, with their delivery state; payloads are left
// out. A booking without jobs gives an empty list, not an error.
func (st *JobStore) BookingJobs(ctx context.Context, bookingID, queue string) ([]booking.JobRecord, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT id, queue, kind, booking_id, state, attempts, last_error,
			created_at, run_at, done_at
		FROM jobs WHERE booking_id = $1 AND queue = $2 ORDER BY created_at, id`, bookingID, queue)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: jobs of booking %s: %w", bookingID, err))
	}
	defer rows.Close()
	var out []booking.JobRecord
	for rows.Next() {
		var j booking.JobRecord
		var done *time.Time
		if err := rows.Scan(&j.ID, &j.Queue, &j.Kind, &j.BookingID, &j.State, &j.Attempts, &j.LastError,
			&j.CreatedAt, &j.RunAt, &done); err != nil {
			return nil, fmt.Errorf("postgres: jobs of booking %s: %w", bookingID, err)
		}
		j.CreatedAt, j.RunAt = j.CreatedAt.UTC(), j.RunAt.UTC()
		if done != nil {
			j.DoneAt = done.UTC()
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: jobs of booking %s: %w", bookingID, err))
	}
	return out, nil
}
