// Package postgres is the store of the application on PostgreSQL, for a
// group of houses or a hosted service that runs several stateless servers
// on one replicated database. It implements the same domain interfaces as
// internal/sqlite, through github.com/jackc/pgx/v5 (a pgxpool; every
// method takes a context), with its own schema (schema.sql, embedded) and
// numbered migrations recorded in the table schema_migrations (migrate.go).
//
// # No double booking
//
// Two lines of defence, as in SQLite:
//
//  1. The slot re-check. A booking change (create, reschedule) runs in one
//     READ COMMITTED transaction that takes transaction-level advisory
//     locks (pg_advisory_xact_lock) on the artisan and the room it places
//     the booking with, then reads the schedule and asks the PlaceFunc
//     again. Every booking change takes the locks of what it writes, so
//     while the locks are held nobody else can book that artisan or that
//     room, and in READ COMMITTED each statement sees every commit made
//     before it started: the schedule read after the locks is the
//     committed truth for them, including what the database constraints
//     cannot express (an artisan's daily cap counts only that artisan's
//     bookings). The placement may only be known after a first read (which
//     artisan, which room): the transaction then locks what the placement
//     named and reads and places again, until the placement names only
//     what it already held when it read (lockAndPlace).
//
//     Why not SERIALIZABLE: it would detect the same conflicts, but by
//     aborting and retrying every transaction that read a range another
//     one wrote, including those of other artisans that share index pages,
//     so under load (100 customers after one slot) most of the work would
//     be retries; the locks make the customers queue per artisan and per
//     room and leave everyone else alone. Why not one lock for the
//     atelier: it would serialise every booking, as SQLite does, which is
//     what several servers are meant to avoid.
//
//     Locks taken in more than one round can deadlock with another
//     transaction's; PostgreSQL detects it (SQLSTATE 40P01) and inTx runs
//     the transaction again, as it does for a serialization failure.
//
//  2. The exclusion constraints (schema.sql): EXCLUDE USING gist on the
//     artisan, and on the room, with tstzrange(block_start, block_end) for
//     every booking that holds its slot. Even a bypassed or buggy check
//     cannot store an overlap. A refusal is SQLSTATE 23P01, recognised with
//     errors.As on *pgconn.PgError (never by the message) and returned as
//     booking.ErrSlotUnavailable: ECONFLICT with code slot_unavailable, a
//     clean 409, never a 500. The constraints are immediate (not
//     deferred), so the refusal comes at the INSERT or UPDATE, inside the
//     transaction, and takes the booking's audit row, jobs and idempotency
//     record with it. The contract tests race 100 customers with the check
//     bypassed (storetest Race/ArtisanConstraint, Race/RoomConstraint) and
//     move bookings onto others (Reschedule): every loser gets exactly
//     that error.
//
// Reads that must see one moment (Schedule, the counts of BookingEvents)
// run in a REPEATABLE READ read-only transaction; everything else is one
// statement, or a READ COMMITTED transaction with row locks (a booking's
// row FOR UPDATE before it is cancelled or moved).
//
// # The schema
//
// schema.sql makes a new database at the latest version; an older one is
// upgraded by the numbered migrations, in one transaction, under an
// advisory lock so that servers starting together migrate it once. A
// database whose schema_migrations names a version newer than the binary
// knows is refused unchanged (TestOpenRefusesNewerDatabase), and so is a
// database holding other tables (TestOpenRefusesForeignDatabase).
//
// # The job queue
//
// Jobs are claimed with FOR UPDATE SKIP LOCKED and leased (job.go), so the
// servers on one database share each queue and each job runs once; a
// crashed server's jobs are claimed again when their leases run out
// (ReleaseLeases frees nothing here: a starting server cannot tell a dead
// server's lease from a live one's).
//
// # What only SQLite's store has
//
// Backup (use pg_dump, or the database's own replication), Pools
// (database/sql pools; PoolStat gives this pool's figures), Subscribe to
// the commits of this process (this store keeps no caches; WatchJobs tells
// the job runners of every server's new jobs) and Path.
//
// # Staff, replies and the calendar sync
//
// Sessions, feed secrets and the staff accounts live in the database, so
// every server knows them at once. A reply to an invitation is applied
// under an advisory lock on its message key (lockReply), so two servers
// reading the same mailbox act on a message once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atelier-app/atelier/internal/booking"
)

// timePrecision is the precision of stored instants: SQLite's store keeps
// milliseconds, and both stores return the same values.
const timePrecision = time.Millisecond

