package postgres

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaSQL is the whole current schema for a new database.
//
//go:embed schema.sql
var schemaSQL string

// A migration upgrades a database by one schema version, inside the
// transaction it is given (DDL is transactional in PostgreSQL: a failed
// migration leaves nothing behind).
type migration struct {
	name string
	up   func(ctx context.Context, tx pgx.Tx) error
}

// migrations is the append-only list of schema changes after version 1:
// migrations[0] upgrades version 1 to 2, and so on. Never edit or remove
// an entry; append one and change schema.sql so that a new database and an
// upgraded one end up identical.
//
// A new database is created from schema.sql and recorded at the latest
// version directly.
var migrations = []migration{
	{"date_hours", migrateV2DateHours},
	{"catalogue edits and staff invites", migrateV3CatalogEdits},
	{"rate_limits", migrateRateLimits},                      // 4: the shared rate limits (limits.go)
	{"jobs_notify", migrateJobsNotify},                      // 5: new jobs announced to every server (notify.go)
	{"intake: questions, answers, photos", migrateV6Intake}, // 6: issue 13
	{"customers and search", migrateCustomers},              // 7: customer.go
	{"booking policy", migratePolicy},                       // 8: the booking policy (issue 13)
	{"customer language", migrateCustomerLanguage},          // 9: issue 16
	{"audit_xact", migrateAuditXact},                        // 10: the writer of each audit row (metrics.go)
	{"catalog_notify", migrateCatalogNotify},                // 11: catalogue changes announced to every server (notify.go)
	{"discreet bookings", migrateDiscreet},                  // 12: a surprise (bookings.discreet)
	{"pending and declined bookings", migrateRequests},      // 13: requests staff approve (issue 13)
	{"private services", migratePrivateServices},            // 14: issue 13, services.public
	{"commissions", migrateCommissions},                     // 15: issue 13 (commission.go)
	{"teams", migrateTeams},                                 // 16: services that need several artisans (booking_artisans)
	{"personal data", migratePrivacy},                       // 17: erasure and privacy links (privacy.go)
	{"invitations", migrateInvitations},                     // 18: issue 13, a commission's next step
	{"request terms", migrateRequestTerms},                  // 19: requires_confirmation, pending_hours, decide_by, decline_reason
	{"bookings_start", migrateBookingsStart},                // 20: bookings_artisan_start merged into it (issue 18)
	{"job payloads", migrateJobPayloads},                    // 21: payloads apart from the rows claims update (job.go)
	{"mail facts", migrateMailFacts},                        // 22: mail jobs hold the facts of their messages (mail.facts)
}

// migrateAuditXact records with each audit row the transaction that wrote
// it, for BookingEvents. The rows already there get the migration's own
// transaction: they are counted by a count from the start (0), which is
// what a server does first.
func migrateAuditXact(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `ALTER TABLE audit_log ADD COLUMN xact xid8 NOT NULL DEFAULT pg_current_xact_id();
		CREATE INDEX audit_log_xact ON audit_log (xact);`)
	return err
}

// migrateV2DateHours adds the hours set for one date (issue 12).
func migrateV2DateHours(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, dateHoursSchema)
	return err
}

// dateHoursSchema is the part of schema.sql that version 2 added; the two
// must stay the same.
const dateHoursSchema = `
CREATE TABLE date_hours (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artisan_id text        NOT NULL DEFAULT '',
    date       date        NOT NULL,
    hours      json,
    source     text        NOT NULL CHECK (source IN ('config', 'staff')),
    updated_at timestamptz NOT NULL,
    UNIQUE (artisan_id, date),
    CHECK (hours IS NOT NULL OR source = 'staff')
);
`

