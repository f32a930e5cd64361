package booking

import (
	"context"
	"time"
)

// CodeInviteExpired is the error code of a staff invitation link past its
// expiry (ENOTFOUND: it opens nothing).
const CodeInviteExpired = "invite_expired"

// Invite is a one-time link that lets an invited staff account set its
// password. Only TokenHash (SHA-256 of the link's random token) is kept.
type Invite struct {
	UserID    string
	TokenHash []byte
	CreatedBy string // the admin's user id
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AccountStore keeps the staff accounts that admins manage in the app:
// invitations, role and artisan, disabling and ending sessions. Every
// change writes an audit row with the admin as its actor. The command line
// (atelier user) keeps making the first account.
type AccountStore interface {
	// Users lists every staff account by e-mail address.
	Users(ctx context.Context) ([]User, error)
	// UserByID returns the account with id (ENOTFOUND if none).
	UserByID(ctx context.Context, id string) (*User, error)
	// PendingInvites returns, by account id, when the latest invitation of
	// each account that has not set its password yet expires.
	PendingInvites(ctx context.Context) (map[string]time.Time, error)
	// InviteUser creates account u without a password, with the
	// invitation inv and the job of its e-mail, in one transaction; an
	// address in use is ECONFLICT (code email_taken).
	InviteUser(ctx context.Context, u User, inv Invite, job Job, actor Actor) (*User, error)
	// ReplaceInvite makes inv the only invitation of its account (which
	// has not set its password yet: else ECONFLICT) and queues job.
	ReplaceInvite(ctx context.Context, inv Invite, job Job, actor Actor) error
	// InvitedUser returns the account a current invitation is for:
	// ENOTFOUND for an unknown or used link, and with CodeInviteExpired for
	// one past its expiry at now.
	InvitedUser(ctx context.Context, tokenHash []byte, now time.Time) (*User, error)
	// AcceptInvite sets the password of the invitation's account (as
	// InvitedUser finds it) and deletes its invitations, in one
	// transaction: a link works once.
	AcceptInvite(ctx context.Context, tokenHash []byte, passwordHash string, now time.Time) (*User, error)
	// SetUserAccess changes an account's name, role and artisan ("" for an
	// admin) and ends its sessions (ENOTFOUND, or EINVALID for an artisan
	// that is not active).
	SetUserAccess(ctx context.Context, id, name string, role Role, artisanID string, actor Actor) error
	// SetUserDisabled disables (ending its sessions and revoking the
	// calendar feeds it could read) or enables an account.
	SetUserDisabled(ctx context.Context, id string, disabled bool, actor Actor) error
	// EndSessions signs the account out everywhere and returns how many
	// sessions ended.
	EndSessions(ctx context.Context, id string, actor Actor) (int64, error)
}
