package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// The job queue (the transactional outbox) shared by every server on the
// database. Jobs are written in the transaction of the change that caused
// them (enqueue); the runners of internal/outbox claim them.
//
// A claim takes the due jobs with FOR UPDATE SKIP LOCKED and leases them
// in the same statement: two servers claiming at once never wait for each
// other and never get the same job (the second skips the rows the first
// holds, and a row the first has leased and committed no longer matches
// when the second re-reads it under READ COMMITTED). A job whose lease has
// run out (its server died or lost the database) is due again and the
// next claim takes it, on any server.

// olderInFlight finds, for the job "jobs" of a claim, an older job of the
// same booking and queue that another claim holds (leased, not finished):
// such a job waits for it. Two jobs of one booking then never run at once
// on two servers, which for the Google sync (each job writes the booking's
// state as it is when it runs) could let a slow first write land last and
// leave the event at the time the booking was moved from. Jobs claimed
// together run in order on one worker, and a job waiting to retry holds
// nothing back. $2 is the claim's time.
const olderInFlight = `SELECT 1 FROM jobs o
	WHERE o.booking_id = jobs.booking_id AND o.queue = jobs.queue AND o.state = 'pending'
	  AND o.id < jobs.id AND o.lease_until > $2`

// A job is two rows, as in SQLite's store: its row in jobs, which the
// claim and the outcome update, and its payload's row in job_payloads,
// written once with the job, read after the claim has committed
// (readPayloads) and deleted with the job's outcome (the trigger
// jobs_payload_drop). TOAST already kept an unchanged payload from being
// copied by each UPDATE of its row; apart, the claim no longer carries it
// in its RETURNING, inside the claim's transaction and its lock. A pending
// job always has its payload row (empty for none).

// enqueue writes jobs inside tx, with the manage tokens their messages
// carry (Job.ManageTokenHash). A zero RunAt means the transaction's time.
func enqueue(ctx context.Context, tx *Tx, jobs []booking.Job) error {
	for _, j := range jobs {
		runAt := j.RunAt
		if runAt.IsZero() {
			runAt = tx.now
		}
		_, err := tx.Exec(ctx, `WITH j AS (INSERT INTO jobs (queue, kind, booking_id, state, run_at, created_at)
				VALUES ($1, $2, $3, 'pending', $5, $6) RETURNING id)
			INSERT INTO job_payloads (job_id, body) SELECT id, coalesce($4, '\x'::bytea) FROM j`,
			j.Queue, j.Kind, nullString(j.BookingID), j.Payload, utc(runAt), tx.now)
		if err != nil {
			return fmt.Errorf("enqueue %s/%s job: %w", j.Queue, j.Kind, err)
		}
		if len(j.ManageTokenHash) > 0 {
			t := booking.ManageToken{BookingID: j.BookingID, Hash: j.ManageTokenHash, Purpose: j.Kind}
			if err := insertManageTokens(ctx, tx, t); err != nil {
				return fmt.Errorf("enqueue %s/%s job: %w", j.Queue, j.Kind, err)
			}
		}
	}
	return nil
}

