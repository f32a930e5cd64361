package postgres

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func versions(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// A new database gets schema.sql at the latest version; opening it again
// changes nothing.
func TestOpenCreatesSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	for range 2 {
		st, err := Open(ctx, url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	pool := newPool(t, url)
	if got := versions(t, pool); len(got) != 1 || got[0] != latestVersion(migrations) {
		t.Errorf("schema_migrations holds %v, want [%d]", got, latestVersion(migrations))
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_constraint WHERE contype = 'x' AND conrelid = 'bookings'::regclass`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("bookings has %d exclusion constraints, want 2 (artisan, room)", n)
	}
}

// Servers starting together on a new database: one creates the schema,
// the others wait and find it made.
func TestOpenConcurrently(t *testing.T) {
	url := pgtest.Database(t)
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() {
			st, err := Open(context.Background(), url, Options{})
			if err == nil {
				st.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := versions(t, newPool(t, url)); len(got) != 1 {
		t.Errorf("schema_migrations holds %v after concurrent opens", got)
	}
}

// A database written by a newer binary is refused, and left as it is.
func TestOpenRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	st, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	pool := newPool(t, url)
	newer := latestVersion(migrations) + 1
	if _, err := pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')`, newer); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, url, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer version of atelier") {
		t.Fatalf("Open of a newer database: %v", err)
	}
	if got := versions(t, pool); got[len(got)-1] != newer {
		t.Errorf("the refused database was changed: versions %v", got)
	}
}

// A database holding someone else's tables is not taken over.
func TestOpenRefusesForeignDatabase(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	pool := newPool(t, url)
	if _, err := pool.Exec(ctx, `CREATE TABLE invoices (id int)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, url, Options{})
	if err == nil || !strings.Contains(err.Error(), "not an atelier database") && !strings.Contains(err.Error(), "is it an atelier database") {
		t.Fatalf("Open of a foreign database: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d tables after the refusal, want the 1 that was there", n)
	}
}

// Migrations run in order from the recorded version, each recorded; a
// failing one leaves the database at the version before it.
func TestMigrationsApplyInOrder(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	pool := newPool(t, url)
	if err := migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	ms := []migration{
		{"add t2", func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `CREATE TABLE t2 (x int)`)
			return err
		}},
		{"fill t2", func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO t2 VALUES (3)`)
			return err
		}},
	}
	if err := migrate(ctx, pool, ms); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, pool); len(got) != 3 || got[2] != 3 {
		t.Errorf("versions %v, want [1 2 3]", got)
	}
	broken := append(ms, migration{"broken", func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE half (x int)`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT * FROM no_such_table`)
		return err
	}})
	err := migrate(ctx, pool, broken)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "version 4 (broken)") {
		t.Fatalf("broken migration: %v", err)
	}
	if got := versions(t, pool); len(got) != 3 {
		t.Errorf("versions %v after a failed migration, want [1 2 3]", got)
	}
	var half bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('half') IS NOT NULL`).Scan(&half); err != nil {
		t.Fatal(err)
	}
	if half {
		t.Error("a failed migration left its first statement behind")
	}
}

// The exclusion constraints refuse an overlap written with raw SQL,
// bypassing the store, with SQLSTATE 23P01; a cancelled booking or a
// booking that only touches another does not conflict.
func TestExclusionConstraints(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	st, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pool := newPool(t, url)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	setup := []string{
		`INSERT INTO services (id, name, duration_minutes) VALUES ('design', 'Design', 60)`,
		`INSERT INTO artisans (id, name, working_hours_updated_at, updated_at) VALUES ('ana', 'Ana', now(), now()), ('ben', 'Ben', now(), now())`,
		`INSERT INTO rooms (id, name) VALUES ('salon', 'Salon')`,
	}
	for _, q := range setup {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(id, status, artisan, room string, startH, endH int) error {
		s, e := now.Add(time.Duration(startH)*time.Hour), now.Add(time.Duration(endH)*time.Hour)
		mode := "virtual"
		if room != "" {
			mode = "in_person"
		}
		_, err := pool.Exec(ctx, `INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id, start_at, end_at,
			block_start, block_end, customer_name, customer_email, created_at, updated_at)
			VALUES ($1, $2, 'design', $3, $4, $5, $6, $7, $6, $7, 'C', 'c@example.com', now(), now())`,
			id, status, mode, artisan, nullString(room), s, e)
		return err
	}
	if err := insert("b1", "confirmed", "ana", "salon", 10, 11); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name                  string
		status, artisan, room string
		startH, endH          int
		wantRefused           bool
	}{
		{"same artisan overlapping", "confirmed", "ana", "", 10, 12, true},
		{"same room, other artisan", "confirmed", "ben", "salon", 10, 11, true},
		{"touching after", "confirmed", "ana", "salon", 11, 12, false},
		{"cancelled overlapping", "cancelled", "ana", "salon", 10, 11, false},
		{"other artisan, no room", "confirmed", "ben", "", 10, 11, false},
		{"pending overlapping", "pending", "ana", "", 10, 11, true},
		{"declined overlapping", "declined", "ana", "salon", 10, 11, false},
		{"pending free time", "pending", "ben", "", 14, 15, false},
		{"confirmed over pending", "confirmed", "ben", "", 14, 15, true},
		{"pending room over pending", "pending", "ana", "salon", 14, 15, false},
		{"room over pending", "confirmed", "ben", "salon", 14, 15, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := insert("x-"+strings.ReplaceAll(tt.name, " ", "-"), tt.status, tt.artisan, tt.room, tt.startH, tt.endH)
			if got := isOverlapRefusal(err); got != tt.wantRefused {
				t.Errorf("refused %v (%v), want %v", got, err, tt.wantRefused)
			}
		})
	}
	// Reinstating a cancelled booking or a declined request over a
	// confirmed one is refused too.
	for _, id := range []string{"x-cancelled-overlapping", "x-declined-overlapping"} {
		for _, status := range []string{"confirmed", "pending"} {
			_, err = pool.Exec(ctx, `UPDATE bookings SET status = $1 WHERE id = $2`, status, id)
			if !isOverlapRefusal(err) {
				t.Errorf("%s made %s, into an overlap: %v", id, status, err)
			}
		}
	}
}

// A database that does not answer is EUNAVAILABLE (a 503 that says try
// again, never a 500), and a URL that cannot be parsed is refused without
// echoing it (it may hold a password).
func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://atelier@127.0.0.1:1/atelier?sslmode=disable&connect_timeout=2", Options{})
	if booking.ErrorKind(err) != booking.EUNAVAILABLE {
		t.Errorf("Open with no server: %v (kind %s), want EUNAVAILABLE", err, booking.ErrorKind(err))
	}
	_, err = Open(ctx, "postgres://atelier:s3cret-pw@127.0.0.1:notaport/atelier", Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("Open with a bad URL: %v, want an error without the password", err)
	}
}

// schemaOf describes every column, constraint and index of the current
// schema, to compare an upgraded database with a new one.
func schemaOf(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema()
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
		UNION ALL
		SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A database made by version 1 (testdata/schema_v1.sql, frozen) and
// upgraded by the migrations has exactly the schema of a new one.
func TestUpgradeFromV1MatchesSchema(t *testing.T) {
	ctx := context.Background()
	v1, err := os.ReadFile("testdata/schema_v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	oldURL, newURL := pgtest.Database(t), pgtest.Database(t)
	old := newPool(t, oldURL)
	if _, err := old.Exec(ctx, string(v1)); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(ctx, `CREATE TABLE schema_migrations (
			version    integer     PRIMARY KEY CHECK (version > 0),
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		); INSERT INTO schema_migrations (version, name) VALUES (1, 'schema.sql')`); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, old, migrations); err != nil {
		t.Fatal(err)
	}
	fresh := newPool(t, newURL)
	if err := migrate(ctx, fresh, migrations); err != nil {
		t.Fatal(err)
	}
	if got, want := versions(t, old), latestVersion(migrations); got[len(got)-1] != want {
		t.Errorf("upgraded to %v, want %d", got, want)
	}
	got, want := schemaOf(t, old), schemaOf(t, fresh)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("upgraded schema\n%s\n\nnew schema\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
