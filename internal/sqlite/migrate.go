package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	atelier "github.com/atelier-app/atelier"
)

// A migration upgrades a database by one schema version, inside the
// transaction it is given.
type migration func(ctx context.Context, tx *sql.Tx) error

// migrations is the append-only list of schema changes after version 1:
// migrations[0] upgrades version 1 to 2, migrations[1] 2 to 3, and so on.
// Never edit or remove an entry; append one and change schema.sql so that a
// new database and an upgraded one end up identical (TestMigrations checks
// that against testdata/schema_v1.sql).
//
// A new database is created from schema.sql and stamped with the latest
// version directly.
var migrations = []migration{
	migrateV2Staff,
	migrateV3Google,
	migrateV4Feeds,
	migrateV5NoIDReuse,
	migrateV6CoveringSchedule,
	migrateV7BookingKeeps,
	migrateV8BookingTokens,
	migrateV9Replies,
	migrateV10DateHours,
	migrateV11CatalogEdits,
	migrateV12Intake,
	migrateV13Customers,
	migrateV14Policy,
	migrateV15CustomerLanguage,
	migrateV16Discreet,
	migrateV17Requests, // pending and declined bookings (issue 13)
	migrateV18PrivateServices,
	migrateV19Commissions,
	migrateV20Teams,
	migrateV21Privacy,
	migrateV22Invitations,
	migrateV23RequestTerms,
	migrateV24BookingsStart,
	migrateV25JobPayloads,
	migrateV26ArtisanBlock,
	migrateV27MailFacts,
}

// latestVersion is the schema version of schema.sql.
func latestVersion(ms []migration) int { return 1 + len(ms) }

// migrate creates or upgrades the schema of the database behind db, which
// must be the single-connection write pool.
//
// Each step is one IMMEDIATE transaction that reads the version again
// before acting, so two processes starting on the same file at once do
// not both create or migrate it: the second finds the work done.
//
// SQLite skips the busy handler where waiting could deadlock, which happens
// when several connections turn a new file into a WAL database at once; so
// a step that meets SQLITE_BUSY is tried again for up to busyWait.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	latest := latestVersion(ms)
	deadline := time.Now().Add(busyWait)
	for pause := 5 * time.Millisecond; ; {
		done, err := migrateStep(ctx, db, ms, latest)
		switch {
		case err == nil && done:
			return nil
		case err == nil:
			continue
		case !isBusy(err) || time.Now().After(deadline):
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// busyWait is how long Open waits for other processes holding the file.
const busyWait = 10 * time.Second

// migrateStep creates the schema of a new database or applies the one
// migration after the current version. It reports whether the database is
// now up to date.
//
// The step runs as SQLite's procedure for schema changes has it, so that a
// migration may rebuild a table (see migrateV17Requests): on a connection
// of its own with foreign keys off (a table dropped with them on would
// have its children's rows deleted by ON DELETE CASCADE), and with
// PRAGMA foreign_key_check finding nothing before it commits. The
// connection gets foreign keys back before it returns to the pool.
func migrateStep(ctx context.Context, db *sql.DB, ms []migration, latest int) (done bool, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	// A migration's temporary tables and statement journals may be a whole
	// table: on disk, not in the memory the write connection keeps them in
	// (temp_store in dsnWith).
	restoreTemp, err := tempStoreOnDisk(ctx, conn)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		if terr := restoreTemp(); terr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = fmt.Errorf("migrate: temp_store back: %w", terr)
			}
		}
	}()
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); ferr != nil {
			// A connection without foreign keys must not serve anyone.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = fmt.Errorf("migrate: foreign keys back on: %w", ferr)
			}
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case version > latest:
		return false, fmt.Errorf("the database has schema version %d but this program knows only up to %d: "+
			"it was written by a newer version of atelier; upgrade the program or restore a backup", version, latest)
	case version == latest:
		return true, nil
	case version == 0:
		if err := createSchema(ctx, tx); err != nil {
			return false, fmt.Errorf("create schema: %w", err)
		}
		version = latest
	default:
		// A database may hold dangling references from before (a row
		// written with foreign keys off): the check refuses only those the
		// migration adds.
		had, err := foreignKeyViolations(ctx, tx)
		if err != nil {
			return false, fmt.Errorf("migrate to version %d: %w", version+1, err)
		}
		if err := ms[version-1](ctx, tx); err != nil {
			return false, fmt.Errorf("migrate to version %d: %w", version+1, err)
		}
		version++
		if err := foreignKeyCheck(ctx, tx, had); err != nil {
			return false, fmt.Errorf("migrate to version %d: %w", version, err)
		}
	}
	// PRAGMA takes no parameters; version is an int we made.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return false, fmt.Errorf("set schema version %d: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("set schema version %d: %w", version, err)
	}
	return version == latest, nil
}

// tempStoreOnDisk sets conn's temp_store to FILE and returns the function
// that sets it back to what it was.
func tempStoreOnDisk(ctx context.Context, conn *sql.Conn) (restore func() error, err error) {
	var was int
	if err := conn.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&was); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return nil, err
	}
	return func() error {
		// PRAGMA takes no parameters; was is an int SQLite gave.
		_, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA temp_store = %d", was))
		return err
	}, nil
}

// fkViolation is what PRAGMA foreign_key_check says of a row: a row of
// table refers to a missing row of parent. (Its rowid is left out: a
// rebuilt table numbers its rows anew.)
type fkViolation struct{ table, parent string }

