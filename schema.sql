-- The whole current schema of a new atelier database (schema version 27).
--
-- This file creates a new database. A database created by an older binary
-- is brought up to date by the numbered migrations in
-- internal/sqlite/migrate.go; when you change this file, add the migration
-- that makes an old database look exactly like a new one (a test checks it).
--
-- Conventions:
--   * Instants are UTC text of fixed width, '2006-01-02T15:04:05.000Z', so
--     that text order is time order and indexes on them work for ranges.
--   * Dates are 'YYYY-MM-DD'; wall-clock hours are JSON in the shape of the
--     API ({"mon": [["10:00","19:00"]], ...}), read in the atelier's zone.
--   * Rows the configuration file owns (rooms, services, artisans) are never
--     deleted, only made inactive, so old bookings keep their references.
--   * source = 'config' marks data the file owns; 'staff' marks data changed
--     in the app, which the file never overwrites.

-- The atelier's identity, booking rules and opening hours: a single row.
CREATE TABLE atelier (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    name                     TEXT    NOT NULL,
    timezone                 TEXT    NOT NULL,            -- IANA name
    address                  TEXT    NOT NULL DEFAULT '',
    phone                    TEXT    NOT NULL DEFAULT '',
    email                    TEXT    NOT NULL DEFAULT '',
    map_url                  TEXT    NOT NULL DEFAULT '',
    min_notice_minutes       INTEGER NOT NULL CHECK (min_notice_minutes >= 0),
    horizon_days             INTEGER NOT NULL CHECK (horizon_days >= 0),
    slot_interval_minutes    INTEGER NOT NULL CHECK (slot_interval_minutes > 0),
    opening_hours            TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(opening_hours)),
    opening_hours_source     TEXT    NOT NULL DEFAULT 'config' CHECK (opening_hours_source IN ('config', 'staff')),
    opening_hours_updated_at TEXT    NOT NULL,
    updated_at               TEXT    NOT NULL,
    -- Version 11: the booking rules' source ('staff' once changed in the app).
    rules_source             TEXT    NOT NULL DEFAULT 'config' CHECK (rules_source IN ('config', 'staff')),
    rules_updated_at         TEXT    NOT NULL DEFAULT '',
    -- Version 14: the booking policy. A customer's own cancel or move stops
    -- change_cutoff_hours before the start (0: until it starts); a customer
    -- may move a booking at most max_reschedules times (0: no limit);
    -- policy_text is the atelier's own words beside them.
    change_cutoff_hours      INTEGER NOT NULL DEFAULT 0 CHECK (change_cutoff_hours >= 0),
    max_reschedules          INTEGER NOT NULL DEFAULT 0 CHECK (max_reschedules >= 0),
    policy_text              TEXT    NOT NULL DEFAULT '',
    -- Version 23: how long a request waits for staff before it is declined
    -- on its own (booking.pending_hours; a booking rule: rules_source).
    pending_hours            INTEGER NOT NULL DEFAULT 48 CHECK (pending_hours > 0)
);

-- Consultation rooms for in-person visits.
CREATE TABLE rooms (
    id       TEXT    PRIMARY KEY,
    name     TEXT    NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,                   -- order in the file
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Version 11: 'staff' once added or changed in the app (the file no
    -- longer touches it), and when.
    source     TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff')),
    updated_at TEXT NOT NULL DEFAULT ''
);

CREATE TABLE services (
    id               TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    position         INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Version 11, as for rooms.
    source           TEXT    NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff')),
    updated_at       TEXT    NOT NULL DEFAULT '',
    -- The intake form (version 12): a JSON list of booking.Question.
    questions        TEXT    NOT NULL DEFAULT '[]',
    -- Version 14: the service's own booking policy (NULL: the atelier's).
    change_cutoff_hours INTEGER CHECK (change_cutoff_hours >= 0),
    max_reschedules     INTEGER CHECK (max_reschedules >= 0),
    -- Version 18: 0 for a service customers are not shown, booked only
    -- through a commission's invitation or by staff.
    public              INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    -- Version 20: how many of its artisans each booking takes together.
    artisans_needed     INTEGER NOT NULL DEFAULT 1 CHECK (artisans_needed >= 1),
    -- Version 23: a booking of it is a request staff confirm or decline.
    requires_confirmation INTEGER NOT NULL DEFAULT 0 CHECK (requires_confirmation IN (0, 1))
);

