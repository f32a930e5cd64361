package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Schedule returns the catalogue with the bookings that hold their time
// (confirmed and pending), busy times
// and time off that overlap [from, to).
//
// The catalogue and the bookings come from memory when they are current
// (see catalogCache and scheduleCache); busy times are read each time.
// Schedule is a read: it may miss a change committed while it runs, never
// one that committed before it was called. Booking transactions do not use
// it; they read their schedule from the database inside the transaction.
//
// The bookings carry what scheduling needs (ID, Status, ServiceID, Mode,
// ArtisanID, RoomID, Start, End, BlockStart, BlockEnd), not customer
// details: use Booking for those.
func (st *BookingStore) Schedule(ctx context.Context, from, to time.Time) (*booking.Schedule, error) {
	s, err := st.db.scheduleBase(ctx, st.db.read, from, to)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: schedule: %w", err))
	}
	if s.Bookings, err = st.db.schedule.bookings(ctx, st.db.read, from, to); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: schedule: %w", err))
	}
	if s.Busy, err = loadBusy(ctx, st.db.read, from, to); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: schedule: %w", err))
	}
	return s, nil
}

// AvailabilitySchedule is Schedule with the bookings as the cache's days
// of holds (Schedule.Holds), shared, not copied into Bookings: a 62-day
// window of 100 artisans is some 125,000 bookings, and building a
// booking.Booking of each was most of an availability answer's time and
// memory.
func (st *BookingStore) AvailabilitySchedule(ctx context.Context, from, to time.Time) (*booking.Schedule, error) {
	s, err := st.db.scheduleBase(ctx, st.db.read, from, to)
	if err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: schedule: %w", err))
	}
	if s.Holds, err = st.db.schedule.holds(ctx, st.db.read, from, to); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: schedule: %w", err))
	}
	if s.Busy, err = loadBusy(ctx, st.db.read, from, to); err != nil {
		return nil, unavailable(fmt.Errorf("sqlite: schedule: %w", err))
	}
	return s, nil
}

// maxTime is later than any stored instant.
var maxTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// maxBlock is the longest a booking's block may be (a CHECK in schema.sql):
// a booking touching [from, to) starts after from-maxBlock.
const maxBlock = 24 * time.Hour

// loadSchedule reads the schedule of [from, to) through q: the catalogue
// from the cache (see catalogCache), the bookings and busy times from q.
func (db *DB) loadSchedule(ctx context.Context, q queryer, from, to time.Time) (*booking.Schedule, error) {
	return db.loadScheduleOf(ctx, q, from, to, scheduleScope{})
}

// scheduleScope narrows the bookings of a schedule. The zero scope is every
// confirmed booking.
type scheduleScope struct {
	artisanID string // when set, only this artisan's bookings...
	rooms     bool   // ...and, if rooms, every booking that holds a room
}

// loadScheduleOf is loadSchedule with the bookings narrowed to scope.
func (db *DB) loadScheduleOf(ctx context.Context, q queryer, from, to time.Time, scope scheduleScope) (*booking.Schedule, error) {
	s, err := db.scheduleBase(ctx, q, from, to)
	if err != nil {
		return nil, err
	}
	args := []any{fmtTime(from.Add(-maxBlock)), fmtTime(to), fmtTime(from)}
	if scope.artisanID != "" {
		args = append(args, scope.artisanID)
	}
	if s.Bookings, err = queryScheduleBookings(ctx, q, scheduleWhere(scope), args...); err != nil {
		return nil, err
	}
	// The other artisans of team bookings (team.go).
	if s.Bookings, err = scheduleExtras(ctx, q, s.Bookings, from, to, scope); err != nil {
		return nil, err
	}
	if s.Busy, err = loadBusy(ctx, q, from, to); err != nil {
		return nil, err
	}
	return s, nil
}

// scheduleWhere is the WHERE clause (and ORDER BY) of loadScheduleOf's
// bookings for scope; its arguments are the window's three bounds and,
// with an artisan, the artisan. Each of its three forms is a prepared
// statement of the write connection (writeStatements).
func scheduleWhere(scope scheduleScope) string {
	where := `WHERE status IN ('confirmed', 'pending') AND block_start > ? AND block_start < ? AND block_end > ?`
	switch {
	case scope.artisanID != "" && scope.rooms:
		// The window's index range, filtered in SQLite: far fewer rows to
		// scan and parse in Go.
		where += ` AND (+artisan_id = ? OR +room_id IS NOT NULL)`
	case scope.artisanID != "":
		where += ` AND artisan_id = ?` // bookings_artisan_block
	}
	return where + ` ORDER BY block_start`
}

// scheduleBase returns a schedule of [from, to) with its catalogue and no
// bookings or busy times yet.
func (db *DB) scheduleBase(ctx context.Context, q queryer, from, to time.Time) (*booking.Schedule, error) {
	full, err := db.fullCatalog(ctx, q)
	if err != nil {
		return nil, err
	}
	return &booking.Schedule{Catalog: *catalogView(full, from, to)}, nil
}

// scheduleSelect is the start of queryScheduleBookings' query.
const scheduleSelect = `SELECT id, status, service_id, mode, artisan_id, coalesce(room_id, ''),
		start_at, end_at, block_start, block_end FROM bookings `

// queryScheduleBookings reads the bookings selected by where (a WHERE
// clause and what follows it) with the fields scheduling needs: this runs
// over thousands of rows.
func queryScheduleBookings(ctx context.Context, q queryer, where string, args ...any) ([]booking.Booking, error) {
	rows, err := q.QueryContext(ctx, scheduleSelect+where, args...)
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	var out []booking.Booking
	for rows.Next() {
		var b booking.Booking
		var start, end, bstart, bend string
		if err := rows.Scan(&b.ID, &b.Status, &b.ServiceID, &b.Mode, &b.ArtisanID, &b.RoomID,
			&start, &end, &bstart, &bend); err != nil {
			rows.Close()
			return nil, fmt.Errorf("bookings: %w", err)
		}
		for _, f := range []struct {
			dst *time.Time
			src string
		}{{&b.Start, start}, {&b.End, end}, {&b.BlockStart, bstart}, {&b.BlockEnd, bend}} {
			if *f.dst, err = parseTime(f.src); err != nil {
				rows.Close()
				return nil, fmt.Errorf("booking %s: %w", b.ID, err)
			}
		}
		out = append(out, b)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	return out, nil
}

// busySQL is loadBusy's query.
const busySQL = `SELECT artisan_id, start_at, end_at FROM busy_times
		WHERE end_at > ? AND start_at < ? ORDER BY start_at, id`

// loadBusy reads the busy times that overlap [from, to).
func loadBusy(ctx context.Context, q queryer, from, to time.Time) ([]booking.Busy, error) {
	rows, err := q.QueryContext(ctx, busySQL, fmtTime(from), fmtTime(to))
	if err != nil {
		return nil, fmt.Errorf("busy times: %w", err)
	}
	defer rows.Close()
	var out []booking.Busy
	for rows.Next() {
		var b booking.Busy
		var start, end string
		if err := rows.Scan(&b.ArtisanID, &start, &end); err != nil {
			return nil, fmt.Errorf("busy times: %w", err)
		}
		if b.Start, err = parseTime(start); err != nil {
			return nil, err
		}
		if b.End, err = parseTime(end); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("busy times: %w", err)
	}
	return out, nil
}