// foreignKeyViolations counts the rows that refer to rows that do not
// exist.
func foreignKeyViolations(ctx context.Context, tx *sql.Tx) (map[fkViolation]int, error) {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	out := map[fkViolation]int{}
	for rows.Next() {
		var v fkViolation
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&v.table, &rowid, &v.parent, &fk); err != nil {
			return nil, fmt.Errorf("foreign key check: %w", err)
		}
		out[v]++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	return out, nil
}

// foreignKeyCheck fails if more rows refer to rows that do not exist than
// had, the count before the migration.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx, had map[fkViolation]int) error {
	now, err := foreignKeyViolations(ctx, tx)
	if err != nil {
		return err
	}
	for v, n := range now {
		if n > had[v] {
			return fmt.Errorf("foreign key check: a row of %s refers to a missing row of %s", v.table, v.parent)
		}
	}
	return nil
}

// createSchema applies schema.sql to a new database. A database at version
// 0 that already has tables is not one of ours and is refused.
func createSchema(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the file holds tables but no atelier schema version: is it an atelier database?")
	}
	_, err := tx.ExecContext(ctx, atelier.Schema)
	return err
}

// migrateV2Staff adds staff accounts, sessions and staff notes (issue 3).
func migrateV2Staff(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'artisan')),
    artisan_id    TEXT             REFERENCES artisans (id),
    password_hash TEXT    NOT NULL,                     -- argon2id, PHC format
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    CHECK ((role = 'artisan') = (artisan_id IS NOT NULL))
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash  BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL                          -- absolute expiry
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE booking_staff_notes (
    booking_id TEXT PRIMARY KEY REFERENCES bookings (id),
    notes      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''                 -- staff user id
) WITHOUT ROWID;
`)
	return err
}

// migrateV3Google adds the Google Calendar sync state (issue 5). Google busy
// times need no table: they go in busy_times with source 'gcal'.
func migrateV3Google(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE gcal_cursor (
    artisan_id  TEXT PRIMARY KEY REFERENCES artisans (id),
    calendar_id TEXT NOT NULL,
    sync_token  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE gcal_booking_sync (
    booking_id  TEXT    PRIMARY KEY,
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'synced', 'failed')),
    artisan_id  TEXT    NOT NULL DEFAULT '',
    calendar_id TEXT    NOT NULL DEFAULT '',
    event_id    TEXT    NOT NULL DEFAULT '',
    sequence    INTEGER NOT NULL DEFAULT 0,
    meet_url    TEXT    NOT NULL DEFAULT '',
    synced_at   TEXT,
    last_error  TEXT    NOT NULL DEFAULT '',
    updated_at  TEXT    NOT NULL
) WITHOUT ROWID;

CREATE INDEX gcal_booking_sync_state ON gcal_booking_sync (state) WHERE state <> 'synced';

CREATE TABLE gcal_artisan_sync (
    artisan_id      TEXT PRIMARY KEY REFERENCES artisans (id),
    state           TEXT NOT NULL CHECK (state IN ('not_connected', 'connected', 'disconnected', 'error')),
    last_success_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    error_at        TEXT
) WITHOUT ROWID;

CREATE TABLE gcal_oauth_token (
    artisan_id    TEXT PRIMARY KEY REFERENCES artisans (id),
    access_token  TEXT NOT NULL,
    refresh_token TEXT NOT NULL DEFAULT '',
    token_type    TEXT NOT NULL DEFAULT '',
    expiry        TEXT,
    updated_at    TEXT NOT NULL
) WITHOUT ROWID;
`)
	return err
}

// migrateV4Feeds adds the secret URLs of calendar subscription feeds
// (issue 4).
func migrateV4Feeds(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE feed_tokens (
    artisan_id TEXT PRIMARY KEY,                      -- '' for the atelier-wide feed
    token_hash BLOB NOT NULL UNIQUE,                  -- SHA-256 of the URL token
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''               -- staff user id
) WITHOUT ROWID;
`)
	return err
}

// migrateV5NoIDReuse makes the ids of closures and time off AUTOINCREMENT,
// so that an id is never given out again after a delete and a retried
// DELETE cannot remove someone else's row. SQLite cannot change a primary
// key in place: each table is renamed, created anew as in schema.sql,
// refilled with the same ids, and the old one dropped. Ids deleted before
// the upgrade are known from the audit log ("closure:12"), so the sequence
// starts above those too.
func migrateV5NoIDReuse(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE closures RENAME TO closures_v4;
DROP INDEX closures_to_date;

CREATE TABLE closures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    from_date  TEXT    NOT NULL,
    to_date    TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL CHECK (source IN ('config', 'staff')),
    created_at TEXT    NOT NULL,
    CHECK (from_date <= to_date)
);

INSERT INTO closures (id, from_date, to_date, reason, source, created_at)
    SELECT id, from_date, to_date, reason, source, created_at FROM closures_v4;
DROP TABLE closures_v4;
CREATE INDEX closures_to_date ON closures (to_date);

ALTER TABLE time_off RENAME TO time_off_v4;
DROP INDEX time_off_end;
DROP INDEX time_off_artisan;

CREATE TABLE time_off (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    artisan_id TEXT    NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
    start_at   TEXT    NOT NULL,
    end_at     TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL DEFAULT 'staff' CHECK (source IN ('config', 'staff')),
    created_at TEXT    NOT NULL,
    CHECK (start_at < end_at)
);

INSERT INTO time_off (id, artisan_id, start_at, end_at, reason, source, created_at)
    SELECT id, artisan_id, start_at, end_at, reason, source, created_at FROM time_off_v4;
DROP TABLE time_off_v4;
CREATE INDEX time_off_end ON time_off (end_at);
CREATE INDEX time_off_artisan ON time_off (artisan_id, start_at);

DELETE FROM sqlite_sequence WHERE name IN ('closures', 'time_off');
INSERT INTO sqlite_sequence (name, seq) VALUES
    ('closures', max(
        coalesce((SELECT max(id) FROM closures), 0),
        coalesce((SELECT max(CAST(substr(target, 9) AS INTEGER)) FROM audit_log WHERE target LIKE 'closure:%'), 0))),
    ('time_off', max(
        coalesce((SELECT max(id) FROM time_off), 0),
        coalesce((SELECT max(CAST(substr(target, 10) AS INTEGER)) FROM audit_log WHERE target LIKE 'time~_off:%' ESCAPE '~'), 0)));
`)
	return err
}

