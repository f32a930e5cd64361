package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// DecideRequest confirms or declines the pending request id (see
// booking.RequestStore). The write transaction is SQLite's only writer,
// so of two decisions at once (staff confirming as the request expires)
// the second reads the first's outcome and is refused.
func (st *BookingStore) DecideRequest(ctx context.Context, id string, d booking.Decision, actor booking.Actor) (*booking.Booking, error) {
	var out *booking.Booking
	err := st.db.inTx(ctx, func(tx *Tx) error {
		prev, err := getBooking(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := booking.DecideRefusal(prev, d); err != nil {
			return err
		}
		b := *prev
		b.Status, b.UpdatedAt = d.Status, tx.now
		kind := booking.EventConfirmed
		if d.Status == booking.Declined {
			kind, b.DeclineReason = booking.EventDeclined, d.Reason
		}
		if d.MeetingURL != "" && d.Status == booking.Confirmed {
			b.MeetingURL = d.MeetingURL
		}
		// The status is the condition too: a row that is no longer
		// pending is not touched.
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET status = ?, decline_reason = ?, meeting_url = ?, updated_at = ?
			WHERE id = ? AND status = 'pending'`,
			string(b.Status), b.DeclineReason, b.MeetingURL, fmtTime(b.UpdatedAt), b.ID)
		if err != nil {
			return fmt.Errorf("update booking: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("update booking: %d rows changed (%v), want 1", n, err)
		}
		ev := booking.Event{Kind: kind, Booking: copyBooking(&b), Previous: prev, Actor: actor}
		if err := recordEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = &b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: decide request: %w", err)
	}
	return out, nil
}

// PendingRequests lists the pending requests starting at or after from,
// of artisanID when it is not "", soonest decision first
// (bookings_pending).
func (st *BookingStore) PendingRequests(ctx context.Context, from time.Time, artisanID string) ([]booking.Booking, error) {
	q := `SELECT ` + bookingColumns + ` FROM bookings WHERE status = 'pending' AND start_at >= ?`
	args := []any{fmtTime(from)}
	if artisanID != "" {
		q += ` AND artisan_id = ?`
		args = append(args, artisanID)
	}
	rows, err := st.db.read.QueryContext(ctx, q+` ORDER BY decide_by, start_at, id`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: pending requests: %w", err))
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: pending requests: %w", err)
		}
		out = append(out, *b)
	}
	if err := closeRows(rows); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: pending requests: %w", err))
	}
	return out, nil
}
