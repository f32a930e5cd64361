package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// DecideRequest confirms or declines the pending request id (see
// booking.RequestStore). The request's row is locked first (FOR UPDATE),
// so of two decisions at once, on any servers (staff confirming as the
// request expires), the second waits for the first, reads its outcome and
// is refused; the UPDATE's own condition on the status says the same.
func (st *BookingStore) DecideRequest(ctx context.Context, id string, d booking.Decision, actor booking.Actor) (*booking.Booking, error) {
	var out *booking.Booking
	err := st.db.inTx(ctx, func(tx *Tx) error {
		out = nil
		prev, err := getBooking(ctx, tx, id, true)
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
		tag, err := tx.Exec(ctx, `UPDATE bookings SET status = $1, decline_reason = $2, meeting_url = $3, updated_at = $4
			WHERE id = $5 AND status = 'pending'`,
			string(b.Status), b.DeclineReason, b.MeetingURL, b.UpdatedAt, b.ID)
		if err != nil {
			return fmt.Errorf("update booking: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("update booking: %d rows changed, want 1", tag.RowsAffected())
		}
		ev := booking.Event{Kind: kind, Booking: copyBooking(&b), Previous: prev, Actor: actor}
		if err := recordEvent(ctx, tx, ev); err != nil {
			return err
		}
		out = &b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: decide request: %w", err)
	}
	return out, nil
}

// PendingRequests lists the pending requests starting at or after from,
// of artisanID when it is not "", soonest decision first
// (bookings_pending).
func (st *BookingStore) PendingRequests(ctx context.Context, from time.Time, artisanID string) ([]booking.Booking, error) {
	q := `WHERE status = 'pending' AND start_at >= $1`
	args := []any{utc(from)}
	if artisanID != "" {
		q += ` AND artisan_id = $2`
		args = append(args, artisanID)
	}
	out, err := queryBookings(ctx, st.db.pool, q+` ORDER BY decide_by, start_at, id`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: pending requests: %w", err))
	}
	return out, nil
}
