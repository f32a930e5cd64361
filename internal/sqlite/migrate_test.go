package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// openRaw opens the write pool on a file in a temporary folder.
func openRaw(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "atelier.db")
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	return db, path
}

// createV1 makes a database from the frozen version 1 schema.
func createV1(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	v1, err := os.ReadFile(filepath.Join("testdata", "schema_v1.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	db, path := openRaw(tb)
	if _, err := db.Exec(string(v1)); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 1"); err != nil {
		tb.Fatal(err)
	}
	return db, path
}

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	sqlSpace   = regexp.MustCompile(`\s+`)
	sqlPunct   = regexp.MustCompile(`\s*([(),=<>])\s*`)
)

// schemaOf returns the normalised definitions of every table, index and
// trigger: comments and layout removed, lower case.
func schemaOf(tb testing.TB, db *sql.DB) []string {
	tb.Helper()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			tb.Fatal(err)
		}
		text = sqlComment.ReplaceAllString(text, "")
		text = sqlSpace.ReplaceAllString(strings.TrimSpace(text), " ")
		text = sqlPunct.ReplaceAllString(text, "$1")
		out = append(out, typ+" "+name+": "+strings.ToLower(text))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func userVersion(tb testing.TB, db *sql.DB) int {
	tb.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()

	t.Run("UpgradeFromV1MatchesSchema", func(t *testing.T) {
		fresh, _ := openRaw(t)
		if err := migrate(ctx, fresh, migrations); err != nil {
			t.Fatal(err)
		}
		old, _ := createV1(t)
		if err := migrate(ctx, old, migrations); err != nil {
			t.Fatal(err)
		}
		if got, want := userVersion(t, old), latestVersion(migrations); got != want {
			t.Errorf("upgraded version = %d, want %d", got, want)
		}
		if got, want := userVersion(t, fresh), latestVersion(migrations); got != want {
			t.Errorf("new database version = %d, want %d", got, want)
		}
		got, want := schemaOf(t, old), schemaOf(t, fresh)
		for _, s := range want {
			if !slices.Contains(got, s) {
				t.Errorf("a new database has, an upgraded one lacks:\n%s", s)
			}
		}
		for _, s := range got {
			if !slices.Contains(want, s) {
				t.Errorf("an upgraded database has, a new one lacks:\n%s", s)
			}
		}
	})

	t.Run("RunsLaterMigrationsInOrder", func(t *testing.T) {
		db, _ := createV1(t)
		ms := append(slices.Clone(migrations),
			func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "CREATE TABLE m2 (x INTEGER)")
				return err
			},
			func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO m2 (x) VALUES (3)")
				return err
			})
		if err := migrate(ctx, db, ms); err != nil {
			t.Fatal(err)
		}
		var x int
		if err := db.QueryRow("SELECT x FROM m2").Scan(&x); err != nil || x != 3 {
			t.Errorf("migrations did not run in order: x = %d, %v", x, err)
		}
		if got := userVersion(t, db); got != len(migrations)+3 {
			t.Errorf("version = %d, want %d", got, len(migrations)+3)
		}
	})

	t.Run("FailedMigrationChangesNothing", func(t *testing.T) {
		db, _ := createV1(t)
		// Each migration commits on its own: the real ones apply, the
		// failing one after them leaves no trace.
		before := latestVersion(migrations)
		ms := append(slices.Clone(migrations), func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "CREATE TABLE half (x)"); err != nil {
				return err
			}
			return errors.New("boom")
		})
		if err := migrate(ctx, db, ms); err == nil {
			t.Fatal("want the migration's error")
		}
		if got := userVersion(t, db); got != before {
			t.Errorf("version = %d after a failed migration, want %d (the last good one)", got, before)
		}
		var n int
		db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").Scan(&n)
		if n != 0 {
			t.Error("a failed migration left a table behind")
		}
	})

	t.Run("ConcurrentOpenOfNewFile", func(t *testing.T) {
		// Two processes starting on a new file: both open it; the schema
		// is created once.
		path := filepath.Join(t.TempDir(), "atelier.db")
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				db, err := Open(ctx, path)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("RefusesNewerDatabase", func(t *testing.T) {
		raw, path := createV1(t)
		if _, err := raw.Exec("PRAGMA user_version = 99"); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		db, err := Open(ctx, path)
		if err == nil {
			db.Close()
			t.Fatal("opened a database newer than the program")
		}
		if !strings.Contains(err.Error(), "newer version") {
			t.Errorf("error %q does not say the database is newer", err)
		}
	})
}

// TestPragmas checks every connection of both pools, not only the first.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "atelier.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check := func(t *testing.T, pool *sql.DB, conns int, queryOnly int) {
		var held []*sql.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for range conns {
			c, err := pool.Conn(ctx) // held, so each is a new connection
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
			for _, p := range []struct {
				pragma string
				want   any
			}{
				{"foreign_keys", "1"}, {"busy_timeout", "10000"}, {"synchronous", "2"},
				{"journal_mode", "wal"}, {"query_only", fmt.Sprint(queryOnly)},
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != p.want {
					t.Errorf("connection %d: %s = %s, want %s", len(held), p.pragma, got, p.want)
				}
			}
		}
	}
	t.Run("Write", func(t *testing.T) { check(t, db.write, 1, 0) })
	t.Run("Read", func(t *testing.T) { check(t, db.read, 3, 1) })
	t.Run("ReadPoolCannotWrite", func(t *testing.T) {
		if _, err := db.read.ExecContext(ctx, "DELETE FROM jobs"); err == nil {
			t.Error("a read-pool connection accepted a write")
		}
	})
}

