-- The whole current PostgreSQL schema of a new atelier database (schema
-- version 22).
--
-- This file creates a new database; a database created by an older binary
-- is brought up to date by the numbered migrations in migrate.go, recorded
-- in schema_migrations. When you change this file, append the migration
-- that makes an old database look exactly like a new one.
--
-- It holds the same data as SQLite's schema.sql (the root of the module),
-- in PostgreSQL's own types:
--   * Instants are timestamptz; the store writes them truncated to the
--     millisecond, as SQLite's store does, so both stores return the same
--     values.
--   * Dates are date; wall-clock hours are json (text kept as written: the
--     store compares the canonical JSON it writes), read in the atelier's
--     zone.
--   * Rows the configuration file owns (rooms, services, artisans) are never
--     deleted, only made inactive, so old bookings keep their references.
--   * source = 'config' marks data the file owns; 'staff' marks data changed
--     in the app, which the file never overwrites.
--
-- The exclusion constraints on bookings need btree_gist (a trusted
-- extension since PostgreSQL 13: the database's owner may create it).

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The atelier's identity, booking rules and opening hours: a single row.
CREATE TABLE atelier (
    id                       integer     PRIMARY KEY CHECK (id = 1),
    name                     text        NOT NULL,
    timezone                 text        NOT NULL,            -- IANA name
    address                  text        NOT NULL DEFAULT '',
    phone                    text        NOT NULL DEFAULT '',
    email                    text        NOT NULL DEFAULT '',
    map_url                  text        NOT NULL DEFAULT '',
    min_notice_minutes       integer     NOT NULL CHECK (min_notice_minutes >= 0),
    horizon_days             integer     NOT NULL CHECK (horizon_days >= 0),
    slot_interval_minutes    integer     NOT NULL CHECK (slot_interval_minutes > 0),
    opening_hours            json        NOT NULL DEFAULT '{}',
    opening_hours_source     text        NOT NULL DEFAULT 'config' CHECK (opening_hours_source IN ('config', 'staff')),
    opening_hours_updated_at timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    -- Version 3: the booking rules' source ('staff' once changed in the app).
    rules_source             text        NOT NULL DEFAULT 'config' CHECK (rules_source IN ('config', 'staff')),
    rules_updated_at         timestamptz,
    -- Version 8: the booking policy (see SQLite's schema.sql).
    change_cutoff_hours      integer     NOT NULL DEFAULT 0 CHECK (change_cutoff_hours >= 0),
    max_reschedules          integer     NOT NULL DEFAULT 0 CHECK (max_reschedules >= 0),
    policy_text              text        NOT NULL DEFAULT '',
    -- Version 19: how long a request waits for staff before it is declined
    -- on its own (booking.pending_hours; a booking rule: rules_source).
    pending_hours            integer     NOT NULL DEFAULT 48 CHECK (pending_hours > 0)
);

-- Consultation rooms for in-person visits.
CREATE TABLE rooms (
    id       text    PRIMARY KEY,
    name     text    NOT NULL,
    position integer NOT NULL DEFAULT 0,                       -- order in the file
    active   boolean NOT NULL DEFAULT true,
    -- Version 3: 'staff' once added or changed in the app (the file no
    -- longer touches it), and when.
    source     text        NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff')),
    updated_at timestamptz
);

CREATE TABLE services (
    id               text    PRIMARY KEY,
    name             text    NOT NULL,
    description      text    NOT NULL DEFAULT '',
    duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
    position         integer NOT NULL DEFAULT 0,
    active           boolean NOT NULL DEFAULT true,
    -- Version 3, as for rooms.
    source           text        NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff')),
    updated_at       timestamptz,
    -- The intake form (version 6): a JSON list of booking.Question, kept
    -- as text like the answers, so both stores give back the same bytes.
    questions        text    NOT NULL DEFAULT '[]',
    -- Version 8: the service's own booking policy (NULL: the atelier's).
    change_cutoff_hours integer CHECK (change_cutoff_hours >= 0),
    max_reschedules     integer CHECK (max_reschedules >= 0),
    -- Version 14: false for a service customers are not shown, booked
    -- only through a commission's invitation or by staff.
    public              boolean NOT NULL DEFAULT true,
    -- Version 16: how many of its artisans each booking takes together.
    artisans_needed     integer NOT NULL DEFAULT 1 CHECK (artisans_needed >= 1),
    -- Version 19: a booking of it is a request staff confirm or decline.
    requires_confirmation boolean NOT NULL DEFAULT false
);

-- The modes a service is offered in, with the buffers of each mode.
CREATE TABLE service_modes (
    service_id            text    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    mode                  text    NOT NULL CHECK (mode IN ('in_person', 'virtual')),
    buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes  integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
    position              integer NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, mode)
);

