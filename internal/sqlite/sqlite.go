// Package sqlite is the store of the application: bookings, the catalogue,
// idempotency records, the job queue and the audit log in one SQLite file,
// through the pure-Go driver modernc.org/sqlite (the binary builds with
// CGO_ENABLED=0).
//
// One DB owns the file: its connection pools, its write transactions (Tx,
// tx.go) and the caches that learn of every commit. Over it sit the stores,
// one per concern (stores.go): CatalogStore, BookingStore, StaffStore,
// JobStore, CalendarSyncStore and ReplyStore, each implementing the
// domain's interface of its concern; Store gathers them. Open returns a
// Store.
//
// Writes go through a pool of one connection, so write transactions queue in
// the process instead of fighting over the file lock, and every one of them
// is BEGIN IMMEDIATE: a booking is checked and inserted against committed
// data with no other writer in between. Reads use a separate pool of
// read-only connections; with WAL they never wait for a writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/atelier-app/atelier/internal/booking"
)

// timeFormat is how instants are stored: UTC, fixed width, so that text
// order is time order.
const timeFormat = "2006-01-02T15:04:05.000Z"

// timePrecision is the precision of stored instants.
const timePrecision = time.Millisecond

// DB is the SQLite database under the stores. It owns the two connection
// pools and the write transactions (Tx): every write goes through inTx,
// which records what the transaction changed and, after COMMIT, publishes
// it to the subscribers (Subscribe): the catalogue and schedule caches,
// and the job workers' wake-up.
type DB struct {
	write *sql.DB // one connection; every write transaction
	read  *sql.DB // read-only connections
	path  string
	// busyTimeout bounds each wait for the file's write lock (SQLite's
	// busy handler) and, in inTx, the wait for the write connection.
	busyTimeout time.Duration

	// Now returns the current time for created_at, updated_at and the like.
	// It defaults to time.Now; tests replace it. Set it before use.
	Now func() time.Time

	// Jobs returns the jobs to enqueue, in the same transaction, for each
	// change to a booking. Nil means no jobs. Given with Options.Jobs, or
	// (tests) set before use.
	Jobs booking.JobsFunc

	// ReplyJobs returns the jobs to enqueue, in the same transaction, for
	// a reply to an invitation that staff are told of (ApplyReply). Nil
	// means none. Given with Options.ReplyJobs, or (tests) set before use.
	ReplyJobs booking.ReplyJobsFunc

	// cols are where the pre-update hook finds the columns it reads.
	cols columns
	// hooked is the write connection the pre-update hook is registered
	// on, and current the record of the transaction running on it (nil
	// between transactions). Only the holder of the write connection
	// touches them.
	hooked  any
	current *Changes
	subs    subscribers

	// catalog caches the catalogue between changes.
	catalog catalogCache
	// schedule caches the confirmed bookings that Schedule reads.
	schedule scheduleCache
	// stmts are the write transactions' prepared statements.
	stmts stmtCache
	// w runs the write transactions, several calls in each (groupcommit.go).
	w writer
	// txRolledBack is set by the write connection's rollback hook: SQLite
	// rolled back the transaction in progress.
	txRolledBack atomic.Bool
}

// DefaultBusyTimeout is how long a write waits for the database's write
// lock, and for its turn on the write connection, before the store gives up
// with booking.EUNAVAILABLE.
const DefaultBusyTimeout = 10 * time.Second

// Options are the settings of OpenWith; the zero value is what Open uses.
type Options struct {
	// BusyTimeout is how long a write transaction waits for the write
	// connection of this process and then for the file's write lock (held
	// by another process, such as a backup) before it fails with
	// booking.EUNAVAILABLE. Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxPageCount caps the size of the file in pages (PRAGMA
	// max_page_count; never below its current size): a write that would
	// grow it further fails as on a full disk. Zero leaves SQLite's limit.
	// Tests use it to make SQLite report SQLITE_FULL.
	MaxPageCount int
	// Jobs and ReplyJobs are the outbox's hooks (DB.Jobs, DB.ReplyJobs),
	// given here so that the store is complete when it is made.
	Jobs      booking.JobsFunc
	ReplyJobs booking.ReplyJobsFunc
}

func (o Options) busyTimeout() time.Duration {
	if o.BusyTimeout > 0 {
		return o.BusyTimeout
	}
	return DefaultBusyTimeout
}

// dsn returns the data source name for path with the default options.
func dsn(path string, readOnly bool) string { return dsnWith(path, readOnly, Options{}) }

// dsnWith returns the data source name for path. Every pragma is in the DSN
// so that each pooled connection gets it, not only the first one.
func dsnWith(path string, readOnly bool, o Options) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout().Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: a committed booking (a 201) survives a power cut, not only a
	// crash of the process.
	q.Add("_pragma", "synchronous(FULL)")
	if !readOnly {
		// The write connection's statement journals (a savepoint's copy of
		// the pages it changes: each call of a group commit has one, and
		// each INSERT of a booking with its triggers) in memory: on disk,
		// SQLite's default, every one over 64 KiB became a temporary file
		// written a page at a time, 5 % of the server's CPU under booking
		// load. Migrations run with FILE (migrateStep).
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	if o.MaxPageCount > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", o.MaxPageCount))
	}
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Set("_query_only", "1")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, brings its
// schema up to date and returns every store over it. A database written by
// a newer version of the application is refused.
func Open(ctx context.Context, path string) (*Store, error) { return OpenWith(ctx, path, Options{}) }

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, o Options) (*Store, error) {
	db, err := openDB(ctx, path, o)
	if err != nil {
		return nil, err
	}
	return NewStore(db), nil
}