// migrateV3CatalogEdits lets admins edit the catalogue and invite staff in
// the app (issue 12, version 3), as SQLite's version 11: each room, service and
// artisan, and the booking rules, say whose they are ('config' or 'staff')
// and when the app last changed them; artisans keep their own video-call
// link; staff_invites holds the hashes of the one-time links that let an
// invited account set its password.
func migrateV3CatalogEdits(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE atelier ADD COLUMN rules_source text NOT NULL DEFAULT 'config' CHECK (rules_source IN ('config', 'staff'));
ALTER TABLE atelier ADD COLUMN rules_updated_at timestamptz;
ALTER TABLE rooms ADD COLUMN source text NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'));
ALTER TABLE rooms ADD COLUMN updated_at timestamptz;
ALTER TABLE services ADD COLUMN source text NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'));
ALTER TABLE services ADD COLUMN updated_at timestamptz;
ALTER TABLE artisans ADD COLUMN meeting_url text NOT NULL DEFAULT '';
ALTER TABLE artisans ADD COLUMN source text NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'));
CREATE TABLE staff_invites (
    token_hash bytea       PRIMARY KEY,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX staff_invites_user ON staff_invites (user_id);
`)
	return err
}

// latestVersion is the schema version of schema.sql.
func latestVersion(ms []migration) int { return 1 + len(ms) }

// migrateLock is the key of the advisory lock that makes the servers
// starting on one database at once create or migrate it one at a time:
// the others wait, then find the work done. ("atelier" in ASCII.)
const migrateLock int64 = 0x61_74_65_6c_69_65_72

// migrate creates or upgrades the schema of the database, in one
// transaction, holding migrateLock. Each migration applied is a row of
// schema_migrations; a database whose latest row is newer than ms knows
// is refused, and so is a database with tables but no schema_migrations
// (not an atelier database).
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) error {
	latest := latestVersion(ms)
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	version, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	switch {
	case version > latest:
		return fmt.Errorf("the database has schema version %d but this program knows only up to %d: "+
			"it was written by a newer version of atelier; upgrade the program or restore a backup", version, latest)
	case version == latest:
		return nil
	case version == 0:
		if _, err := tx.Exec(ctx, schemaSQL); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if err := recordVersion(ctx, tx, latest, "schema.sql"); err != nil {
			return err
		}
	default:
		for v := version; v < latest; v++ {
			m := ms[v-1]
			if err := m.up(ctx, tx); err != nil {
				return fmt.Errorf("migrate to version %d (%s): %w", v+1, m.name, err)
			}
			if err := recordVersion(ctx, tx, v+1, m.name); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// schemaVersion returns the latest version in schema_migrations, creating
// the table in a database that has none; 0 means a new database. A
// database with tables of its own and no schema_migrations is refused.
func schemaVersion(ctx context.Context, tx pgx.Tx) (int, error) {
	var hasTable bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&hasTable); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !hasTable {
		var others int
		err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')`).Scan(&others)
		if err != nil {
			return 0, fmt.Errorf("read schema version: %w", err)
		}
		if others > 0 {
			return 0, fmt.Errorf("the database holds tables but no atelier schema version: is it an atelier database?")
		}
		_, err = tx.Exec(ctx, `CREATE TABLE schema_migrations (
			version    integer     PRIMARY KEY CHECK (version > 0),
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`)
		if err != nil {
			return 0, fmt.Errorf("create schema_migrations: %w", err)
		}
		return 0, nil
	}
	var version int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

func recordVersion(ctx context.Context, tx pgx.Tx, version int, name string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, version, name); err != nil {
		return fmt.Errorf("record schema version %d: %w", version, err)
	}
	return nil
}

// migrateV6Intake adds the intake form (issue 13, version 6): each
// service's questions, each booking's answers, and the photos customers
// add to a booking.
func migrateV6Intake(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE services ADD COLUMN questions text NOT NULL DEFAULT '[]';
ALTER TABLE bookings ADD COLUMN answers text NOT NULL DEFAULT '{}';
CREATE TABLE booking_photos (
    id           text        PRIMARY KEY,
    booking_id   text        NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    content_type text        NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        integer     NOT NULL CHECK (width > 0),
    height       integer     NOT NULL CHECK (height > 0),
    data         bytea       NOT NULL,
    thumb        bytea       NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX booking_photos_booking ON booking_photos (booking_id, created_at);
`)
	return err
}

// migrateCustomers adds the customers, their notes and the staff search
// (issue 12, version 7) and gives every address booked so far its
// customer id.
func migrateCustomers(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, customerSchema); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO customers (id, email_key, created_at)
		SELECT 'cu_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 20), lower(customer_email), min(created_at)
		FROM bookings GROUP BY lower(customer_email)`)
	return err
}

// customerSchema is the part of schema.sql that version 7 added; the two
// must stay the same.
const customerSchema = `
-- Customers (version 7): one per e-mail address (email_key: the address in
-- lower case), with a random id that names their page without showing the
-- address, given by the trigger below in the transaction that makes a
-- booking; the notes staff keep about a customer across their bookings;
-- and the staff search, a trigram index (pg_trgm, trusted like btree_gist)
-- over each booking's reference, customer name, address and phone digits
-- in lower case. Bookings are never deleted and their customer details
-- never change, so no other trigger is needed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE customers (
    id         text        PRIMARY KEY,
    email_key  text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

CREATE TABLE customer_notes (
    customer_id text        PRIMARY KEY REFERENCES customers (id),
    notes       text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL DEFAULT ''
);

CREATE INDEX bookings_search ON bookings USING gin
    ((lower(id || ' ' || customer_name || ' ' || customer_email || ' ' || regexp_replace(customer_phone, '[-+ ().]', '', 'g'))) gin_trgm_ops);

CREATE FUNCTION bookings_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customers (id, email_key, created_at)
        VALUES ('cu_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 20), lower(NEW.customer_email), NEW.created_at)
        ON CONFLICT (email_key) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER bookings_customer AFTER INSERT ON bookings FOR EACH ROW EXECUTE FUNCTION bookings_customer();
`

