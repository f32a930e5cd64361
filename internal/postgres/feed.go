package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// The secrets of calendar subscription feeds, as in SQLite's store. A feed
// belongs to one artisan, or to the whole atelier when artisanID is "".
// Only the SHA-256 of the URL token is stored; a feed has at most one
// token at a time, so storing a new one (rotation) makes the old URL stop
// working at once.

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
		return fmt.Errorf("postgres: set feed token: empty hash")
	}
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if artisanID != "" {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM artisans WHERE id = $1 AND active`, artisanID).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return booking.ErrNotFound("artisan")
			}
			if err != nil {
				return err
			}
		}
		// xmax = 0 tells an inserted row from an updated one.
		var inserted bool
		err := tx.QueryRow(ctx, `INSERT INTO feed_tokens (artisan_id, token_hash, created_at, created_by)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (artisan_id) DO UPDATE SET token_hash = excluded.token_hash,
				created_at = excluded.created_at, created_by = excluded.created_by
			RETURNING xmax = 0`,
			artisanID, hash, tx.now, actor.ID).Scan(&inserted)
		if err != nil {
			return err
		}
		action := "feed.rotated"
		if inserted {
			action = "feed.created"
		}
		// The audit row records that the secret changed, never the secret.
		return writeAudit(ctx, tx, actor, action, "", feedTarget(artisanID), nil, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: set feed token: %w", err)
	}
	return nil
}

// DeleteFeedToken revokes the feed of artisanID ("" for the atelier-wide
// feed). It reports whether there was one to revoke.
func (st *StaffStore) DeleteFeedToken(ctx context.Context, artisanID string, actor booking.Actor) (bool, error) {
	var deleted bool
	err := st.db.inTx(ctx, func(tx *Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM feed_tokens WHERE artisan_id = $1`, artisanID)
		if err != nil {
			return err
		}
		if deleted = tag.RowsAffected() > 0; !deleted {
			return nil
		}
		return writeAudit(ctx, tx, actor, "feed.revoked", "", feedTarget(artisanID), nil, nil)
	})
	if err != nil {
		return false, fmt.Errorf("postgres: delete feed token: %w", err)
	}
	return deleted, nil
}

// liveFeed is the condition, on feed_tokens f, that the feed belongs to no
// disabled account: its maker (when recorded) is not disabled, and an
// artisan's feed has an active account of the artisan, or none at all
// (SQLite's rule, the same words).
const liveFeed = `NOT EXISTS (SELECT 1 FROM users u WHERE u.id = f.created_by AND u.disabled)
	AND (f.artisan_id = ''
		OR NOT EXISTS (SELECT 1 FROM users u WHERE u.artisan_id = f.artisan_id)
		OR EXISTS (SELECT 1 FROM users u WHERE u.artisan_id = f.artisan_id AND NOT u.disabled))`

// revokeFeedsOf deletes, in tx, the feeds that account userID could still
// read once disabled (the rule of liveFeed), each with its audit row.
// DisableUser locks the accounts of the artisan first (lockArtisanAccounts),
// so two accounts of one artisan disabled at once see each other's change
// and the second revokes the artisan's feed.
func revokeFeedsOf(ctx context.Context, tx *Tx, userID string) error {
	rows, err := tx.Query(ctx, `DELETE FROM feed_tokens AS f WHERE NOT (`+liveFeed+`)
		AND (f.created_by = $1 OR f.artisan_id IN (SELECT artisan_id FROM users WHERE id = $1 AND artisan_id IS NOT NULL))
		RETURNING artisan_id`, userID)
	if err != nil {
		return fmt.Errorf("revoke feeds: %w", err)
	}
	revoked, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
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
	err = st.db.pool.QueryRow(ctx, `SELECT artisan_id FROM feed_tokens AS f WHERE token_hash = $1 AND `+liveFeed, hash).Scan(&artisanID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", booking.ErrNotFound("feed")
	}
	if err != nil {
		return "", unavailable(fmt.Errorf("postgres: feed by token: %w", err))
	}
	return artisanID, nil
}

// lockArtisanAccounts locks, in tx, the account with the e-mail address and
// the other accounts of its artisan, in id order, until tx ends.
func lockArtisanAccounts(ctx context.Context, tx *Tx, email string) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE lower(email) = lower($1)
		OR artisan_id IN (SELECT artisan_id FROM users WHERE lower(email) = lower($1))
		ORDER BY id FOR UPDATE`, email)
	if err != nil {
		return fmt.Errorf("lock accounts: %w", err)
	}
	return nil
}