// Enqueue adds jobs outside any booking change (e.g. the e-mail that sends
// a customer's manage links again).
func (st *JobStore) Enqueue(ctx context.Context, jobs ...booking.Job) error {
	if err := st.db.inTx(ctx, func(tx *Tx) error { return enqueue(ctx, tx, jobs) }); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// jobColumns are a job's columns but its payload (readPayloads).
const jobColumns = `jobs.id, jobs.queue, jobs.kind, coalesce(jobs.booking_id, ''),
	jobs.run_at, jobs.attempts, jobs.last_error, jobs.created_at`

func scanJob(s scanner) (booking.QueuedJob, error) {
	var j booking.QueuedJob
	if err := s.Scan(&j.ID, &j.Queue, &j.Kind, &j.BookingID, &j.RunAt, &j.Attempts, &j.LastError, &j.CreatedAt); err != nil {
		return j, fmt.Errorf("job: %w", err)
	}
	j.RunAt, j.CreatedAt = j.RunAt.UTC(), j.CreatedAt.UTC()
	return j, nil
}

func collectJobs(rows pgx.Rows) ([]booking.QueuedJob, error) {
	defer rows.Close()
	var jobs []booking.QueuedJob
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// ClaimJobs leases up to limit due pending jobs of queue until now+lease,
// oldest run_at first, and counts an attempt for each. A job whose lease
// has run out is due again. Jobs another server is claiming at this moment
// are skipped, not waited for (see the top of this file).
func (st *JobStore) ClaimJobs(ctx context.Context, queue string, now time.Time, limit int, lease time.Duration) ([]booking.QueuedJob, error) {
	if limit <= 0 {
		return nil, nil
	}
	var jobs []booking.QueuedJob
	err := st.db.inTx(ctx, func(tx *Tx) error {
		// jobs_due: the pending jobs of the queue by run_at. Without SKIP
		// LOCKED a second claimer would wait for the first's rows and,
		// without FOR UPDATE, take them again once the first committed
		// (TestContract/ClaimJobsConcurrent sees that).
		// One claim of the queue at a time, across servers: a claim then
		// sees the leases of the one before it, which the rule below needs.
		if err := tx.lock(ctx, lockKey{lockClaim, queue}); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `WITH due AS (
				SELECT id FROM jobs
				WHERE queue = $1 AND state = 'pending' AND run_at <= $2
				  AND (lease_until IS NULL OR lease_until <= $2)
				  AND NOT EXISTS (`+olderInFlight+`)
				ORDER BY run_at, id LIMIT $3
				FOR UPDATE SKIP LOCKED)
			UPDATE jobs SET lease_until = $4, attempts = jobs.attempts + 1
			FROM due WHERE jobs.id = due.id
			RETURNING `+jobColumns,
			queue, utc(now), limit, utc(now.Add(lease)))
		if err != nil {
			return err
		}
		jobs, err = collectJobs(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim %s jobs: %w", queue, err)
	}
	if jobs, err = st.readPayloads(ctx, jobs); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: claim %s jobs: %w", queue, err))
	}
	// RETURNING gives no order.
	slices.SortFunc(jobs, func(a, b booking.QueuedJob) int {
		return cmp.Or(a.RunAt.Compare(b.RunAt), cmp.Compare(a.ID, b.ID))
	})
	return jobs, nil
}

// readPayloads fills in the payloads of jobs just claimed, once the claim
// has committed. A job finished meanwhile (a privacy erasure marks a
// booking's e-mails done, dropping their payloads) is left out: it is no
// longer the worker's to run, and its outcome could not be recorded.
func (st *JobStore) readPayloads(ctx context.Context, jobs []booking.QueuedJob) ([]booking.QueuedJob, error) {
	if len(jobs) == 0 {
		return jobs, nil
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	rows, err := st.db.pool.Query(ctx, `SELECT job_id, body FROM job_payloads WHERE job_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("payloads: %w", err)
	}
	defer rows.Close()
	bodies := make(map[int64][]byte, len(jobs))
	for rows.Next() {
		var id int64
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("payloads: %w", err)
		}
		bodies[id] = body
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("payloads: %w", err)
	}
	claimed := jobs[:0]
	for _, j := range jobs {
		if body, ok := bodies[j.ID]; ok {
			j.Payload = body
			claimed = append(claimed, j)
		}
	}
	return claimed, nil
}

// CompleteJob marks a job done; it is never claimed again. The payload is
// dropped (jobs_payload_drop): a sent confirmation holds the customer's manage token and
// personal data, which the database must not keep once delivered.
func (st *JobStore) CompleteJob(ctx context.Context, id int64) error {
	return st.finishJob(ctx, "complete", id, `UPDATE jobs SET state = 'done', lease_until = NULL, done_at = $2
		WHERE id = $1 AND state = 'pending'`, st.db.now())
}

// RetryJob records a failed attempt and makes the job due again at retryAt.
func (st *JobStore) RetryJob(ctx context.Context, id int64, errText string, retryAt time.Time) error {
	return st.finishJob(ctx, "retry", id, `UPDATE jobs SET lease_until = NULL, run_at = $2, last_error = $3
		WHERE id = $1 AND state = 'pending'`, utc(retryAt), errText)
}

// PostponeJob makes the job due again at until and takes back the attempt
// its claim counted: it could not run for a reason outside itself, so the
// wait does not use up its retries.
func (st *JobStore) PostponeJob(ctx context.Context, id int64, errText string, until time.Time) error {
	return st.finishJob(ctx, "postpone", id, `UPDATE jobs SET lease_until = NULL, run_at = $2, last_error = $3,
		attempts = greatest(attempts - 1, 0)
		WHERE id = $1 AND state = 'pending'`, utc(until), errText)
}

// FailJob gives up on a job, keeping it (state failed) for staff to see.
// Its payload is dropped (jobs_payload_drop) as CompleteJob drops a delivered one: a mail never
// sent still holds the customer's manage token and personal data.
func (st *JobStore) FailJob(ctx context.Context, id int64, errText string) error {
	return st.finishJob(ctx, "fail", id, `UPDATE jobs SET state = 'failed', lease_until = NULL,
		last_error = $2, done_at = $3
		WHERE id = $1 AND state = 'pending'`, errText, st.db.now())
}

// finishJob runs an update of one pending job (query's $1 is its id);
// ENOTFOUND if there is no pending job with that id.
func (st *JobStore) finishJob(ctx context.Context, verb string, id int64, query string, args ...any) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		tag, err := tx.Exec(ctx, query, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return booking.ErrNotFound("pending job")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: %s job %d: %w", verb, id, err)
	}
	return nil
}

// JobStats counts jobs by queue and state: stats["mail"]["pending"].
func (st *JobStore) JobStats(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT queue, state, count(*) FROM jobs GROUP BY queue, state`)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: job stats: %w", err))
	}
	defer rows.Close()
	stats := map[string]map[string]int{}
	for rows.Next() {
		var queue, state string
		var n int
		if err := rows.Scan(&queue, &state, &n); err != nil {
			return nil, fmt.Errorf("postgres: job stats: %w", err)
		}
		if stats[queue] == nil {
			stats[queue] = map[string]int{}
		}
		stats[queue][state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: job stats: %w", err))
	}
	return stats, nil
}

// FailedJobs returns up to limit failed jobs of queue, the most recent first.
func (st *JobStore) FailedJobs(ctx context.Context, queue string, limit int) ([]booking.QueuedJob, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE queue = $1 AND state = 'failed' ORDER BY done_at DESC, id DESC LIMIT $2`, queue, limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: failed jobs: %w", err))
	}
	jobs, err := collectJobs(rows)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: failed jobs: %w", err))
	}
	return jobs, nil
}

// ReleaseLeases releases nothing and reports 0. SQLite's store frees every
// lease at start-up because one server runs per database file, so a lease
// still held then is a dead process's. Here several servers share the
// queue, and a server starting cannot tell a dead server's lease from a
// live one's: freeing them would run the live servers' jobs twice. A
// crashed server's jobs come back when their leases run out
// (outbox.Policy.Lease), on whichever server claims next.
func (st *JobStore) ReleaseLeases(ctx context.Context) (int64, error) {
	return 0, nil
}

// DueJobs are the pending jobs of one queue whose time has come: they wait
// for a worker.
type DueJobs struct {
	Queue     string
	Jobs      int64
	OldestDue time.Time // the earliest run_at among them
}

// DueJobStats counts the due pending jobs by queue, for the metrics (the
// counts by state are JobStats). It reads the partial index jobs_due.
func (st *JobStore) DueJobStats(ctx context.Context, now time.Time) ([]DueJobs, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT queue, count(*), min(run_at) FROM jobs
		WHERE state = 'pending' AND run_at <= $1 GROUP BY queue ORDER BY queue`, utc(now))
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: due jobs: %w", err))
	}
	defer rows.Close()
	var due []DueJobs
	for rows.Next() {
		var d DueJobs
		if err := rows.Scan(&d.Queue, &d.Jobs, &d.OldestDue); err != nil {
			return nil, fmt.Errorf("postgres: due jobs: %w", err)
		}
		d.OldestDue = d.OldestDue.UTC()
		due = append(due, d)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: due jobs: %w", err))
	}
	return due, nil
}