// migrateV6CoveringSchedule makes the index that schedules read by window
// hold every column they read. Reading a window then touches a few index
// pages instead of one table page per booking; with the write traffic of a
// busy day, which empties the readers' page caches, that was most of the
// cost of reading a schedule.
func migrateV6CoveringSchedule(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
DROP INDEX bookings_block;
CREATE INDEX bookings_block ON bookings (block_start, block_end, status, artisan_id, room_id, mode,
    service_id, start_at, end_at, id) WHERE status = 'confirmed';
`)
	return err
}

// migrateV7BookingKeeps gives each booking what it keeps from the moment
// it is made: the UID of its invites, and the names of its service and
// artisan, so that a later change of server.public_url or of the
// catalogue file does not change what the customer already holds.
//
// The names come from the catalogue in the database, which still holds
// services and artisans removed from the file (as inactive rows). The UID
// is left NULL: the UID that a booking's invites carry so far was made from
// the host of server.public_url, which the database never recorded. The
// server fills it in at its first start (BookingStore.FillBookingUIDs) from the
// public URL it is configured with, which is the one those invites were
// sent with unless the file was changed during the upgrade.
func migrateV7BookingKeeps(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE bookings ADD COLUMN uid TEXT;
ALTER TABLE bookings ADD COLUMN service_name TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN artisan_name TEXT NOT NULL DEFAULT '';
UPDATE bookings SET
    service_name = coalesce((SELECT s.name FROM services AS s WHERE s.id = bookings.service_id), ''),
    artisan_name = coalesce((SELECT a.name FROM artisans AS a WHERE a.id = bookings.artisan_id), '');
`)
	return err
}

// migrateV8BookingTokens lets a booking hold several manage tokens, one per
// e-mail, in booking_tokens; each booking's token of version 7 and before
// moves there and keeps working. The index finds a customer's bookings by
// e-mail address, to send their links again.
func migrateV8BookingTokens(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE booking_tokens (
    booking_id TEXT NOT NULL REFERENCES bookings (id),
    token_hash BLOB NOT NULL,
    purpose    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (booking_id, token_hash)
) WITHOUT ROWID;
INSERT INTO booking_tokens (booking_id, token_hash, purpose, created_at)
    SELECT id, token_hash, 'created', created_at FROM bookings;
ALTER TABLE bookings DROP COLUMN token_hash;
CREATE INDEX bookings_customer_email ON bookings (customer_email COLLATE NOCASE, start_at);
`)
	return err
}

// migrateV9Replies adds what the reader of replies to invitations keeps
// (issue 17, version 9): the messages it processed, each booking's latest answer and
// proposal, and where it resumes in each mailbox.
func migrateV9Replies(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, replySchema)
	return err
}

// replySchema is the part of schema.sql that version 9 added; the two
// must stay the same (TestMigrations compares them).
const replySchema = `
CREATE TABLE reply_messages (
    message_key  TEXT    PRIMARY KEY,
    mailbox      TEXT    NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    booking_id   TEXT    NOT NULL REFERENCES bookings (id),
    outcome      TEXT    NOT NULL,
    processed_at TEXT    NOT NULL
) WITHOUT ROWID;

CREATE INDEX reply_messages_booking ON reply_messages (booking_id);

CREATE TABLE booking_replies (
    booking_id       TEXT    PRIMARY KEY REFERENCES bookings (id),
    partstat         TEXT    CHECK (partstat IN ('ACCEPTED', 'TENTATIVE', 'DECLINED')),
    sequence         INTEGER,
    replied_at       TEXT,
    counter_start    TEXT,
    counter_end      TEXT,
    counter_sequence INTEGER,
    countered_at     TEXT,
    updated_at       TEXT    NOT NULL,
    CHECK ((partstat IS NULL) = (replied_at IS NULL)),
    CHECK ((counter_start IS NULL) = (counter_end IS NULL)),
    CHECK (counter_start IS NULL OR counter_start < counter_end)
) WITHOUT ROWID;

CREATE TABLE reply_cursor (
    mailbox      TEXT    PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL
) WITHOUT ROWID;
`

// migrateV10DateHours adds the hours set for one date (issue 12).
func migrateV10DateHours(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, dateHoursSchema)
	return err
}

// dateHoursSchema is the part of schema.sql that version 10 added; the two
// must stay the same (TestMigrations compares them).
const dateHoursSchema = `
CREATE TABLE date_hours (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    artisan_id TEXT    NOT NULL DEFAULT '',
    date       TEXT    NOT NULL,
    hours      TEXT,
    source     TEXT    NOT NULL CHECK (source IN ('config', 'staff')),
    updated_at TEXT    NOT NULL,
    UNIQUE (artisan_id, date),
    CHECK (hours IS NOT NULL OR source = 'staff')
);
`

// migrateV11CatalogEdits lets admins edit the catalogue and invite staff in
// the app (issue 12, version 11): each room, service and artisan, and the
// booking rules, say whose they are (source 'config': the file's, applied
// at every start; 'staff': edited in the app, which the file never
// overwrites) and when the app last changed them; artisans keep their own
// video-call link; staff_invites holds the hashes of the one-time links
// that let an invited account set its password.
func migrateV11CatalogEdits(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE atelier ADD COLUMN rules_source TEXT NOT NULL DEFAULT 'config' CHECK (rules_source IN ('config', 'staff'));
ALTER TABLE atelier ADD COLUMN rules_updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN source TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'));
ALTER TABLE rooms ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN source TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'));
ALTER TABLE services ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE artisans ADD COLUMN meeting_url TEXT NOT NULL DEFAULT '';
ALTER TABLE artisans ADD COLUMN source TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'));
`+staffInviteSchema)
	return err
}

