package booking

import (
	"context"
	"time"
)

// An invitation to book the next step of a commission (issue 13): staff
// choose a service (often one that is not public: a design review, a
// fitting, the collection), optionally its mode and artisan, and the
// customer gets a private link that books exactly that, with their
// details taken from the commission. It works once, expires and can be
// revoked. Only the SHA-256 hash of its random token is stored.

// InvitationIDPrefix starts every invitation id.
const InvitationIDPrefix = "iv_"

// Codes of a refused invitation (problem details' code).
const (
	CodeInvitationUsed    = "invitation_used"    // 409: it booked its step already
	CodeInvitationExpired = "invitation_expired" // 410
	CodeInvitationRevoked = "invitation_revoked" // 410
)

// EGONE is a link that worked once and no longer does (410): an expired
// or revoked invitation.
const EGONE Kind = "gone"

// Invitation states (Invitation.State).
const (
	InvitationOpen    = "open"
	InvitationUsed    = "used"
	InvitationExpired = "expired"
	InvitationRevoked = "revoked"
)

// Invitation is a private link to book one step of a commission.
type Invitation struct {
	ID           string
	CommissionID string
	ServiceID    string
	Mode         Mode   // "": any mode the service offers
	ArtisanID    string // "": any artisan who offers the service
	// Note is the staff's words to the customer, in the e-mail and on the
	// invitation's page.
	Note      string
	ExpiresAt time.Time
	// UsedBy is the booking it made ("" while unused), at UsedAt.
	UsedBy    string
	UsedAt    time.Time
	RevokedAt time.Time // zero unless revoked
	CreatedBy string    // the staff account that made it
	CreatedAt time.Time
}

// State is what the invitation is at now: InvitationOpen, InvitationUsed,
// InvitationRevoked or InvitationExpired (a used one stays used).
func (iv *Invitation) State(now time.Time) string {
	switch {
	case iv.UsedBy != "":
		return InvitationUsed
	case !iv.RevokedAt.IsZero():
		return InvitationRevoked
	case !now.Before(iv.ExpiresAt):
		return InvitationExpired
	}
	return InvitationOpen
}

// Usable returns nil when the invitation can book at now, else the
// error that says why not: ECONFLICT invitation_used, EGONE
// invitation_revoked or invitation_expired.
func (iv *Invitation) Usable(now time.Time) error {
	switch iv.State(now) {
	case InvitationUsed:
		return ErrInvitationUsed()
	case InvitationRevoked:
		return &Error{Kind: EGONE, Code: CodeInvitationRevoked, Message: "this invitation was withdrawn by the atelier"}
	case InvitationExpired:
		return &Error{Kind: EGONE, Code: CodeInvitationExpired, Message: "this invitation has expired"}
	}
	return nil
}

// ErrInvitationUsed is the error for an invitation that has booked its
// step already.
func ErrInvitationUsed() *Error {
	return &Error{Kind: ECONFLICT, Code: CodeInvitationUsed, Message: "this invitation has been used to book already"}
}

// InvitationUse asks CreateBooking to use up an invitation in the
// booking's own transaction: the booking is stored only if the invitation
// is still open at the transaction's time, and the invitation then names
// it (UsedBy). Otherwise nothing is stored and the error is the
// invitation's (Invitation.Usable).
type InvitationUse struct {
	ID string
}

// InvitationStore keeps the invitations of commissions.
type InvitationStore interface {
	// CreateInvitation stores iv with the hash of its token and queues
	// jobs (its e-mail) in the same transaction, with an audit row.
	CreateInvitation(ctx context.Context, iv Invitation, tokenHash []byte, jobs []Job, actor Actor) error
	// Invitation returns invitation id (ENOTFOUND when unknown).
	Invitation(ctx context.Context, id string) (*Invitation, error)
	// InvitationByToken returns the invitation whose token hashes to
	// tokenHash (ENOTFOUND when none), whatever its state.
	InvitationByToken(ctx context.Context, tokenHash []byte) (*Invitation, error)
	// CommissionInvitations lists the invitations of a commission, the
	// newest first.
	CommissionInvitations(ctx context.Context, commissionID string) ([]Invitation, error)
	// RevokeInvitation revokes invitation id of commissionID and returns
	// it: ENOTFOUND when unknown (or another commission's), ECONFLICT
	// invitation_used when it has booked already; revoking a revoked one
	// changes nothing.
	RevokeInvitation(ctx context.Context, commissionID, id string, actor Actor) (*Invitation, error)
}
