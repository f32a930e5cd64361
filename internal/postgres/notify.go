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

// WatchJobs listens on JobsChannel on a connection of its own and calls
// ring with the queue of every job any server inserts, until ctx ends
// (then it returns nil). A lost connection is opened again (after 100 ms,
// doubling up to 5 s, logged); messages sent while it was down are lost,
// so once it listens again it rings every one of queues, and the runners
// look for due jobs. It rings them too when it first listens, for the
// jobs queued before. ring must not block.
func (db *DB) WatchJobs(ctx context.Context, ring func(queues ...string), queues []string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pause, down := 100*time.Millisecond, false
	for {
		err := db.listen(ctx, ring, queues, func() {
			if down {
				logger.Info("postgres: listening for new jobs again")
			}
			pause, down = 100*time.Millisecond, false
		})
		if ctx.Err() != nil {
			return nil
		}
		if !down {
			logger.Warn("postgres: lost the connection that listens for new jobs; opening it again (jobs are still found by polling)", "err", err)
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
func (db *DB) listen(ctx context.Context, ring func(queues ...string), queues []string, up func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return unavailable(fmt.Errorf("postgres: listen: connect: %w", err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{JobsChannel}.Sanitize()); err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	up()
	ring(queues...)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return ctx.Err()
			}
			return fmt.Errorf("postgres: listen: %w", err)
		}
		if n.Channel == JobsChannel && n.Payload != "" {
			ring(n.Payload)
		}
	}
}
