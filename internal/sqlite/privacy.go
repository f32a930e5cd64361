package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// PrivacyStore erases personal data and keeps the customers' privacy
// links (booking.PrivacyStore).
type PrivacyStore struct{ db *DB }

// erasureAudit is what the audit keeps of an erasure: numbers only.
type erasureAudit struct {
	Bookings int  `json:"bookings"`
	Photos   int  `json:"photos,omitempty"`
	Kept     int  `json:"kept,omitempty"`
	Gone     bool `json:"customer_gone,omitempty"`
}

// scrubAudit are the audit fields that repeat a booking's personal data.
const scrubAudit = `'$.customer', '$.notes', '$.staff_notes', '$.answers'`

// ErasePersonalData implements booking.PrivacyStore.
func (st *PrivacyStore) ErasePersonalData(ctx context.Context, e booking.Erasure, actor booking.Actor) (booking.ErasureResult, error) {
	var res booking.ErasureResult
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var err error
		res, err = erase(ctx, tx, e, actor)
		return err
	})
	if err != nil {
		return booking.ErasureResult{}, fmt.Errorf("sqlite: erase personal data: %w", err)
	}
	return res, nil
}

func erase(ctx context.Context, tx *Tx, e booking.Erasure, actor booking.Actor) (booking.ErasureResult, error) {
	var res booking.ErasureResult
	where, args := `erased_at IS NULL AND start_at < ? AND end_at < ?`, []any{fmtTime(e.EndedBefore), fmtTime(e.EndedBefore)}
	var key string
	if e.CustomerID != "" {
		err := tx.QueryRowContext(ctx, `SELECT email_key FROM customers WHERE id = ?`, e.CustomerID).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			return res, booking.ErrNotFound("customer")
		}
		if err != nil {
			return res, err
		}
		cond := `(start_at < ? AND end_at < ?)`
		if e.Cancelled {
			cond = `(` + cond + ` OR status IN ('cancelled', 'declined'))`
		}
		where = `customer_email = ? COLLATE NOCASE AND erased_at IS NULL AND ` + cond
		args = append([]any{key}, args...)
	}
	ids, err := queryStrings(ctx, tx, `SELECT id FROM bookings WHERE `+where+` ORDER BY start_at, id`, args...)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		n, err := eraseBooking(ctx, tx, id, actor)
		if err != nil {
			return res, err
		}
		res.Bookings++
		res.Photos += n
	}
	if e.CustomerID != "" {
		if res, err = eraseCustomer(ctx, tx, e.CustomerID, key, res); err != nil {
			return res, err
		}
		return res, writeAudit(ctx, tx, actor, "customer.erased", "", "customer:"+e.CustomerID, nil,
			erasureAudit{Bookings: res.Bookings, Photos: res.Photos, Kept: res.Kept, Gone: res.CustomerGone})
	}
	if res.Bookings == 0 {
		return res, nil
	}
	// The customers none of whose bookings carries their address any more.
	gone, err := queryStrings(ctx, tx, `SELECT id FROM customers c WHERE email_key NOT LIKE 'erased:%' AND NOT EXISTS
		(SELECT 1 FROM bookings b WHERE b.customer_email = c.email_key COLLATE NOCASE)`)
	if err != nil {
		return res, err
	}
	for _, id := range gone {
		if err := dropCustomer(ctx, tx, id); err != nil {
			return res, err
		}
	}
	return res, writeAudit(ctx, tx, actor, "privacy.retention", "", "", nil,
		erasureAudit{Bookings: res.Bookings, Photos: res.Photos})
}

