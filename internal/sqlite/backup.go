package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BackupReport says what a backup wrote, read back from the copy itself.
type BackupReport struct {
	Path          string           // the file written
	Bytes         int64            // its size
	SchemaVersion int              // PRAGMA user_version of the copy
	Integrity     string           // "ok": PRAGMA integrity_check passed
	Tables        []TableCount     // rows of every table of the copy, by name
	Bookings      map[string]int64 // bookings of the copy by status
	Took          time.Duration    // copy and check together
}

// TableCount is the number of rows of one table.
type TableCount struct {
	Table string
	Rows  int64
}

// Rows returns the row count of table in the report (0 when absent).
func (r *BackupReport) Rows(table string) int64 {
	for _, t := range r.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return 0
}

// ErrBackupExists is returned by Backup when the destination exists and
// replacing it was not asked for.
var ErrBackupExists = errors.New("the backup file already exists")

// Backup writes a consistent copy of the database at src to dst while
// other connections (a running server) go on reading and writing it, then
// checks the copy and reports what it holds.
//
// The copy is made with VACUUM INTO on a read-only connection of its own:
// it reads one snapshot of the database (a WAL read transaction), so it
// holds every transaction committed before it started and none that was
// half done, and writers are never blocked (in WAL mode a reader does not
// stop a writer; the server's write connection is not used at all). The
// source is never written to.
//
// The copy is written to a temporary file beside dst, created with mode
// 0600 (it holds customers' personal data), checked with PRAGMA
// integrity_check, its schema version and row counts read back, synced to
// disk and only then renamed to dst, so dst is never a partial or corrupt
// file. An existing dst is an error (ErrBackupExists) unless replace is
// set; then it is replaced atomically.
func Backup(ctx context.Context, src, dst string, replace bool) (*BackupReport, error) {
	start := time.Now()
	if err := checkBackupPaths(src, dst, replace); err != nil {
		return nil, err
	}
	source, err := sql.Open("sqlite", readOnlyDSN(src))
	if err != nil {
		return nil, fmt.Errorf("sqlite: backup: open %s: %w", src, err)
	}
	defer source.Close()
	source.SetMaxOpenConns(1)

	// What the source holds before the copy starts: the copy must hold at
	// least that (bookings are never deleted, only cancelled).
	var version int
	if err := source.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return nil, fmt.Errorf("sqlite: backup: reading %s: %w", src, err)
	}
	if version == 0 {
		return nil, fmt.Errorf("sqlite: backup: %s is not an atelier database (no schema version)", src)
	}
	var bookingsBefore int64
	if err := source.QueryRowContext(ctx, "SELECT count(*) FROM bookings").Scan(&bookingsBefore); err != nil {
		return nil, fmt.Errorf("sqlite: backup: counting the bookings of %s: %w", src, err)
	}

	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("sqlite: backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmpPath)
		}
	}()
	// VACUUM INTO writes into an empty file, keeping its 0600 mode.
	if _, err := source.ExecContext(ctx, "VACUUM INTO ?", tmpPath); err != nil {
		return nil, fmt.Errorf("sqlite: backup: copying %s: %w", src, err)
	}
	source.Close()

	r, err := checkCopy(ctx, tmpPath)
	if err != nil {
		return nil, fmt.Errorf("sqlite: backup: the copy failed its check: %w", err)
	}
	if r.SchemaVersion != version {
		return nil, fmt.Errorf("sqlite: backup: the copy has schema version %d, the database %d", r.SchemaVersion, version)
	}
	if n := r.Rows("bookings"); n < bookingsBefore {
		return nil, fmt.Errorf("sqlite: backup: the copy holds %d bookings, fewer than the %d of the database before it started", n, bookingsBefore)
	}
	if err := syncFile(tmpPath); err != nil {
		return nil, fmt.Errorf("sqlite: backup: %w", err)
	}
	if !replace {
		// Checked again just before the rename: another backup may have
		// taken the name meanwhile.
		if _, err := os.Lstat(dst); err == nil {
			return nil, fmt.Errorf("sqlite: backup: %s: %w", dst, ErrBackupExists)
		}
	}
	if err := os.Rename(tmpPath, dst); err != nil {
		return nil, fmt.Errorf("sqlite: backup: %w", err)
	}
	keep = true
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("sqlite: backup: %w", err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return nil, fmt.Errorf("sqlite: backup: %w", err)
	}
	r.Path, r.Bytes, r.Took = dst, fi.Size(), time.Since(start)
	return r, nil
}

// Backup is Backup of the database db has open.
func (db *DB) Backup(ctx context.Context, dst string, replace bool) (*BackupReport, error) {
	return Backup(ctx, db.path, dst, replace)
}

// checkBackupPaths refuses a missing source, a destination that is the
// source or one of its journal files, a destination folder that does not
// exist, and an existing destination unless replace.
func checkBackupPaths(src, dst string, replace bool) error {
	sfi, err := os.Stat(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqlite: backup: no database at %s", src)
		}
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if !sfi.Mode().IsRegular() {
		return fmt.Errorf("sqlite: backup: %s is not a database file", src)
	}
	absSrc, err1 := filepath.Abs(src)
	absDst, err2 := filepath.Abs(dst)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if absDst == absSrc+suffix {
			return fmt.Errorf("sqlite: backup: %s is the database itself or one of its files; back up to another file", dst)
		}
	}
	dfi, err := os.Stat(dst)
	switch {
	case err == nil && os.SameFile(sfi, dfi):
		return fmt.Errorf("sqlite: backup: %s is the database itself; back up to another file", dst)
	case err == nil && !dfi.Mode().IsRegular():
		return fmt.Errorf("sqlite: backup: %s exists and is not a file", dst)
	case err == nil && !replace:
		return fmt.Errorf("sqlite: backup: %s: %w", dst, ErrBackupExists)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if fi, err := os.Stat(filepath.Dir(dst)); err != nil || !fi.IsDir() {
		return fmt.Errorf("sqlite: backup: the folder %s does not exist", filepath.Dir(dst))
	}
	return nil
}

// readOnlyDSN opens path read-only, never creating it. It carries no
// journal_mode pragma: setting one would write to the file.
func readOnlyDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// checkCopy opens a finished copy read-only and checks it: integrity, the
// schema version, and the row counts of every table.
func checkCopy(ctx context.Context, path string) (*BackupReport, error) {
	c, err := sql.Open("sqlite", readOnlyDSN(path))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)

	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("integrity_check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("integrity_check: %s", strings.Join(problems, "; "))
	}

	r := &BackupReport{Integrity: "ok", Bookings: map[string]int64{}}
	if err := c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&r.SchemaVersion); err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	var tables []string
	rows, err = c.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing tables: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	for _, t := range tables {
		var n int64
		// The name comes from sqlite_schema of our own copy; quoted as an
		// identifier all the same.
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", t, err)
		}
		r.Tables = append(r.Tables, TableCount{Table: t, Rows: n})
	}
	rows, err = c.QueryContext(ctx, "SELECT status, count(*) FROM bookings GROUP BY status ORDER BY status")
	if err != nil {
		return nil, fmt.Errorf("counting bookings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("counting bookings: %w", err)
		}
		r.Bookings[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting bookings: %w", err)
	}
	return r, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
