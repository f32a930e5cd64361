package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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

// scrubJSON drops from an audit column the fields that repeat a booking's
// personal data.
func scrubJSON(col string) string {
	return `(` + col + `::jsonb - 'customer' - 'notes' - 'staff_notes' - 'answers')::json`
}

// ErasePersonalData implements booking.PrivacyStore. The bookings erased
// are locked, so a cancel or move of one waits for the erasure.
func (st *PrivacyStore) ErasePersonalData(ctx context.Context, e booking.Erasure, actor booking.Actor) (booking.ErasureResult, error) {
	var res booking.ErasureResult
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var err error
		res, err = erase(ctx, tx, e, actor)
		return err
	})
	if err != nil {
		return booking.ErasureResult{}, fmt.Errorf("postgres: erase personal data: %w", err)
	}
	return res, nil
}

func erase(ctx context.Context, tx *Tx, e booking.Erasure, actor booking.Actor) (booking.ErasureResult, error) {
	var res booking.ErasureResult
	query, args := `SELECT id FROM bookings WHERE erased_at IS NULL AND end_at < $1 ORDER BY start_at, id FOR UPDATE`, []any{e.EndedBefore}
	var key string
	if e.CustomerID != "" {
		err := tx.QueryRow(ctx, `SELECT email_key FROM customers WHERE id = $1 FOR UPDATE`, e.CustomerID).Scan(&key)
		if errors.Is(err, pgx.ErrNoRows) {
			return res, booking.ErrNotFound("customer")
		}
		if err != nil {
			return res, err
		}
		query = `SELECT id FROM bookings WHERE lower(customer_email) = $2 AND erased_at IS NULL
			AND (end_at < $1 OR ($3 AND status IN ('cancelled', 'declined'))) ORDER BY start_at, id FOR UPDATE`
		args = append(args, key, e.Cancelled)
	}
	ids, err := queryStrings(ctx, tx, query, args...)
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
	gone, err := queryStrings(ctx, tx, `SELECT id FROM customers c WHERE email_key NOT LIKE 'erased:%' AND NOT EXISTS
		(SELECT 1 FROM bookings b WHERE lower(b.customer_email) = c.email_key)`)
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

// scrubNotes drops the notes from the audit rows of customer id's notes.
const scrubNotes = `UPDATE audit_log SET before = (before::jsonb - 'notes')::json, after = (after::jsonb - 'notes')::json
	WHERE action = 'customer.notes' AND target = $1`

// eraseCustomer removes what is kept of customer id beyond their erased
// bookings: their notes, and the customer once no booking is left.
func eraseCustomer(ctx context.Context, tx *Tx, id, key string, res booking.ErasureResult) (booking.ErasureResult, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM customer_notes WHERE customer_id = $1`, id); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, scrubNotes, id); err != nil {
		return res, err
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE lower(customer_email) = $1`, key).Scan(&res.Kept); err != nil {
		return res, err
	}
	if res.Kept == 0 {
		res.CustomerGone = true
		return res, dropCustomer(ctx, tx, id)
	}
	return res, nil
}