// staffInviteSchema is the part of schema.sql that version 11 added as a
// table; the two must stay the same (TestMigrations compares them).
const staffInviteSchema = `
CREATE TABLE staff_invites (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX staff_invites_user ON staff_invites (user_id);
`

// migrateV12Intake adds the intake form (issue 13, version 12): each
// service's questions, each booking's answers, and the photos customers
// add to a booking.
func migrateV12Intake(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE services ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bookings ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';
`+photoSchema)
	return err
}

// photoSchema is the table of photos that version 12 added, as in
// schema.sql (TestMigrations compares them).
const photoSchema = `
CREATE TABLE booking_photos (
    id           TEXT    PRIMARY KEY,
    booking_id   TEXT    NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    content_type TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    data         BLOB    NOT NULL,
    thumb        BLOB    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX booking_photos_booking ON booking_photos (booking_id, created_at);
`

// migrateV13Customers adds the customers, their notes and the staff
// search (issue 12), and fills them from the bookings made so far: one
// customer per address, one search row per booking.
func migrateV13Customers(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, customerSchema); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO customers (id, email_key, created_at)
    SELECT 'cu_' || lower(hex(randomblob(10))), lower(customer_email), min(created_at) FROM bookings GROUP BY lower(customer_email);
INSERT INTO booking_search (booking_id, text)
    SELECT id, lower(id) || ' ' || lower(customer_name) || ' ' || lower(customer_email) || ' ' ||
        replace(replace(replace(replace(replace(replace(customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', '')
    FROM bookings;`)
	return err
}

// customerSchema is the part of schema.sql that version 16 added; the two
// must stay the same (TestMigrations compares them).
const customerSchema = `
-- Customers (version 13): one per e-mail address (email_key: the address
-- in lower case, A-Z only, as NOCASE compares), with a random id that
-- names their page without showing the address. The notes staff keep
-- about a customer across their bookings.
CREATE TABLE customers (
    id         TEXT PRIMARY KEY,
    email_key  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE customer_notes (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    notes       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- The staff search: each booking's reference, customer name, e-mail
-- address and phone digits in lower case, in a trigram index, so any part
-- of three characters or more is found without reading every booking.
CREATE VIRTUAL TABLE booking_search USING fts5 (booking_id UNINDEXED, text, tokenize = 'trigram');

-- Every booking inserted gets its customer and its search row in the same
-- transaction. Bookings are never deleted and their customer details never
-- change, so no other trigger is needed.
CREATE TRIGGER bookings_customer_search AFTER INSERT ON bookings
BEGIN
    INSERT INTO customers (id, email_key, created_at)
        VALUES ('cu_' || lower(hex(randomblob(10))), lower(NEW.customer_email), NEW.created_at)
        ON CONFLICT (email_key) DO NOTHING;
    INSERT INTO booking_search (booking_id, text) VALUES (NEW.id,
        lower(NEW.id) || ' ' || lower(NEW.customer_name) || ' ' || lower(NEW.customer_email) || ' ' ||
        replace(replace(replace(replace(replace(replace(NEW.customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', ''));
END;
`

// migrateV14Policy adds the booking policy (issue 13): the atelier's
// change cutoff, reschedule limit and words, a service's own cutoff and
// limit (NULL: the atelier's), and the count of each booking's moves by
// its customer.
func migrateV14Policy(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE atelier ADD COLUMN change_cutoff_hours INTEGER NOT NULL DEFAULT 0 CHECK (change_cutoff_hours >= 0);
ALTER TABLE atelier ADD COLUMN max_reschedules INTEGER NOT NULL DEFAULT 0 CHECK (max_reschedules >= 0);
ALTER TABLE atelier ADD COLUMN policy_text TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN change_cutoff_hours INTEGER CHECK (change_cutoff_hours >= 0);
ALTER TABLE services ADD COLUMN max_reschedules INTEGER CHECK (max_reschedules >= 0);
ALTER TABLE bookings ADD COLUMN reschedules INTEGER NOT NULL DEFAULT 0;
`)
	return err
}

// migrateV15CustomerLanguage keeps the language a booking was made in
// (issue 16), for its e-mails and invitations; older bookings get the
// default (the empty string).
func migrateV15CustomerLanguage(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE bookings ADD COLUMN customer_language TEXT NOT NULL DEFAULT ''`)
	return err
}

