package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	var mode string
	var used, revoked *time.Time
	if err := s.Scan(&iv.ID, &iv.CommissionID, &iv.ServiceID, &mode, &iv.ArtisanID, &iv.Note, &iv.ExpiresAt,
		&iv.UsedBy, &used, &revoked, &iv.CreatedBy, &iv.CreatedAt); err != nil {
		return nil, err
	}
	iv.Mode = booking.Mode(mode)
	iv.ExpiresAt, iv.CreatedAt = iv.ExpiresAt.UTC(), iv.CreatedAt.UTC()
	if used != nil {
		iv.UsedAt = used.UTC()
	}
	if revoked != nil {
		iv.RevokedAt = revoked.UTC()
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
		Artisan: iv.ArtisanID, ExpiresAt: iv.ExpiresAt.UTC().Format(time.RFC3339), UsedBy: iv.UsedBy}
}

// CreateInvitation stores iv with its token's hash and queues its jobs.
func (st *InvitationStore) CreateInvitation(ctx context.Context, iv booking.Invitation, tokenHash []byte, jobs []booking.Job, actor booking.Actor) error {
	err := st.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO invitations (id, commission_id, service_id, mode, artisan_id, note, token_hash,
			expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			iv.ID, iv.CommissionID, iv.ServiceID, string(iv.Mode), nullString(iv.ArtisanID), iv.Note, tokenHash,
			iv.ExpiresAt, iv.CreatedBy, tx.now)
		if err != nil {
			return fmt.Errorf("insert invitation: %w", err)
		}
		if err := enqueue(ctx, tx, jobs); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "invitation.created", "", "commission:"+iv.CommissionID, nil, auditInvitation(&iv))
	})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

func invitationWhere(ctx context.Context, q querier, where string, args ...any) (*booking.Invitation, error) {
	iv, err := scanInvitation(q.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, booking.ErrNotFound("invitation")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: invitation: %w", err)
	}
	return iv, nil
}

// Invitation returns invitation id.
func (st *InvitationStore) Invitation(ctx context.Context, id string) (*booking.Invitation, error) {
	return invitationWhere(ctx, st.db.pool, `id = $1`, id)
}

// InvitationByToken returns the invitation whose token hashes to tokenHash.
func (st *InvitationStore) InvitationByToken(ctx context.Context, tokenHash []byte) (*booking.Invitation, error) {
	return invitationWhere(ctx, st.db.pool, `token_hash = $1`, tokenHash)
}

// CommissionInvitations lists a commission's invitations, newest first.
func (st *InvitationStore) CommissionInvitations(ctx context.Context, commissionID string) ([]booking.Invitation, error) {
	out := []booking.Invitation{}
	err := eachRow(ctx, st.db.pool, "invitations", `SELECT `+invitationColumns+` FROM invitations
		WHERE commission_id = $1 ORDER BY created_at DESC, id DESC`, func(rows pgx.Rows) error {
		iv, err := scanInvitation(rows)
		if err != nil {
			return err
		}
		out = append(out, *iv)
		return nil
	}, commissionID)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// RevokeInvitation revokes invitation id of commissionID.
func (st *InvitationStore) RevokeInvitation(ctx context.Context, commissionID, id string, actor booking.Actor) (*booking.Invitation, error) {
	var out *booking.Invitation
	err := st.db.inTx(ctx, func(tx *Tx) error {
		// FOR UPDATE: a booking using it at the same time waits, and
		// then finds it revoked (or this finds it used).
		iv, err := invitationWhere(ctx, tx, `id = $1 AND commission_id = $2 FOR UPDATE`, id, commissionID)
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
		if _, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = $1 WHERE id = $2`, tx.now, id); err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		return writeAudit(ctx, tx, actor, "invitation.revoked", "", "commission:"+commissionID, nil, auditInvitation(iv))
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return out, nil
}

// useInvitation marks invitation id used by booking b, just inserted in
// tx, and makes b belong to the invitation's commission; or it refuses with the invitation's error when it
// is used, revoked or expired at the transaction's time. The UPDATE locks
// the row: a second booking with the same invitation waits for this
// transaction and, at READ COMMITTED, evaluates its WHERE again on the
// committed row, so exactly one of them marks it.
func useInvitation(ctx context.Context, tx *Tx, id string, b *booking.Booking) error {
	var commission string
	err := tx.QueryRow(ctx, `UPDATE invitations SET used_by = $1, used_at = $2
		WHERE id = $3 AND used_by IS NULL AND revoked_at IS NULL AND expires_at > $2
		RETURNING commission_id`,
		b.ID, tx.now, id).Scan(&commission)
	if err == nil {
		b.CommissionID = commission
		if _, err := tx.Exec(ctx, `UPDATE bookings SET commission_id = $1 WHERE id = $2`, commission, b.ID); err != nil {
			return fmt.Errorf("link the invitation's booking: %w", err)
		}
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("use invitation: %w", err)
	}
	iv, err := invitationWhere(ctx, tx, `id = $1`, id)
	if err != nil {
		return err
	}
	if err := iv.Usable(tx.now); err != nil {
		return err
	}
	return booking.ErrInvitationUsed()
}
