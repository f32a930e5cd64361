package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Job states.
const (
	JobPending = "pending"
	JobDone    = "done"
	JobFailed  = "failed"
)

// A job is two rows: its row in jobs, which the claim and the outcome
// update (the lease, the attempts, the state), and its payload's row in
// job_payloads, written once when the job is queued, read by the worker
// after its claim has committed, and deleted with the job's outcome
// (the trigger jobs_payload_drop: done or failed). A payload is most of a
// job's bytes (an e-mail of 10-16 KB, several overflow pages), and an
// UPDATE rewrites its whole row: kept in jobs it was written three times
// (queued, claimed, finished) and copied out by the claim inside the one
// writer's transaction. Apart, the claim and the outcome write one small
// row each (BenchmarkMailJobCycle; docs/PERFORMANCE.md "2026-12-02,
// jobrows").
//
// A pending job always has its payload row (empty for none): enqueue and
// OfferJob write it, migration 25 moved those of the jobs queued before.

// insertJobSQL and insertJobPayloadSQL are enqueue's INSERTs.
const (
	insertJobSQL = `INSERT INTO jobs (queue, kind, booking_id, state, run_at, created_at)
			VALUES (?, ?, ?, 'pending', ?, ?)`
	insertJobPayloadSQL = `INSERT INTO job_payloads (job_id, body) VALUES (last_insert_rowid(), coalesce(?, x''))`
)