-- The modes a service is offered in, with the buffers of each mode.
CREATE TABLE service_modes (
    service_id            TEXT    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    mode                  TEXT    NOT NULL CHECK (mode IN ('in_person', 'virtual')),
    buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
    position              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, mode)
) WITHOUT ROWID;

CREATE TABLE artisans (
    id                       TEXT    PRIMARY KEY,
    name                     TEXT    NOT NULL,
    bio                      TEXT    NOT NULL DEFAULT '',
    email                    TEXT    NOT NULL DEFAULT '',
    working_hours            TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(working_hours)),
    working_hours_source     TEXT    NOT NULL DEFAULT 'config' CHECK (working_hours_source IN ('config', 'staff')),
    working_hours_updated_at TEXT    NOT NULL,
    daily_cap                INTEGER NOT NULL DEFAULT 0 CHECK (daily_cap >= 0), -- 0: no cap
    position                 INTEGER NOT NULL DEFAULT 0,
    active                   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at               TEXT    NOT NULL,
    -- Version 11: the artisan's own video-call link, and as for rooms.
    meeting_url              TEXT    NOT NULL DEFAULT '',
    source                   TEXT    NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'staff'))
);

CREATE TABLE artisan_services (
    artisan_id TEXT    NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
    service_id TEXT    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (artisan_id, service_id)
) WITHOUT ROWID;

CREATE INDEX artisan_services_service ON artisan_services (service_id);

-- Days the atelier is closed, inclusive.
-- AUTOINCREMENT (version 5): an id is never given out again after a
-- delete, so a retried DELETE cannot remove another closure.
CREATE TABLE closures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    from_date  TEXT    NOT NULL,
    to_date    TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL CHECK (source IN ('config', 'staff')),
    created_at TEXT    NOT NULL,
    CHECK (from_date <= to_date)
);

CREATE INDEX closures_to_date ON closures (to_date);

-- Periods an artisan takes no appointments.
-- AUTOINCREMENT (version 5), as for closures.
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

CREATE INDEX time_off_end ON time_off (end_at);

-- Hours set for one local date (version 10): they replace the weekly
-- opening hours (artisan_id '') or an artisan's working hours on that date;
-- hours is JSON spans ('[]' closes the date). A row staff set (source
-- 'staff') wins over the file's entry for its date; hours NULL is the mark
-- of hours staff removed, so that the file's entry for the date does not
-- come back at the next start. One row per date and artisan.
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
CREATE INDEX time_off_artisan ON time_off (artisan_id, start_at);

