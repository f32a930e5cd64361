package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// Bookings lists the bookings (any status) starting in [from, to), of
// artisanID when it is not "", by start time.
func (st *BookingStore) Bookings(ctx context.Context, from, to time.Time, artisanID string) ([]booking.Booking, error) {
	where := `WHERE start_at >= $1 AND start_at < $2`
	args := []any{utc(from), utc(to)}
	if artisanID != "" {
		// Also the bookings the artisan takes part in as one of a team.
		where += ` AND (artisan_id = $3 OR id IN (SELECT booking_id FROM booking_artisans WHERE artisan_id = $3))`
		args = append(args, artisanID)
	}
	out, err := queryBookings(ctx, st.db.pool, where+` ORDER BY start_at, id`, args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: bookings: %w", err))
	}
	return out, nil
}

// StaffNotes returns the staff notes of the given bookings, keyed by
// booking id; bookings without notes are absent.
func (st *BookingStore) StaffNotes(ctx context.Context, bookingIDs ...string) (map[string]string, error) {
	out := make(map[string]string, len(bookingIDs))
	if len(bookingIDs) == 0 {
		return out, nil
	}
	rows, err := st.db.pool.Query(ctx, `SELECT booking_id, notes FROM booking_staff_notes WHERE booking_id = ANY($1)`, bookingIDs)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: staff notes: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id, notes string
		if err := rows.Scan(&id, &notes); err != nil {
			return nil, fmt.Errorf("postgres: staff notes: %w", err)
		}
		out[id] = notes
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: staff notes: %w", err))
	}
	return out, nil
}

// SetStaffNotes replaces the staff notes of a booking ("" removes them)
// and writes an audit row.
func (st *BookingStore) SetStaffNotes(ctx context.Context, bookingID, notes string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM bookings WHERE id = $1 FOR UPDATE`, bookingID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("booking")
		}
		if err != nil {
			return err
		}
		var before string
		err = tx.QueryRow(ctx, `SELECT notes FROM booking_staff_notes WHERE booking_id = $1`, bookingID).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if strings.TrimSpace(notes) == "" {
			_, err = tx.Exec(ctx, `DELETE FROM booking_staff_notes WHERE booking_id = $1`, bookingID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO booking_staff_notes (booking_id, notes, updated_at, updated_by)
				VALUES ($1, $2, $3, $4) ON CONFLICT (booking_id) DO UPDATE SET
				notes = excluded.notes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				bookingID, notes, tx.now, actor.ID)
		}
		if err != nil {
			return err
		}
		type note struct {
			StaffNotes string `json:"staff_notes"`
		}
		return writeAudit(ctx, tx, actor, "booking.staff_notes", bookingID, "", note{before}, note{notes})
	})
	if err != nil {
		return fmt.Errorf("postgres: set staff notes: %w", err)
	}
	return nil
}

// AuditLog returns up to limit audit rows written in [from, to), oldest
// first.
func (st *StaffStore) AuditLog(ctx context.Context, from, to time.Time, limit int) ([]booking.AuditEntry, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT id, at, actor_kind, actor_id, action, coalesce(booking_id, ''), target,
			coalesce(before::text, 'null'), coalesce(after::text, 'null')
		FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY at, id LIMIT $3`, utc(from), utc(to), limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: audit log: %w", err))
	}
	defer rows.Close()
	var out []booking.AuditEntry
	for rows.Next() {
		var e booking.AuditEntry
		var before, after string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor.Kind, &e.Actor.ID, &e.Action, &e.BookingID, &e.Target, &before, &after); err != nil {
			return nil, fmt.Errorf("postgres: audit log: %w", err)
		}
		e.At = e.At.UTC()
		e.Before, e.After = json.RawMessage(before), json.RawMessage(after)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: audit log: %w", err))
	}
	return out, nil
}
