package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/metrics"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/postgres"
	"github.com/atelier-app/atelier/internal/replies"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// postgresDB is the PostgreSQL store as the server's database: several
// servers on one database, each one of these.
//
// What the servers share is all in the database: bookings, the job queue
// (claimed with leases, so each job runs once), sessions, idempotency
// keys, the rate limits (sharedLimits), and the wake-up of the job
// runners (wake: LISTEN/NOTIFY). The store keeps no cache: the catalogue
// and the schedules are read from the database for every answer, so a
// change made through one server shows on every other at its next
// request. The one copy kept is the catalogue the e-mails show (cat,
// mailCatalog), reloaded on every catalogue change any server announces.
type postgresDB struct {
	app.Store
	pg     *postgres.Store
	limits *postgres.LimitStore
	where  string
	// cat is the catalogue the e-mails show (mailCatalog): read once the
	// file's is applied, then again whenever any server commits a change
	// to it (postgres.CatalogChannel, in wake's work), so that rendering a
	// mail inside a booking's transaction needs no second connection.
	cat atomic.Pointer[booking.Catalog]
}

// defaultMaxConns is each server's pool when the URL sets no
// pool_max_conns: pgxpool's own default (4 on a small machine) queues
// requests behind four transactions.
const defaultMaxConns = 20

// openPostgres opens the database at database.url.
func openPostgres(ctx context.Context, cfg *config.Config, opts storeOptions) (*postgresDB, error) {
	where := describePostgres(cfg.Database.URL)
	o := postgres.Options{Jobs: opts.Jobs, ReplyJobs: opts.ReplyJobs}
	if !strings.Contains(cfg.Database.URL, "pool_max_conns") {
		o.MaxConns = defaultMaxConns
	}
	pg, err := postgres.Open(ctx, cfg.Database.URL, o)
	if err != nil {
		if cause := unreachable(err); cause != nil {
			// The operator's words, not the customers' "busy just now".
			return nil, fmt.Errorf("cannot reach the PostgreSQL database %s: %w (is it running, and are database.url or ATELIER_DATABASE_URL right?)", where, cause)
		}
		return nil, fmt.Errorf("opening the PostgreSQL database %s: %w", where, err)
	}
	return &postgresDB{Store: pg, pg: pg, limits: postgres.NewLimitStore(pg.DB), where: where}, nil
}

// unreachable is the cause of err when it says the database could not be
// reached (booking.EUNAVAILABLE), else nil.
func unreachable(err error) error {
	var e *booking.Error
	if errors.As(err, &e) && e.Kind == booking.EUNAVAILABLE {
		return e.Err
	}
	return nil
}

// describePostgres names a database by host and name, never its password.
func describePostgres(url string) string {
	c, err := pgx.ParseConfig(url)
	if err != nil {
		return "(an unreadable URL)"
	}
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// SyncCatalog applies the file's catalogue and reads the result into the
// e-mails' cache.
func (d *postgresDB) SyncCatalog(ctx context.Context, cat *booking.Catalog) ([]string, error) {
	warnings, err := d.pg.SyncCatalog(ctx, cat)
	if err != nil {
		return nil, err
	}
	return warnings, d.reloadCatalog(ctx)
}

// reloadCatalog reads the catalogue into the e-mails' cache.
func (d *postgresDB) reloadCatalog(ctx context.Context) error {
	c, err := d.pg.Catalog(ctx)
	if err != nil {
		return err
	}
	d.cat.Store(c)
	return nil
}

func (d *postgresDB) FillBookingUIDs(ctx context.Context, uid func(id string) string) (int, error) {
	return d.pg.FillBookingUIDs(ctx, uid)
}

func (d *postgresDB) PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error) {
	return d.pg.PurgeIdempotency(ctx, olderThan)
}

func (d *postgresDB) PurgeManageTokens(ctx context.Context, endedBefore time.Time) (int64, error) {
	return d.pg.PurgeManageTokens(ctx, endedBefore)
}

