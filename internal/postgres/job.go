package postgres

import (
	"context"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
)

// enqueue writes jobs inside tx, with the manage tokens their messages
// carry. (The queue's claiming, JobStore, is a later step of issue 14.)
func enqueue(ctx context.Context, tx *Tx, jobs []booking.Job) error {
	for _, j := range jobs {
		runAt := j.RunAt
		if runAt.IsZero() {
			runAt = tx.now
		}
		_, err := tx.Exec(ctx, `INSERT INTO jobs (queue, kind, booking_id, payload, state, run_at, created_at)
			VALUES ($1, $2, $3, $4, 'pending', $5, $6)`,
			j.Queue, j.Kind, nullString(j.BookingID), j.Payload, utc(runAt), tx.now)
		if err != nil {
			return fmt.Errorf("enqueue %s/%s job: %w", j.Queue, j.Kind, err)
		}
		if len(j.ManageTokenHash) > 0 {
			t := booking.ManageToken{BookingID: j.BookingID, Hash: j.ManageTokenHash, Purpose: j.Kind}
			if err := insertManageTokens(ctx, tx, t); err != nil {
				return fmt.Errorf("enqueue %s/%s job: %w", j.Queue, j.Kind, err)
			}
		}
	}
	return nil
}