// migrateV16Discreet adds the surprise flag of a booking: its customer's
// e-mail subjects and invitations name no service; older bookings are not
// discreet.
func migrateV16Discreet(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE bookings ADD COLUMN discreet INTEGER NOT NULL DEFAULT 0 CHECK (discreet IN (0, 1))`)
	return err
}

// migrateV17Requests lets a booking be a request that staff confirm or
// decline (issue 13): the statuses pending and declined. A pending booking
// holds its time as a confirmed one does, in the overlap triggers and in
// the partial indexes the schedules read; a declined one holds nothing.
//
// SQLite cannot change a CHECK constraint in place, so the table is
// rebuilt by its documented procedure for schema changes
// (https://sqlite.org/lang_altertable.html#otheralter): migrateStep runs
// the step with foreign keys off and checks them before it commits. The
// rows are copied aside (with their rowids) into a temporary table, the
// table is dropped and created again exactly as schema.sql has it (a
// renamed table would keep a quoted name in its definition), the rows come
// back, and then the table's indexes and triggers are created: the ones
// this version changes in their new form, every other one (the listings'
// indexes, the customers and search trigger) as it was. The triggers come
// after the rows, so that the search trigger does not index every booking
// a second time.
func migrateV17Requests(ctx context.Context, tx *sql.Tx) error {
	changed := []any{"bookings_artisan_block", "bookings_room_block", "bookings_block",
		"bookings_artisan_overlap_insert", "bookings_artisan_overlap_update",
		"bookings_room_overlap_insert", "bookings_room_overlap_update"}
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema
		WHERE tbl_name = 'bookings' AND type IN ('index', 'trigger') AND sql IS NOT NULL
		  AND name NOT IN (?, ?, ?, ?, ?, ?, ?)
		ORDER BY type, name`, changed...)
	if err != nil {
		return fmt.Errorf("read the bookings' indexes and triggers: %w", err)
	}
	var kept []string
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			rows.Close()
			return err
		}
		kept = append(kept, def)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	const columns = `id, status, service_id, mode, artisan_id, room_id, start_at, end_at, block_start, block_end,
    customer_name, customer_email, customer_phone, customer_timezone, notes, location, meeting_url, sequence,
    created_at, updated_at, uid, service_name, artisan_name, answers, reschedules, customer_language, discreet`
	if _, err := tx.ExecContext(ctx, `
CREATE TEMP TABLE bookings_v16 AS SELECT rowid AS old_rowid, `+columns+` FROM main.bookings;
DROP TABLE main.bookings;
`+bookingsTableV17+`
INSERT INTO main.bookings (rowid, `+columns+`) SELECT old_rowid, `+columns+` FROM temp.bookings_v16;
DROP TABLE temp.bookings_v16;
`+bookingsHoldV17); err != nil {
		return err
	}
	for _, def := range kept {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("create again %q: %w", def, err)
		}
	}
	return nil
}

// bookingsTableV17 is the bookings table of version 17 as schema.sql
// creates it (without its comments; TestMigrations compares them).
const bookingsTableV17 = `
CREATE TABLE bookings (
    id                TEXT    PRIMARY KEY,
    status            TEXT    NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled', 'declined')),
    service_id        TEXT    NOT NULL REFERENCES services (id),
    mode              TEXT    NOT NULL CHECK (mode IN ('in_person', 'virtual')),
    artisan_id        TEXT    NOT NULL REFERENCES artisans (id),
    room_id           TEXT             REFERENCES rooms (id),
    start_at          TEXT    NOT NULL,
    end_at            TEXT    NOT NULL,
    block_start       TEXT    NOT NULL,
    block_end         TEXT    NOT NULL,
    customer_name     TEXT    NOT NULL,
    customer_email    TEXT    NOT NULL,
    customer_phone    TEXT    NOT NULL DEFAULT '',
    customer_timezone TEXT    NOT NULL DEFAULT '',
    notes             TEXT    NOT NULL DEFAULT '',
    location          TEXT    NOT NULL DEFAULT '',
    meeting_url       TEXT    NOT NULL DEFAULT '',
    sequence          INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    uid               TEXT,
    service_name      TEXT    NOT NULL DEFAULT '',
    artisan_name      TEXT    NOT NULL DEFAULT '',
    answers           TEXT    NOT NULL DEFAULT '{}',
    reschedules       INTEGER NOT NULL DEFAULT 0,
    customer_language TEXT    NOT NULL DEFAULT '',
    discreet          INTEGER NOT NULL DEFAULT 0 CHECK (discreet IN (0, 1)),
    CHECK (start_at < end_at),
    CHECK (block_start <= start_at AND end_at <= block_end),
    CHECK (julianday(block_end) - julianday(block_start) <= 1.0),
    CHECK ((mode = 'in_person') = (room_id IS NOT NULL))
);
`