// enqueue inserts jobs inside tx, and the manage tokens their messages
// carry (Job.ManageTokenHash). A zero RunAt means the transaction's time. The commit's record
// counts the jobs inserted (Changes.JobsQueued), which wakes the workers
// (and only then: a worker's own claim must not wake it again).
func enqueue(ctx context.Context, tx *Tx, jobs []booking.Job) error {
	now := tx.now
	for _, j := range jobs {
		runAt := j.RunAt
		if runAt.IsZero() {
			runAt = now
		}
		_, err := tx.ExecContext(ctx, insertJobSQL,
			j.Queue, j.Kind, nullString(j.BookingID), fmtTime(runAt), fmtTime(now))
		if err == nil {
			_, err = tx.ExecContext(ctx, insertJobPayloadSQL, j.Payload)
		}
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

// Enqueue adds jobs outside any booking change (e.g. a test e-mail).
func (st *JobStore) Enqueue(ctx context.Context, jobs ...booking.Job) error {
	if err := st.db.inTx(ctx, func(tx *Tx) error { return enqueue(ctx, tx, jobs) }); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// jobColumns are a job's columns but its payload (readPayloads).
const jobColumns = `id, queue, kind, coalesce(booking_id, ''), run_at, attempts, last_error, created_at`

func scanJob(s scanner) (booking.QueuedJob, error) {
	var j booking.QueuedJob
	var runAt, created string
	if err := s.Scan(&j.ID, &j.Queue, &j.Kind, &j.BookingID, &runAt, &j.Attempts, &j.LastError, &created); err != nil {
		return j, fmt.Errorf("job: %w", err)
	}
	var err error
	if j.RunAt, err = parseTime(runAt); err != nil {
		return j, err
	}
	if j.CreatedAt, err = parseTime(created); err != nil {
		return j, err
	}
	return j, nil
}

// claimJobsSQL is ClaimJobs' UPDATE (a prepared statement: writeStatements).
//
// The queue is compared with +? rather than ?: the planner matches a
// "queue = ?" against the partial index jobs_periodic's "queue =
// 'privacy'", and to do so marks the statement to be compiled again
// whenever that parameter is bound, which is every claim (sqlite3Reprepare
// was a third of the claim's CPU). +? is the same value to the comparison
// and to jobs_due, which the claim still searches by (queue, run_at)
// (EXPLAIN QUERY PLAN; BenchmarkMailJobCycle).
const claimJobsSQL = `UPDATE jobs SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM jobs
				WHERE queue = +? AND state = 'pending' AND run_at <= ?
				  AND (lease_until IS NULL OR lease_until <= ?)
				  AND NOT EXISTS (SELECT 1 FROM jobs o
					WHERE o.booking_id = jobs.booking_id AND o.queue = jobs.queue AND o.state = 'pending'
					  AND o.id < jobs.id AND o.lease_until > ?)
				ORDER BY run_at, id LIMIT ?)
			RETURNING ` + jobColumns

// The UPDATEs that finish a job (prepared statements: writeStatements;
// preparing them again for every job was 9 % of the mail worker's drain).
// Finishing a job drops its payload (jobs_payload_drop).
const (
	completeJobSQL = `UPDATE jobs SET state = 'done', lease_until = NULL, done_at = ?
		WHERE id = ? AND state = 'pending'`
	retryJobSQL = `UPDATE jobs SET lease_until = NULL, run_at = ?, last_error = ?
		WHERE id = ? AND state = 'pending'`
	postponeJobSQL = `UPDATE jobs SET lease_until = NULL, run_at = ?, last_error = ?, attempts = max(attempts - 1, 0)
		WHERE id = ? AND state = 'pending'`
	failJobSQL = `UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ?, done_at = ?
		WHERE id = ? AND state = 'pending'`
)

// ClaimJobs leases up to limit due pending jobs of queue until now+lease,
// oldest run_at first, and counts an attempt for each. A job whose lease
// has run out (its worker died) is due again. The payloads are read once
// the claim has committed, outside the writer (readPayloads).
func (st *JobStore) ClaimJobs(ctx context.Context, queue string, now time.Time, limit int, lease time.Duration) ([]booking.QueuedJob, error) {
	if limit <= 0 {
		return nil, nil
	}
	var jobs []booking.QueuedJob
	err := st.db.inTx(ctx, func(tx *Tx) error {
		// A job waits while an older job of its booking and queue is
		// leased, not finished: two jobs of one booking never run at once
		// (on two processes of one file, or a worker's lease run out while
		// it still works), as on PostgreSQL (postgres.olderInFlight).
		rows, err := tx.QueryContext(ctx, claimJobsSQL,
			fmtTime(now.Add(lease)), queue, fmtTime(now), fmtTime(now), fmtTime(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return closeRows(rows)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim %s jobs: %w", queue, err)
	}
	if jobs, err = st.readPayloads(ctx, jobs); err != nil {
		return nil, fmt.Errorf("sqlite: claim %s jobs: %w", queue, err)
	}
	// RETURNING gives no order.
	slices.SortFunc(jobs, func(a, b booking.QueuedJob) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return jobs, nil
}

// readPayloadsSQL reads the payloads of the jobs of a JSON array of ids.
const readPayloadsSQL = `SELECT job_id, body FROM job_payloads WHERE job_id IN (SELECT value FROM json_each(?))`

// readPayloads fills in the payloads of jobs just claimed, from a read
// connection: the claim's commit is behind it, so the writer goes on with
// the next transaction while the payloads are read. A job finished
// meanwhile (a privacy erasure marks a booking's e-mails done, and drops
// their payloads, even while a worker holds them) is left out: it is not
// the worker's to run any more, and its outcome could not be recorded. A
// pending job always has a payload row, so one without is such a job.
// Should the read fail, the claim's error says so and its jobs stay
// leased: they are claimed again when the lease runs out (or at the next
// start, ReleaseLeases), never lost.
func (st *JobStore) readPayloads(ctx context.Context, jobs []booking.QueuedJob) ([]booking.QueuedJob, error) {
	if len(jobs) == 0 {
		return jobs, nil
	}
	ids := make([]byte, 0, 16*len(jobs))
	ids = append(ids, '[')
	for i, j := range jobs {
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, j.ID, 10)
	}
	ids = append(ids, ']')
	stmt, err := st.payloads.get(ctx, st.db.read, readPayloadsSQL)
	if err != nil {
		return nil, fmt.Errorf("payloads: %w", err)
	}
	rows, err := stmt.QueryContext(ctx, string(ids))
	if err != nil {
		return nil, fmt.Errorf("payloads: %w", err)
	}
	defer rows.Close()
	pending := make(map[int64][]byte, len(jobs))
	for rows.Next() {
		var id int64
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("payloads: %w", err)
		}
		pending[id] = body
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("payloads: %w", err)
	}
	claimed := jobs[:0]
	for _, j := range jobs {
		if body, ok := pending[j.ID]; ok {
			j.Payload = body
			claimed = append(claimed, j)
		}
	}
	return claimed, nil
}

// lazyStmt is a statement prepared on its first use and kept (database/sql
// prepares it again on each connection of the pool that runs it): the
// payloads' read (parsing it anew for every claim was a tenth of the
// claim's CPU) and the schedule cache's read again (schedcache.go).
type lazyStmt struct {
	mu   sync.Mutex
	stmt *sql.Stmt
}

func (l *lazyStmt) get(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stmt == nil {
		s, err := pool.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		l.stmt = s
	}
	return l.stmt, nil
}

// close closes the statement, if it was prepared.
func (l *lazyStmt) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stmt == nil {
		return nil
	}
	err := l.stmt.Close()
	l.stmt = nil
	return err
}

// CompleteJob marks a job done; it is never claimed again. The payload is
// dropped (jobs_payload_drop): a sent confirmation mail holds the customer's manage token and
// personal data, which the database must not keep once they are delivered.
func (st *JobStore) CompleteJob(ctx context.Context, id int64) error {
	now := st.db.now()
	return st.finishJob(ctx, "complete", id, completeJobSQL, fmtTime(now), id)
}

// RetryJob records a failed attempt and makes the job due again at retryAt.
func (st *JobStore) RetryJob(ctx context.Context, id int64, errText string, retryAt time.Time) error {
	return st.finishJob(ctx, "retry", id, retryJobSQL, fmtTime(retryAt), errText, id)
}

// PostponeJob makes the job due again at until and takes back the attempt
// its claim counted: it could not run for a reason outside itself, so the
// wait does not use up its retries.
func (st *JobStore) PostponeJob(ctx context.Context, id int64, errText string, until time.Time) error {
	return st.finishJob(ctx, "postpone", id, postponeJobSQL, fmtTime(until), errText, id)
}

// FailJob gives up on a job, keeping it (state failed) for staff to see.
// Its payload is dropped (jobs_payload_drop) as CompleteJob drops a delivered one: a mail that
// is never sent still holds the customer's manage token and personal data.
func (st *JobStore) FailJob(ctx context.Context, id int64, errText string) error {
	now := st.db.now()
	return st.finishJob(ctx, "fail", id, failJobSQL, errText, fmtTime(now), id)
}

// finishJob runs an update of one pending job; ENOTFOUND if there is no
// pending job with that id.
func (st *JobStore) finishJob(ctx context.Context, verb string, id int64, query string, args ...any) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return booking.ErrNotFound("pending job")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s job %d: %w", verb, id, err)
	}
	return nil
}

// JobStats counts jobs by queue and state: stats["mail"]["pending"].
func (st *JobStore) JobStats(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT queue, state, count(*) FROM jobs GROUP BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: job stats: %w", err)
	}
	defer rows.Close()
	stats := map[string]map[string]int{}
	for rows.Next() {
		var queue, state string
		var n int
		if err := rows.Scan(&queue, &state, &n); err != nil {
			return nil, fmt.Errorf("sqlite: job stats: %w", err)
		}
		if stats[queue] == nil {
			stats[queue] = map[string]int{}
		}
		stats[queue][state] = n
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: job stats: %w", err)
	}
	return stats, nil
}

// FailedJobs returns up to limit failed jobs of queue, the most recent first.
func (st *JobStore) FailedJobs(ctx context.Context, queue string, limit int) ([]booking.QueuedJob, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE queue = ? AND state = 'failed' ORDER BY done_at DESC, id DESC LIMIT ?`, queue, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: failed jobs: %w", err)
	}
	defer rows.Close()
	var jobs []booking.QueuedJob
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: failed jobs: %w", err)
		}
		jobs = append(jobs, j)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: failed jobs: %w", err)
	}
	return jobs, nil
}

// ReleaseLeases makes every pending job claimable at once. A server calls it
// at start-up, before its workers run: leases still held then belong to a
// process that died (one server runs per database), and its jobs should not
// wait for their leases to run out.
func (st *JobStore) ReleaseLeases(ctx context.Context) (int64, error) {
	var n int64
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: release leases: %w", err)
	}
	return n, nil
}