CREATE TABLE artisans (
    id                       text        PRIMARY KEY,
    name                     text        NOT NULL,
    bio                      text        NOT NULL DEFAULT '',
    email                    text        NOT NULL DEFAULT '',
    working_hours            json        NOT NULL DEFAULT '{}',
    working_hours_source     text        NOT NULL DEFAULT 'config' CHECK (working_hours_source IN ('config', 'staff')),
    working_hours_updated_at timestamptz NOT NULL,
    daily_cap                integer     NOT NULL DEFAULT 0 CHECK (daily_cap >= 0), -- 0: no cap
    position                 integer     NOT NULL DEFAULT 0,
    active                   boolean     NOT NULL DEFAULT true,
    updated_at               timestamptz NOT NULL,
    -- Version 3: the artisan's own video-call link, and as for rooms.
    meeting_url              text        NOT NULL DEFAULT '',
    source                   text        NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'))
);

CREATE TABLE artisan_services (
    artisan_id text    NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
    service_id text    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (artisan_id, service_id)
);

CREATE INDEX artisan_services_service ON artisan_services (service_id);

-- Days the atelier is closed, inclusive. Identity ids are never given out
-- again after a delete, so a retried DELETE cannot remove another closure.
CREATE TABLE closures (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_date  date        NOT NULL,
    to_date    date        NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    source     text        NOT NULL CHECK (source IN ('config', 'staff')),
    created_at timestamptz NOT NULL,
    CHECK (from_date <= to_date)
);

CREATE INDEX closures_to_date ON closures (to_date);

-- Hours set for one local date (version 2): they replace the weekly opening
-- hours (artisan_id '') or an artisan's working hours on that date; hours
-- is JSON spans ('[]' closes the date). A row staff set (source 'staff')
-- wins over the file's entry for its date; hours NULL is the mark of hours
-- staff removed, so that the file's entry does not come back at the next
-- start. One row per date and artisan.
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

-- Periods an artisan takes no appointments.
CREATE TABLE time_off (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artisan_id text        NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
    start_at   timestamptz NOT NULL,
    end_at     timestamptz NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    source     text        NOT NULL DEFAULT 'staff' CHECK (source IN ('config', 'staff')),
    created_at timestamptz NOT NULL,
    CHECK (start_at < end_at)
);

CREATE INDEX time_off_end ON time_off (end_at);
CREATE INDEX time_off_artisan ON time_off (artisan_id, start_at);