// bookingsHoldV17 is the partial indexes and overlap triggers of version
// 17, as in schema.sql: confirmed and pending bookings hold their time.
const bookingsHoldV17 = `
CREATE INDEX bookings_artisan_block ON bookings (artisan_id, block_start) WHERE status IN ('confirmed', 'pending');
CREATE INDEX bookings_room_block ON bookings (room_id, block_start) WHERE status IN ('confirmed', 'pending') AND room_id IS NOT NULL;
CREATE INDEX bookings_block ON bookings (block_start, block_end, status, artisan_id, room_id, mode,
    service_id, start_at, end_at, id) WHERE status IN ('confirmed', 'pending');

CREATE TRIGGER bookings_artisan_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('confirmed', 'pending')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the artisan')
    WHERE (SELECT b.block_end FROM bookings AS b
            WHERE b.status IN ('confirmed', 'pending') AND b.artisan_id = NEW.artisan_id
              AND b.block_start < NEW.block_end
            ORDER BY b.block_start DESC LIMIT 1) > NEW.block_start;
END;

CREATE TRIGGER bookings_artisan_overlap_update
BEFORE UPDATE OF status, artisan_id, block_start, block_end ON bookings
WHEN NEW.status IN ('confirmed', 'pending')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the artisan')
    WHERE (SELECT b.block_end FROM bookings AS b
            WHERE b.status IN ('confirmed', 'pending') AND b.artisan_id = NEW.artisan_id
              AND b.block_start < NEW.block_end AND b.id <> NEW.id
            ORDER BY b.block_start DESC LIMIT 1) > NEW.block_start;
END;

CREATE TRIGGER bookings_room_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('confirmed', 'pending') AND NEW.room_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the room')
    WHERE (SELECT b.block_end FROM bookings AS b
            WHERE b.status IN ('confirmed', 'pending') AND b.room_id IS NOT NULL AND b.room_id = NEW.room_id
              AND b.block_start < NEW.block_end
            ORDER BY b.block_start DESC LIMIT 1) > NEW.block_start;
END;

CREATE TRIGGER bookings_room_overlap_update
BEFORE UPDATE OF status, room_id, block_start, block_end ON bookings
WHEN NEW.status IN ('confirmed', 'pending') AND NEW.room_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the room')
    WHERE (SELECT b.block_end FROM bookings AS b
            WHERE b.status IN ('confirmed', 'pending') AND b.room_id IS NOT NULL AND b.room_id = NEW.room_id
              AND b.block_start < NEW.block_end AND b.id <> NEW.id
            ORDER BY b.block_start DESC LIMIT 1) > NEW.block_start;
END;
`

// migrateV18PrivateServices adds services[].public (issue 13): a service
// customers are not shown, booked through an invitation or by staff; every
// service so far is public.
func migrateV18PrivateServices(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE services ADD COLUMN public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1))`)
	return err
}

// migrateV19Commissions adds the commissions (issue 13): pieces made over
// several appointments, and the commission each booking belongs to (none
// for the bookings made so far).
func migrateV19Commissions(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE commissions (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL CHECK (title <> ''),
    stage             TEXT NOT NULL CHECK (stage <> ''),
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    customer_name     TEXT NOT NULL,
    customer_email    TEXT NOT NULL,
    customer_phone    TEXT NOT NULL DEFAULT '',
    customer_timezone TEXT NOT NULL DEFAULT '',
    customer_language TEXT NOT NULL DEFAULT '',
    artisan_id        TEXT NOT NULL REFERENCES artisans (id),
    notes             TEXT NOT NULL DEFAULT '',
    needed_by         TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX commissions_customer ON commissions (customer_id);
ALTER TABLE bookings ADD COLUMN commission_id TEXT REFERENCES commissions (id);
CREATE INDEX bookings_commission ON bookings (commission_id) WHERE commission_id IS NOT NULL;
`)
	return err
}

