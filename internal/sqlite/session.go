package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// CreateSession stores a new session. Sessions past their absolute expiry
// are purged at the same time, so the table does not grow without bound.
func (st *StaffStore) CreateSession(ctx context.Context, s booking.Session) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, fmtTime(s.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, secret_hash, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, s.ID, s.UserID, s.SecretHash, fmtTime(s.CreatedAt), fmtTime(s.LastSeenAt), fmtTime(s.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// Session returns session id with its user, or ENOTFOUND. Checking the
// secret, expiry and whether the user is disabled is the caller's job.
func (st *StaffStore) Session(ctx context.Context, id string) (*booking.Session, *booking.User, error) {
	var s booking.Session
	var created, seen, expires string
	row := st.db.read.QueryRowContext(ctx, `SELECT s.id, s.user_id, s.secret_hash, s.created_at, s.last_seen_at, s.expires_at,
			u.id, u.email, u.name, u.role, coalesce(u.artisan_id, ''), u.password_hash, u.disabled, u.created_at, u.updated_at
		FROM sessions AS s JOIN users AS u ON u.id = s.user_id WHERE s.id = ?`, id)
	var u booking.User
	var uc, uu string
	err := row.Scan(&s.ID, &s.UserID, &s.SecretHash, &created, &seen, &expires,
		&u.ID, &u.Email, &u.Name, &u.Role, &u.ArtisanID, &u.PasswordHash, &u.Disabled, &uc, &uu)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, booking.ErrNotFound("session")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: session: %w", err)
	}
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&s.CreatedAt, created}, {&s.LastSeenAt, seen}, {&s.ExpiresAt, expires}, {&u.CreatedAt, uc}, {&u.UpdatedAt, uu}} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return nil, nil, fmt.Errorf("sqlite: session: %w", err)
		}
	}
	return &s, &u, nil
}

// TouchSession records that session id was used at t (for the idle
// expiry).
func (st *StaffStore) TouchSession(ctx context.Context, id string, t time.Time) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, fmtTime(t), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	return nil
}

// DeleteSession removes session id; removing an unknown session is not an
// error.
func (st *StaffStore) DeleteSession(ctx context.Context, id string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}
