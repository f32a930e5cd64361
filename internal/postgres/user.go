package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// CodeEmailTaken is the error code for a staff account whose e-mail
// address is already used (as in SQLite's store).
const CodeEmailTaken = "email_taken"

// SQLSTATEs of the constraints the staff's writes meet.
const (
	sqlstateUniqueViolation = "23505"
	sqlstateCheckViolation  = "23514"
)

const userColumns = `id, email, name, role, coalesce(artisan_id, ''), password_hash, disabled, created_at, updated_at`

func scanUser(s scanner) (*booking.User, error) {
	var u booking.User
	var role string
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &role, &u.ArtisanID, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	u.Role = booking.Role(role)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// CreateUser stores a new staff account and returns it with its id. An
// e-mail address already in use (in any letter case) is ECONFLICT
// CodeEmailTaken; an artisan account for an unknown artisan is EINVALID.
func (st *StaffStore) CreateUser(ctx context.Context, u booking.User) (*booking.User, error) {
	u.ID = booking.NewID(booking.UserIDPrefix)
	u.Email = strings.TrimSpace(u.Email)
	err := st.db.inTx(ctx, func(tx *Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.now, tx.now
		if u.ArtisanID != "" {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM artisans WHERE id = $1 AND active`, u.ArtisanID).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return &booking.Error{Kind: booking.EINVALID, Code: booking.CodeInvalid,
					Message: "unknown artisan", Fields: map[string]string{"artisan": "no active artisan has this id"}}
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, role, artisan_id, password_hash, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			u.ID, u.Email, u.Name, string(u.Role), nullString(u.ArtisanID), u.PasswordHash, u.Disabled, tx.now, tx.now)
		switch pgCode(err) {
		case sqlstateUniqueViolation:
			return booking.Errorf(booking.ECONFLICT, CodeEmailTaken, "a staff account with this e-mail address exists already")
		case sqlstateCheckViolation:
			return booking.Errorf(booking.EINVALID, booking.CodeInvalid, "an artisan account needs an artisan, and only an artisan account has one")
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: create user: %w", err)
	}
	return &u, nil
}

// UserByEmail returns the account with the e-mail address (any letter
// case), or ENOTFOUND.
func (st *StaffStore) UserByEmail(ctx context.Context, email string) (*booking.User, error) {
	// users_email: the unique index on lower(email).
	u, err := scanUser(st.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, strings.TrimSpace(email)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("user")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: user by email: %w", err))
	}
	return u, nil
}

// Users lists every staff account by e-mail address (in any case).
func (st *StaffStore) Users(ctx context.Context) ([]booking.User, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY lower(email), email`)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: users: %w", err))
	}
	defer rows.Close()
	var out []booking.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: users: %w", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("postgres: users: %w", err))
	}
	return out, nil
}

// SetUserPassword replaces the password hash of the account with the
// e-mail address and ends all its sessions.
func (st *StaffStore) SetUserPassword(ctx context.Context, email, hash string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := setUser(ctx, tx, email, `password_hash = $1`, hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set password: %w", err)
	}
	return nil
}

// DisableUser disables the account with the e-mail address: it can no
// longer sign in, all its sessions end, and the calendar feeds it could
// still read are revoked (revokeFeedsOf), all in one transaction. The
// audit log records it, with the feeds revoked.
func (st *StaffStore) DisableUser(ctx context.Context, email string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		if err := lockArtisanAccounts(ctx, tx, strings.TrimSpace(email)); err != nil {
			return err
		}
		id, err := setUser(ctx, tx, email, `disabled = $1`, true)
		if err != nil {
			return err
		}
		if err := revokeFeedsOf(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, booking.Actor{}, "user.disabled", "", "user:"+id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: disable user: %w", err)
	}
	return nil
}

// EnableUser lets a disabled account with the e-mail address sign in
// again. The feeds revoked when it was disabled stay revoked; a feed that
// survived the disabling (an account disabled by an earlier version) is
// revoked now, before the account is active again and the feed would
// serve once more.
func (st *StaffStore) EnableUser(ctx context.Context, email string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var id string
		err := tx.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower($1) FOR UPDATE`, strings.TrimSpace(email)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		if err := revokeFeedsOf(ctx, tx, id); err != nil {
			return err
		}
		if _, err := setUser(ctx, tx, email, `disabled = $1`, false); err != nil {
			return err
		}
		return writeAudit(ctx, tx, booking.Actor{}, "user.enabled", "", "user:"+id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: enable user: %w", err)
	}
	return nil
}

// setUser applies set (with arg as $1) to the account with the e-mail
// address, ends all its sessions and returns its id; an unknown address is
// ENOTFOUND.
func setUser(ctx context.Context, tx *Tx, email, set string, arg any) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `UPDATE users SET `+set+`, updated_at = $2 WHERE lower(email) = lower($3) RETURNING id`,
		arg, tx.now, strings.TrimSpace(email)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", booking.ErrNotFound("user")
	}
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
		return "", err
	}
	return id, nil
}