// dropCustomer deletes customer id, their notes and links.
//
// A customer with commissions stays as the commissions' anchor, without
// their address (email_key 'erased:' and the id), and the commissions lose
// the customer's details and the notes.
func dropCustomer(ctx context.Context, tx *Tx, id string) error {
	// The staff's notes to them in the invitations go, and an invitation
	// not yet used can book no more (the details it would take are gone).
	if _, err := tx.Exec(ctx, `UPDATE invitations SET note = '',
			revoked_at = CASE WHEN used_by IS NULL THEN COALESCE(revoked_at, $2) ELSE revoked_at END
		WHERE commission_id IN (SELECT id FROM commissions WHERE customer_id = $1)`, id, utc(tx.now)); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM customer_notes WHERE customer_id = $1`,
		scrubNotes,
		`DELETE FROM privacy_links WHERE customer_id = $1`,
		`UPDATE audit_log SET before = (before::jsonb - 'customer_details' - 'notes')::json,
			after = (after::jsonb - 'customer_details' - 'notes')::json
			WHERE action LIKE 'commission.%' AND target IN (SELECT id FROM commissions WHERE customer_id = $1)`,
		`UPDATE commissions SET customer_name = '', customer_email = '', customer_phone = '', customer_timezone = '', notes = ''
			WHERE customer_id = $1`,
		`UPDATE customers SET email_key = 'erased:' || id WHERE id = $1 AND EXISTS (SELECT 1 FROM commissions WHERE customer_id = customers.id)`,
		`DELETE FROM customers WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM commissions WHERE customer_id = customers.id)`,
	} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// eraseBooking erases the personal data of booking id and returns how many
// photos it had.
func eraseBooking(ctx context.Context, tx *Tx, id string, actor booking.Actor) (int, error) {
	if _, err := tx.Exec(ctx, `UPDATE bookings SET customer_name = '', customer_email = '', customer_phone = '',
		customer_timezone = '', notes = '', answers = '{}', erased_at = $1, updated_at = $1 WHERE id = $2`, tx.now, id); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, `DELETE FROM booking_photos WHERE booking_id = $1`, id)
	if err != nil {
		return 0, err
	}
	photos := int(tag.RowsAffected())
	// An e-mail not yet sent is not sent: its message names the customer.
	if _, err := tx.Exec(ctx, `UPDATE jobs SET state = 'done', lease_until = NULL, done_at = $1
		WHERE booking_id = $2 AND queue = 'mail' AND state = 'pending'`, tx.now, id); err != nil {
		return 0, err
	}
	for _, q := range []string{
		`DELETE FROM booking_staff_notes WHERE booking_id = $1`,
		`DELETE FROM booking_tokens WHERE booking_id = $1`,
		`DELETE FROM idempotency_keys WHERE booking_id = $1`,
		`DELETE FROM privacy_links WHERE booking_id = $1`,
		`UPDATE jobs SET payload = NULL, last_error = '' WHERE booking_id = $1 AND queue = 'mail'`,
		`UPDATE audit_log SET before = ` + scrubJSON("before") + `, after = ` + scrubJSON("after") + ` WHERE booking_id = $1`,
	} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return 0, err
		}
	}
	if err := writeAudit(ctx, tx, actor, "booking.erased", id, "", nil, erasureAudit{Bookings: 1, Photos: photos}); err != nil {
		return 0, err
	}
	if tx.db.Jobs == nil {
		return photos, nil
	}
	b, err := getBooking(ctx, tx, id, false)
	if err != nil {
		return 0, err
	}
	jobs, err := tx.db.Jobs(booking.Event{Kind: booking.EventErased, Booking: b, Actor: actor})
	if err != nil {
		return 0, fmt.Errorf("jobs for erased booking: %w", err)
	}
	return photos, enqueue(ctx, tx, jobs)
}

func queryStrings(ctx context.Context, tx *Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// AddPrivacyLink implements booking.PrivacyStore.
func (st *PrivacyStore) AddPrivacyLink(ctx context.Context, l booking.PrivacyLink, mail booking.Job) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO privacy_links (token_hash, purpose, customer_id, booking_id, created_at, expires_at, uses)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.TokenHash, l.Purpose, l.CustomerID, l.BookingID, tx.now, l.ExpiresAt, l.Uses)
		if err != nil {
			return err
		}
		// The links past their time go with each new one.
		if _, err := tx.Exec(ctx, `DELETE FROM privacy_links WHERE expires_at <= $1`, tx.now); err != nil {
			return err
		}
		return enqueue(ctx, tx, []booking.Job{mail})
	})
	if err != nil {
		return fmt.Errorf("postgres: add privacy link: %w", err)
	}
	return nil
}

// UsePrivacyLink implements booking.PrivacyStore.
func (st *PrivacyStore) UsePrivacyLink(ctx context.Context, hash []byte, purpose string, now time.Time, spend bool) (*booking.PrivacyLink, error) {
	var out *booking.PrivacyLink
	err := st.db.inTx(ctx, func(tx *Tx) error {
		l := booking.PrivacyLink{TokenHash: hash}
		err := tx.QueryRow(ctx, `SELECT purpose, customer_id, booking_id, created_at, expires_at, uses FROM privacy_links
			WHERE token_hash = $1 FOR UPDATE`, hash).Scan(&l.Purpose, &l.CustomerID, &l.BookingID, &l.CreatedAt, &l.ExpiresAt, &l.Uses)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && ((purpose != "" && l.Purpose != purpose) || l.Uses <= 0)) {
			return booking.ErrNotFound("link")
		}
		if err != nil {
			return err
		}
		l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
		if !now.Before(l.ExpiresAt) {
			return booking.Errorf(booking.ENOTFOUND, booking.CodeLinkExpired, "this link has expired; ask for a new one from your booking's page")
		}
		if spend {
			l.Uses--
			if _, err := tx.Exec(ctx, `UPDATE privacy_links SET uses = uses - 1 WHERE token_hash = $1`, hash); err != nil {
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
		return nil, fmt.Errorf("postgres: use privacy link: %w", err)
	}
	return out, nil
}

// OfferJob adds j unless a pending job of its queue and kind exists
// (jobs_periodic: the queue "privacy"), and reports whether it did.
func (st *PrivacyStore) OfferJob(ctx context.Context, j booking.Job) (bool, error) {
	var added bool
	err := st.db.inTx(ctx, func(tx *Tx) error {
		// The payload's row only with a job added (job.go).
		tag, err := tx.Exec(ctx, `WITH j AS (INSERT INTO jobs (queue, kind, booking_id, state, run_at, created_at)
				VALUES ($1, $2, NULL, 'pending', $4, $5)
				ON CONFLICT (queue, kind) WHERE state = 'pending' AND queue = 'privacy' DO NOTHING
				RETURNING id)
			INSERT INTO job_payloads (job_id, body) SELECT id, coalesce($3, '\x'::bytea) FROM j`,
			j.Queue, j.Kind, j.Payload, utc(j.RunAt), tx.now)
		added = err == nil && tag.RowsAffected() > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("postgres: offer job: %w", err)
	}
	return added, nil
}
