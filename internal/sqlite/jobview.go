package sqlite

import (
	"context"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
)

// BookingJobs lists the jobs of queue (e.g. "mail") for a booking, in the
// order they were written, with their delivery state; payloads are left
// out. A booking without jobs gives an empty list, not an error.
func (st *JobStore) BookingJobs(ctx context.Context, bookingID, queue string) ([]booking.JobRecord, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT id, queue, kind, booking_id, state, attempts, last_error,
			created_at, run_at, coalesce(done_at, '')
		FROM jobs WHERE booking_id = ? AND queue = ? ORDER BY created_at, id`, bookingID, queue)
	if err != nil {
		return nil, fmt.Errorf("sqlite: jobs of booking %s: %w", bookingID, err)
	}
	defer rows.Close()
	var out []booking.JobRecord
	for rows.Next() {
		var j booking.JobRecord
		var created, runAt, doneAt string
		if err := rows.Scan(&j.ID, &j.Queue, &j.Kind, &j.BookingID, &j.State, &j.Attempts, &j.LastError,
			&created, &runAt, &doneAt); err != nil {
			return nil, fmt.Errorf("sqlite: jobs of booking %s: %w", bookingID, err)
		}
		if j.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("sqlite: jobs of booking %s: %w", bookingID, err)
		}
		if j.RunAt, err = parseTime(runAt); err != nil {
			return nil, fmt.Errorf("sqlite: jobs of booking %s: %w", bookingID, err)
		}
		if doneAt != "" {
			if j.DoneAt, err = parseTime(doneAt); err != nil {
				return nil, fmt.Errorf("sqlite: jobs of booking %s: %w", bookingID, err)
			}
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: jobs of booking %s: %w", bookingID, err)
	}
	return out, nil
}