// TestMigrateV5KeepsIDsAndSkipsDeletedOnes upgrades a version 1 database
// holding a closure and time off, and audit rows of deleted ones with
// higher ids: the rows keep their ids and new ones start above every id
// ever given out.
func TestMigrateV5KeepsIDsAndSkipsDeletedOnes(t *testing.T) {
	ctx := context.Background()
	db, _ := createV1(t)
	for _, q := range []string{
		`INSERT INTO artisans (id, name, working_hours_updated_at, updated_at) VALUES ('ana', 'Ana', 'x', 'x')`,
		`INSERT INTO closures (id, from_date, to_date, source, created_at) VALUES (3, '2026-12-24', '2026-12-26', 'staff', 'x')`,
		`INSERT INTO time_off (id, artisan_id, start_at, end_at, created_at) VALUES (2, 'ana', 'a', 'b', 'x')`,
		`INSERT INTO audit_log (at, actor_kind, action, target) VALUES ('x', 'staff', 'closure.deleted', 'closure:7')`,
		`INSERT INTO audit_log (at, actor_kind, action, target) VALUES ('x', 'staff', 'time_off.deleted', 'time_off:11')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := migrate(ctx, db, migrations); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, keep, insert string
		kept, next         int
	}{
		{"Closures", `SELECT id FROM closures`,
			`INSERT INTO closures (from_date, to_date, source, created_at) VALUES ('2027-01-01', '2027-01-01', 'staff', 'x') RETURNING id`, 3, 8},
		{"TimeOff", `SELECT id FROM time_off`,
			`INSERT INTO time_off (artisan_id, start_at, end_at, created_at) VALUES ('ana', 'c', 'd', 'x') RETURNING id`, 2, 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var kept, next int
			if err := db.QueryRow(tc.keep).Scan(&kept); err != nil || kept != tc.kept {
				t.Errorf("kept id = %d (%v), want %d", kept, err, tc.kept)
			}
			if err := db.QueryRow(tc.insert).Scan(&next); err != nil || next != tc.next {
				t.Errorf("next id = %d (%v), want %d", next, err, tc.next)
			}
		})
	}
}

// createV6 makes a database from the frozen version 6 schema holding a
// catalogue and two bookings, one of an artisan and a service since
// removed from the file (inactive rows).
func createV6(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	v6, err := os.ReadFile(filepath.Join("testdata", "schema_v6.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	db, path := openRaw(tb)
	if _, err := db.Exec(string(v6)); err != nil {
		tb.Fatal(err)
	}
	for _, q := range []string{
		`PRAGMA user_version = 6`,
		`INSERT INTO rooms (id, name) VALUES ('salon', 'Salon')`,
		`INSERT INTO services (id, name, duration_minutes) VALUES ('design', 'Bespoke design', 90)`,
		`INSERT INTO services (id, name, duration_minutes, active) VALUES ('engrave', 'Engraving', 30, 0)`,
		`INSERT INTO artisans (id, name, working_hours_updated_at, updated_at) VALUES ('ana', 'Ana', 'x', 'x')`,
		`INSERT INTO artisans (id, name, working_hours_updated_at, updated_at, active) VALUES ('old', 'Olga Left', 'x', 'x', 0)`,
		`INSERT INTO bookings (id, status, service_id, mode, artisan_id, start_at, end_at, block_start, block_end,
			customer_name, customer_email, token_hash, created_at, updated_at) VALUES
			('bk_kept', 'confirmed', 'design', 'virtual', 'ana', '2026-12-08T02:00:00.000Z', '2026-12-08T03:30:00.000Z',
			 '2026-12-08T02:00:00.000Z', '2026-12-08T03:30:00.000Z', 'Cleo', 'cleo@example.com', x'01', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'),
			('bk_gone', 'confirmed', 'engrave', 'virtual', 'old', '2026-12-09T02:00:00.000Z', '2026-12-09T02:30:00.000Z',
			 '2026-12-09T02:00:00.000Z', '2026-12-09T02:30:00.000Z', 'Dora', 'dora@example.com', x'02', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`,
	} {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	return db, path
}

// TestMigrateFromV6 upgrades a version 6 database with bookings: they get
// the names of their service and artisan from the catalogue, removed ones
// included, and a UID only when the server fills it in from its public
// URL, which then stays.
func TestMigrateFromV6(t *testing.T) {
	ctx := context.Background()
	raw, path := createV6(t)
	if err := migrate(ctx, raw, migrations); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	names := map[string][2]string{"bk_kept": {"Bespoke design", "Ana"}, "bk_gone": {"Engraving", "Olga Left"}}
	for id, want := range names {
		b, err := db.Booking(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if b.ServiceName != want[0] || b.ArtisanName != want[1] {
			t.Errorf("%s: names %q, %q; want %q, %q", id, b.ServiceName, b.ArtisanName, want[0], want[1])
		}
		if b.UID != "" {
			t.Errorf("%s: UID %q before the first start, want none", id, b.UID)
		}
	}

	// The manage token each booking had keeps opening it, and only it.
	for _, tc := range []struct {
		id   string
		hash []byte
		ok   bool
	}{{"bk_kept", []byte{1}, true}, {"bk_gone", []byte{2}, true}, {"bk_kept", []byte{2}, false}, {"bk_nope", []byte{1}, false}} {
		_, err := db.BookingByManageToken(ctx, tc.id, tc.hash)
		if got := err == nil; got != tc.ok || !tc.ok && booking.ErrorKind(err) != booking.ENOTFOUND {
			t.Errorf("booking %s with token hash %x: %v, want found = %v", tc.id, tc.hash, err, tc.ok)
		}
	}

	rule := func(host string) func(string) string { return func(id string) string { return id + "@" + host } }
	if n, err := db.FillBookingUIDs(ctx, rule("old.example")); err != nil || n != 2 {
		t.Fatalf("first fill: %d, %v; want 2", n, err)
	}
	// A later start under another public URL changes nothing.
	if n, err := db.FillBookingUIDs(ctx, rule("new.example")); err != nil || n != 0 {
		t.Fatalf("second fill: %d, %v; want 0", n, err)
	}
	for id := range names {
		b, err := db.Booking(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := id + "@old.example"; b.UID != want {
			t.Errorf("%s: UID %q, want %q", id, b.UID, want)
		}
	}
}

// TestMigrateV9Replies upgrades a database with bookings to the version
// that reads replies to invitations: a booking made before answers a
// reply, recorded once, and the tables hold the same rules as in a new
// database (a second record of the message is refused by its key).
func TestMigrateV9Replies(t *testing.T) {
	ctx := context.Background()
	raw, path := createV6(t)
	if err := migrate(ctx, raw, migrations); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.FillBookingUIDs(ctx, func(id string) string { return id + "@old.example" }); err != nil {
		t.Fatal(err)
	}
	r := booking.InboundReply{Key: "k", Mailbox: "INBOX", UIDValidity: 1, MessageUID: 1, Method: booking.MethodReply,
		EventUID: "bk_kept@old.example", PartStat: booking.PartAccepted, Stamp: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}
	record := func(b *booking.Booking, _ *booking.CustomerReply) booking.ReplyAction {
		return booking.ReplyAction{Outcome: booking.ReplyRecorded, Record: true, Actor: booking.ReplyActor}
	}
	for i, want := range []booking.ReplyOutcome{booking.ReplyRecorded, booking.ReplyDuplicate} {
		got, _, err := db.ApplyReply(ctx, r, "bk_kept", record)
		if err != nil || got != want {
			t.Fatalf("apply %d: %q, %v; want %q", i, got, err, want)
		}
	}
	replies, err := db.CustomerReplies(ctx, "bk_kept")
	if err != nil || replies["bk_kept"].PartStat != booking.PartAccepted {
		t.Fatalf("replies %+v, %v", replies, err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO reply_messages (message_key, mailbox, uid_validity, uid, booking_id, outcome, processed_at)
		VALUES ('k', 'INBOX', 1, 2, 'bk_kept', 'recorded', 'x')`)
	if !isUniqueViolation(err) {
		t.Errorf("a second row for the same message: %v, want a unique violation", err)
	}
}

// TestMigrateV17Requests upgrades a version 16 database with bookings, a
// photo (whose row is deleted with its booking's by ON DELETE CASCADE),
// staff notes, tokens and search rows to the version that rebuilds the
// bookings table for pending and declined requests: every row is kept with
// its rowid, nothing is deleted or indexed twice, foreign keys are on
// again, and the rebuilt table takes the new statuses with pending holding
// the time.
func TestMigrateV17Requests(t *testing.T) {
	ctx := context.Background()
	raw, path := createV6(t)
	if err := migrate(ctx, raw, migrations[:15]); err != nil {
		t.Fatal(err)
	}
	if got := userVersion(t, raw); got != 16 {
		t.Fatalf("version %d, want 16", got)
	}
	for _, q := range []string{
		`INSERT INTO booking_photos (id, booking_id, content_type, width, height, data, thumb, created_at)
			VALUES ('ph_1', 'bk_kept', 'image/png', 1, 1, x'00', x'00', '2026-11-01T00:00:00.000Z')`,
		`INSERT INTO booking_staff_notes (booking_id, notes, updated_at) VALUES ('bk_kept', 'ring size K', 'x')`,
		`UPDATE bookings SET status = 'cancelled' WHERE id = 'bk_gone'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	rowids := func() string {
		t.Helper()
		var s string
		if err := raw.QueryRow(`SELECT group_concat(b, ' ') FROM (SELECT id || '=' || rowid || '/' || status AS b FROM bookings ORDER BY id)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := rowids()
	queries := []string{"SELECT count(*) FROM booking_photos", "SELECT count(*) FROM booking_staff_notes",
		"SELECT count(*) FROM booking_tokens", "SELECT count(*) FROM booking_search", "SELECT count(*) FROM customers"}
	counts := map[string]int{}
	for _, q := range queries {
		counts[q] = count(q)
	}

	if err := migrate(ctx, raw, migrations); err != nil {
		t.Fatal(err)
	}
	if got := rowids(); got != before {
		t.Errorf("bookings after the upgrade %q, want %q", got, before)
	}
	for _, q := range queries {
		if got := count(q); got != counts[q] {
			t.Errorf("%s: %d after the upgrade, want %d", q, got, counts[q])
		}
	}
	if n := count(`SELECT count(*) FROM booking_search WHERE booking_search MATCH 'cleo'`); n != 1 {
		t.Errorf("search finds Cleo's booking %d times, want once", n)
	}
	if n := count("PRAGMA foreign_keys"); n != 1 {
		t.Error("foreign keys are off after the migration")
	}
	if n := count("SELECT count(*) FROM pragma_foreign_key_check"); n != 0 {
		t.Errorf("%d rows refer to missing rows", n)
	}

	// pending holds Ana's time against another booking; declined does not.
	insert := func(id, status string) error {
		_, err := raw.Exec(`INSERT INTO bookings (id, status, service_id, mode, artisan_id, start_at, end_at, block_start, block_end,
			customer_name, customer_email, created_at, updated_at) VALUES
			(?, ?, 'design', 'virtual', 'ana', '2026-12-10T02:00:00.000Z', '2026-12-10T03:00:00.000Z',
			 '2026-12-10T02:00:00.000Z', '2026-12-10T03:00:00.000Z', 'Eve', 'eve@example.com', 'x', 'x')`, id, status)
		return err
	}
	if err := insert("bk_pending", "pending"); err != nil {
		t.Fatal(err)
	}
	if err := insert("bk_second", "confirmed"); err == nil || !strings.Contains(err.Error(), "overlaps") {
		t.Errorf("a booking over a pending one: %v, want the overlap refused", err)
	}
	if _, err := raw.Exec(`UPDATE bookings SET status = 'declined' WHERE id = 'bk_pending'`); err != nil {
		t.Fatal(err)
	}
	if err := insert("bk_second", "confirmed"); err != nil {
		t.Errorf("a booking over a declined one: %v, want it taken", err)
	}
	if _, err := raw.Exec(`UPDATE bookings SET status = 'nonsense' WHERE id = 'bk_pending'`); err == nil {
		t.Error("the status CHECK took an unknown status")
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if b, err := db.Booking(ctx, "bk_kept"); err != nil || b.Customer.Name != "Cleo" {
		t.Errorf("bk_kept after the upgrade: %+v, %v", b, err)
	}
}

// TestMigrateKeepsDanglingRows: a database may hold a row that refers to
// a missing one (written with foreign keys off, as SQLite's default
// connection does): the upgrade keeps it and succeeds, since the foreign
// key check refuses only what a migration itself breaks.
func TestMigrateKeepsDanglingRows(t *testing.T) {
	ctx := context.Background()
	raw, path := createV6(t)
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO bookings (id, status, service_id, mode, artisan_id, start_at, end_at, block_start, block_end,
		customer_name, customer_email, token_hash, created_at, updated_at) VALUES
		('bk_orphan', 'confirmed', 'design', 'virtual', 'nobody', '2026-12-10T02:00:00.000Z', '2026-12-10T03:30:00.000Z',
		 '2026-12-10T02:00:00.000Z', '2026-12-10T03:30:00.000Z', 'Eve', 'eve@example.com', x'03', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	conn.Close()
	if err := migrate(ctx, raw, migrations); err != nil {
		t.Fatalf("upgrading a database with a booking of an unknown artisan: %v", err)
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if b, err := db.Booking(ctx, "bk_orphan"); err != nil || b.Customer.Name != "Eve" {
		t.Errorf("the orphan booking after the upgrade: %+v, %v", b, err)
	}
}

// TestMigrationsKeepTempOnDisk: a migration runs with its temporary tables
// and statement journals on disk (a rebuilt table may be copied whole into
// one), and the connection gets the write connection's memory setting back
// afterwards.
func TestMigrationsKeepTempOnDisk(t *testing.T) {
	ctx := context.Background()
	db, _ := openRaw(t)
	if _, err := db.ExecContext(ctx, "PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	var during int
	ms := []migration{func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&during)
	}}
	if err := migrate(ctx, db, ms); err != nil {
		t.Fatal(err)
	}
	if during != 1 {
		t.Errorf("temp_store during the migration = %d, want 1 (file)", during)
	}
	var after int
	if err := db.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != 2 {
		t.Errorf("temp_store after it = %d, want 2 (memory, as the write connection's DSN has it)", after)
	}
}
