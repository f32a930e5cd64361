package sqlite

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestMigrateV25JobPayloads upgrades a version 23 database holding jobs of
// every state: the pending jobs' payloads move, unchanged, into
// job_payloads (so their e-mails, of the earlier form, are still claimed
// with them and sent), the jobs rows keep none, and the done and failed
// jobs have no payload row.
func TestMigrateV25JobPayloads(t *testing.T) {
	ctx := context.Background()
	raw, path := createV6(t)
	if err := migrate(ctx, raw, migrations[:22]); err != nil {
		t.Fatal(err)
	}
	if got := userVersion(t, raw); got != 23 {
		t.Fatalf("version %d, want 23", got)
	}
	old := []byte(`{"from":"bookings@maison.example","to":["cleo@example.com"],"message":"RnJvbTogYQ0KDQpoaQ0K","sequence":1}`)
	if _, err := raw.Exec(`INSERT INTO jobs (id, queue, kind, booking_id, payload, state, attempts, run_at, created_at, done_at) VALUES
		(1, 'mail', 'confirmation', 'bk_kept', ?1, 'pending', 0, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', NULL),
		(2, 'mail', 'staff_notice', 'bk_kept', NULL, 'done', 1, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:01:00.000Z'),
		(3, 'gcal', 'created', 'bk_kept', NULL, 'pending', 0, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', NULL),
		(4, 'mail', 'cancellation', 'bk_gone', NULL, 'failed', 40, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')`, old); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, raw, migrations); err != nil {
		t.Fatal(err)
	}
	var inRows, payloadRows int
	if err := raw.QueryRow(`SELECT (SELECT count(*) FROM jobs WHERE payload IS NOT NULL), (SELECT count(*) FROM job_payloads)`).Scan(&inRows, &payloadRows); err != nil {
		t.Fatal(err)
	}
	if inRows != 0 || payloadRows != 2 {
		t.Errorf("after the upgrade %d jobs rows hold a payload and job_payloads has %d rows, want 0 and 2 (the pending jobs')", inRows, payloadRows)
	}
	raw.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	jobs, err := db.ClaimJobs(ctx, "mail", now, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != 1 || !bytes.Equal(jobs[0].Payload, old) {
		t.Fatalf("claimed %+v, want job 1 with its payload as it was queued", jobs)
	}
	if jobs, err := db.ClaimJobs(ctx, "gcal", now, 10, time.Minute); err != nil || len(jobs) != 1 || jobs[0].ID != 3 || len(jobs[0].Payload) != 0 {
		t.Fatalf("claimed gcal %+v, %v: want job 3 with no payload", jobs, err)
	}
	if err := db.CompleteJob(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if p, err := db.JobPayload(ctx, 1); err != nil || len(p) != 0 {
		t.Errorf("job 1 done keeps a payload of %d bytes (%v)", len(p), err)
	}
}

// A job's payload is written once, in a row of its own: its row in jobs,
// which the claim and the outcome update, holds none, and the claim
// leaves the payload's row as it was (the same bytes, not rewritten);
// finishing the job deletes it. A job finished while claimed (a privacy
// erasure marks the booking's e-mails done) is not handed out.
func TestJobPayloadRow(t *testing.T) {
	ctx := context.Background()
	db := mustOpenJobDB(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	if err := db.Enqueue(ctx, jobOf("mail", big), jobOf("mail", nil)); err != nil {
		t.Fatal(err)
	}
	var inRow int
	var body []byte
	rowOf := func(id int64) []byte {
		t.Helper()
		var b []byte
		if err := db.read.QueryRowContext(ctx, `SELECT body FROM job_payloads WHERE job_id = ?`, id).Scan(&b); err != nil {
			t.Fatalf("payload of job %d: %v", id, err)
		}
		return b
	}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE payload IS NOT NULL`).Scan(&inRow); err != nil {
		t.Fatal(err)
	}
	if inRow != 0 {
		t.Errorf("%d jobs rows hold their payload", inRow)
	}
	if body = rowOf(1); !bytes.Equal(body, big) {
		t.Fatalf("job 1's payload row holds %d bytes, want %d", len(body), len(big))
	}
	if body = rowOf(2); len(body) != 0 {
		t.Fatalf("job 2's payload row holds %q, want an empty payload", body)
	}
	now := time.Now()
	jobs, err := db.ClaimJobs(ctx, "mail", now, 1, time.Minute)
	if err != nil || len(jobs) != 1 || jobs[0].ID != 1 || !bytes.Equal(jobs[0].Payload, big) {
		t.Fatalf("claim: %d jobs, %v", len(jobs), err)
	}
	if body = rowOf(1); !bytes.Equal(body, big) {
		t.Fatal("the claim changed the payload")
	}
	if err := db.CompleteJob(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM job_payloads WHERE job_id = 1`).Scan(&left); err != nil || left != 0 {
		t.Errorf("job 1 done: %d payload rows left (%v)", left, err)
	}

	// Job 2 is claimed, and finished by another hand before its payload is
	// read: readPayloads leaves it out.
	claimed, err := db.ClaimJobs(ctx, "mail", now, 10, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].ID != 2 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	if err := db.FailJob(ctx, 2, "given up"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.JobStore.readPayloads(ctx, claimed); err != nil || len(got) != 0 {
		t.Errorf("a job finished meanwhile: readPayloads gives %+v, %v; want none", got, err)
	}
}

func mustOpenJobDB(tb testing.TB) *Store {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "atelier.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func jobOf(queue string, payload []byte) booking.Job {
	return booking.Job{Queue: queue, Kind: "confirmation", Payload: payload}
}
