package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TokenCreated is the purpose of the manage token in the answer that made
// a booking (booking_tokens.purpose); the tokens of e-mails carry the kind
// of e-mail.
const TokenCreated = "created"

// insertTokenSQL is insertManageTokens' INSERT.
const insertTokenSQL = `INSERT INTO booking_tokens (booking_id, token_hash, purpose, created_at)
			VALUES (?, ?, ?, ?)`

// insertManageTokens stores the hashes of manage tokens inside tx.
func insertManageTokens(ctx context.Context, tx *Tx, tokens ...booking.ManageToken) error {
	for _, t := range tokens {
		if t.BookingID == "" || len(t.Hash) == 0 {
			return fmt.Errorf("manage token without booking or hash")
		}
		_, err := tx.ExecContext(ctx, insertTokenSQL, t.BookingID, t.Hash, t.Purpose, fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("store manage token of %s: %w", t.BookingID, err)
		}
	}
	return nil
}

// AddManageTokens stores the hashes of manage tokens, for messages rendered
// outside a booking change (a reminder, the links sent again). A token is
// stored before its message goes out, so every link that reaches a
// customer works.
func (st *BookingStore) AddManageTokens(ctx context.Context, tokens ...booking.ManageToken) error {
	if err := st.db.inTx(ctx, func(tx *Tx) error { return insertManageTokens(ctx, tx, tokens...) }); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// BookingByManageToken returns booking id if tokenHash is the hash of one
// of its manage tokens; an unknown id and an unknown token are both
// ENOTFOUND.
func (st *BookingStore) BookingByManageToken(ctx context.Context, id string, tokenHash []byte) (*booking.Booking, error) {
	b, err := scanBooking(st.db.read.QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE id = ? AND EXISTS (SELECT 1 FROM booking_tokens AS t WHERE t.booking_id = bookings.id AND t.token_hash = ?)`,
		id, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.ErrNotFound("booking")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: booking by manage token: %w", err)
	}
	return b, nil
}

// ManageTokens returns the stored manage tokens of booking id, oldest
// first (for tests and staff tools: hashes only).
func (st *BookingStore) ManageTokens(ctx context.Context, id string) ([]booking.ManageToken, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT booking_id, token_hash, purpose FROM booking_tokens
		WHERE booking_id = ? ORDER BY created_at, purpose`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: manage tokens: %w", err)
	}
	defer rows.Close()
	var out []booking.ManageToken
	for rows.Next() {
		var t booking.ManageToken
		if err := rows.Scan(&t.BookingID, &t.Hash, &t.Purpose); err != nil {
			return nil, fmt.Errorf("sqlite: manage tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: manage tokens: %w", err)
	}
	return out, nil
}

// PurgeManageTokens deletes the manage tokens of the bookings that ended
// before endedBefore (they no longer open them; see internal/app) and
// returns how many went.
func (st *BookingStore) PurgeManageTokens(ctx context.Context, endedBefore time.Time) (int64, error) {
	var n int64
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM booking_tokens WHERE booking_id IN
			(SELECT id FROM bookings WHERE end_at < ?)`, fmtTime(endedBefore))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: purge manage tokens: %w", err)
	}
	return n, nil
}

// CustomerBookings returns the confirmed and pending bookings made with the e-mail
// address email (in any case) that have not ended at now, in start order,
// at most limit.
func (st *BookingStore) CustomerBookings(ctx context.Context, email string, now time.Time, limit int) ([]booking.Booking, error) {
	// bookings_customer_email; start_at after now less the longest block.
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE customer_email = ? COLLATE NOCASE AND start_at > ? AND end_at > ? AND status IN ('confirmed', 'pending')
		ORDER BY start_at, id LIMIT ?`, email, fmtTime(now.Add(-maxBlock)), fmtTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer bookings: %w", err)
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: customer bookings: %w", err)
		}
		out = append(out, *b)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: customer bookings: %w", err)
	}
	return out, nil
}