CREATE TABLE bookings (
    id                text        PRIMARY KEY,
    -- Version 13: pending, a request that staff confirm or decline, holds
    -- its time as a confirmed booking does; declined (a request staff
    -- declined or that expired undecided) holds nothing, as cancelled.
    status            text        NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled', 'declined')),
    service_id        text        NOT NULL REFERENCES services (id),
    mode              text        NOT NULL CHECK (mode IN ('in_person', 'virtual')),
    artisan_id        text        NOT NULL REFERENCES artisans (id),
    room_id           text                 REFERENCES rooms (id),   -- in person only
    start_at          timestamptz NOT NULL,
    end_at            timestamptz NOT NULL,
    -- start and end widened by the service's buffers: the time the artisan
    -- (and the room) is taken. The exclusion constraints work on these.
    block_start       timestamptz NOT NULL,
    block_end         timestamptz NOT NULL,
    customer_name     text        NOT NULL,
    customer_email    text        NOT NULL,
    customer_phone    text        NOT NULL DEFAULT '',
    customer_timezone text        NOT NULL DEFAULT '',
    notes             text        NOT NULL DEFAULT '',
    location          text        NOT NULL DEFAULT '',
    meeting_url       text        NOT NULL DEFAULT '',
    sequence          integer     NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    -- What the booking was made with, kept so that it never changes under
    -- the customer or disappears with the catalogue: the iCalendar UID of
    -- its invites and the names of the service and the artisan (the
    -- artisan's is renewed when a move changes the artisan).
    uid               text,
    service_name      text        NOT NULL DEFAULT '',
    artisan_name      text        NOT NULL DEFAULT '',
    -- The customer's answers to the service's questions (version 6): a
    -- JSON object by question id, in canonical form (booking.Answers).
    answers           text        NOT NULL DEFAULT '{}',
    -- Version 8: the moves its customer made (the policy's limit).
    reschedules       integer     NOT NULL DEFAULT 0,
    -- Version 9: the language the customer booked in; their e-mails and
    -- invitations are written in it ('' is the default language).
    customer_language text        NOT NULL DEFAULT '',
    -- Version 12: a surprise; the customer's e-mail subjects and
    -- invitations name no service, only an appointment at the atelier.
    discreet          boolean     NOT NULL DEFAULT false,
    -- Version 19, a request: when it expires undecided (NULL: the booking
    -- was never a request), and what staff told the customer when they
    -- declined it ('' when it expired).
    decide_by         timestamptz,
    decline_reason    text        NOT NULL DEFAULT '',
    CHECK (start_at < end_at),
    CHECK (block_start <= start_at AND end_at <= block_end),
    -- A block is at most a day long: Schedule finds the bookings touching a
    -- window with a bounded index range thanks to this.
    CHECK (block_end - block_start <= interval '1 day'),
    -- A visit takes a room; a video call does not.
    CHECK ((mode = 'in_person') = (room_id IS NOT NULL)),
    -- No double booking, even if the code is bypassed: a booking that holds
    -- its slot (confirmed, or pending: a request waiting for staff; since
    -- version 13 a declined request, like a cancelled booking, holds
    -- nothing) may not overlap another such
    -- booking of the same artisan, nor of the same room, on the half-open
    -- block [block_start, block_end). A refusal is SQLSTATE 23P01
    -- (exclusion_violation), which the store turns into slot_unavailable.
    CONSTRAINT bookings_artisan_no_overlap EXCLUDE USING gist
        (artisan_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&)
        WHERE (status IN ('confirmed', 'pending')),
    CONSTRAINT bookings_room_no_overlap EXCLUDE USING gist
        (room_id WITH =, tstzrange(block_start, block_end, '[)') WITH &&)
        WHERE (status IN ('confirmed', 'pending') AND room_id IS NOT NULL)
);

-- Schedule(from, to): every booking holding its time (confirmed, pending)
-- touching a window.
CREATE INDEX bookings_block ON bookings (block_start) INCLUDE (block_end, artisan_id, room_id)
    WHERE status IN ('confirmed', 'pending');
CREATE INDEX bookings_artisan_block ON bookings (artisan_id, block_start) WHERE status IN ('confirmed', 'pending');
-- Staff listings by date, all statuses, in their order; one artisan's is
-- filtered in the index (version 20: one index fewer to write at each
-- booking).
CREATE INDEX bookings_start ON bookings (start_at, id, artisan_id);
-- A customer's bookings by e-mail address, as typed in any case.
CREATE INDEX bookings_customer_email ON bookings (lower(customer_email), start_at);
-- The requests waiting for staff, by when they expire (version 19).
CREATE INDEX bookings_pending ON bookings (decide_by) WHERE status = 'pending';

-- The manage tokens of each booking: the one in the answer that made it,
-- and a fresh one in every e-mail to the customer. Only the SHA-256 of a
-- token is stored.
CREATE TABLE booking_tokens (
    booking_id text        NOT NULL REFERENCES bookings (id),
    token_hash bytea       NOT NULL,
    purpose    text        NOT NULL,              -- what carried it: 'created', 'confirmation', 'reminder', ...
    created_at timestamptz NOT NULL,
    PRIMARY KEY (booking_id, token_hash)
);

-- Times an artisan is busy elsewhere (their Google Calendar), by source.
CREATE TABLE busy_times (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artisan_id  text        NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
    source      text        NOT NULL,                     -- e.g. 'gcal'
    external_id text        NOT NULL,                     -- id in the source
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (artisan_id, source, external_id),
    CHECK (start_at < end_at)
);

CREATE INDEX busy_times_end ON busy_times (end_at);

-- The first response to a request made with an Idempotency-Key. Only a hash
-- of the key is stored.
CREATE TABLE idempotency_keys (
    key_hash     bytea       PRIMARY KEY,
    request_hash bytea       NOT NULL,
    booking_id   text        REFERENCES bookings (id),
    response     bytea,
    created_at   timestamptz NOT NULL
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Durable work for the background workers (transactional outbox).
CREATE TABLE jobs (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue       text        NOT NULL,                     -- 'mail', 'gcal', ...
    kind        text        NOT NULL,
    booking_id  text                 REFERENCES bookings (id),
    payload     bytea,
    state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    integer     NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL,                     -- not before
    lease_until timestamptz,                              -- claimed by a worker until
    last_error  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    done_at     timestamptz
);

-- Claiming: due pending jobs of a queue, oldest first.
CREATE INDEX jobs_due ON jobs (queue, run_at) WHERE state = 'pending';
CREATE INDEX jobs_booking ON jobs (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX jobs_state ON jobs (queue, state);

-- A pending job's payload, apart from its row in jobs (as in SQLite's
-- schema.sql): written once when the job is queued, read by the worker
-- after its claim, deleted with the job's outcome (jobs_payload_drop) or
-- with the job. jobs.payload is no longer written (NULL since version 21).
CREATE TABLE job_payloads (
    job_id bigint PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    body   bytea  NOT NULL
);

-- A job done or given up keeps no payload: a sent or failed e-mail holds a
-- manage token and personal data.
CREATE FUNCTION atelier_job_payload_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_payloads WHERE job_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_payload_drop AFTER UPDATE OF state ON jobs
    FOR EACH ROW WHEN (NEW.state <> 'pending') EXECUTE FUNCTION atelier_job_payload_drop();

-- Who changed what, and when.
CREATE TABLE audit_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_kind text        NOT NULL,                      -- 'customer', 'staff', 'system'
    actor_id   text        NOT NULL DEFAULT '',
    action     text        NOT NULL,                      -- e.g. 'booking.created'
    booking_id text                 REFERENCES bookings (id),
    target     text        NOT NULL DEFAULT '',           -- e.g. 'closure:12' when not a booking
    before     json,
    after      json,
    -- The transaction that wrote the row: BookingEvents counts the rows of
    -- the transactions that have ended, whatever order they committed in.
    xact       xid8        NOT NULL DEFAULT pg_current_xact_id()
);

CREATE INDEX audit_log_booking ON audit_log (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_xact ON audit_log (xact);

-- Staff accounts. An artisan account belongs to one artisan.
CREATE TABLE users (
    id            text        PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('admin', 'artisan')),
    artisan_id    text                 REFERENCES artisans (id),
    password_hash text        NOT NULL,                   -- argon2id, PHC format
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CHECK ((role = 'artisan') = (artisan_id IS NOT NULL))
);

-- One account per address, in any case.
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Signed-in staff sessions. The cookie holds "id.secret"; only the SHA-256
-- of the secret is stored.
CREATE TABLE sessions (
    id           text        PRIMARY KEY,
    user_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL                     -- absolute expiry
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Staff notes on bookings, kept apart from the booking row so that no
-- customer-facing query can read them by accident.
CREATE TABLE booking_staff_notes (
    booking_id text        PRIMARY KEY REFERENCES bookings (id),
    notes      text        NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text        NOT NULL DEFAULT ''            -- staff user id
);

-- Google Calendar sync. The artisans' own Google events are stored in
-- busy_times with source 'gcal' (external_id: the Google event id).

-- Where incremental inbound sync resumes for an artisan.
CREATE TABLE gcal_cursor (
    artisan_id  text        PRIMARY KEY REFERENCES artisans (id),
    calendar_id text        NOT NULL,
    sync_token  text        NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- The Google side of each booking. No foreign key on booking_id: a Meet
-- link is obtained, and recorded here, before the booking is committed.
CREATE TABLE gcal_booking_sync (
    booking_id  text        PRIMARY KEY,
    state       text        NOT NULL CHECK (state IN ('pending', 'synced', 'failed')),
    artisan_id  text        NOT NULL DEFAULT '',
    calendar_id text        NOT NULL DEFAULT '',
    event_id    text        NOT NULL DEFAULT '',
    sequence    integer     NOT NULL DEFAULT 0,
    meet_url    text        NOT NULL DEFAULT '',
    synced_at   timestamptz,
    last_error  text        NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL
);

CREATE INDEX gcal_booking_sync_state ON gcal_booking_sync (state) WHERE state <> 'synced';

-- The connection state of each artisan's calendar.
CREATE TABLE gcal_artisan_sync (
    artisan_id      text        PRIMARY KEY REFERENCES artisans (id),
    state           text        NOT NULL CHECK (state IN ('not_connected', 'connected', 'disconnected', 'error')),
    last_success_at timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    error_at        timestamptz
);

-- OAuth tokens of artisans who connected their Google account. Secrets:
-- never logged; protect the database.
CREATE TABLE gcal_oauth_token (
    artisan_id    text        PRIMARY KEY REFERENCES artisans (id),
    access_token  text        NOT NULL,
    refresh_token text        NOT NULL DEFAULT '',
    token_type    text        NOT NULL DEFAULT '',
    expiry        timestamptz,
    updated_at    timestamptz NOT NULL
);

-- Calendar subscription feeds: one secret URL per artisan, and one for the
-- atelier-wide feed (artisan_id ''). Only the SHA-256 of the URL token is
-- stored. Rotating replaces the row.
CREATE TABLE feed_tokens (
    artisan_id text        PRIMARY KEY,                   -- '' for the atelier-wide feed
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    created_by text        NOT NULL DEFAULT ''            -- staff user id
);

-- Replies to invitations, read from the organizer's mailbox.

-- Each message acted on or refused, once (see SQLite's schema.sql).
CREATE TABLE reply_messages (
    message_key  text        PRIMARY KEY,
    mailbox      text        NOT NULL,
    uid_validity bigint      NOT NULL,
    uid          bigint      NOT NULL,
    booking_id   text        NOT NULL REFERENCES bookings (id),
    outcome      text        NOT NULL,                    -- booking.ReplyOutcome
    processed_at timestamptz NOT NULL
);

CREATE INDEX reply_messages_booking ON reply_messages (booking_id);

-- The latest answer of each booking's customer and the latest other time
-- they proposed (a COUNTER).
CREATE TABLE booking_replies (
    booking_id       text        PRIMARY KEY REFERENCES bookings (id),
    partstat         text        CHECK (partstat IN ('ACCEPTED', 'TENTATIVE', 'DECLINED')),
    sequence         integer,
    replied_at       timestamptz,
    counter_start    timestamptz,
    counter_end      timestamptz,
    counter_sequence integer,
    countered_at     timestamptz,
    updated_at       timestamptz NOT NULL,
    CHECK ((partstat IS NULL) = (replied_at IS NULL)),
    CHECK ((counter_start IS NULL) = (counter_end IS NULL)),
    CHECK (counter_start IS NULL OR counter_start < counter_end)
);

-- Where reading each mailbox resumes.
CREATE TABLE reply_cursor (
    mailbox      text        PRIMARY KEY,
    uid_validity bigint      NOT NULL,
    last_uid     bigint      NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- One-time links that let an invited staff account set its password
-- (version 3): only the SHA-256 of the link's token is kept; a link is
-- deleted when used, when a new one is sent and when it expires.
CREATE TABLE staff_invites (
    token_hash bytea       PRIMARY KEY,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX staff_invites_user ON staff_invites (user_id);

-- The rate limits' leaky buckets, shared by every server of the database
-- (limits.bookings_per_minute, limits.logins_per_minute, ...; see
-- internal/httpx). key_hash is a hash made by the server: no client address
-- or e-mail address is stored. prev is the level before the last change,
-- which tells the store whether a strict add was refused. A row drained
-- empty long ago is deleted now and then.
CREATE TABLE rate_limits (
    limit_name text             NOT NULL,
    key_hash   text             NOT NULL,
    level      double precision NOT NULL CHECK (level >= 0),
    prev       double precision NOT NULL CHECK (prev >= 0),
    at         timestamptz      NOT NULL,
    PRIMARY KEY (limit_name, key_hash)
);

CREATE INDEX rate_limits_at ON rate_limits (at);

-- Every job inserted is announced on the channel atelier_jobs, its queue as
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

-- Photos customers add to a booking (version 6), inside the database so
-- that its backups hold them; decoded and encoded again (no metadata), with
-- a small JPEG thumbnail for staff. They go with the booking's personal data.
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

-- Every change to the catalogue's tables is announced on the channel
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

-- Commissions (version 15): a piece made over several appointments, for
-- one customer (customer_id; the details as staff gave them beside it)
-- with one artisan, at one of the configured stages. Bookings name the
-- commission they belong to (bookings.commission_id, added here, after
-- the table it refers to, as the migration adds it).
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

-- Version 16: the other artisans of a team's booking (booking_artisans below),
-- added after commission_id as the migration adds it.
ALTER TABLE bookings ADD COLUMN extra_artisans text NOT NULL DEFAULT '';

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


-- Invitations to book the next step of a commission (version 18), as in
-- SQLite's schema: only the hash of the link's token is kept; used_by is
-- the booking it made, set in that booking's own transaction.
CREATE TABLE invitations (
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
