package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/metrics"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/replies"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// database is the store a server runs on, SQLite's (sqliteDB) or
// PostgreSQL's (postgresDB), with what the wiring needs of it besides the
// application's interfaces. The wiring asks it, never the driver, so
// serve behaves the same on both; what only one driver has (SQLite's
// backups and connection pools, PostgreSQL's shared rate limits) is nil
// or empty on the other.
type database interface {
	app.Store
	SyncCatalog(ctx context.Context, cat *booking.Catalog) (warnings []string, err error)
	FillBookingUIDs(ctx context.Context, uid func(id string) string) (int, error)
	PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error)
	PurgeManageTokens(ctx context.Context, endedBefore time.Time) (int64, error)
	ReleaseLeases(ctx context.Context) (int64, error)
	Close() error

	// orphans are the coming bookings of removed services or artisans.
	orphans(ctx context.Context, now time.Time) ([]orphanBooking, error)
	// calendarSync is where the Google sync keeps its state; nil when the
	// driver has none.
	calendarSync() calsync.Store
	// replyCursor is where reading the mailbox resumes; nil when none.
	replyCursor() replies.CursorStore
	// metricsSource is what the metrics read at scrape time (Jobs,
	// DueJobs, BookingEvents), and pools the connection pools to report.
	metricsSource() metrics.Store
	pools() map[string]*sql.DB
	// wake makes the job runners' bell ring for every job any writer of
	// the database queues: the work it needs for it, if any.
	wake(bell *outbox.Bell, queues []string, logger *slog.Logger) []work
	// sharedLimits keeps the rate limits where every server of the
	// database sees them; nil keeps them in the process.
	sharedLimits() httpx.LimitStore
	// backup copies the database to path; nil when the driver has its own
	// tools (pg_dump).
	backup() func(ctx context.Context, path string, replace bool) (*sqlite.BackupReport, error)
	// accounts manages staff accounts (atelier user).
	accounts() (userAccounts, error)
	// describe names the database for the log, never with a password.
	describe() string
	// mailCatalog is the catalogue the e-mails show (wire.go,
	// storeCatalog); it is read inside booking transactions.
	mailCatalog(ctx context.Context) (*booking.Catalog, error)
}

// orphanBooking is a coming confirmed booking whose service or artisan was
// removed from the configuration file.
type orphanBooking struct {
	ID                             string
	Start, End                     time.Time
	ServiceID, ArtisanID           string
	ServiceRemoved, ArtisanRemoved bool
}

// userAccounts are the staff accounts' administration (atelier user).
type userAccounts interface {
	CreateUser(ctx context.Context, u booking.User) (*booking.User, error)
	Users(ctx context.Context) ([]booking.User, error)
	SetUserPassword(ctx context.Context, email, hash string) error
	DisableUser(ctx context.Context, email string) error
	EnableUser(ctx context.Context, email string) error
}

// storeOptions are the outbox's hooks, for either driver.
type storeOptions struct {
	Jobs      booking.JobsFunc
	ReplyJobs booking.ReplyJobsFunc
}

// openDatabase opens the database the configuration names, SQLite's file
// or PostgreSQL's URL (database.driver), and applies the file's catalogue
// cat to it, logging what the database keeps over the file.
func openDatabase(ctx context.Context, cfg *config.Config, cat *booking.Catalog, opts storeOptions, logger *slog.Logger) (database, error) {
	var db database
	if cfg.Database.Postgres() {
		pg, err := openPostgres(ctx, cfg, opts)
		if err != nil {
			return nil, err
		}
		db = pg
	} else {
		st, err := sqlite.OpenWith(ctx, cfg.Database.Path, sqlite.Options{Jobs: opts.Jobs, ReplyJobs: opts.ReplyJobs})
		if err != nil {
			return nil, fmt.Errorf("opening the database %s: %w", cfg.Database.Path, err)
		}
		db = sqliteDB{st}
	}
	warnings, err := db.SyncCatalog(ctx, cat)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("applying the configuration to the database: %w", err)
	}
	for _, w := range warnings {
		logger.Warn(w)
	}
	return db, nil
}

