package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The other artisans of a booking whose service needs several together
// (booking.Service.ArtisansNeeded). bookings.artisan_id is the first;
// booking_artisans holds a row for each of the others, which the triggers
// of schema.sql check against every artisan's blocks, as the booking's
// artisan or as another's (so two bookings can never share an artisan at
// once, whichever role each has), and which follow the booking's status
// and block. bookings.extra_artisans repeats the list for reads of whole
// bookings.

// extrasColumn is the value of bookings.extra_artisans for b.
func extrasColumn(b *booking.Booking) string { return strings.Join(b.Extras(), ",") }

// setExtras fills b.Artisans from the column extra_artisans.
func setExtras(b *booking.Booking, col string) {
	if col == "" {
		b.Artisans = nil
		return
	}
	b.Artisans = append([]string{b.ArtisanID}, strings.Split(col, ",")...)
}

// insertExtras writes the rows of b's other artisans (none for a booking
// of one artisan); an overlap is booking.ErrSlotUnavailable.
func insertExtras(ctx context.Context, tx *Tx, b *booking.Booking) error {
	for i, id := range b.Extras() {
		_, err := tx.ExecContext(ctx, `INSERT INTO booking_artisans (booking_id, artisan_id, position, block_start, block_end, held)
			VALUES (?, ?, ?, ?, ?, 1)`, b.ID, id, i+1, fmtTime(b.BlockStart), fmtTime(b.BlockEnd))
		if isOverlapRefusal(err) {
			return booking.ErrSlotUnavailable("it overlaps another booking")
		}
		if err != nil {
			return fmt.Errorf("insert booking artisan: %w", err)
		}
	}
	return nil
}

// deleteExtras removes the rows of b's other artisans before a move, which
// writes those of its placement again.
func deleteExtras(ctx context.Context, tx *Tx, b *booking.Booking) error {
	if len(b.Extras()) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM booking_artisans WHERE booking_id = ?`, b.ID); err != nil {
		return fmt.Errorf("delete booking artisans: %w", err)
	}
	return nil
}

// teamRow is one other artisan of a booking that holds time.
type teamRow struct{ bookingID, artisanID string }

// heldExtras reads the other artisans of the bookings whose block overlaps
// [from, to) and starts after from-maxBlock (as the schedule's bookings),
// by booking and position.
func heldExtras(ctx context.Context, q queryer, lo, hi, after time.Time) (map[string][]string, error) {
	return extrasWhere(ctx, q, heldExtrasWhere, fmtTime(lo), fmtTime(hi), fmtTime(after))
}

// heldExtrasWhere selects heldExtras' rows; every booking's transaction
// reads them with its schedule, so the query is one of writeStatements.
const heldExtrasWhere = `block_start > ? AND block_start < ? AND block_end > ?`

// extrasSQL is the query of extrasWhere.
func extrasSQL(where string) string {
	return `SELECT booking_id, artisan_id FROM booking_artisans
		WHERE held = 1 AND ` + where + ` ORDER BY booking_id, position`
}

// extrasWhere reads the other artisans of held rows selected by where.
func extrasWhere(ctx context.Context, q queryer, where string, args ...any) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, extrasSQL(where), args...)
	if err != nil {
		return nil, fmt.Errorf("booking artisans: %w", err)
	}
	var out map[string][]string
	for rows.Next() {
		var r teamRow
		if err := rows.Scan(&r.bookingID, &r.artisanID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("booking artisans: %w", err)
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[r.bookingID] = append(out[r.bookingID], r.artisanID)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("booking artisans: %w", err)
	}
	return out, nil
}

// attachExtras sets the Artisans of the bookings that have others.
func attachExtras(bs []booking.Booking, extras map[string][]string) {
	if len(extras) == 0 {
		return
	}
	for i := range bs {
		if x := extras[bs[i].ID]; len(x) > 0 {
			bs[i].Artisans = append([]string{bs[i].ArtisanID}, x...)
		}
	}
}

// scheduleExtras completes the bookings of a schedule of [from, to), read
// with where: each team booking gets its other artisans, and a schedule
// narrowed to one artisan gets the bookings in which that artisan is one
// of the others. Neither costs more than one indexed read of an empty
// range when no team bookings are near.
func scheduleExtras(ctx context.Context, q queryer, bs []booking.Booking, from, to time.Time, scope scheduleScope) ([]booking.Booking, error) {
	extras, err := heldExtras(ctx, q, from.Add(-maxBlock), to, from)
	if err != nil || len(extras) == 0 {
		return bs, err
	}
	if scope.artisanID != "" {
		var missing []any
		for id, list := range extras {
			if slices.Contains(list, scope.artisanID) && !slices.ContainsFunc(bs, func(b booking.Booking) bool { return b.ID == id }) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			more, err := queryScheduleBookings(ctx, q, `WHERE status IN ('confirmed', 'pending') AND id IN (?`+strings.Repeat(", ?", len(missing)-1)+`)`, missing...)
			if err != nil {
				return nil, err
			}
			bs = append(bs, more...)
			slices.SortStableFunc(bs, func(a, b booking.Booking) int { return a.BlockStart.Compare(b.BlockStart) })
		}
	}
	attachExtras(bs, extras)
	return bs, nil
}

// sameTeam reports whether placement p keeps b's artisans.
func sameTeam(b *booking.Booking, p booking.Placement) bool {
	if p.ArtisanID != b.ArtisanID {
		return false
	}
	if len(p.Artisans) < 2 {
		return len(b.Extras()) == 0
	}
	return slices.Equal(p.Artisans, b.ArtisanIDs())
}
