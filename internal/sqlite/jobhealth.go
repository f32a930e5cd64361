package sqlite

import (
	"context"
	"fmt"
	"strings"
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
	args := []any{fmtTime(now), fmtTime(failedSince)}
	for _, q := range queues {
		out[q] = booking.QueueHealth{}
		args = append(args, q)
	}
	rows, err := st.db.read.QueryContext(ctx, `SELECT queue,
			count(*) FILTER (WHERE state = 'pending' AND last_error = '' AND run_at <= ?1),
			count(*) FILTER (WHERE (state = 'pending' AND last_error <> '') OR (state = 'failed' AND done_at >= ?2))
		FROM jobs
		WHERE queue IN (`+placeholders(len(queues), 3)+`) AND state IN ('pending', 'failed')
		GROUP BY queue`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: job health: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var q string
		var h booking.QueueHealth
		if err := rows.Scan(&q, &h.Queued, &h.Failing); err != nil {
			return nil, fmt.Errorf("sqlite: job health: %w", err)
		}
		out[q] = h
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: job health: %w", err))
	}
	return out, nil
}

// FailingJobs lists the bookings with failing jobs of queue: pending after
// a failed attempt, or given up at or after failedSince. With artisanID
// set, only that artisan's bookings are listed (and no jobs of no
// booking). The most recently failing bookings come first.
func (st *JobStore) FailingJobs(ctx context.Context, queue string, failedSince time.Time, artisanID string) ([]booking.FailingJobs, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT coalesce(j.booking_id, ''),
			count(*) FILTER (WHERE j.state = 'pending'),
			count(*) FILTER (WHERE j.state = 'failed'),
			max(coalesce(j.done_at, j.run_at)) AS latest
		FROM jobs AS j LEFT JOIN bookings AS b ON b.id = j.booking_id
		WHERE j.queue = ?1 AND j.state IN ('pending', 'failed')
		  AND ((j.state = 'pending' AND j.last_error <> '') OR (j.state = 'failed' AND j.done_at >= ?2))
		  AND (?3 = '' OR b.artisan_id = ?3)
		GROUP BY j.booking_id
		ORDER BY latest DESC, j.booking_id`, queue, fmtTime(failedSince), artisanID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: failing %s jobs: %w", queue, err))
	}
	defer rows.Close()
	var out []booking.FailingJobs
	for rows.Next() {
		var f booking.FailingJobs
		var latest string
		if err := rows.Scan(&f.BookingID, &f.Retrying, &f.Failed, &latest); err != nil {
			return nil, fmt.Errorf("sqlite: failing %s jobs: %w", queue, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: failing %s jobs: %w", queue, err))
	}
	return out, nil
}

// placeholders returns n numbered SQL parameters from ?first: "?3, ?4".
func placeholders(n, first int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("?%d", first+i)
	}
	return strings.Join(p, ", ")
}