// migrateV20Teams adds services that need several artisans together
// (issue 13): each service's number (1 for those there are), each
// booking's other artisans, and the table and triggers that keep every
// artisan's blocks from overlapping (teamSchema, as in schema.sql).
func migrateV20Teams(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE services ADD COLUMN artisans_needed INTEGER NOT NULL DEFAULT 1 CHECK (artisans_needed >= 1);
ALTER TABLE bookings ADD COLUMN extra_artisans TEXT NOT NULL DEFAULT '';
`+teamSchema)
	return err
}

// teamSchema is the part of schema.sql that version 20 added; the two
// must stay the same (TestMigrations).
const teamSchema = `
-- The other artisans of a booking whose service needs several together
-- (version 20). bookings.artisan_id is the first; booking_artisans holds
-- one row for each of the others, with the booking's block and whether it
-- holds time (held follows the booking's status and block through the
-- trigger bookings_artisans_follow), so that the triggers below refuse,
-- even if the code is bypassed, any overlap of an artisan's blocks: as
-- the booking's artisan or as one of the others, against either.
-- bookings.extra_artisans repeats the list (comma-separated, in order) for
-- the reads of whole bookings.
CREATE TABLE booking_artisans (
    booking_id  TEXT    NOT NULL REFERENCES bookings (id),
    artisan_id  TEXT    NOT NULL REFERENCES artisans (id),
    position    INTEGER NOT NULL CHECK (position >= 1),
    block_start TEXT    NOT NULL,
    block_end   TEXT    NOT NULL,
    held        INTEGER NOT NULL DEFAULT 1 CHECK (held IN (0, 1)),
    PRIMARY KEY (booking_id, artisan_id)
) WITHOUT ROWID;

-- Overlap checks of one artisan, and the others of a window's bookings.
CREATE INDEX booking_artisans_artisan_block ON booking_artisans (artisan_id, block_start) WHERE held = 1;
CREATE INDEX booking_artisans_block ON booking_artisans (block_start, block_end, booking_id, artisan_id) WHERE held = 1;

-- As for bookings: the held blocks of one artisan in booking_artisans are
-- disjoint, and so are its confirmed bookings, so one probe of each finds
-- an overlap.
CREATE TRIGGER booking_artisans_overlap_insert
BEFORE INSERT ON booking_artisans
WHEN NEW.held = 1
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the artisan')
    WHERE (SELECT b.block_end FROM bookings AS b
            WHERE b.status IN ('confirmed', 'pending') AND b.artisan_id = NEW.artisan_id
              AND b.block_start < NEW.block_end AND b.id <> NEW.booking_id
            ORDER BY b.block_start DESC LIMIT 1) > NEW.block_start
       OR (SELECT x.block_end FROM booking_artisans AS x
            WHERE x.held = 1 AND x.artisan_id = NEW.artisan_id
              AND x.block_start < NEW.block_end AND x.booking_id <> NEW.booking_id
            ORDER BY x.block_start DESC LIMIT 1) > NEW.block_start;
END;

CREATE TRIGGER booking_artisans_overlap_update
BEFORE UPDATE OF held, artisan_id, block_start, block_end ON booking_artisans
WHEN NEW.held = 1
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the artisan')
    WHERE (SELECT b.block_end FROM bookings AS b
            WHERE b.status IN ('confirmed', 'pending') AND b.artisan_id = NEW.artisan_id
              AND b.block_start < NEW.block_end AND b.id <> NEW.booking_id
            ORDER BY b.block_start DESC LIMIT 1) > NEW.block_start
       OR (SELECT x.block_end FROM booking_artisans AS x
            WHERE x.held = 1 AND x.artisan_id = NEW.artisan_id
              AND x.block_start < NEW.block_end AND x.booking_id <> NEW.booking_id
            ORDER BY x.block_start DESC LIMIT 1) > NEW.block_start;
END;

CREATE TRIGGER bookings_team_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('confirmed', 'pending')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the artisan')
    WHERE (SELECT x.block_end FROM booking_artisans AS x
            WHERE x.held = 1 AND x.artisan_id = NEW.artisan_id
              AND x.block_start < NEW.block_end
            ORDER BY x.block_start DESC LIMIT 1) > NEW.block_start;
END;

CREATE TRIGGER bookings_team_overlap_update
BEFORE UPDATE OF status, artisan_id, block_start, block_end ON bookings
WHEN NEW.status IN ('confirmed', 'pending')
BEGIN
    SELECT RAISE(ABORT, 'booking overlaps another booking of the artisan')
    WHERE (SELECT x.block_end FROM booking_artisans AS x
            WHERE x.held = 1 AND x.artisan_id = NEW.artisan_id
              AND x.block_start < NEW.block_end AND x.booking_id <> NEW.id
            ORDER BY x.block_start DESC LIMIT 1) > NEW.block_start;
END;

-- The others of a booking hold its time while it does: cancelled (or
-- declined) frees them, a move moves them (and is checked above).
CREATE TRIGGER bookings_artisans_follow
AFTER UPDATE OF status, block_start, block_end ON bookings
BEGIN
    UPDATE booking_artisans
       SET held = (NEW.status IN ('confirmed', 'pending')), block_start = NEW.block_start, block_end = NEW.block_end
     WHERE booking_id = NEW.id;
END;
`

// migrateV21Privacy adds what erasing personal data needs (issue 13): the
// moment a booking's data was erased, the customers' privacy links, the
// search row following a booking's changed details, and the one pending
// job of the daily retention erasure.
func migrateV21Privacy(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `ALTER TABLE bookings ADD COLUMN erased_at TEXT`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, privacySchema)
	return err
}

// privacySchema is the part of schema.sql that version 21 added besides
// bookings.erased_at; the two must stay the same (TestMigrations).
const privacySchema = `
-- The links mailed to a customer who asks for a copy of their data or for
-- its erasure: only the SHA-256 of the link's token is kept; a link works
-- a few times (uses) until it expires, and goes with its customer.
CREATE TABLE privacy_links (
    token_hash  BLOB    PRIMARY KEY,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('export', 'erase')),
    customer_id TEXT    NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    booking_id  TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    uses        INTEGER NOT NULL CHECK (uses >= 0)
) WITHOUT ROWID;

CREATE INDEX privacy_links_customer ON privacy_links (customer_id);

