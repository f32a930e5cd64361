package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/atelier-app/atelier/internal/booking"
)

// CodeEmailTaken is the error code for a staff account whose e-mail
// address is already used.
const CodeEmailTaken = "email_taken"

const userColumns = `id, email, name, role, coalesce(artisan_id, ''), password_hash, disabled, created_at, updated_at`

func scanUser(s scanner) (*booking.User, error) {
	var u booking.User
	var created, updated string
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.ArtisanID, &u.PasswordHash, &u.Disabled, &created, &updated); err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser stores a new staff account and returns it with its id. An
// e-mail address already in use (in any letter case) is ECONFLICT
// CodeEmailTaken; an artisan account for an unknown artisan is EINVALID.
func (st *StaffStore) CreateUser(ctx context.Context, u booking.User) (*booking.User, error) {
	u.ID = booking.NewID(booking.UserIDPrefix)
	u.Email = strings.TrimSpace(u.Email)
	err := st.db.inTx(ctx, func(tx *Tx) error {
		now := tx.now
		u.CreatedAt, u.UpdatedAt = now, now
		if u.ArtisanID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM artisans WHERE id = ? AND active`, u.ArtisanID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return &booking.Error{Kind: booking.EINVALID, Code: booking.CodeInvalid,
					Message: "unknown artisan", Fields: map[string]string{"artisan": "no active artisan has this id"}}
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, role, artisan_id, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.Name, string(u.Role), nullString(u.ArtisanID), u.PasswordHash, u.Disabled, fmtTime(now), fmtTime(now))
		if isUniqueViolation(err) {
			return booking.Errorf(booking.ECONFLICT, CodeEmailTaken, "a staff account with this e-mail address exists already")
		}
		if isCheckViolation(err) {
			return booking.Errorf(booking.EINVALID, booking.CodeInvalid, "an artisan account needs an artisan, and only an artisan account has one")
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: create user: %w", err)
	}
	return &u, nil
}

// isCheckViolation reports whether err is a CHECK constraint failure.
func isCheckViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK
}

// UserByEmail returns the account with the e-mail address (any letter
// case), or ENOTFOUND.
func (st *StaffStore) UserByEmail(ctx context.Context, email string) (*booking.User, error) {
	u, err := scanUser(st.db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.ErrNotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user by email: %w", err)
	}
	return u, nil
}

// Users lists every staff account by e-mail address.
func (st *StaffStore) Users(ctx context.Context) ([]booking.User, error) {
	rows, err := st.db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	defer rows.Close()
	var out []booking.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: users: %w", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return out, nil
}

// SetUserPassword replaces the password hash of the account with the
// e-mail address and ends all its sessions.
func (st *StaffStore) SetUserPassword(ctx context.Context, email, hash string) error {
	return st.updateUser(ctx, "set password", email, `password_hash = ?`, hash)
}

// DisableUser disables the account with the e-mail address: it can no
// longer sign in, all its sessions end, and the calendar feeds it could
// still read are revoked (revokeFeedsOf), all in one transaction. The
// audit log records it, with the feeds revoked.
func (st *StaffStore) DisableUser(ctx context.Context, email string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		id, err := setUser(ctx, tx, email, `disabled = ?`, 1)
		if err != nil {
			return err
		}
		if err := revokeFeedsOf(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, booking.Actor{}, "user.disabled", "", "user:"+id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("sqlite: disable user: %w", err)
	}
	return nil
}

// EnableUser lets a disabled account with the e-mail address sign in
// again. The feeds revoked when it was disabled stay revoked: their URLs
// may have been copied anywhere meanwhile; the account makes new ones.
// A feed that survived the disabling (an account disabled by an earlier
// version, whose feeds were only refused) is revoked now, before the
// account is active again and the feed would serve once more.
func (st *StaffStore) EnableUser(ctx context.Context, email string) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = ?`, strings.TrimSpace(email)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return booking.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		if err := revokeFeedsOf(ctx, tx, id); err != nil {
			return err
		}
		if _, err := setUser(ctx, tx, email, `disabled = ?`, 0); err != nil {
			return err
		}
		return writeAudit(ctx, tx, booking.Actor{}, "user.enabled", "", "user:"+id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("sqlite: enable user: %w", err)
	}
	return nil
}

func (st *StaffStore) updateUser(ctx context.Context, op, email, set string, arg any) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := setUser(ctx, tx, email, set, arg)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return nil
}

// setUser applies set (with arg) to the account with the e-mail address,
// ends all its sessions and returns its id; an unknown address is
// ENOTFOUND.
func setUser(ctx context.Context, tx *Tx, email, set string, arg any) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `UPDATE users SET `+set+`, updated_at = ? WHERE email = ? RETURNING id`,
		arg, fmtTime(tx.now), strings.TrimSpace(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", booking.ErrNotFound("user")
	}
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
		return "", err
	}
	return id, nil
}
