package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atelier-app/atelier/internal/booking"
)

// The staff accounts admins manage in the app (booking.AccountStore).

// CodePasswordSet is the error code for sending an invitation again to an
// account that has set its password already.
const CodePasswordSet = "password_set"

// accountAudit is an account as the audit log shows it (never its
// password hash).
type accountAudit struct {
	Email     string       `json:"email"`
	Name      string       `json:"name"`
	Role      booking.Role `json:"role"`
	ArtisanID string       `json:"artisan,omitempty"`
	Disabled  bool         `json:"disabled"`
}

func auditUser(u *booking.User) accountAudit {
	return accountAudit{Email: u.Email, Name: u.Name, Role: u.Role, ArtisanID: u.ArtisanID, Disabled: u.Disabled}
}

// UserByID returns the account with id.
func (st *StaffStore) UserByID(ctx context.Context, id string) (*booking.User, error) {
	u, err := scanUser(st.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("user")
	}
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: user: %w", err))
	}
	return u, nil
}

// PendingInvites returns when the latest invitation of each account still
// without a password expires.
func (st *StaffStore) PendingInvites(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := eachRow(ctx, st.db.pool, "staff invites", `SELECT i.user_id, max(i.expires_at) FROM staff_invites AS i
		JOIN users AS u ON u.id = i.user_id WHERE u.password_hash = '' GROUP BY i.user_id`,
		func(rows pgx.Rows) error {
			var id string
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			out[id] = at.UTC()
			return nil
		})
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: %w", err))
	}
	return out, nil
}

func insertInvite(ctx context.Context, tx *Tx, inv booking.Invite) error {
	if _, err := tx.Exec(ctx, `DELETE FROM staff_invites WHERE user_id = $1`, inv.UserID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO staff_invites (token_hash, user_id, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, inv.TokenHash, inv.UserID, inv.CreatedBy, tx.now, inv.ExpiresAt)
	return err
}

// InviteUser creates an account without a password, its invitation and
// the e-mail that carries it.
func (st *StaffStore) InviteUser(ctx context.Context, u booking.User, inv booking.Invite, job booking.Job, actor booking.Actor) (*booking.User, error) {
	u.ID = booking.NewID(booking.UserIDPrefix)
	u.Email, u.PasswordHash = strings.TrimSpace(u.Email), ""
	err := st.db.inTx(ctx, func(tx *Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.now, tx.now
		if err := activeArtisan(ctx, tx, u.ArtisanID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, role, artisan_id, password_hash, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, '', false, $6, $7)`,
			u.ID, u.Email, u.Name, string(u.Role), nullString(u.ArtisanID), tx.now, tx.now)
		if pgCode(err) == sqlstateUniqueViolation {
			return booking.Errorf(booking.ECONFLICT, CodeEmailTaken, "a staff account with this e-mail address exists already")
		}
		if err != nil {
			return err
		}
		inv.UserID = u.ID
		if err := insertInvite(ctx, tx, inv); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, []booking.Job{job}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "user.invited", "", "user:"+u.ID, nil, auditUser(&u))
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: invite user: %w", err)
	}
	return &u, nil
}

// activeArtisan refuses an artisan account for an artisan not offered.
func activeArtisan(ctx context.Context, q querier, id string) error {
	if id == "" {
		return nil
	}
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM artisans WHERE id = $1 AND active`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return &booking.Error{Kind: booking.EINVALID, Code: booking.CodeInvalid,
			Message: "unknown artisan", Fields: map[string]string{"artisan": "no active artisan has this id"}}
	}
	return err
}

// ReplaceInvite sends an account that has not set its password a new
// link; the old ones stop working.
func (st *StaffStore) ReplaceInvite(ctx context.Context, inv booking.Invite, job booking.Job, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var hash string
		err := tx.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, inv.UserID).Scan(&hash)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		if hash != "" {
			return booking.Errorf(booking.ECONFLICT, CodePasswordSet, "this account has set its password already")
		}
		if err := insertInvite(ctx, tx, inv); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, []booking.Job{job}); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "user.invite_sent", "", "user:"+inv.UserID, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: send invite again: %w", err)
	}
	return nil
}

