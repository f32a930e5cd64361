package sqlite

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// ScheduleFromDB is Schedule read wholly from the database, as the booking
// transaction reads it, for tests that compare the two.
func (db *DB) ScheduleFromDB(ctx context.Context, from, to time.Time) (*booking.Schedule, error) {
	return db.loadSchedule(ctx, db.read, from, to)
}
