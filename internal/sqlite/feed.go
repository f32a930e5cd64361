package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
)

// The secrets of calendar subscription feeds. A feed belongs to one
// artisan, or to the whole atelier when artisanID is "". Only the SHA-256
// of the URL token is stored; a feed has at most one token at a time, so
// storing a new one (rotation) makes the old URL stop working at once.

// feedTarget names a feed in the audit log.
func feedTarget(artisanID string) string {
	if artisanID == "" {
		return "feed:atelier"
	}
	return "feed:artisan:" + artisanID
}

// SetFeedToken makes hash the secret of the feed of artisanID ("" for the
// atelier-wide feed), replacing any earlier one. An unknown or retired
// artisan is ENOTFOUND.
func (st *StaffStore) SetFeedToken(ctx context.Context, artisanID string, hash []byte, actor booking.Actor) error {
	if len(hash) == 0 {
		return fmt.Errorf("sqlite: set feed token: empty hash")
	}
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if artisanID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM artisans WHERE id = ? AND active`, artisanID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return booking.ErrNotFound("artisan")
			}
			if err != nil {
				return err
			}
		}
		var existed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM feed_tokens WHERE artisan_id = ?`, artisanID).Scan(&existed); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO feed_tokens (artisan_id, token_hash, created_at, created_by)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (artisan_id) DO UPDATE SET token_hash = excluded.token_hash,
				created_at = excluded.created_at, created_by = excluded.created_by`,
			artisanID, hash, fmtTime(tx.now), actor.ID)
		if err != nil {
			return err
		}
		action := "feed.created"
		if existed > 0 {
			action = "feed.rotated"
		}
		// The audit row records that the secret changed, never the secret.
		return writeAudit(ctx, tx, actor, action, "", feedTarget(artisanID), nil, nil)
	})
	if err != nil {
		return fmt.Errorf("sqlite: set feed token: %w", err)
	}
	return nil
}

// DeleteFeedToken revokes the feed of artisanID ("" for the atelier-wide
// feed). It reports whether there was one to revoke.
func (st *StaffStore) DeleteFeedToken(ctx context.Context, artisanID string, actor booking.Actor) (bool, error) {
	var deleted bool
	err := st.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feed_tokens WHERE artisan_id = ?`, artisanID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if deleted = n > 0; !deleted {
			return nil
		}
		return writeAudit(ctx, tx, actor, "feed.revoked", "", feedTarget(artisanID), nil, nil)
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: delete feed token: %w", err)
	}
	return deleted, nil
}

// A feed's URL is known to the account that made it (it is shown only
// then) and, for an artisan's feed, possibly to that artisan's own
// account. So when an account is disabled, the feeds it could still read
// go with it: those it made, and its artisan's feed unless another
// active account of that artisan remains.

// liveFeed is the condition, on feed_tokens f, that the feed belongs to no
// disabled account: its maker (when recorded) is not disabled, and an
// artisan's feed has an active account of the artisan, or none at all.
// It refuses the feeds that DisableUser revokes, should a token survive
// (an account disabled by an earlier version).
const liveFeed = `NOT EXISTS (SELECT 1 FROM users u WHERE u.id = f.created_by AND u.disabled)
	AND (f.artisan_id = ''
		OR NOT EXISTS (SELECT 1 FROM users u WHERE u.artisan_id = f.artisan_id)
		OR EXISTS (SELECT 1 FROM users u WHERE u.artisan_id = f.artisan_id AND NOT u.disabled))`

// revokeFeedsOf deletes, in tx, the feeds that account userID could still
// read once disabled (the rule of liveFeed), each with its audit row.
func revokeFeedsOf(ctx context.Context, tx *Tx, userID string) error {
	rows, err := tx.QueryContext(ctx, `DELETE FROM feed_tokens AS f WHERE NOT (`+liveFeed+`)
		AND (f.created_by = ?1 OR f.artisan_id IN (SELECT artisan_id FROM users WHERE id = ?1 AND artisan_id IS NOT NULL))
		RETURNING artisan_id`, userID)
	if err != nil {
		return fmt.Errorf("revoke feeds: %w", err)
	}
	var revoked []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return fmt.Errorf("revoke feeds: %w", err)
		}
		revoked = append(revoked, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("revoke feeds: %w", err)
	}
	for _, a := range revoked {
		if err := writeAudit(ctx, tx, booking.Actor{}, "feed.revoked", "", feedTarget(a), nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// FeedByTokenHash returns the artisan whose feed has the secret hash ("" for
// the atelier-wide feed); an unknown hash, and the feed of a disabled
// account (liveFeed), are ENOTFOUND.
func (st *StaffStore) FeedByTokenHash(ctx context.Context, hash []byte) (artisanID string, err error) {
	err = st.db.read.QueryRowContext(ctx, `SELECT artisan_id FROM feed_tokens AS f WHERE token_hash = ? AND `+liveFeed, hash).Scan(&artisanID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", booking.ErrNotFound("feed")
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: feed by token: %w", err)
	}
	return artisanID, nil
}
