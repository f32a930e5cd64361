package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Tx is one write transaction (BEGIN IMMEDIATE on the one write
// connection). It carries the time it started, which every row it writes
// is stamped with, and a record of what it changed. The only way to write
// is DB.inTx, which hands out a Tx and, once it has committed, tells the
// subscribers what it changed (DB.Subscribe): the catalogue and schedule
// caches and the job workers' wake-up learn of every commit without any
// write having to remember them.
//
// The record is not kept by the code that writes: SQLite reports every row
// inserted, updated or deleted, with its values before and after, to the
// write connection's pre-update hook, which fills the record of the
// transaction in progress. A statement that SQLite rolls back (a trigger
// refusing an overlap) may leave a change in the record that did not
// happen; a subscriber then drops (or, the schedule cache, reads again) a
// little more than it had to.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	now     time.Time
	changes Changes
	// pre are a booking's jobs made before the transaction
	// (prerendered), used by recordEvent if they fit.
	pre *prerendered
	// earlier is what the callers before this one in the same group
	// changed (see groupcommit.go): their writes are not committed yet, so
	// the caches, which hold committed data only, do not show them. Rolled
	// back or not, they are all in it (it may over-report).
	earlier *Changes
}

// catalogChanged reports whether the transaction, this caller's part or
// an earlier caller's of the same group, has written the catalogue: the
// cached catalogue does not show it then.
func (tx *Tx) catalogChanged() bool {
	return tx.changes.Catalog || tx.earlier != nil && tx.earlier.Catalog
}

// Now is the time the transaction started (DB.Now, in UTC, at the stored
// precision): the created_at and updated_at of what it writes. A booking
// whose jobs were made before its transaction (prerendered) takes the
// time they were made for, read as the store took the request, before it
// waited for its turn on the write connection.
func (tx *Tx) Now() time.Time { return tx.now }

