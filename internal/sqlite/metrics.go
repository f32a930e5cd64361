package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// DueJobs are the pending jobs of one queue whose time has come: they wait
// for a worker.
type DueJobs struct {
	Queue     string
	Jobs      int64
	OldestDue time.Time // the earliest run_at among them
}

// DueJobStats counts the due pending jobs by queue, for the metrics (the
// counts by state are JobStats). It reads the partial index jobs_due only.
func (st *JobStore) DueJobStats(ctx context.Context, now time.Time) ([]DueJobs, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT queue, count(*), min(run_at) FROM jobs
		WHERE state = 'pending' AND run_at <= ? GROUP BY queue ORDER BY queue`, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: due jobs: %w", err)
	}
	defer rows.Close()
	var due []DueJobs
	for rows.Next() {
		var d DueJobs
		var oldest string
		if err := rows.Scan(&d.Queue, &d.Jobs, &oldest); err != nil {
			return nil, fmt.Errorf("sqlite: due jobs: %w", err)
		}
		if d.OldestDue, err = parseTime(oldest); err != nil {
			return nil, fmt.Errorf("sqlite: due jobs: %w", err)
		}
		due = append(due, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: due jobs: %w", err)
	}
	return due, nil
}

// BookingEventCount is how many changes of one kind an actor kind made to
// bookings.
type BookingEventCount struct {
	Event string // a booking.EventKind: created, rescheduled, cancelled...
	Actor string // customer, staff, system
	Count int64
}

// bookingEventActions are the audit actions of booking changes (not of
// staff notes and the like); "declined" and "confirmed" are the decisions
// on pending requests.
var bookingEventActions = []any{
	"booking." + string(booking.EventCreated),
	"booking." + string(booking.EventRescheduled),
	"booking." + string(booking.EventCancelled),
	"booking.declined",
	"booking.confirmed",
}

// BookingEvents counts the booking changes recorded in the audit log after
// the row afterID (0: all of them) and returns the id to pass next time.
// Every change is written to the audit log in its own transaction, so the
// counts are of committed changes only, made by any process; ids grow in
// commit order (one writer at a time), so nothing is counted twice or
// missed between calls.
func (st *BookingStore) BookingEvents(ctx context.Context, afterID int64) ([]BookingEventCount, int64, error) {
	q := `SELECT action, actor_kind, count(*), max(id) FROM audit_log
		WHERE id > ? AND action IN (?, ?, ?, ?, ?) GROUP BY action, actor_kind`
	args := append([]any{afterID}, bookingEventActions...)
	rows, err := st.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, afterID, fmt.Errorf("sqlite: booking events: %w", err)
	}
	defer rows.Close()
	var out []BookingEventCount
	last := afterID
	for rows.Next() {
		var c BookingEventCount
		var action string
		var maxID int64
		if err := rows.Scan(&action, &c.Actor, &c.Count, &maxID); err != nil {
			return nil, afterID, fmt.Errorf("sqlite: booking events: %w", err)
		}
		c.Event = action[len("booking."):]
		out = append(out, c)
		last = max(last, maxID)
	}
	if err := rows.Err(); err != nil {
		return nil, afterID, fmt.Errorf("sqlite: booking events: %w", err)
	}
	return out, last, nil
}

// Pools returns the connection pools by name ("write", "read"), for
// their statistics. Writes queue for the writer (WriterStats), which alone
// takes the write connection, so its pool shows no queue.
func (db *DB) Pools() map[string]*sql.DB {
	return map[string]*sql.DB{"write": db.write, "read": db.read}
}