// DB is the PostgreSQL database under the stores: a connection pool and
// the write transactions (inTx).
type DB struct {
	pool *pgxpool.Pool

	// Now returns the current time for created_at, updated_at and the like.
	// It defaults to time.Now; tests replace it. Set it before use.
	Now func() time.Time

	// Jobs returns the jobs to enqueue, in the same transaction, for each
	// change to a booking. Nil means no jobs.
	Jobs booking.JobsFunc

	// ReplyJobs returns the jobs to enqueue, in the same transaction, for
	// a reply to an invitation that staff are told of (ApplyReply). Nil
	// means none.
	ReplyJobs booking.ReplyJobsFunc
}

// Options are the settings of Open.
type Options struct {
	// MaxConns caps the pool (0: pgxpool's default, the larger of 4 and
	// the number of CPUs, or pool_max_conns in the URL).
	MaxConns int32
	// Jobs and ReplyJobs are the outbox's hooks (DB.Jobs, DB.ReplyJobs),
	// given here so that the store is complete when it is made.
	Jobs      booking.JobsFunc
	ReplyJobs booking.ReplyJobsFunc
}

// Open connects to the database at url (a PostgreSQL URL or key=value
// string), brings its schema up to date and returns every store over it.
// A database written by a newer version of the application is refused.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: say only that it is wrong.
		return nil, fmt.Errorf("postgres: the database URL cannot be parsed")
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", unavailable(err))
	}
	db := &DB{pool: pool, Now: time.Now, Jobs: o.Jobs, ReplyJobs: o.ReplyJobs}
	return NewStore(db), nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return unavailable(fmt.Errorf("postgres: ping: %w", err))
	}
	return nil
}

func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().UTC().Truncate(timePrecision)
	}
	return db.Now().UTC().Truncate(timePrecision)
}

// Tx is a write transaction with its own "now".
type Tx struct {
	pgx.Tx
	db  *DB
	now time.Time
	// locked are the advisory locks the transaction holds (lockKey).
	locked map[lockKey]bool
}

// readTx is the transaction of a read that must see one moment.
var readTx = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// maxAttempts bounds the runs of a transaction that PostgreSQL aborted
// for a deadlock or a serialization failure.
const maxAttempts = 8

// inTx runs fn in a READ COMMITTED transaction and commits it. A
// transaction aborted by PostgreSQL to break a deadlock or for a
// serialization failure is run again (fn must be safe to run again: it
// only talks to the database through tx); an error of fn is returned
// unchanged, after the rollback.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.tryTx(ctx, fn)
		if err == nil || !isRetryable(err) || attempt == maxAttempts {
			return unavailable(err)
		}
		// A short random pause, so the transactions that deadlocked do not
		// meet again in step.
		pause := time.Duration(rand.Int64N(int64(attempt)*int64(5*time.Millisecond))) + time.Millisecond
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		case <-time.After(pause):
		}
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *Tx) error) error {
	ptx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: ptx, db: db, now: db.now(), locked: map[lockKey]bool{}}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// SQLSTATEs the store acts on.
const (
	sqlstateExclusionViolation   = "23P01"
	sqlstateSerializationFailure = "40001"
	sqlstateDeadlockDetected     = "40P01"
)

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isOverlapRefusal reports whether err is a refusal by one of the
// exclusion constraints on bookings.
func isOverlapRefusal(err error) bool { return pgCode(err) == sqlstateExclusionViolation }

func isRetryable(err error) bool {
	c := pgCode(err)
	return c == sqlstateSerializationFailure || c == sqlstateDeadlockDetected
}

// unavailable returns err as booking.EUNAVAILABLE (keeping it as the cause)
// when it says the database cannot answer just now rather than that the
// request or the code is wrong: no connection (or a connection lost), the
// server shutting down or out of resources (SQLSTATE classes 08, 53, 57P),
// a deadlock or serialization failure that outlasted the retries. Other
// errors, and nil, are returned unchanged.
func unavailable(err error) error {
	if err == nil || booking.ErrorKind(err) != booking.EINTERNAL {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53" || pe.Code[:3] == "57P"),
			isRetryable(err):
			return booking.ErrUnavailable(err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return booking.ErrUnavailable(err)
	}
	return err
}

// nullString returns NULL for "", else s.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// utc truncates t to the stored precision, in UTC.
func utc(t time.Time) time.Time { return t.UTC().Truncate(timePrecision) }

// nullTime is t for a nullable timestamptz: NULL when zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utc(t)
}