// migratePolicy adds the booking policy (issue 13): the atelier's change
// cutoff, reschedule limit and words, a service's own cutoff and limit
// (NULL: the atelier's), and the count of each booking's moves by its
// customer.
func migratePolicy(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE atelier ADD COLUMN change_cutoff_hours integer NOT NULL DEFAULT 0 CHECK (change_cutoff_hours >= 0);
ALTER TABLE atelier ADD COLUMN max_reschedules integer NOT NULL DEFAULT 0 CHECK (max_reschedules >= 0);
ALTER TABLE atelier ADD COLUMN policy_text text NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN change_cutoff_hours integer CHECK (change_cutoff_hours >= 0);
ALTER TABLE services ADD COLUMN max_reschedules integer CHECK (max_reschedules >= 0);
ALTER TABLE bookings ADD COLUMN reschedules integer NOT NULL DEFAULT 0;
`)
	return err
}

// migrateCustomerLanguage keeps the language a booking was made in
// (issue 16), for its e-mails and invitations; older bookings get the
// default (the empty string).
func migrateCustomerLanguage(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `ALTER TABLE bookings ADD COLUMN customer_language text NOT NULL DEFAULT ''`)
	return err
}

// migrateDiscreet adds the surprise flag of a booking (bookings.discreet):
// its customer's e-mail subjects and invitations name no service.
func migrateDiscreet(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `ALTER TABLE bookings ADD COLUMN discreet boolean NOT NULL DEFAULT false`)
	return err
}

// migrateRequests adds the statuses of requests that staff approve
// (issue 13): pending holds its time as confirmed does, in the exclusion
// constraints and the schedules' partial indexes; declined holds nothing.
// The constraints are dropped and made again in the same transaction, so
// no other writer ever sees the table without them.
func migrateRequests(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check CHECK (status IN ('confirmed', 'pending', 'cancelled', 'declined'));
ALTER TABLE bookings DROP CONSTRAINT bookings_artisan_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_artisan_no_overlap EXCLUDE USING gist
    (artisan_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&)
    WHERE (status IN ('confirmed', 'pending'));
ALTER TABLE bookings DROP CONSTRAINT bookings_room_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_room_no_overlap EXCLUDE USING gist
    (room_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&)
    WHERE (status IN ('confirmed', 'pending') AND room_id IS NOT NULL);
DROP INDEX bookings_block;
CREATE INDEX bookings_block ON bookings (block_start) INCLUDE (block_end, artisan_id, room_id)
    WHERE status IN ('confirmed', 'pending');
DROP INDEX bookings_artisan_block;
CREATE INDEX bookings_artisan_block ON bookings (artisan_id, block_start) WHERE status IN ('confirmed', 'pending');
`)
	return err
}

// migratePrivateServices adds services.public (issue 13): a service
// customers are not shown, booked through an invitation or by staff; every
// service so far is public.
func migratePrivateServices(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `ALTER TABLE services ADD COLUMN public boolean NOT NULL DEFAULT true`)
	return err
}

// migrateCommissions adds the commissions (issue 13) and the commission
// each booking belongs to (none for the bookings made so far).
func migrateCommissions(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
CREATE TABLE commissions (
    id                text        PRIMARY KEY,
    title             text        NOT NULL CHECK (title <> ''),
    stage             text        NOT NULL CHECK (stage <> ''),
    customer_id       text        NOT NULL REFERENCES customers (id),
    customer_name     text        NOT NULL,
    customer_email    text        NOT NULL,
    customer_phone    text        NOT NULL DEFAULT '',
    customer_timezone text        NOT NULL DEFAULT '',
    customer_language text        NOT NULL DEFAULT '',
    artisan_id        text        NOT NULL REFERENCES artisans (id),
    notes             text        NOT NULL DEFAULT '',
    needed_by         date,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX commissions_customer ON commissions (customer_id);
ALTER TABLE bookings ADD COLUMN commission_id text REFERENCES commissions (id);
CREATE INDEX bookings_commission ON bookings (commission_id) WHERE commission_id IS NOT NULL;
`)
	return err
}

// migrateTeams adds services that need several artisans together (issue
// 13): each service's number (1 for those there are), each booking's other
// artisans, and the table, constraint and triggers that keep every
// artisan's blocks from overlapping (teamSchema, as in schema.sql).
func migrateTeams(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE services ADD COLUMN artisans_needed integer NOT NULL DEFAULT 1 CHECK (artisans_needed >= 1);
ALTER TABLE bookings ADD COLUMN extra_artisans text NOT NULL DEFAULT '';
`+teamSchema)
	return err
}

