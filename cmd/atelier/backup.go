package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/atelier-app/atelier/internal/sqlite"
)

const backupUsage = `Usage:
  atelier backup --to FILE [--force]

Writes a consistent copy of the database (database.path, or --db) to FILE
while the server goes on running, checks it (integrity_check, schema
version, row counts) and says what it wrote. FILE is created with mode
0600; an existing FILE is refused unless --force replaces it.
Flags --config and --db work as with every sub-command.
`

// backupCommand runs "atelier backup --to FILE".
func backupCommand(ctx context.Context, g globalFlags, args []string, env Env) error {
	fs := flag.NewFlagSet("atelier backup", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, backupUsage) }
	g.register(fs, false)
	to := fs.String("to", "", "the backup `file` to write")
	force := fs.Bool("force", false, "replace FILE if it exists")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "atelier backup: unexpected argument %q\n%s", fs.Arg(0), backupUsage)
		return errUsage
	}
	if *to == "" {
		fmt.Fprintf(env.Stderr, "atelier backup: --to FILE is required\n%s", backupUsage)
		return errUsage
	}
	cfg, _, err := loadConfig(g)
	if err != nil {
		return err
	}
	if cfg.Database.Postgres() {
		return errors.New("database.driver is postgres: atelier backup copies an SQLite file; back up PostgreSQL with its own tools, " +
			"e.g. pg_dump --format=custom --file atelier.dump \"$ATELIER_DATABASE_URL\" (see Backups in the README)")
	}
	r, err := sqlite.Backup(ctx, cfg.Database.Path, *to, *force)
	if errors.Is(err, sqlite.ErrBackupExists) {
		return fmt.Errorf("%s already exists: choose another file or add --force to replace it", *to)
	}
	if err != nil {
		return err
	}
	printBackup(env.Stdout, r)
	return nil
}

// printBackup says what a backup wrote, in three lines.
func printBackup(w io.Writer, r *sqlite.BackupReport) {
	path, _ := filepath.Abs(r.Path)
	fmt.Fprintf(w, "backup written: %s (%s, mode 0600, %.2fs)\n", path, byteSize(r.Bytes), r.Took.Seconds())
	fmt.Fprintf(w, "integrity_check: %s; schema version %d; %d tables\n", r.Integrity, r.SchemaVersion, len(r.Tables))
	statuses := make([]string, 0, len(r.Bookings))
	for s := range r.Bookings {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	var by []string
	for _, s := range statuses {
		by = append(by, fmt.Sprintf("%s %d", s, r.Bookings[s]))
	}
	line := fmt.Sprintf("bookings: %d", r.Rows("bookings"))
	if len(by) > 0 {
		line += " (" + strings.Join(by, ", ") + ")"
	}
	fmt.Fprintf(w, "%s; staff accounts: %d; jobs: %d; audit log: %d rows\n",
		line, r.Rows("users"), r.Rows("jobs"), r.Rows("audit_log"))
}

// byteSize formats n bytes for people: "462 kB", "1.4 MB".
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v < 10 {
		return fmt.Sprintf("%.1f %cB", v, "kMGTPE"[exp])
	}
	return fmt.Sprintf("%.0f %cB", v, "kMGTPE"[exp])
}