// eraseCustomer removes what is kept of customer id beyond their erased
// bookings: their notes, and the customer once no booking is left.
func eraseCustomer(ctx context.Context, tx *Tx, id, key string, res booking.ErasureResult) (booking.ErasureResult, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_notes WHERE customer_id = ?`, id); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET before = json_remove(before, '$.notes'), after = json_remove(after, '$.notes')
		WHERE action = 'customer.notes' AND target = ?`, id); err != nil {
		return res, err
	}
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bookings WHERE customer_email = ? COLLATE NOCASE`, key).Scan(&res.Kept)
	if err != nil {
		return res, err
	}
	if res.Kept == 0 {
		res.CustomerGone = true
		return res, dropCustomer(ctx, tx, id)
	}
	return res, nil
}

// dropCustomer deletes customer id, their notes and links, once none of
// their bookings is left. A customer with commissions stays as the
// commissions' anchor, without their address (email_key 'erased:' and the
// id), and the commissions lose the customer's details and the notes.
func dropCustomer(ctx context.Context, tx *Tx, id string) error {
	// The staff's notes to them in the invitations go, and an invitation
	// not yet used can book no more (the details it would take are gone).
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET note = '',
			revoked_at = CASE WHEN used_by IS NULL THEN COALESCE(revoked_at, ?) ELSE revoked_at END
		WHERE commission_id IN (SELECT id FROM commissions WHERE customer_id = ?)`, fmtTime(tx.now), id); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM customer_notes WHERE customer_id = ?`,
		`UPDATE audit_log SET before = json_remove(before, '$.notes'), after = json_remove(after, '$.notes')
			WHERE action = 'customer.notes' AND target = ?`,
		`DELETE FROM privacy_links WHERE customer_id = ?`,
		`UPDATE audit_log SET before = json_remove(before, '$.customer_details', '$.notes'),
			after = json_remove(after, '$.customer_details', '$.notes')
			WHERE action LIKE 'commission.%' AND target IN (SELECT id FROM commissions WHERE customer_id = ?)`,
		`UPDATE commissions SET customer_name = '', customer_email = '', customer_phone = '', customer_timezone = '', notes = ''
			WHERE customer_id = ?`,
		`UPDATE customers SET email_key = 'erased:' || id WHERE id = ? AND EXISTS (SELECT 1 FROM commissions WHERE customer_id = customers.id)`,
		`DELETE FROM customers WHERE id = ? AND NOT EXISTS (SELECT 1 FROM commissions WHERE customer_id = customers.id)`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// eraseBooking erases the personal data of booking id and returns how many
// photos it had.
func eraseBooking(ctx context.Context, tx *Tx, id string, actor booking.Actor) (int, error) {
	now := fmtTime(tx.now)
	// The trigger bookings_customer_search_update renews its search row.
	if _, err := tx.ExecContext(ctx, `UPDATE bookings SET customer_name = '', customer_email = '', customer_phone = '',
		customer_timezone = '', notes = '', answers = '{}', erased_at = ?, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM booking_photos WHERE booking_id = ?`, id)
	if err != nil {
		return 0, err
	}
	photos, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	// An e-mail not yet sent is not sent: its message names the customer.
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'done', lease_until = NULL, done_at = ?
		WHERE booking_id = ? AND queue = 'mail' AND state = 'pending'`, now, id); err != nil {
		return 0, err
	}
	for _, q := range []string{
		`DELETE FROM booking_staff_notes WHERE booking_id = ?`,
		`DELETE FROM booking_tokens WHERE booking_id = ?`,
		`DELETE FROM idempotency_keys WHERE booking_id = ?`,
		`DELETE FROM privacy_links WHERE booking_id = ?`,
		`UPDATE jobs SET payload = NULL, last_error = '' WHERE booking_id = ? AND queue = 'mail'`,
		`UPDATE audit_log SET before = json_remove(before, ` + scrubAudit + `), after = json_remove(after, ` + scrubAudit + `)
			WHERE booking_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return 0, err
		}
	}
	if err := writeAudit(ctx, tx, actor, "booking.erased", id, "", nil, erasureAudit{Bookings: 1, Photos: int(photos)}); err != nil {
		return 0, err
	}
	if tx.db.Jobs == nil {
		return int(photos), nil
	}
	b, err := getBooking(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	jobs, err := tx.db.Jobs(booking.Event{Kind: booking.EventErased, Booking: b, Actor: actor})
	if err != nil {
		return 0, fmt.Errorf("jobs for erased booking: %w", err)
	}
	return int(photos), enqueue(ctx, tx, jobs)
}

func queryStrings(ctx context.Context, tx *Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	return out, closeRows(rows)
}

// AddPrivacyLink implements booking.PrivacyStore.
func (st *PrivacyStore) AddPrivacyLink(ctx context.Context, l booking.PrivacyLink, mail booking.Job) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO privacy_links (token_hash, purpose, customer_id, booking_id, created_at, expires_at, uses)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, l.TokenHash, l.Purpose, l.CustomerID, l.BookingID, fmtTime(tx.now), fmtTime(l.ExpiresAt), l.Uses)
		if err != nil {
			return err
		}
		// The links past their time go with each new one.
		if _, err := tx.ExecContext(ctx, `DELETE FROM privacy_links WHERE expires_at <= ?`, fmtTime(tx.now)); err != nil {
			return err
		}
		return enqueue(ctx, tx, []booking.Job{mail})
	})
	if err != nil {
		return fmt.Errorf("sqlite: add privacy link: %w", err)
	}
	return nil
}

// UsePrivacyLink implements booking.PrivacyStore.
func (st *PrivacyStore) UsePrivacyLink(ctx context.Context, hash []byte, purpose string, now time.Time, spend bool) (*booking.PrivacyLink, error) {
	var out *booking.PrivacyLink
	err := st.db.inTx(ctx, func(tx *Tx) error {
		l := booking.PrivacyLink{TokenHash: hash}
		var created, expires string
		err := tx.QueryRowContext(ctx, `SELECT purpose, customer_id, booking_id, created_at, expires_at, uses FROM privacy_links
			WHERE token_hash = ?`, hash).Scan(&l.Purpose, &l.CustomerID, &l.BookingID, &created, &expires, &l.Uses)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && ((purpose != "" && l.Purpose != purpose) || l.Uses <= 0)) {
			return booking.ErrNotFound("link")
		}
		if err != nil {
			return err
		}
		if l.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		if l.ExpiresAt, err = parseTime(expires); err != nil {
			return err
		}
		if !now.Before(l.ExpiresAt) {
			return booking.Errorf(booking.ENOTFOUND, booking.CodeLinkExpired, "this link has expired; ask for a new one from your booking's page")
		}
		if spend {
			l.Uses--
			if _, err := tx.ExecContext(ctx, `UPDATE privacy_links SET uses = uses - 1 WHERE token_hash = ?`, hash); err != nil {
				return err
			}
		}
		out = &l
		return nil
	})
	if err != nil {
		var be *booking.Error
		if errors.As(err, &be) {
			return nil, err
		}
		return nil, fmt.Errorf("sqlite: use privacy link: %w", err)
	}
	return out, nil
}

// OfferJob adds j unless a pending job of its queue and kind exists
// (jobs_periodic: the queue "privacy"), and reports whether it did.
func (st *PrivacyStore) OfferJob(ctx context.Context, j booking.Job) (bool, error) {
	var added bool
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO jobs (queue, kind, booking_id, state, run_at, created_at)
			VALUES (?, ?, NULL, 'pending', ?, ?)
			ON CONFLICT (queue, kind) WHERE state = 'pending' AND queue = 'privacy' DO NOTHING`,
			j.Queue, j.Kind, fmtTime(j.RunAt), fmtTime(tx.now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if added = n > 0; err != nil || !added {
			return err
		}
		_, err = tx.ExecContext(ctx, insertJobPayloadSQL, j.Payload) // job.go
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: offer job: %w", err)
	}
	return added, nil
}
