package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// The server's upkeep of bookings (atelier serve: at start and every
// hour), as SQLite's store has it: several servers may run each at once;
// every statement is safe to run twice.

// PurgeIdempotency deletes the idempotency records created before
// olderThan and returns how many went.
func (st *BookingStore) PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error) {
	tag, err := st.db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, utc(olderThan))
	if err != nil {
		return 0, unavailable(fmt.Errorf("postgres: purge idempotency keys: %w", err))
	}
	return tag.RowsAffected(), nil
}

// PurgeManageTokens deletes the manage tokens of the bookings that ended
// before endedBefore (they no longer open them; see internal/app) and
// returns how many went.
func (st *BookingStore) PurgeManageTokens(ctx context.Context, endedBefore time.Time) (int64, error) {
	tag, err := st.db.pool.Exec(ctx, `DELETE FROM booking_tokens WHERE booking_id IN
		(SELECT id FROM bookings WHERE end_at < $1)`, utc(endedBefore))
	if err != nil {
		return 0, unavailable(fmt.Errorf("postgres: purge manage tokens: %w", err))
	}
	return tag.RowsAffected(), nil
}

// ManageTokens returns the stored manage tokens of booking id, oldest
// first (for tests and staff tools: hashes only).
func (st *BookingStore) ManageTokens(ctx context.Context, id string) ([]booking.ManageToken, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT booking_id, token_hash, purpose FROM booking_tokens
		WHERE booking_id = $1 ORDER BY created_at, purpose`, id)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: manage tokens: %w", err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.ManageToken, error) {
		var t booking.ManageToken
		err := r.Scan(&t.BookingID, &t.Hash, &t.Purpose)
		return t, err
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: manage tokens: %w", err))
	}
	return out, nil
}

// FillBookingUIDs stores the UID uid(id) for every booking that has none
// and returns how many it filled (as SQLite's: bookings copied from a
// database made before UIDs were kept).
func (st *BookingStore) FillBookingUIDs(ctx context.Context, uid func(id string) string) (int, error) {
	var n int
	err := st.db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM bookings WHERE uid IS NULL FOR UPDATE`)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `UPDATE bookings SET uid = $1 WHERE id = $2 AND uid IS NULL`, uid(id), id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: fill booking UIDs: %w", err)
	}
	return n, nil
}

// OrphanBooking is a coming confirmed booking whose service or artisan is
// no longer in the catalogue (removed from the configuration file).
type OrphanBooking struct {
	ID                   string
	Start, End           time.Time
	ServiceID, ArtisanID string
	// ServiceRemoved and ArtisanRemoved say which of the two has gone.
	ServiceRemoved, ArtisanRemoved bool
}

// OrphanBookings returns the confirmed bookings not ended at now whose
// service or artisan is inactive, in start order. It reads no customer
// details.
func (st *BookingStore) OrphanBookings(ctx context.Context, now time.Time) ([]OrphanBooking, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT b.id, b.start_at, b.end_at, b.service_id, b.artisan_id,
			NOT s.active, NOT a.active
		FROM bookings AS b JOIN services AS s ON s.id = b.service_id JOIN artisans AS a ON a.id = b.artisan_id
		WHERE b.start_at > $1 AND b.end_at > $2 AND b.status IN ('confirmed', 'pending') AND (NOT s.active OR NOT a.active)
		ORDER BY b.start_at, b.id`, utc(now.Add(-maxBlock)), utc(now))
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: orphan bookings: %w", err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OrphanBooking, error) {
		var o OrphanBooking
		err := r.Scan(&o.ID, &o.Start, &o.End, &o.ServiceID, &o.ArtisanID, &o.ServiceRemoved, &o.ArtisanRemoved)
		o.Start, o.End = o.Start.UTC(), o.End.UTC()
		return o, err
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: orphan bookings: %w", err))
	}
	return out, nil
}