// ExecContext runs a statement in the transaction (prepared once if it is
// one of writeStatements). The statement runs to its end even if ctx ends
// meanwhile (see stmtContext).
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = stmtContext(ctx)
	if s := tx.db.stmts.stmt(ctx, tx.tx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction (prepared once if it is one
// of writeStatements).
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = stmtContext(ctx)
	if s := tx.db.stmts.stmt(ctx, tx.tx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query of at most one row in the transaction
// (prepared once if it is one of writeStatements).
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = stmtContext(ctx)
	if s := tx.db.stmts.stmt(ctx, tx.tx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement for the transaction.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*Stmt, error) {
	s, err := tx.tx.PrepareContext(stmtContext(ctx), query)
	if err != nil {
		return nil, err
	}
	return &Stmt{s: s}, nil
}

// Stmt is a statement prepared for one transaction (Tx.PrepareContext);
// like the Tx's own methods, it runs each statement to its end even if
// ctx ends meanwhile.
type Stmt struct{ s *sql.Stmt }

// ExecContext runs the statement.
func (s *Stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.s.ExecContext(stmtContext(ctx), args...)
}

// QueryContext runs the query.
func (s *Stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return s.s.QueryContext(stmtContext(ctx), args...)
}

// Close closes the statement (the transaction's end closes it too).
func (s *Stmt) Close() error { return s.s.Close() }

// stmtContext is the context a statement of a write transaction runs with:
// ctx without its cancellation. The transaction holds the writes of other
// callers too (groupcommit.go), and a context that ends while a statement
// runs makes the driver interrupt it (sqlite3_interrupt), which for an
// INSERT, UPDATE or DELETE inside a transaction may roll the WHOLE
// transaction back. So a caller's context is looked at only between
// statements: one that has already ended is handed to database/sql as it
// is, which refuses the statement before it reaches the driver, and the
// writer rolls back what the caller did once its fn returns (runMember).
func stmtContext(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// Changes is what one write transaction changed, as published to the
// subscribers after its COMMIT.
type Changes struct {
	// CommitFailed is set when the COMMIT returned an error: the
	// transaction may or may not have taken effect, so what it records may
	// have changed or not.
	CommitFailed bool
	// Tables are the tables that had a row inserted, updated or deleted,
	// in the order they were first written.
	Tables []string
	// Catalog is set when a table of the catalogue changed (atelier,
	// rooms, services and their modes, artisans and their services,
	// closures, time off, hours for dates).
	Catalog bool
	// BookingDays are the UTC days (midnight, UTC) of the block starts of
	// every booking row written, and of every row of a team booking's other
	// artisans (booking_artisans), before and after the change.
	BookingDays []time.Time
	// BookingIDs are the ids of those bookings (scheduleCache.changed
	// reads them again once the transaction has committed).
	BookingIDs []string
	// AllBookings is set when a booking row was written whose block start
	// or id could not be read: any day may have changed.
	AllBookings bool
	// JobsQueued counts the jobs inserted, and JobQueues are their queues.
	JobsQueued int
	JobQueues  []string
}

// Empty reports whether c records no change at all.
func (c *Changes) Empty() bool { return len(c.Tables) == 0 }

// catalogTables are the tables loadCatalog reads.
var catalogTables = map[string]bool{
	"atelier": true, "rooms": true, "services": true, "service_modes": true,
	"artisans": true, "artisan_services": true, "closures": true, "time_off": true,
	"date_hours": true,
}

// columns are the positions, in the tables as they are in this database,
// of the columns the pre-update hook reads (a migrated table may order its
// columns otherwise than schema.sql).
type columns struct {
	bookingBlockStart int
	jobQueue          int
	// The schedule cache's (bookingRowWritten).
	bookingID, teamBookingID, teamBlockStart int
}

// readColumns finds the positions of the columns the hook reads.
func readColumns(ctx context.Context, q queryer) (columns, error) {
	var c columns
	for _, f := range []struct {
		dst           *int
		table, column string
	}{{&c.bookingBlockStart, "bookings", "block_start"}, {&c.jobQueue, "jobs", "queue"},
		{&c.bookingID, "bookings", "id"}, {&c.teamBookingID, "booking_artisans", "booking_id"},
		{&c.teamBlockStart, "booking_artisans", "block_start"}} {
		err := q.QueryRowContext(ctx, `SELECT cid FROM pragma_table_info(?) WHERE name = ?`, f.table, f.column).Scan(f.dst)
		if err != nil {
			return c, fmt.Errorf("position of %s.%s: %w", f.table, f.column, err)
		}
	}
	return c, nil
}

// preUpdate is the write connection's pre-update hook: it adds the row
// change d to the record of the transaction in progress. It runs inside
// the statement, on the goroutine of the transaction (which holds the one
// write connection), so the record needs no lock.
func (db *DB) preUpdate(d sqlite.SQLitePreUpdateData) {
	c := db.current
	if c == nil {
		return // the hook is registered in inTx, the only user of the write connection
	}
	if !slices.Contains(c.Tables, d.TableName) {
		c.Tables = append(c.Tables, d.TableName)
	}
	switch {
	case catalogTables[d.TableName]:
		c.Catalog = true
	case d.TableName == "bookings": // the days and ids (schedcache.go)
		c.bookingRowWritten(&d, db.cols.bookingID, db.cols.bookingBlockStart)
	case d.TableName == "booking_artisans":
		c.bookingRowWritten(&d, db.cols.teamBookingID, db.cols.teamBlockStart)
	case d.TableName == "jobs" && d.Op == sqlite3.SQLITE_INSERT:
		c.JobsQueued++
		if q, ok := rowValue(&d, true, db.cols.jobQueue).(string); ok && !slices.Contains(c.JobQueues, q) {
			c.JobQueues = append(c.JobQueues, q)
		}
	}
}

// rowValue returns column i of the row d replaces (new false) or writes
// (new true), or nil if it cannot be read.
func rowValue(d *sqlite.SQLitePreUpdateData, new bool, i int) any {
	vals := make([]any, i+1)
	var err error
	if new {
		err = d.New(vals...)
	} else {
		err = d.Old(vals...)
	}
	if err != nil {
		return nil
	}
	return vals[i]
}

// addBookingDay records the UTC day of a stored block start.
func (c *Changes) addBookingDay(v any) {
	s, ok := v.(string)
	if !ok {
		c.AllBookings = true
		return
	}
	t, err := parseTime(s)
	if err != nil {
		c.AllBookings = true
		return
	}
	d := t.Truncate(24 * time.Hour) // UTC: Truncate works on absolute time
	if !slices.ContainsFunc(c.BookingDays, d.Equal) {
		c.BookingDays = append(c.BookingDays, d)
	}
}

// subscribers are the functions told of every commit.
type subscribers struct {
	mu  sync.Mutex
	fns []func(Changes)
}

// Subscribe has fn called after every write transaction that committed
// a change (or tried to: Changes.CommitFailed), with what it changed, before the call that wrote returns and before the next write
// transaction begins. fn runs on the writer's goroutine and holds up every
// write while it runs: it must be quick and must not block, nor write.
func (db *DB) Subscribe(fn func(Changes)) {
	db.subs.mu.Lock()
	defer db.subs.mu.Unlock()
	db.subs.fns = append(slices.Clip(db.subs.fns), fn)
}

// publish tells the subscribers what a transaction changed.
func (db *DB) publish(c Changes) {
	db.subs.mu.Lock()
	fns := db.subs.fns
	db.subs.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}

// hookWriter registers the pre-update hook on the write connection conn,
// once per underlying connection (the pool may replace a broken one).
func (db *DB) hookWriter(conn *sql.Conn) error {
	return conn.Raw(func(dc any) error {
		if dc == db.hooked {
			return nil
		}
		h, ok := dc.(sqlite.HookRegisterer)
		if !ok {
			return errors.New("the SQLite driver has no pre-update hook")
		}
		h.RegisterPreUpdateHook(db.preUpdate)
		// SQLite rolls a transaction back by itself on some errors (a full
		// disk, an I/O error, an interrupt): the writer must know, since
		// the transaction holds other callers' writes (groupcommit.go).
		h.RegisterRollbackHook(func() { db.txRolledBack.Store(true) })
		db.hooked = dc
		return nil
	})
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it if
// fn returns nil; then it publishes what fn changed (see Tx), before the
// next write transaction begins, so that it reads caches that know of
// this one. The transaction may hold the calls of other callers too, each
// in its own SAVEPOINT, with one COMMIT for all (group commit, see
// groupcommit.go): inTx returns nil only once that COMMIT has succeeded,
// and an error of fn (or a panic, which goes on up the caller's goroutine)
// undoes fn's writes alone.
//
// A database that cannot take the write is booking.EUNAVAILABLE, with
// nothing changed: the write connection still busy with other transactions
// of this process after the busy timeout, the file's write lock held by
// another process past it (SQLITE_BUSY), a full disk (SQLITE_FULL), an I/O
// error (see unavailable).
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	return db.inTxAt(ctx, time.Time{}, fn)
}

// inTxAt is inTx with the transaction's time at (zero: DB.Now when fn
// starts).
func (db *DB) inTxAt(ctx context.Context, at time.Time, fn func(tx *Tx) error) (err error) {
	return db.runWrite(ctx, &writeReq{ctx: ctx, at: at}, fn)
}

// inTxAlone is inTx in a transaction of its own, with no other caller's
// writes: for a long transaction that would hold up a whole group (the
// catalogue's sync at start-up).
func (db *DB) inTxAlone(ctx context.Context, fn func(tx *Tx) error) (err error) {
	return db.runWrite(ctx, &writeReq{ctx: ctx, alone: true}, fn)
}