// openStore opens the configuration's SQLite database with opts and
// applies cat to it (openDatabase for SQLite alone; tests use it).
func openStore(ctx context.Context, cfg *config.Config, cat *booking.Catalog, opts sqlite.Options, logger *slog.Logger) (*sqlite.Store, error) {
	if cfg.Database.Postgres() {
		return nil, errors.New("database.driver is postgres: this needs the SQLite file")
	}
	db, err := openDatabase(ctx, cfg, cat, storeOptions{Jobs: opts.Jobs, ReplyJobs: opts.ReplyJobs}, logger)
	if err != nil {
		return nil, err
	}
	return db.(sqliteDB).Store, nil
}

// sqliteDB is the SQLite store as the server's database.
type sqliteDB struct{ *sqlite.Store }

// mailCatalog is the store's cached catalogue, shared (no copy, no I/O
// once a transaction has read it).
func (s sqliteDB) mailCatalog(ctx context.Context) (*booking.Catalog, error) {
	return s.SharedCatalog(ctx)
}

func (d sqliteDB) orphans(ctx context.Context, now time.Time) ([]orphanBooking, error) {
	os, err := d.OrphanBookings(ctx, now)
	out := make([]orphanBooking, len(os))
	for i, o := range os {
		out[i] = orphanBooking(o)
	}
	return out, err
}

func (d sqliteDB) calendarSync() calsync.Store      { return d.CalendarSyncStore }
func (d sqliteDB) replyCursor() replies.CursorStore { return d.ReplyStore }
func (d sqliteDB) pools() map[string]*sql.DB        { return d.Pools() }
func (d sqliteDB) sharedLimits() httpx.LimitStore   { return nil }
func (d sqliteDB) accounts() (userAccounts, error)  { return d.StaffStore, nil }
func (d sqliteDB) describe() string                 { return "sqlite" }

func (d sqliteDB) backup() func(ctx context.Context, path string, replace bool) (*sqlite.BackupReport, error) {
	return d.Backup
}

func (d sqliteDB) metricsSource() metrics.Store {
	return metrics.Store{
		Jobs: d.JobStats,
		DueJobs: func(ctx context.Context, now time.Time) ([]metrics.DueJobs, error) {
			due, err := d.DueJobStats(ctx, now)
			out := make([]metrics.DueJobs, len(due))
			for i, x := range due {
				out[i] = metrics.DueJobs{Queue: x.Queue, Jobs: x.Jobs, OldestDue: x.OldestDue}
			}
			return out, err
		},
		BookingEvents: func(ctx context.Context, after int64) ([]metrics.EventCount, int64, error) {
			counts, last, err := d.BookingEvents(ctx, after)
			out := make([]metrics.EventCount, len(counts))
			for i, c := range counts {
				out[i] = metrics.EventCount{Event: c.Event, Actor: c.Actor, Count: c.Count}
			}
			return out, last, err
		},
	}
}

// wake: one server per file, so this process writes every job; its
// commits ring the bell themselves (the store tells its subscribers what
// each commit queued).
func (d sqliteDB) wake(bell *outbox.Bell, queues []string, _ *slog.Logger) []work {
	d.Subscribe(func(c sqlite.Changes) {
		switch {
		case c.JobsQueued == 0:
		case len(c.JobQueues) == 0: // queued, but to which queue was not read
			bell.Ring(queues...)
		default:
			bell.Ring(c.JobQueues...)
		}
	})
	return nil
}

// loadStoreConfig is loadConfig for the commands that open the database
// (serve, user): it applies ATELIER_DATABASE_URL, which wins over
// database.url (config.Database.ApplyEnv), and refuses --db, which names an
// SQLite file, with driver postgres.
func loadStoreConfig(g globalFlags) (*config.Config, string, error) {
	cfg, source, err := loadConfig(g)
	if err != nil {
		return nil, source, err
	}
	if err := cfg.Database.ApplyEnv(os.Getenv); err != nil {
		return nil, source, err
	}
	if g.db != "" && cfg.Database.Postgres() {
		return nil, source, errors.New("--db names an SQLite file, but database.driver is postgres: leave --db out (it is the source of atelier db copy only)")
	}
	return cfg, source, nil
}

// databaseName is the database of cfg for the log: the SQLite file's
// absolute path, or PostgreSQL's user, host, port and database name (never
// the password).
func databaseName(cfg *config.Config) string {
	if cfg.Database.Postgres() {
		return "postgres " + describePostgres(cfg.Database.URL)
	}
	p, _ := filepath.Abs(cfg.Database.Path)
	return p
}
