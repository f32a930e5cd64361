package sqlite

import (
	"context"
	"strconv"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// ScheduleFromDB is Schedule read wholly from the database, as the booking
// transaction reads it, for tests that compare the two.
func (db *DB) ScheduleFromDB(ctx context.Context, from, to time.Time) (*booking.Schedule, error) {
	return db.loadSchedule(ctx, db.read, from, to)
}

// ExecInTx runs query in one write transaction of the store, as the
// store's own writes run (inTx), with no code of its own for the caches:
// a write someone might add without thinking of them.
func (db *DB) ExecInTx(ctx context.Context, query string, args ...any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}

// SetScheduleReadHook has fn run each time the schedule cache has read a
// day from the database, before it decides whether to keep what it read.
// Set it before use; nil removes it.
func (db *DB) SetScheduleReadHook(fn func()) {
	if fn == nil {
		db.schedule.afterRead = nil
		return
	}
	db.schedule.afterRead = func(int64) { fn() }
}

// ForgetScheduleDay drops from the schedule cache the UTC day of t, as if
// it had never been read, without a change: the next read of it reads the
// database.
func (db *DB) ForgetScheduleDay(t time.Time) {
	c := &db.schedule
	c.mu.Lock()
	defer c.mu.Unlock()
	d := dayNumber(t)
	c.count -= len(c.days[d])
	delete(c.days, d)
}

// SetScheduleRereadLimit sets how many bookings a commit may write for
// the schedule cache to read them again rather than drop their days (0:
// the default). Set it before use.
func (db *DB) SetScheduleRereadLimit(n int) { db.schedule.maxReread = n }

// JobPayload reads the stored payload of job id, whatever its state
// (storetest.PayloadReader).
func (db *DB) JobPayload(ctx context.Context, id int64) ([]byte, error) {
	var p []byte
	err := db.read.QueryRowContext(ctx, `SELECT coalesce((SELECT body FROM job_payloads WHERE job_id = ?1), (SELECT payload FROM jobs WHERE id = ?1), x'')`, id).Scan(&p)
	return p, err
}

// PreparedUses counts the write-transaction calls served by a statement
// prepared when the database opened (writeStatements).
func (db *DB) PreparedUses() int64 { return db.stmts.used.Load() }

// Statement is one statement of ExecAllInTx.
type Statement struct {
	Query string
	Args  []any
}

// ExecAllInTx runs stmts in one write transaction, as the store's own
// writes run (inTx), going on past a statement that fails (SQLite has
// rolled back that statement alone), and commits: the errors are the
// statements', in order.
func (db *DB) ExecAllInTx(ctx context.Context, stmts ...Statement) ([]error, error) {
	errs := make([]error, len(stmts))
	err := db.inTx(ctx, func(tx *Tx) error {
		for i, s := range stmts {
			_, errs[i] = tx.ExecContext(ctx, s.Query, s.Args...)
		}
		return nil
	})
	return errs, err
}

// ScheduleHoldsFromDB reads from the database, bypassing the cache, the
// days of holds that AvailabilitySchedule gives for [from, to), as a
// cache that held none of them would read them.
func (db *DB) ScheduleHoldsFromDB(ctx context.Context, from, to time.Time) ([][]booking.Hold, error) {
	fresh := &scheduleCache{}
	return fresh.holds(ctx, db.read, from, to)
}

// InTx runs fn in a write transaction of the store, as the store's own
// writes run (inTx): possibly with other calls in one group commit.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error { return db.inTx(ctx, fn) }

// Commits counts the write transactions committed so far and the calls
// they held that committed.
func (db *DB) Commits() (txs, calls int64) {
	return db.w.commits.Load(), db.w.committedCalls.Load()
}

// SetGroupBounds sets the most calls of one group and how long a group
// takes in more (zero: the defaults). Set it between writes.
func (db *DB) SetGroupBounds(calls int, d time.Duration) {
	db.w.maxCalls.Store(int64(calls))
	db.w.maxTime.Store(int64(d))
}

// SetBackgroundPacing sets how long a background write gives way at most
// and the quiet it waits for (zero: the defaults). Set it between writes.
func (db *DB) SetBackgroundPacing(wait, quiet time.Duration) {
	db.w.maxBackgroundWait.Store(int64(wait))
	db.w.quiet.Store(int64(quiet))
}

// ForgetRequests makes the writer forget when it last saw a request's
// write (the store's own at open, say), as if none had come.
func (db *DB) ForgetRequests() {
	db.w.mu.Lock()
	db.w.lastRequest = time.Time{}
	db.w.mu.Unlock()
}

// SetQueuedHook has fn called with the length of the queue of writes each
// time a write is queued, on the goroutine of the write. Set it between
// writes; nil removes it.
func (db *DB) SetQueuedHook(fn func(n int)) {
	db.w.mu.Lock()
	db.w.onQueued = fn
	db.w.mu.Unlock()
}

// WriteTempStore is PRAGMA temp_store as a write transaction of the store
// sees it (0 default, 1 file, 2 memory).
func (db *DB) WriteTempStore(ctx context.Context) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&n)
	})
	return n, err
}

// SetAutocheckpoint sets the write connection's wal_autocheckpoint (0:
// never), for benchmarks that count the pages a write adds to the WAL.
func (db *DB) SetAutocheckpoint(ctx context.Context, pages int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		return tx.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint = "+strconv.Itoa(pages)).Scan(&n)
	})
}
