package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// JobsChannel is the channel on which the database announces every job
// inserted, by any server, with its queue as the payload: a trigger on
// jobs (jobsNotifySQL) calls pg_notify, which PostgreSQL delivers when the
// inserting transaction commits (and never if it rolls back), folding the
// same queue named several times in one transaction into one message.
// WatchJobs listens to it, so mail queued by one server is sent at once by
// whichever server's runner is free, not at its next poll.
const JobsChannel = "atelier_jobs"

// CatalogChannel is the channel on which the database announces, at
// commit, every change to the catalogue's tables (the atelier, its rooms,
// services, artisans, closures, time off and hours for one date), by any
// server, the table's name as the payload: a statement-level trigger on
// each (catalogNotifySQL). Watch hands them to a server's catalogue cache.
const CatalogChannel = "atelier_catalog"

// catalogTables are the tables loadCatalog reads.
var catalogTables = []string{"atelier", "rooms", "services", "service_modes", "artisans", "artisan_services", "closures", "time_off", "date_hours"}

// catalogNotifySQL announces the catalogue's changes, in schema.sql and in
// its migration alike.
const catalogNotifySQL = `-- Every change to the catalogue's tables is announced on the channel
-- atelier_catalog, the table as the payload, when its transaction commits:
-- each server's cache of the catalogue listens to it (notify.go).
CREATE FUNCTION atelier_catalog_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('atelier_catalog', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER atelier_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atelier
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER rooms_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rooms
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER services_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER service_modes_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_modes
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER artisans_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON artisans
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER artisan_services_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON artisan_services
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER closures_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON closures
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER time_off_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON time_off
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
CREATE TRIGGER date_hours_catalog_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON date_hours
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_catalog_notify();
`

// migrateCatalogNotify adds the triggers that announce catalogue changes.
func migrateCatalogNotify(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, catalogNotifySQL)
	return err
}

// jobsNotifySQL is the trigger that announces jobs, in schema.sql and in
// its migration alike.
const jobsNotifySQL = `-- Every job inserted is announced on the channel atelier_jobs, its queue as
-- the payload, when its transaction commits: the job runners of every
-- server LISTEN to it (notify.go).
CREATE FUNCTION atelier_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('atelier_jobs', NEW.queue);
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION atelier_jobs_notify();
`

// migrateJobsNotify adds the trigger that announces jobs.
func migrateJobsNotify(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, jobsNotifySQL)
	return err
}

// Watchers are what Watch tells of the database's announcements. Each
// func must not block for long; nil ones are not called.
type Watchers struct {
	// Jobs is rung with the queue of every job inserted, and with all of
	// Queues whenever the connection (re)opens (messages sent while it was
	// down are lost; the runners then look for due jobs).
	Jobs   func(queues ...string)
	Queues []string
	// Catalog is called after every committed change to the catalogue,
	// with the table changed, and with "" whenever the connection
	// (re)opens: a cache then reloads, as it may have missed changes.
	Catalog func(table string)
}

// WatchJobs is Watch for the job runners alone.
func (db *DB) WatchJobs(ctx context.Context, ring func(queues ...string), queues []string, logger *slog.Logger) error {
	return db.Watch(ctx, Watchers{Jobs: ring, Queues: queues}, logger)
}

// Watch listens on JobsChannel and CatalogChannel on a connection of its
// own and tells w of what any server commits, until ctx ends (then it
// returns nil). A lost connection is opened again (after 100 ms, doubling
// up to 5 s, logged).
func (db *DB) Watch(ctx context.Context, w Watchers, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pause, down := 100*time.Millisecond, false
	for {
		err := db.listen(ctx, w, func() {
			if down {
				logger.Info("postgres: listening to the database's announcements again")
			}
			pause, down = 100*time.Millisecond, false
		})
		if ctx.Err() != nil {
			return nil
		}
		if !down {
			logger.Warn("postgres: lost the connection that listens for new jobs and catalogue changes; opening it again (jobs are still found by polling)", "err", err)
			down = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// listen runs one connection's LISTEN until it fails or ctx ends; up is
// called once it listens.
func (db *DB) listen(ctx context.Context, w Watchers, up func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return unavailable(fmt.Errorf("postgres: listen: connect: %w", err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{JobsChannel, CatalogChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: listen: %w", err)
		}
	}
	up()
	if w.Jobs != nil {
		w.Jobs(w.Queues...)
	}
	if w.Catalog != nil {
		w.Catalog("")
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return ctx.Err()
			}
			return fmt.Errorf("postgres: listen: %w", err)
		}
		switch {
		case n.Channel == JobsChannel && n.Payload != "" && w.Jobs != nil:
			w.Jobs(n.Payload)
		case n.Channel == CatalogChannel && w.Catalog != nil:
			w.Catalog(n.Payload)
		}
	}
}