func (d *postgresDB) ReleaseLeases(ctx context.Context) (int64, error) {
	return d.pg.ReleaseLeases(ctx)
}
func (d *postgresDB) Close() error { return d.pg.Close() }

// mailCatalog is the cached catalogue (no I/O: it is read inside booking
// transactions, which hold a connection already), as of the last change
// any server committed, a few milliseconds late at most.
func (d *postgresDB) mailCatalog(ctx context.Context) (*booking.Catalog, error) {
	if c := d.cat.Load(); c != nil {
		return c, nil
	}
	return d.pg.Catalog(ctx)
}

func (d *postgresDB) orphans(ctx context.Context, now time.Time) ([]orphanBooking, error) {
	os, err := d.pg.OrphanBookings(ctx, now)
	out := make([]orphanBooking, len(os))
	for i, o := range os {
		out[i] = orphanBooking(o)
	}
	return out, err
}

func (d *postgresDB) calendarSync() calsync.Store      { return d.pg.CalendarSyncStore }
func (d *postgresDB) replyCursor() replies.CursorStore { return d.pg.ReplyStore }

func (d *postgresDB) pools() map[string]*sql.DB { return nil }

// poolStats are the pool's figures for the metrics (metrics.NewPoolCollector).
func (d *postgresDB) poolStats() metrics.PoolStats {
	s := d.pg.PoolStat()
	return metrics.PoolStats{
		Acquired: s.AcquiredConns(), Idle: s.IdleConns(), Constructing: s.ConstructingConns(), Max: s.MaxConns(),
		Acquires: s.AcquireCount(), EmptyAcquires: s.EmptyAcquireCount(), Canceled: s.CanceledAcquireCount(),
		AcquireWait: s.AcquireDuration(),
	}
}
func (d *postgresDB) sharedLimits() httpx.LimitStore { return d.limits }
func (d *postgresDB) describe() string               { return "postgres " + d.where }

func (d *postgresDB) backup() func(context.Context, string, bool) (*sqlite.BackupReport, error) {
	return nil
}

func (d *postgresDB) accounts() (userAccounts, error) { return d.pg.StaffStore, nil }

func (d *postgresDB) metricsSource() metrics.Store {
	return metrics.Store{
		Jobs: d.pg.JobStats,
		DueJobs: func(ctx context.Context, now time.Time) ([]metrics.DueJobs, error) {
			due, err := d.pg.DueJobStats(ctx, now)
			out := make([]metrics.DueJobs, len(due))
			for i, x := range due {
				out[i] = metrics.DueJobs{Queue: x.Queue, Jobs: x.Jobs, OldestDue: x.OldestDue}
			}
			return out, err
		},
		BookingEvents: func(ctx context.Context, after int64) ([]metrics.EventCount, int64, error) {
			counts, last, err := d.pg.BookingEvents(ctx, after)
			out := make([]metrics.EventCount, len(counts))
			for i, c := range counts {
				out[i] = metrics.EventCount{Event: c.Event, Actor: c.Actor, Count: c.Count}
			}
			return out, last, err
		},
	}
}

// wake: every server writes jobs, so the bell is rung from the database's
// announcements (postgres.JobsChannel), whoever queued them; the same
// connection hears of the catalogue's changes (postgres.CatalogChannel)
// and reloads the e-mails' cache.
func (d *postgresDB) wake(bell *outbox.Bell, queues []string, logger *slog.Logger) []work {
	logger = logger.With("worker", "db-listen")
	return []work{{"db-listen", func(ctx context.Context) error {
		return d.pg.Watch(ctx, postgres.Watchers{Jobs: bell.Ring, Queues: queues, Catalog: func(string) {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := d.reloadCatalog(rctx); err != nil && ctx.Err() == nil {
				logger.Warn("postgres: reloading the catalogue after a change", "err", err)
			}
		}}, logger)
	}}}
}

var (
	_ database = sqliteDB{}
	_ database = (*postgresDB)(nil)
)
