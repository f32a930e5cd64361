package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/atelier-app/atelier/internal/booking"
)

// InvitationStore keeps the invitations to book a commission's next step
// (booking.InvitationStore). CreateBooking uses one up (useInvitation).
type InvitationStore struct{ db *DB }

// NewInvitationStore returns the invitation store over db.
func NewInvitationStore(db *DB) *InvitationStore { return &InvitationStore{db} }

const invitationColumns = `id, commission_id, service_id, mode, coalesce(artisan_id, ''), note, expires_at,
	coalesce(used_by, ''), used_at, revoked_at, created_by, created_at`

func scanInvitation(s scanner) (*booking.Invitation, error) {
	var iv booking.Invitation
	var mode, expires, created string
	var used, revoked sql.NullString
	if err := s.Scan(&iv.ID, &iv.CommissionID, &iv.ServiceID, &mode, &iv.ArtisanID, &iv.Note, &expires,
		&iv.UsedBy, &used, &revoked, &iv.CreatedBy, &created); err != nil {
		return nil, err
	}
	iv.Mode = booking.Mode(mode)
	var err error
	if iv.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	if iv.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if iv.UsedAt, err = parseNullTime(used); err != nil {
		return nil, err
	}
	if iv.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
	return &iv, nil
}

// invitationAudit is an invitation as the audit log keeps it (no token).
type invitationAudit struct {
	ID           string `json:"id"`
	CommissionID string `json:"commission"`
	Service      string `json:"service"`
	Mode         string `json:"mode,omitempty"`
	Artisan      string `json:"artisan,omitempty"`
	ExpiresAt    string `json:"expires_at"`
	UsedBy       string `json:"used_by,omitempty"`
}

func auditInvitation(iv *booking.Invitation) invitationAudit {
	return invitationAudit{ID: iv.ID, CommissionID: iv.CommissionID, Service: iv.ServiceID, Mode: string(iv.Mode),
		Artisan: iv.ArtisanID, ExpiresAt: fmtTime(iv.ExpiresAt), UsedBy: iv.UsedBy}
}

// CreateInvitation stores iv with its token's hash and queues its jobs.
func (st *InvitationStore) CreateInvitation(ctx context.Context, iv booking.Invitation, tokenHash []byte, jobs []booking.Job, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO invitations (id, commission_id, service_id, mode, artisan_id, note, token_hash,
			expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			iv.ID, iv.CommissionID, iv.ServiceID, string(iv.Mode), nullString(iv.ArtisanID), iv.Note, tokenHash,
			fmtTime(iv.ExpiresAt), iv.CreatedBy, fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
		if err := enqueue(ctx, tx, jobs); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "invitation.created", "", "commission:"+iv.CommissionID, nil, auditInvitation(&iv))
	})
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

func invitationWhere(ctx context.Context, q queryer, where string, args ...any) (*booking.Invitation, error) {
	iv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, booking.ErrNotFound("invitation")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: invitation: %w", err)
	}
	return iv, nil
}

// Invitation returns invitation id.
func (st *InvitationStore) Invitation(ctx context.Context, id string) (*booking.Invitation, error) {
	return invitationWhere(ctx, st.db.read, `id = ?`, id)
}

// InvitationByToken returns the invitation whose token hashes to tokenHash.
func (st *InvitationStore) InvitationByToken(ctx context.Context, tokenHash []byte) (*booking.Invitation, error) {
	return invitationWhere(ctx, st.db.read, `token_hash = ?`, tokenHash)
}

// CommissionInvitations lists a commission's invitations, newest first.
func (st *InvitationStore) CommissionInvitations(ctx context.Context, commissionID string) ([]booking.Invitation, error) {
	out := []booking.Invitation{}
	err := eachRow(ctx, st.db.read, "invitations", `SELECT `+invitationColumns+` FROM invitations
		WHERE commission_id = ? ORDER BY created_at DESC, id DESC`, func(rows *sql.Rows) error {
		iv, err := scanInvitation(rows)
		if err != nil {
			return err
		}
		out = append(out, *iv)
		return nil
	}, commissionID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// RevokeInvitation revokes invitation id of commissionID.
func (st *InvitationStore) RevokeInvitation(ctx context.Context, commissionID, id string, actor booking.Actor) (*booking.Invitation, error) {
	var out *booking.Invitation
	err := st.db.inTx(ctx, func(tx *Tx) error {
		iv, err := invitationWhere(ctx, tx, `id = ? AND commission_id = ?`, id, commissionID)
		if err != nil {
			return err
		}
		out = iv
		switch {
		case iv.UsedBy != "":
			return booking.ErrInvitationUsed()
		case !iv.RevokedAt.IsZero():
			return nil
		}
		iv.RevokedAt = tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, fmtTime(tx.now), id); err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		return writeAudit(ctx, tx, actor, "invitation.revoked", "", "commission:"+commissionID, nil, auditInvitation(iv))
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return out, nil
}

// useInvitation marks invitation id used by booking b, just inserted in
// tx, and makes b belong to the invitation's commission; or it refuses
// with the invitation's error when it is used, revoked or expired at the
// transaction's time. The write transaction is the only writer (BEGIN
// IMMEDIATE), so the check and the mark cannot interleave with another
// booking's.
func useInvitation(ctx context.Context, tx *Tx, id string, b *booking.Booking) error {
	var commission string
	err := tx.QueryRowContext(ctx, `UPDATE invitations SET used_by = ?, used_at = ?
		WHERE id = ? AND used_by IS NULL AND revoked_at IS NULL AND expires_at > ?
		RETURNING commission_id`,
		b.ID, fmtTime(tx.now), id, fmtTime(tx.now)).Scan(&commission)
	if err == nil {
		b.CommissionID = commission
		if _, err := tx.ExecContext(ctx, `UPDATE bookings SET commission_id = ? WHERE id = ?`, commission, b.ID); err != nil {
			return fmt.Errorf("link the invitation's booking: %w", err)
		}
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("use invitation: %w", err)
	}
	iv, err := invitationWhere(ctx, tx, `id = ?`, id)
	if err != nil {
		return err
	}
	if err := iv.Usable(tx.now); err != nil {
		return err
	}
	return booking.ErrInvitationUsed()
}