// openDB opens the database at path alone.
func openDB(ctx context.Context, path string, o Options) (*DB, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open: want a file path, got %q", path)
	}
	if err := makePrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write, err := sql.Open("sqlite", dsnWith(path, false, o))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write, migrations); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsnWith(path, true, o))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	cols, err := readColumns(ctx, read)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{write: write, read: read, path: path, busyTimeout: o.busyTimeout(), Now: time.Now, cols: cols,
		Jobs: o.Jobs, ReplyJobs: o.ReplyJobs}
	if err := db.stmts.prepareWrites(ctx, write); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The schedule cache's own connection (schedcache.go).
	if db.schedule.reread, err = openReread(dsnWith(path, true, o)); err != nil {
		db.stmts.close()
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.Subscribe(db.catalog.changed)
	db.Subscribe(db.schedule.changed)
	db.startWriter()
	return db, nil
}

// privateMode is the mode of the database file and of the -wal, -shm and
// -journal files beside it: they hold customers' names, e-mail addresses
// and notes, so only the account the server runs as may read them.
const privateMode fs.FileMode = 0o600

// makePrivate creates the database file at path with privateMode if it
// does not exist, before SQLite opens it (SQLite would create it with
// 0644 less the umask), and takes the group's and others' permissions
// off an existing one and off the -wal, -shm and -journal files beside
// it. SQLite creates those with the database file's mode, whatever the
// umask, so they follow. A file created here gets exactly privateMode
// whatever the umask (an empty file is a new database to SQLite).
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	switch {
	case err == nil:
		defer f.Close()
		if err := f.Chmod(privateMode); err != nil { // the umask may have taken more
			return err
		}
	case !errors.Is(err, fs.ErrExist):
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&^0o077); err != nil {
				return fmt.Errorf("making %s readable by its owner only: %w", p, err)
			}
		}
	}
	return nil
}

// Close closes both pools, once the write transaction running has ended;
// writes still queued fail.
func (db *DB) Close() error {
	db.w.close()
	return errors.Join(db.stmts.close(), db.schedule.reread.close(), db.read.Close(), db.write.Close())
}

// Path returns the file name of the database.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().UTC()
	}
	return db.Now().UTC()
}

// closeRows closes rows and returns the iteration error, if any.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	return errors.Join(err, rows.Close())
}

// queryer is what reads need: a pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// fmtTime formats an instant for storage.
func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// nullTime formats t, or returns NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

// parseTime parses a stored instant. Schedules parse thousands of them per
// availability request, so the fixed layout is read by hand (about ten
// times faster than time.Parse); anything unusual falls back to time.Parse.
func parseTime(s string) (time.Time, error) {
	if t, ok := parseStoredTime(s); ok {
		return t, nil
	}
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// parseStoredTime reads s by hand when it has exactly the stored layout
// (timeFormat) and names a real instant; ok is false otherwise.
func parseStoredTime(s string) (t time.Time, ok bool) {
	if !hasStoredLayout(s) {
		return time.Time{}, false
	}
	y, mo, d := digits(s[0:4]), digits(s[5:7]), digits(s[8:10])
	h, mi, sec, ms := digits(s[11:13]), digits(s[14:16]), digits(s[17:19]), digits(s[20:23])
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
		sec < 0 || sec > 59 || ms < 0 {
		return time.Time{}, false
	}
	t = time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), time.UTC)
	return t, t.Day() == d // not 31 April
}

// hasStoredLayout reports whether s has the length and the separators of
// timeFormat ("2006-01-02T15:04:05.000Z").
func hasStoredLayout(s string) bool {
	return len(s) == len(timeFormat) && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
		s[16] == ':' && s[19] == '.' && s[23] == 'Z'
}

// digits is the number s spells in decimal digits, or -1 when s holds
// anything else.
func digits(s string) int {
	v := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// nullString returns NULL for "", else s.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// isOverlapRefusal reports whether err is a refusal by one of the overlap
// triggers (RAISE(ABORT) in a trigger gives SQLITE_CONSTRAINT_TRIGGER).
func isOverlapRefusal(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER
}

// unavailable returns err as booking.EUNAVAILABLE (keeping it as the cause)
// when SQLite's result code says the database cannot answer just now
// rather than that the request or the code is wrong: SQLITE_BUSY (locked
// past the busy timeout), SQLITE_LOCKED, SQLITE_FULL (disk full or
// max_page_count), SQLITE_IOERR (any extended code), SQLITE_CANTOPEN and
// SQLITE_PROTOCOL. Other errors, and nil, are returned unchanged.
func unavailable(err error) error {
	var e *sqlite.Error
	if err == nil || booking.ErrorKind(err) == booking.EUNAVAILABLE || !errors.As(err, &e) {
		return err
	}
	switch e.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL:
		return booking.ErrUnavailable(err)
	}
	return err
}

// isBusy reports whether err is SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// isUniqueViolation reports whether err is a PRIMARY KEY or UNIQUE violation.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) &&
		(e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE)
}