-- A booking's customer details change when its personal data is erased:
-- its search row follows (found through the index by the reference it
-- starts with), and a new address gets its customer.
CREATE TRIGGER bookings_customer_search_update AFTER UPDATE OF customer_name, customer_email, customer_phone ON bookings
BEGIN
    INSERT INTO customers (id, email_key, created_at)
        SELECT 'cu_' || lower(hex(randomblob(10))), lower(NEW.customer_email), NEW.updated_at
        WHERE NEW.customer_email <> ''
        ON CONFLICT (email_key) DO NOTHING;
    DELETE FROM booking_search WHERE booking_search MATCH '"' || lower(OLD.id) || '"' AND booking_id = OLD.id;
    INSERT INTO booking_search (booking_id, text) VALUES (NEW.id,
        lower(NEW.id) || ' ' || lower(NEW.customer_name) || ' ' || lower(NEW.customer_email) || ' ' ||
        replace(replace(replace(replace(replace(replace(NEW.customer_phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', ''));
END;

-- At most one pending job of each kind of the periodic queue (the daily
-- retention erasure): every server offers it at start, one row is kept.
CREATE UNIQUE INDEX jobs_periodic ON jobs (queue, kind) WHERE state = 'pending' AND queue = 'privacy';
`

// migrateV22Invitations adds the invitations to book a commission's next
// step (issue 13).
func migrateV22Invitations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, invitationSchema)
	return err
}

// invitationSchema is the part of schema.sql that version 22 added; the
// two must stay the same.
const invitationSchema = `CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    commission_id TEXT NOT NULL REFERENCES commissions (id),
    service_id    TEXT NOT NULL REFERENCES services (id),
    mode          TEXT NOT NULL DEFAULT '' CHECK (mode IN ('', 'in_person', 'virtual')),
    artisan_id    TEXT REFERENCES artisans (id),
    note          TEXT NOT NULL DEFAULT '',
    token_hash    BLOB NOT NULL UNIQUE,
    expires_at    TEXT NOT NULL,
    used_by       TEXT UNIQUE REFERENCES bookings (id),
    used_at       TEXT,
    revoked_at    TEXT,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

CREATE INDEX invitations_commission ON invitations (commission_id, created_at);
`

// migrateV23RequestTerms adds what requests that staff approve need beside
// their statuses (issue 13): a service's requires_confirmation, the
// atelier's pending_hours, and each request's decide_by and
// decline_reason.
func migrateV23RequestTerms(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
ALTER TABLE atelier ADD COLUMN pending_hours INTEGER NOT NULL DEFAULT 48 CHECK (pending_hours > 0);
ALTER TABLE services ADD COLUMN requires_confirmation INTEGER NOT NULL DEFAULT 0 CHECK (requires_confirmation IN (0, 1));
ALTER TABLE bookings ADD COLUMN decide_by TEXT;
ALTER TABLE bookings ADD COLUMN decline_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX bookings_pending ON bookings (decide_by) WHERE status = 'pending';
`)
	return err
}

// migrateV24BookingsStart changes two indexes of bookings for the booking
// transaction (issue 18). Every index of bookings is pages written at each
// booking's COMMIT: bookings_artisan_start, which served only the staff
// listing of one artisan, is merged into bookings_start (start_at, id,
// artisan_id), which serves it filtered in the index, in its order. And
// bookings_artisan_block holds every column a schedule reads, so that the
// transaction's read of its artisan's schedule and the overlap trigger's
// probe read no table page. The search index merges its segments 16 at
// a time (schema.sql).
func migrateV24BookingsStart(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
DROP INDEX bookings_artisan_start;
DROP INDEX bookings_start;
CREATE INDEX bookings_start ON bookings (start_at, id, artisan_id);
DROP INDEX bookings_artisan_block;
CREATE INDEX bookings_artisan_block ON bookings (artisan_id, block_start, block_end, status, room_id, mode,
    service_id, start_at, end_at, id) WHERE status IN ('confirmed', 'pending');
INSERT INTO booking_search (booking_search, rank) VALUES ('automerge', 16);
`)
	return err
}

// migrateV25JobPayloads moves the payloads of the pending jobs into a
// table of their own (job.go), so that a job's claim and outcome no longer
// rewrite them. The payloads move as they are: the mail worker reads the
// earlier form of its payloads too (mail.decodePayload).
func migrateV25JobPayloads(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE job_payloads (
    job_id INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    body   BLOB    NOT NULL
);
INSERT INTO job_payloads (job_id, body) SELECT id, coalesce(payload, x'') FROM jobs WHERE state = 'pending';
UPDATE jobs SET payload = NULL WHERE payload IS NOT NULL;
CREATE TRIGGER jobs_payload_drop AFTER UPDATE OF state ON jobs
WHEN NEW.state <> 'pending'
BEGIN
    DELETE FROM job_payloads WHERE job_id = NEW.id;
END;
`)
	return err
}

// migrateV26ArtisanBlock takes bookings_artisan_block back to (artisan_id,
// block_start) (issue 18). Covering the schedule's columns (version 24)
// made its entries four times as wide: 0.25-0.34 → 0.53-0.54 of its pages
// written a booking, which cost the real server's commits more than the
// table pages it spared the transaction's schedule read (a few bookings of
// one artisan around a block).
func migrateV26ArtisanBlock(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
DROP INDEX bookings_artisan_block;
CREATE INDEX bookings_artisan_block ON bookings (artisan_id, block_start) WHERE status IN ('confirmed', 'pending');
`)
	return err
}

// migrateV27MailFacts changes no table: it marks the version from which a
// mail job of a booking change holds the facts its message is rendered
// from when sent, not the message (mail.facts). An older binary would fail
// such a job as one without a message, so it is refused this database, as
// any binary is one of a newer schema ("upgrade the program or restore a
// backup").
func migrateV27MailFacts(context.Context, *sql.Tx) error { return nil }