CREATE TABLE bookings (
    id                TEXT    PRIMARY KEY,
    -- pending (version 17): a request that staff confirm or decline; it
    -- holds its time like a confirmed booking. declined: a request staff
    -- declined or that expired undecided; it holds nothing, as cancelled.
    status            TEXT    NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled', 'declined')),
    service_id        TEXT    NOT NULL REFERENCES services (id),
    mode              TEXT    NOT NULL CHECK (mode IN ('in_person', 'virtual')),
    artisan_id        TEXT    NOT NULL REFERENCES artisans (id),
    room_id           TEXT             REFERENCES rooms (id),   -- in person only
    start_at          TEXT    NOT NULL,
    end_at            TEXT    NOT NULL,
    -- start and end widened by the service's buffers: the time the artisan
    -- (and the room) is taken. The overlap triggers work on these.
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
    -- What the booking was made with (version 7), kept so that it never
    -- changes under the customer or disappears with the catalogue:
    -- uid is the iCalendar UID of its invites, fixed when it is made
    -- (NULL only for a booking made before version 7, until the first
    -- start fills in the UID its invites already carry: see
    -- BookingStore.FillBookingUIDs); the names of the service and the artisan
    -- (the artisan's is renewed when a move changes the artisan).
    uid               TEXT,
    service_name      TEXT    NOT NULL DEFAULT '',
    artisan_name      TEXT    NOT NULL DEFAULT '',
    -- The customer's answers to the service's questions (version 12): a
    -- JSON object by question id, in canonical form (booking.Answers).
    answers           TEXT    NOT NULL DEFAULT '{}',
    -- The moves its customer made (version 14; the policy's limit counts
    -- them; staff moves are not counted).
    reschedules       INTEGER NOT NULL DEFAULT 0,
    -- The language the customer booked in (version 15): their e-mails and
    -- invitations are written in it; '' (older bookings) is the default.
    customer_language TEXT    NOT NULL DEFAULT '',
    -- A surprise (version 16): the customer's e-mail subjects and
    -- invitations name no service, only an appointment at the atelier.
    discreet          INTEGER NOT NULL DEFAULT 0 CHECK (discreet IN (0, 1)),
    -- The commission the booking is an appointment of (version 19).
    commission_id     TEXT             REFERENCES commissions (id),
    -- The other artisans of a team's booking (version 20; see booking_artisans).
    extra_artisans    TEXT    NOT NULL DEFAULT '',
    -- When its personal data was erased (version 21): customer details,
    -- notes and answers blank; NULL otherwise.
    erased_at         TEXT,
    -- A request (version 23): when it expires undecided (NULL: the booking
    -- was never a request), and what staff told the customer when they
    -- declined it ('' when it expired).
    decide_by         TEXT,
    decline_reason    TEXT    NOT NULL DEFAULT '',
    CHECK (start_at < end_at),
    CHECK (block_start <= start_at AND end_at <= block_end),
    -- A block is at most a day long: Schedule finds the bookings touching a
    -- window with a bounded index range thanks to this.
    CHECK (julianday(block_end) - julianday(block_start) <= 1.0),
    -- A visit takes a room; a video call does not.
    CHECK ((mode = 'in_person') = (room_id IS NOT NULL))
);

-- Overlap checks and schedules of one artisan or one room: the bookings
-- that hold their time, confirmed or pending (version 17). The queries
-- that read them say status IN ('confirmed', 'pending') in these words, so
-- that SQLite uses these partial indexes. (Version 24 made
-- bookings_artisan_block cover the schedule's columns; version 26 took
-- that back: its wider pages cost the commits more than they spared.)
CREATE INDEX bookings_artisan_block ON bookings (artisan_id, block_start) WHERE status IN ('confirmed', 'pending');
CREATE INDEX bookings_room_block ON bookings (room_id, block_start) WHERE status IN ('confirmed', 'pending') AND room_id IS NOT NULL;
-- Schedule(from, to): every booking holding its time in a window. It holds
-- every column a schedule reads, so a window is read from the index alone,
-- a few pages in block order, not one table page per booking (schema v6).
CREATE INDEX bookings_block ON bookings (block_start, block_end, status, artisan_id, room_id, mode,
    service_id, start_at, end_at, id) WHERE status IN ('confirmed', 'pending');
-- Staff listings by date, all statuses, in their order (start_at, id);
-- one artisan's is filtered in the index, before any row is read (version
-- 24: one index fewer to write at each booking).
CREATE INDEX bookings_start ON bookings (start_at, id, artisan_id);
-- A customer's bookings by e-mail address, as typed in any case: sending
-- the manage links of an address again (version 8).
CREATE INDEX bookings_customer_email ON bookings (customer_email COLLATE NOCASE, start_at);
-- The requests waiting for staff, by when they expire (version 23).
CREATE INDEX bookings_pending ON bookings (decide_by) WHERE status = 'pending';

-- The manage tokens of each booking (version 8): the one in the answer
-- that made it, and a fresh one in every e-mail to the customer, so that
-- every e-mail's link (and every invite's) opens the booking. Only the
-- SHA-256 of a token is stored. A token opens its booking until 90 days
-- after the appointment's end (internal/app), when it is also deleted.
CREATE TABLE booking_tokens (
    booking_id TEXT NOT NULL REFERENCES bookings (id),
    token_hash BLOB NOT NULL,
    purpose    TEXT NOT NULL,                           -- what carried it: 'created', 'confirmation', 'reminder', ...
    created_at TEXT NOT NULL,
    PRIMARY KEY (booking_id, token_hash)
) WITHOUT ROWID;

-- No double booking, even if the code is bypassed: a booking that holds its
-- time (confirmed, or pending: a request waiting for staff) may not overlap
-- another such booking of the same artisan, nor of the same room, on
-- [block_start, block_end).
--
-- Because the rule holds for the rows already stored, the holding blocks of
-- one artisan are disjoint, so sorted by start they are sorted by end too.
-- A new block [s, e) therefore overlaps some block if and only if it
-- overlaps the one with the latest start before e: one index probe, not a
-- scan of the artisan's history.
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