// teamSchema is the part of schema.sql that version 16 added; the two
// must stay the same.
const teamSchema = `
-- The other artisans of a booking whose service needs several together
-- (version 16). bookings.artisan_id is the first; booking_artisans holds
-- one row for each of the others with the booking's block and whether it
-- holds time (held follows the booking's status and block, by the trigger
-- bookings_artisans_follow). No artisan's blocks may overlap, whichever
-- role each booking gives them: among these rows by the exclusion
-- constraint; between these rows and bookings.artisan_id by the trigger
-- team_overlap, which takes the artisan's advisory lock (the store's lock
-- class 1, lock.go) before it looks, so that two transactions checking
-- one artisan queue and the second sees the first's commit. A refusal is
-- SQLSTATE 23P01, as the constraints on bookings give.
-- bookings.extra_artisans repeats the list for the reads of whole bookings.
CREATE TABLE booking_artisans (
    booking_id  text        NOT NULL REFERENCES bookings (id),
    artisan_id  text        NOT NULL REFERENCES artisans (id),
    position    integer     NOT NULL CHECK (position >= 1),
    block_start timestamptz NOT NULL,
    block_end   timestamptz NOT NULL,
    held        boolean     NOT NULL DEFAULT true,
    PRIMARY KEY (booking_id, artisan_id),
    CONSTRAINT booking_artisans_no_overlap EXCLUDE USING gist
        (artisan_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&)
        WHERE (held)
);
CREATE INDEX booking_artisans_block ON booking_artisans (block_start) WHERE held;

CREATE FUNCTION team_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'booking_artisans' THEN
        IF NOT NEW.held THEN
            RETURN NEW;
        END IF;
        PERFORM pg_advisory_xact_lock(1, hashtext(NEW.artisan_id));
        IF EXISTS (SELECT 1 FROM bookings AS b
                    WHERE b.artisan_id = NEW.artisan_id AND b.status IN ('confirmed', 'pending')
                      AND b.id <> NEW.booking_id
                      AND tstzrange(b.block_start, b.block_end, '[)') && tstzrange(NEW.block_start, NEW.block_end, '[)')) THEN
            RAISE EXCEPTION 'booking overlaps another booking of the artisan' USING ERRCODE = 'exclusion_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status NOT IN ('confirmed', 'pending') THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(1, hashtext(NEW.artisan_id));
    IF EXISTS (SELECT 1 FROM booking_artisans AS x
                WHERE x.held AND x.artisan_id = NEW.artisan_id AND x.booking_id <> NEW.id
                  AND tstzrange(x.block_start, x.block_end, '[)') && tstzrange(NEW.block_start, NEW.block_end, '[)')) THEN
        RAISE EXCEPTION 'booking overlaps another booking of the artisan' USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER booking_artisans_overlap BEFORE INSERT OR UPDATE ON booking_artisans
    FOR EACH ROW EXECUTE FUNCTION team_overlap();
CREATE TRIGGER bookings_team_overlap BEFORE INSERT OR UPDATE OF status, artisan_id, block_start, block_end ON bookings
    FOR EACH ROW EXECUTE FUNCTION team_overlap();

-- The others of a booking hold its time while it does: cancelled (or
-- declined) frees them, a move moves them (and is checked above).
CREATE FUNCTION bookings_artisans_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE booking_artisans
       SET held = NEW.status IN ('confirmed', 'pending'), block_start = NEW.block_start, block_end = NEW.block_end
     WHERE booking_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER bookings_artisans_follow AFTER UPDATE OF status, block_start, block_end ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_artisans_follow();
`

// migratePrivacy adds what erasing personal data needs (issue 13).
func migratePrivacy(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, privacySchema)
	return err
}

