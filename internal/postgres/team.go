package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The other artisans of a booking whose service needs several together
// (booking.Service.ArtisansNeeded): bookings.artisan_id is the first,
// booking_artisans holds a row for each of the others, which the exclusion
// constraint and the trigger team_overlap (schema.sql) check against every
// artisan's blocks, and which follow the booking's status and block.
// bookings.extra_artisans repeats the list for reads of whole bookings.

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
		_, err := tx.Exec(ctx, `INSERT INTO booking_artisans (booking_id, artisan_id, position, block_start, block_end, held)
			VALUES ($1, $2, $3, $4, $5, true)`, b.ID, id, i+1, b.BlockStart, b.BlockEnd)
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
	if _, err := tx.Exec(ctx, `DELETE FROM booking_artisans WHERE booking_id = $1`, b.ID); err != nil {
		return fmt.Errorf("delete booking artisans: %w", err)
	}
	return nil
}

// attachScheduleExtras sets the Artisans of the schedule's team bookings
// of [from, to), read as scheduleBookings selects them.
func attachScheduleExtras(ctx context.Context, q querier, bs []booking.Booking, from, to time.Time) error {
	rows, err := q.Query(ctx, `SELECT booking_id, artisan_id FROM booking_artisans
		WHERE held AND block_start > $1 AND block_start < $2 AND block_end > $3
		ORDER BY booking_id, position`, utc(from.Add(-maxBlock)), utc(to), utc(from))
	if err != nil {
		return fmt.Errorf("booking artisans: %w", err)
	}
	defer rows.Close()
	var extras map[string][]string
	for rows.Next() {
		var b, a string
		if err := rows.Scan(&b, &a); err != nil {
			return fmt.Errorf("booking artisans: %w", err)
		}
		if extras == nil {
			extras = map[string][]string{}
		}
		extras[b] = append(extras[b], a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("booking artisans: %w", err)
	}
	for i := range bs {
		if x := extras[bs[i].ID]; len(x) > 0 {
			bs[i].Artisans = append([]string{bs[i].ArtisanID}, x...)
		}
	}
	return nil
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