-- Times an artisan is busy elsewhere (their Google Calendar), by source.
CREATE TABLE busy_times (
    id          INTEGER PRIMARY KEY,
    artisan_id  TEXT    NOT NULL REFERENCES artisans (id) ON DELETE CASCADE,
    source      TEXT    NOT NULL,                         -- e.g. 'gcal'
    external_id TEXT    NOT NULL,                         -- id in the source
    start_at    TEXT    NOT NULL,
    end_at      TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (artisan_id, source, external_id),
    CHECK (start_at < end_at)
);

CREATE INDEX busy_times_end ON busy_times (end_at);

-- The first response to a request made with an Idempotency-Key. Only a hash
-- of the key is stored.
CREATE TABLE idempotency_keys (
    key_hash     BLOB PRIMARY KEY,
    request_hash BLOB NOT NULL,
    booking_id   TEXT REFERENCES bookings (id),
    response     BLOB,
    created_at   TEXT NOT NULL
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Durable work for the background workers (transactional outbox).
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    queue       TEXT    NOT NULL,                         -- 'mail', 'gcal', ...
    kind        TEXT    NOT NULL,
    booking_id  TEXT             REFERENCES bookings (id),
    payload     BLOB,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    run_at      TEXT    NOT NULL,                         -- not before
    lease_until TEXT,                                     -- claimed by a worker until
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    done_at     TEXT
);

-- Claiming: due pending jobs of a queue, oldest first.
CREATE INDEX jobs_due ON jobs (queue, run_at) WHERE state = 'pending';
CREATE INDEX jobs_booking ON jobs (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX jobs_state ON jobs (queue, state);

-- A pending job's payload (the e-mail, the calendar write), apart from its
-- row in jobs: written once when the job is queued, never updated, read by
-- the worker after its claim, deleted with the job's outcome (the trigger
-- below) or with the job. The claim and the outcome update only the small
-- row in jobs (internal/sqlite/job.go). jobs.payload is no longer written
-- (NULL since schema version 25).
CREATE TABLE job_payloads (
    job_id INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    body   BLOB    NOT NULL
);

-- A job done or given up keeps no payload: a sent or failed e-mail holds a
-- manage token and personal data.
CREATE TRIGGER jobs_payload_drop AFTER UPDATE OF state ON jobs
WHEN NEW.state <> 'pending'
BEGIN
    DELETE FROM job_payloads WHERE job_id = NEW.id;
END;

-- Who changed what, and when.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_kind TEXT NOT NULL,                             -- 'customer', 'staff', 'system'
    actor_id   TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,                             -- e.g. 'booking.created'
    booking_id TEXT REFERENCES bookings (id),
    target     TEXT NOT NULL DEFAULT '',                  -- e.g. 'closure:12' when not a booking
    before     TEXT CHECK (before IS NULL OR json_valid(before)),
    after      TEXT CHECK (after IS NULL OR json_valid(after))
);

