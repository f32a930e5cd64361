package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// TokenCreated is the purpose of the manage token in the answer that made
// a booking (booking_tokens.purpose), as in SQLite's store.
const TokenCreated = "created"

// insertManageTokens stores the hashes of manage tokens inside tx.
func insertManageTokens(ctx context.Context, tx *Tx, tokens ...booking.ManageToken) error {
	for _, t := range tokens {
		if t.BookingID == "" || len(t.Hash) == 0 {
			return fmt.Errorf("manage token without booking or hash")
		}
		_, err := tx.Exec(ctx, `INSERT INTO booking_tokens (booking_id, token_hash, purpose, created_at)
			VALUES ($1, $2, $3, $4)`, t.BookingID, t.Hash, t.Purpose, tx.now)
		if err != nil {
			return fmt.Errorf("store manage token of %s: %w", t.BookingID, err)
		}
	}
	return nil
}

// AddManageTokens stores the hashes of manage tokens, for messages rendered
// outside a booking change (a reminder, the links sent again), before the
// messages go out.
func (st *BookingStore) AddManageTokens(ctx context.Context, tokens ...booking.ManageToken) error {
	if err := st.db.inTx(ctx, func(tx *Tx) error { return insertManageTokens(ctx, tx, tokens...) }); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// BookingByManageToken returns booking id if tokenHash is the hash of one
// of its manage tokens; an unknown id and an unknown token are both
// ENOTFOUND.
func (st *BookingStore) BookingByManageToken(ctx context.Context, id string, tokenHash []byte) (*booking.Booking, error) {
	b, err := scanBooking(st.db.pool.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE id = $1 AND EXISTS (SELECT 1 FROM booking_tokens AS t WHERE t.booking_id = bookings.id AND t.token_hash = $2)`,
		id, tokenHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("booking")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: booking by manage token: %w", err))
	}
	return b, nil
}

// CustomerBookings returns the confirmed bookings made with the e-mail
// address email (in any case) that have not ended at now, in start order,
// at most limit.
func (st *BookingStore) CustomerBookings(ctx context.Context, email string, now time.Time, limit int) ([]booking.Booking, error) {
	// bookings_customer_email; start_at after now less the longest block.
	out, err := queryBookings(ctx, st.db.pool, `WHERE lower(customer_email) = lower($1) AND start_at > $2 AND end_at > $3
		AND status IN ('confirmed', 'pending') ORDER BY start_at, id LIMIT $4`, email, utc(now.Add(-maxBlock)), utc(now), limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: customer bookings: %w", err))
	}
	return out, nil
}

// queryBookings reads whole bookings selected by where (a WHERE clause and
// what follows it).
func queryBookings(ctx context.Context, q querier, where string, args ...any) ([]booking.Booking, error) {
	rows, err := q.Query(ctx, `SELECT `+bookingColumns+` FROM bookings `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *b)
	}
	return out, rows.Err()
}
