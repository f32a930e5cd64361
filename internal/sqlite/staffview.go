package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The reads and writes behind the staff API that the customer side never
// uses: booking listings, staff notes and the audit log.

// Bookings lists the bookings (any status) starting in [from, to), of
// artisanID when it is not "", by start time.
func (st *BookingStore) Bookings(ctx context.Context, from, to time.Time, artisanID string) ([]booking.Booking, error) {
	q := `SELECT ` + bookingColumns + ` FROM bookings WHERE start_at >= ? AND start_at < ?`
	args := []any{fmtTime(from), fmtTime(to)}
	if artisanID != "" {
		// Also the bookings the artisan takes part in as one of a team.
		q += ` AND (artisan_id = ? OR id IN (SELECT booking_id FROM booking_artisans WHERE artisan_id = ?))`
		args = append(args, artisanID, artisanID)
	}
	rows, err := st.db.read.QueryContext(ctx, q+` ORDER BY start_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: bookings: %w", err)
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: bookings: %w", err)
		}
		out = append(out, *b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: bookings: %w", err)
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
	// json_each keeps the statement the same for any number of ids.
	ids, err := json.Marshal(bookingIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: staff notes: %w", err)
	}
	rows, err := st.db.read.QueryContext(ctx, `SELECT booking_id, notes FROM booking_staff_notes
		WHERE booking_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, fmt.Errorf("sqlite: staff notes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, notes string
		if err := rows.Scan(&id, &notes); err != nil {
			return nil, fmt.Errorf("sqlite: staff notes: %w", err)
		}
		out[id] = notes
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: staff notes: %w", err)
	}
	return out, nil
}

// SetStaffNotes replaces the staff notes of a booking ("" removes them)
// and writes an audit row.
func (st *BookingStore) SetStaffNotes(ctx context.Context, bookingID, notes string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM bookings WHERE id = ?`, bookingID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return booking.ErrNotFound("booking")
		}
		if err != nil {
			return err
		}
		var before sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT notes FROM booking_staff_notes WHERE booking_id = ?`, bookingID).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if strings.TrimSpace(notes) == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM booking_staff_notes WHERE booking_id = ?`, bookingID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO booking_staff_notes (booking_id, notes, updated_at, updated_by)
				VALUES (?, ?, ?, ?) ON CONFLICT (booking_id) DO UPDATE SET
				notes = excluded.notes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				bookingID, notes, fmtTime(tx.now), actor.ID)
		}
		if err != nil {
			return err
		}
		type note struct {
			StaffNotes string `json:"staff_notes"`
		}
		return writeAudit(ctx, tx, actor, "booking.staff_notes", bookingID, "",
			note{before.String}, note{notes})
	})
	if err != nil {
		return fmt.Errorf("sqlite: set staff notes: %w", err)
	}
	return nil
}

// AuditLog returns up to limit audit rows written in [from, to), oldest
// first.
func (st *StaffStore) AuditLog(ctx context.Context, from, to time.Time, limit int) ([]booking.AuditEntry, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT id, at, actor_kind, actor_id, action, coalesce(booking_id, ''), target,
			coalesce(before, 'null'), coalesce(after, 'null')
		FROM audit_log WHERE at >= ? AND at < ? ORDER BY at, id LIMIT ?`, fmtTime(from), fmtTime(to), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []booking.AuditEntry
	for rows.Next() {
		var e booking.AuditEntry
		var at, before, after string
		if err := rows.Scan(&e.ID, &at, &e.Actor.Kind, &e.Actor.ID, &e.Action, &e.BookingID, &e.Target, &before, &after); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		e.Before, e.After = json.RawMessage(before), json.RawMessage(after)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	return out, nil
}
