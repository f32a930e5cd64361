package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Schedule returns the catalogue with the confirmed bookings, busy times
// and time off that overlap [from, to).
//
// Everything is read from the database, in one REPEATABLE READ read-only
// transaction so that the catalogue and the bookings are of one moment:
// with several servers on one database an in-memory cache of one of them
// would miss the others' bookings (a later step may add caches kept
// current with LISTEN/NOTIFY). Booking transactions read their own
// schedule inside the transaction, under their locks.
//
// The bookings carry what scheduling needs (ID, Status, ServiceID, Mode,
// ArtisanID, RoomID, Start, End, BlockStart, BlockEnd), not customer
// details: use Booking for those.
func (st *BookingStore) Schedule(ctx context.Context, from, to time.Time) (*booking.Schedule, error) {
	tx, err := st.db.pool.BeginTx(ctx, readTx)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: schedule: %w", err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	s, err := loadSchedule(ctx, tx, from, to)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: schedule: %w", err))
	}
	return s, nil
}

// AvailabilitySchedule is Schedule: with no cache to share, the bookings
// come as Bookings, read like every other schedule's.
func (st *BookingStore) AvailabilitySchedule(ctx context.Context, from, to time.Time) (*booking.Schedule, error) {
	return st.Schedule(ctx, from, to)
}

// maxBlock is the longest a booking's block may be (a CHECK in schema.sql):
// a booking touching [from, to) starts after from-maxBlock.
const maxBlock = 24 * time.Hour

// loadSchedule reads the schedule of [from, to) through q.
func loadSchedule(ctx context.Context, q querier, from, to time.Time) (*booking.Schedule, error) {
	c, err := loadCatalog(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	s := &booking.Schedule{Catalog: *c}
	if s.Bookings, err = scheduleBookings(ctx, q, from, to); err != nil {
		return nil, err
	}
	if err := attachScheduleExtras(ctx, q, s.Bookings, from, to); err != nil { // team.go
		return nil, err
	}
	if s.Busy, err = loadBusy(ctx, q, from, to); err != nil {
		return nil, err
	}
	return s, nil
}

// scheduleBookings reads the bookings holding their time (confirmed,
// pending) whose block overlaps
// [from, to), with the fields scheduling needs, in block order.
func scheduleBookings(ctx context.Context, q querier, from, to time.Time) ([]booking.Booking, error) {
	// bookings_block: a bounded range thanks to maxBlock.
	rows, err := q.Query(ctx, `SELECT id, status, service_id, mode, artisan_id, coalesce(room_id, ''),
		start_at, end_at, block_start, block_end FROM bookings
		WHERE status IN ('confirmed', 'pending') AND block_start > $1 AND block_start < $2 AND block_end > $3
		ORDER BY block_start, id`, utc(from.Add(-maxBlock)), utc(to), utc(from))
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	defer rows.Close()
	var out []booking.Booking
	for rows.Next() {
		var b booking.Booking
		var status, mode string
		if err := rows.Scan(&b.ID, &status, &b.ServiceID, &mode, &b.ArtisanID, &b.RoomID,
			&b.Start, &b.End, &b.BlockStart, &b.BlockEnd); err != nil {
			return nil, fmt.Errorf("bookings: %w", err)
		}
		b.Status, b.Mode = booking.Status(status), booking.Mode(mode)
		b.Start, b.End, b.BlockStart, b.BlockEnd = b.Start.UTC(), b.End.UTC(), b.BlockStart.UTC(), b.BlockEnd.UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	return out, nil
}

// loadBusy reads the busy times that overlap [from, to).
func loadBusy(ctx context.Context, q querier, from, to time.Time) ([]booking.Busy, error) {
	rows, err := q.Query(ctx, `SELECT artisan_id, start_at, end_at FROM busy_times
		WHERE end_at > $1 AND start_at < $2 ORDER BY start_at, id`, utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("busy times: %w", err)
	}
	defer rows.Close()
	var out []booking.Busy
	for rows.Next() {
		var b booking.Busy
		if err := rows.Scan(&b.ArtisanID, &b.Start, &b.End); err != nil {
			return nil, fmt.Errorf("busy times: %w", err)
		}
		b.Start, b.End = b.Start.UTC(), b.End.UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("busy times: %w", err)
	}
	return out, nil
}
