package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atelier-app/atelier/internal/booking"
)

// BookingEventCount is how many changes of one kind an actor kind made to
// bookings.
type BookingEventCount struct {
	Event string // a booking.EventKind: created, rescheduled, cancelled...
	Actor string // customer, staff, system
	Count int64
}

// bookingEventActions are the audit actions of booking changes (not of
// staff notes and the like), as SQLite's store counts them.
var bookingEventActions = []string{
	"booking." + string(booking.EventCreated),
	"booking." + string(booking.EventRescheduled),
	"booking." + string(booking.EventCancelled),
	"booking.declined",
	"booking.confirmed",
}

// BookingEvents counts the booking changes recorded in the audit log by
// the transactions that ended before the horizon after (0: from the
// start) and returns the horizon to pass next time, so that every change,
// made by any server, is counted exactly once across calls.
//
// The cursor is not an audit row id, as in SQLite's store: with several
// writers at once ids are not handed out in commit order (a transaction
// holding id 10 may commit after one holding id 11 was counted, and would
// be missed). Each audit row carries the id of the transaction that wrote
// it (audit_log.xact), and the horizon is the oldest transaction still
// running at the moment of the count (the snapshot's xmin): every
// transaction before it has ended, so its rows are there for good if it
// committed and never will be if not. The next count takes the
// transactions from that horizon to its own.
func (st *BookingStore) BookingEvents(ctx context.Context, after int64) ([]BookingEventCount, int64, error) {
	// One snapshot for the horizon and the count.
	tx, err := st.db.pool.BeginTx(ctx, readTx)
	if err != nil {
		return nil, after, unavailable(fmt.Errorf("postgres: booking events: %w", err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var horizon int64
	if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&horizon); err != nil {
		return nil, after, unavailable(fmt.Errorf("postgres: booking events: %w", err))
	}
	// audit_log_xact: only the rows of the window are read.
	rows, err := tx.Query(ctx, `SELECT action, actor_kind, count(*) FROM audit_log
		WHERE xact >= $1::bigint::text::xid8 AND xact < $2::bigint::text::xid8 AND action = ANY($3)
		GROUP BY action, actor_kind ORDER BY action, actor_kind`, after, horizon, bookingEventActions)
	if err != nil {
		return nil, after, unavailable(fmt.Errorf("postgres: booking events: %w", err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BookingEventCount, error) {
		var c BookingEventCount
		var action string
		err := r.Scan(&action, &c.Actor, &c.Count)
		c.Event = action[len("booking."):]
		return c, err
	})
	if err != nil {
		return nil, after, unavailable(fmt.Errorf("postgres: booking events: %w", err))
	}
	return out, max(horizon, after), nil
}

// PoolStat returns the statistics of the connection pool (the metrics:
// SQLite's store gives database/sql pools instead, Pools).
func (db *DB) PoolStat() *pgxpool.Stat { return db.pool.Stat() }
