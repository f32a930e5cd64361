package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// Staff sessions live in the database, so every server behind the load
// balancer knows every session: signing in on one and clicking on to
// another works, and signing out (or a disabled account) ends the session
// everywhere at once.

// CreateSession stores a new session. Sessions past their absolute expiry
// are purged at the same time, so the table does not grow without bound.
func (st *StaffStore) CreateSession(ctx context.Context, s booking.Session) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, utc(s.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id, user_id, secret_hash, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, s.ID, s.UserID, s.SecretHash, utc(s.CreatedAt), utc(s.LastSeenAt), utc(s.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// Session returns session id with its user, or ENOTFOUND. Checking the
// secret, expiry and whether the user is disabled is the caller's job.
func (st *StaffStore) Session(ctx context.Context, id string) (*booking.Session, *booking.User, error) {
	var s booking.Session
	var u booking.User
	var role string
	err := st.db.pool.QueryRow(ctx, `SELECT s.id, s.user_id, s.secret_hash, s.created_at, s.last_seen_at, s.expires_at,
			u.id, u.email, u.name, u.role, coalesce(u.artisan_id, ''), u.password_hash, u.disabled, u.created_at, u.updated_at
		FROM sessions AS s JOIN users AS u ON u.id = s.user_id WHERE s.id = $1`, id).
		Scan(&s.ID, &s.UserID, &s.SecretHash, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt,
			&u.ID, &u.Email, &u.Name, &role, &u.ArtisanID, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, booking.ErrNotFound("session")
	}
	if err != nil {
		return nil, nil, unavailable(fmt.Errorf("postgres: session: %w", err))
	}
	u.Role = booking.Role(role)
	for _, t := range []*time.Time{&s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &u.CreatedAt, &u.UpdatedAt} {
		*t = t.UTC()
	}
	return &s, &u, nil
}

// TouchSession records that session id was used at t (for the idle
// expiry).
func (st *StaffStore) TouchSession(ctx context.Context, id string, t time.Time) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, utc(t), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: touch session: %w", err)
	}
	return nil
}

// DeleteSession removes session id; removing an unknown session is not an
// error.
func (st *StaffStore) DeleteSession(ctx context.Context, id string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}