func invitedUser(ctx context.Context, q querier, tokenHash []byte, now time.Time) (*booking.User, error) {
	var expires time.Time
	err := q.QueryRow(ctx, `SELECT expires_at FROM staff_invites WHERE token_hash = $1`, tokenHash).Scan(&expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("invitation")
	}
	if err != nil {
		return nil, err
	}
	if !expires.After(now) {
		return nil, booking.Errorf(booking.ENOTFOUND, booking.CodeInviteExpired, "this invitation has expired; ask an administrator for a new one")
	}
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM staff_invites WHERE token_hash = $1)`, tokenHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("invitation")
	}
	return u, err
}

// InvitedUser returns the account of a current invitation.
func (st *StaffStore) InvitedUser(ctx context.Context, tokenHash []byte, now time.Time) (*booking.User, error) {
	u, err := invitedUser(ctx, st.db.pool, tokenHash, now)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: invitation: %w", err))
	}
	return u, nil
}

// AcceptInvite sets the account's password and uses the invitation up.
func (st *StaffStore) AcceptInvite(ctx context.Context, tokenHash []byte, passwordHash string, now time.Time) (*booking.User, error) {
	var u *booking.User
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var err error
		if u, err = invitedUser(ctx, tx, tokenHash, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`,
			passwordHash, tx.now, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staff_invites WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		u.PasswordHash = passwordHash
		return writeAudit(ctx, tx, booking.Actor{Kind: "staff", ID: u.ID}, "user.invite_accepted", "", "user:"+u.ID, nil, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: accept invite: %w", err)
	}
	return u, nil
}

// SetUserAccess changes an account's name, role and artisan and ends its
// sessions.
func (st *StaffStore) SetUserAccess(ctx context.Context, id, name string, role booking.Role, artisanID string, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		if err := activeArtisan(ctx, tx, artisanID); err != nil {
			return err
		}
		after := *before
		after.Name, after.Role, after.ArtisanID = name, role, artisanID
		_, err = tx.Exec(ctx, `UPDATE users SET name = $1, role = $2, artisan_id = $3, updated_at = $4 WHERE id = $5`,
			name, string(role), nullString(artisanID), tx.now, id)
		if pgCode(err) == sqlstateCheckViolation {
			return booking.Errorf(booking.EINVALID, booking.CodeInvalid, "an artisan account needs an artisan, and only an artisan account has one")
		}
		if err != nil {
			return err
		}
		if before.Role != role || before.ArtisanID != artisanID {
			// What the account may see changed: its sessions end, and the
			// feeds it made of what it no longer sees go.
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM feed_tokens WHERE created_by = $1`, id); err != nil {
				return err
			}
		}
		return writeAudit(ctx, tx, actor, "user.updated", "", "user:"+id, auditUser(before), auditUser(&after))
	})
	if err != nil {
		return fmt.Errorf("postgres: change account: %w", err)
	}
	return nil
}

// SetUserDisabled disables or enables an account, as DisableUser and
// EnableUser do, with the admin as the audit's actor.
func (st *StaffStore) SetUserDisabled(ctx context.Context, id string, disabled bool, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var email string
		err := tx.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&email)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		if !disabled {
			if err := revokeFeedsOf(ctx, tx, id); err != nil {
				return err
			}
		}
		if _, err := setUser(ctx, tx, email, `disabled = $1`, disabled); err != nil {
			return err
		}
		action := "user.enabled"
		if disabled {
			action = "user.disabled"
			if err := revokeFeedsOf(ctx, tx, id); err != nil {
				return err
			}
		}
		return writeAudit(ctx, tx, actor, action, "", "user:"+id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("postgres: disable or enable user: %w", err)
	}
	return nil
}

// EndSessions deletes every session of the account.
func (st *StaffStore) EndSessions(ctx context.Context, id string, actor booking.Actor) (int64, error) {
	var n int64
	err := st.db.inTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		if err != nil {
			return err
		}
		n = res.RowsAffected()
		return writeAudit(ctx, tx, actor, "user.signed_out", "", "user:"+id, nil, map[string]int64{"sessions": n})
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: end sessions: %w", err)
	}
	return n, nil
}
