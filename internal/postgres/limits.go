package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// rateLimitsSQL is the table of the shared rate limits, in schema.sql and
// in its migration alike.
const rateLimitsSQL = `-- The rate limits' leaky buckets, shared by every server of the database
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
`

// LimitStore keeps the levels of the rate limits' buckets in the database,
// so that every server on it holds a client to one budget (it implements
// httpx.LimitStore). Each Bump is one statement: an upsert that drains and
// adds under the row's lock, so servers adding at once never pass the
// limit together.
type LimitStore struct {
	db        *DB
	lastSweep atomic.Int64 // unix seconds of the last sweep
}

// NewLimitStore returns the rate limits' store over db.
func NewLimitStore(db *DB) *LimitStore { return &LimitStore{db: db} }

// sweepAfter is how long a bucket is kept after its last change: every
// limit drains empty within twice its period, an hour at most.
const sweepAfter = 3 * time.Hour

// Bump drains the bucket of key in limit to now at one unit of level per
// unit, then adds delta, within [0, max]; with strict an add past max adds
// nothing and ok is false. It returns the level after.
func (st *LimitStore) Bump(ctx context.Context, limit, key string, unit time.Duration, max, delta float64, strict bool, now time.Time) (float64, bool, error) {
	var level, prev float64
	err := st.db.pool.QueryRow(ctx, bumpSQL, limit, key, unit.Seconds(), max, delta, strict, utc(now)).Scan(&level, &prev)
	if err != nil {
		return 0, false, unavailable(fmt.Errorf("postgres: rate limit %s: %w", limit, err))
	}
	st.sweep(ctx, now)
	ok := !(strict && delta > 0 && prev+delta > max+1e-9)
	return level, ok, nil
}

// bumpSQL drains and adds in one upsert. In ON CONFLICT DO UPDATE, r is
// the row as it was; the drained level is computed twice, once for prev
// and once for level (PostgreSQL allows no alias there).
const bumpSQL = `INSERT INTO rate_limits AS r (limit_name, key_hash, level, prev, at)
	VALUES ($1, $2, CASE WHEN $6 AND $5 > $4 + 1e-9 THEN 0 ELSE GREATEST(0, LEAST($4, $5)) END, 0, $7)
	ON CONFLICT (limit_name, key_hash) DO UPDATE SET
		prev = GREATEST(0, r.level - GREATEST(0, EXTRACT(EPOCH FROM ($7 - r.at))::float8) / $3),
		level = CASE
			WHEN $6 AND GREATEST(0, r.level - GREATEST(0, EXTRACT(EPOCH FROM ($7 - r.at))::float8) / $3) + $5 > $4 + 1e-9
			THEN GREATEST(0, r.level - GREATEST(0, EXTRACT(EPOCH FROM ($7 - r.at))::float8) / $3)
			ELSE GREATEST(0, LEAST($4, GREATEST(0, r.level - GREATEST(0, EXTRACT(EPOCH FROM ($7 - r.at))::float8) / $3) + $5))
		END,
		at = GREATEST(r.at, $7)
	RETURNING level, prev`

// sweep deletes, at most every ten minutes per server, the buckets left
// alone for sweepAfter; a failure is left for the next one.
func (st *LimitStore) sweep(ctx context.Context, now time.Time) {
	last := st.lastSweep.Load()
	if now.Unix()-last < 600 || !st.lastSweep.CompareAndSwap(last, now.Unix()) {
		return
	}
	st.db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE at < $1`, utc(now.Add(-sweepAfter)))
}

// migrateRateLimits adds the shared rate limits.
func migrateRateLimits(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, rateLimitsSQL)
	return err
}