// privacySchema is the part of schema.sql that version 17 added; the two
// must stay the same.
const privacySchema = `
-- Personal data (version 17): the moment a booking's data was erased; the
-- links mailed to a customer who asks for a copy of their data or for its
-- erasure (only the SHA-256 of the token is kept; a link works a few
-- times until it expires, and goes with its customer); a booking given a
-- new address gets that address's customer (the search index above is on
-- the row itself and follows every change); at most one pending job of
-- each kind of the periodic queue (the daily retention erasure).
ALTER TABLE bookings ADD COLUMN erased_at timestamptz;

CREATE TABLE privacy_links (
    token_hash  bytea       PRIMARY KEY,
    purpose     text        NOT NULL CHECK (purpose IN ('export', 'erase')),
    customer_id text        NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    booking_id  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    uses        integer     NOT NULL CHECK (uses >= 0)
);

CREATE INDEX privacy_links_customer ON privacy_links (customer_id);

CREATE TRIGGER bookings_customer_update AFTER UPDATE OF customer_email ON bookings FOR EACH ROW
    WHEN (NEW.customer_email <> '' AND NEW.customer_email IS DISTINCT FROM OLD.customer_email)
    EXECUTE FUNCTION bookings_customer();

CREATE UNIQUE INDEX jobs_periodic ON jobs (queue, kind) WHERE state = 'pending' AND queue = 'privacy';
`

// migrateInvitations adds the invitations to book a commission's next
// step (issue 13).
func migrateInvitations(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, invitationSchema)
	return err
}

// invitationSchema is the part of schema.sql that version 18 added; the
// two must stay the same.
const invitationSchema = `CREATE TABLE invitations (
    id            text        PRIMARY KEY,
    commission_id text        NOT NULL REFERENCES commissions (id),
    service_id    text        NOT NULL REFERENCES services (id),
    mode          text        NOT NULL DEFAULT '' CHECK (mode IN ('', 'in_person', 'virtual')),
    artisan_id    text        REFERENCES artisans (id),
    note          text        NOT NULL DEFAULT '',
    token_hash    bytea       NOT NULL UNIQUE,
    expires_at    timestamptz NOT NULL,
    used_by       text        UNIQUE REFERENCES bookings (id),
    used_at       timestamptz,
    revoked_at    timestamptz,
    created_by    text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);

CREATE INDEX invitations_commission ON invitations (commission_id, created_at);
`

// migrateRequestTerms adds what requests that staff approve need beside
// their statuses (issue 13): a service's requires_confirmation, the
// atelier's pending_hours, and each request's decide_by and
// decline_reason.
func migrateRequestTerms(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
ALTER TABLE atelier ADD COLUMN pending_hours integer NOT NULL DEFAULT 48 CHECK (pending_hours > 0);
ALTER TABLE services ADD COLUMN requires_confirmation boolean NOT NULL DEFAULT false;
ALTER TABLE bookings ADD COLUMN decide_by timestamptz;
ALTER TABLE bookings ADD COLUMN decline_reason text NOT NULL DEFAULT '';
CREATE INDEX bookings_pending ON bookings (decide_by) WHERE status = 'pending';
`)
	return err
}

// migrateBookingsStart merges bookings_artisan_start into bookings_start,
// as the SQLite store's version 24 does (issue 18): one index fewer to
// write at each booking; the staff listing of one artisan filters
// bookings_start (start_at, id, artisan_id) in the index.
func migrateBookingsStart(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
DROP INDEX bookings_artisan_start;
DROP INDEX bookings_start;
CREATE INDEX bookings_start ON bookings (start_at, id, artisan_id);
`)
	return err
}

// migrateJobPayloads moves the payloads of the pending jobs into a table
// of their own (job.go), as SQLite's migration 25 does. They move as they
// are: the mail worker reads their earlier form too.
func migrateJobPayloads(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
CREATE TABLE job_payloads (
    job_id bigint PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    body   bytea  NOT NULL
);
INSERT INTO job_payloads (job_id, body) SELECT id, coalesce(payload, '\x'::bytea) FROM jobs WHERE state = 'pending';
UPDATE jobs SET payload = NULL WHERE payload IS NOT NULL;
CREATE FUNCTION atelier_job_payload_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_payloads WHERE job_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_payload_drop AFTER UPDATE OF state ON jobs
    FOR EACH ROW WHEN (NEW.state <> 'pending') EXECUTE FUNCTION atelier_job_payload_drop();
`)
	return err
}

// migrateMailFacts changes no table: it marks the version from which a
// mail job of a booking change holds the facts its message is rendered
// from when sent, as SQLite's migration 27 does, so that an older binary,
// which would fail such a job, is refused the database.
func migrateMailFacts(context.Context, pgx.Tx) error { return nil }
