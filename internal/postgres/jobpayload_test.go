package postgres

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

// TestMigrateJobPayloads upgrades a version 19 database holding a pending
// job of the earlier form and a done one: the pending job's payload moves,
// unchanged, into job_payloads, so it is claimed with it (and its e-mail
// sent: the mail worker reads that form), and completing the job drops it.
func TestMigrateJobPayloads(t *testing.T) {
	ctx := context.Background()
	v1, err := os.ReadFile("testdata/schema_v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	url := pgtest.Database(t)
	pool := newPool(t, url)
	if _, err := pool.Exec(ctx, string(v1)); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE schema_migrations (
			version    integer     PRIMARY KEY CHECK (version > 0),
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		); INSERT INTO schema_migrations (version, name) VALUES (1, 'schema.sql')`); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, pool, migrations[:18]); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, pool); got[len(got)-1] != 19 {
		t.Fatalf("versions %v, want up to 19", got)
	}
	old := []byte(`{"from":"bookings@maison.example","to":["cleo@example.com"],"message":"RnJvbTogYQ0KDQpoaQ0K","sequence":1}`)
	if _, err := pool.Exec(ctx, `INSERT INTO jobs (queue, kind, payload, state, attempts, run_at, created_at, done_at) VALUES
		('mail', 'confirmation', $1, 'pending', 0, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', NULL),
		('mail', 'staff_notice', NULL, 'done', 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-01T00:01:00Z')`, old); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, pool, migrations); err != nil {
		t.Fatal(err)
	}
	var inRows, payloadRows int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM jobs WHERE payload IS NOT NULL), (SELECT count(*) FROM job_payloads)`).Scan(&inRows, &payloadRows); err != nil {
		t.Fatal(err)
	}
	if inRows != 0 || payloadRows != 1 {
		t.Errorf("after the upgrade %d jobs rows hold a payload and job_payloads has %d rows, want 0 and 1", inRows, payloadRows)
	}

	st, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jobs, err := st.ClaimJobs(ctx, "mail", time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || !bytes.Equal(jobs[0].Payload, old) {
		t.Fatalf("claimed %+v, want the pending job with its payload as it was queued", jobs)
	}
	if err := st.CompleteJob(ctx, jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM job_payloads`).Scan(&payloadRows); err != nil || payloadRows != 0 {
		t.Errorf("the job done: %d payload rows left (%v)", payloadRows, err)
	}
}