CREATE INDEX audit_log_booking ON audit_log (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX audit_log_at ON audit_log (at);

-- Staff accounts (version 2). An artisan account belongs to one artisan.
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

-- Signed-in staff sessions (version 2). The cookie holds "id.secret"; only
-- the SHA-256 of the secret is stored.
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

-- Staff notes on bookings (version 2), kept apart from the booking row so
-- that no customer-facing query can read them by accident.
CREATE TABLE booking_staff_notes (
    booking_id TEXT PRIMARY KEY REFERENCES bookings (id),
    notes      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''                 -- staff user id
) WITHOUT ROWID;

-- Google Calendar sync (version 3). The artisans' own Google events are
-- stored in busy_times with source 'gcal' (external_id: the Google event
-- id), so Schedule reads them with the other busy times.

-- Where incremental inbound sync resumes for an artisan.
CREATE TABLE gcal_cursor (
    artisan_id  TEXT PRIMARY KEY REFERENCES artisans (id),
    calendar_id TEXT NOT NULL,
    sync_token  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) WITHOUT ROWID;

-- The Google side of each booking. No foreign key on booking_id: a Meet
-- link is obtained, and recorded here, before the booking is committed.
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

-- The connection state of each artisan's calendar.
CREATE TABLE gcal_artisan_sync (
    artisan_id      TEXT PRIMARY KEY REFERENCES artisans (id),
    state           TEXT NOT NULL CHECK (state IN ('not_connected', 'connected', 'disconnected', 'error')),
    last_success_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    error_at        TEXT
) WITHOUT ROWID;

-- OAuth tokens of artisans who connected their Google account (auth
-- 'oauth'). Secrets: never logged; protect the database file.
CREATE TABLE gcal_oauth_token (
    artisan_id    TEXT PRIMARY KEY REFERENCES artisans (id),
    access_token  TEXT NOT NULL,
    refresh_token TEXT NOT NULL DEFAULT '',
    token_type    TEXT NOT NULL DEFAULT '',
    expiry        TEXT,
    updated_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Calendar subscription feeds (version 4): one secret URL per artisan, and
-- one for the atelier-wide feed (artisan_id ''). The URL token is the only
-- credential; only its SHA-256 is stored. Rotating replaces the row.
CREATE TABLE feed_tokens (
    artisan_id TEXT PRIMARY KEY,                      -- '' for the atelier-wide feed
    token_hash BLOB NOT NULL UNIQUE,                  -- SHA-256 of the URL token
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''               -- staff user id
) WITHOUT ROWID;

-- Replies to invitations (version 9), read from the organizer's mailbox
-- (mail.imap) by internal/replies.

-- Each message acted on or refused, once. message_key is the hex SHA-256 of
-- its Message-ID (or, without one, of mailbox, UIDVALIDITY and UID); it is
-- written in the same transaction as the message's effect, so a message
-- read again after a crash changes nothing. Messages of no booking of ours
-- are not recorded.
CREATE TABLE reply_messages (
    message_key  TEXT    PRIMARY KEY,
    mailbox      TEXT    NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    booking_id   TEXT    NOT NULL REFERENCES bookings (id),
    outcome      TEXT    NOT NULL,                    -- booking.ReplyOutcome
    processed_at TEXT    NOT NULL
) WITHOUT ROWID;

CREATE INDEX reply_messages_booking ON reply_messages (booking_id);

-- The latest answer of each booking's customer (the PARTSTAT of a REPLY,
-- with the SEQUENCE it answers and when) and the latest other time they
-- proposed (a COUNTER).
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

-- Where reading each mailbox resumes: every message up to last_uid under
-- uid_validity was examined (a new UIDVALIDITY starts again from the top).
CREATE TABLE reply_cursor (
    mailbox      TEXT    PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL
) WITHOUT ROWID;

-- One-time links that let an invited staff account set its password
-- (version 11): only the SHA-256 of the link's token is kept; a link is
-- deleted when used, when a new one is sent and when it expires.
CREATE TABLE staff_invites (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX staff_invites_user ON staff_invites (user_id);

-- Photos customers add to a booking (version 12), stored here so that a
-- backup of the database holds them. Each was decoded and encoded again
-- (no EXIF or other metadata survives); thumb is a small JPEG for staff.
-- They go with the booking's personal data.
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
-- Each booking's row is a segment of its own (FTS5 writes its pending rows
-- at every savepoint, and each call of a group commit has one): merged 16
-- at a time rather than FTS5's 4, each row is written again half as often
-- (version 24). What a search finds is the same.
INSERT INTO booking_search (booking_search, rank) VALUES ('automerge', 16);

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

-- Commissions (version 19): a piece made over several appointments, for
-- one customer (customer_id; the details as staff gave them beside it) with
-- one artisan, at one of the configured stages. Bookings name the
-- commission they belong to (bookings.commission_id).
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
    needed_by         TEXT,                       -- YYYY-MM-DD, or NULL
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE INDEX commissions_customer ON commissions (customer_id);
CREATE INDEX bookings_commission ON bookings (commission_id) WHERE commission_id IS NOT NULL;

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
-- Personal data (version 21).
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


-- Invitations to book the next step of a commission (version 22): a
-- private link that books exactly its service (and its mode and artisan
-- when set), once, before expires_at, unless staff revoke it. Only the
-- SHA-256 hash of the link's random token is kept. used_by is the booking
-- it made, set in that booking's own transaction.
CREATE TABLE invitations (
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
