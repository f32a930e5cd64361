package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// Staff accounts, managed by admins in the app: invite by e-mail (a
// one-time link, valid InviteTTL, to set a password; its token random and
// stored only as a hash, the e-mail sent through the outbox), role and
// artisan, disable and enable, sign out everywhere. The command line
// (atelier user add) still makes the first account. Every change is in
// the audit log, the admin as its actor.

// InviteTTL is how long an invitation link works.
const InviteTTL = 72 * time.Hour

// InvitePath is the page an invitation link opens; the token follows as
// ?token=.
const InvitePath = "/staff/invite"

// StaffInviteJob builds the outbox job of the e-mail that invites u, from
// invitedBy, with link, valid until expires (mail.StaffInviteJob).
type StaffInviteJob func(u booking.User, invitedBy, link string, expires time.Time) (booking.Job, error)

// Account is a staff account as admins see it.
type Account struct {
	booking.User
	// Invited is set while the account has not set its password;
	// InviteExpires is when its link stops working (zero: no link left).
	Invited       bool
	InviteExpires time.Time
}

// StaffAccounts lists every staff account by e-mail address (admins only).
func (a *App) StaffAccounts(ctx context.Context, u *booking.User) ([]Account, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	users, err := a.store.Users(ctx)
	if err != nil {
		return nil, wrapStore("list accounts", err)
	}
	pending, err := a.store.PendingInvites(ctx)
	if err != nil {
		return nil, wrapStore("list invitations", err)
	}
	out := make([]Account, 0, len(users))
	for _, x := range users {
		out = append(out, Account{User: x, Invited: x.PasswordHash == "", InviteExpires: pending[x.ID]})
	}
	return out, nil
}

// StaffAccount returns one account (admins only).
func (a *App) StaffAccount(ctx context.Context, u *booking.User, id string) (*Account, error) {
	all, err := a.StaffAccounts(ctx, u)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, booking.ErrNotFound("user")
}

// InviteRequest is an admin's invitation of a new staff account.
type InviteRequest struct {
	Email, Name string
	Role        booking.Role
	Artisan     string // for RoleArtisan
}

// validAccess checks a role and its artisan.
func validAccess(errs booking.FieldErrors, role booking.Role, artisan string) string {
	artisan = strings.TrimSpace(artisan)
	switch {
	case !role.Valid():
		errs.Add("role", "must be admin or artisan")
	case role == booking.RoleArtisan && artisan == "":
		errs.Add("artisan", "is required for an artisan's account: whose calendar it sees")
	case role == booking.RoleAdmin:
		artisan = ""
	}
	return artisan
}

// InviteStaff makes an account without a password and e-mails its
// address a link to set one (admins only).
func (a *App) InviteStaff(ctx context.Context, u *booking.User, req InviteRequest) (*booking.User, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	email := strings.TrimSpace(req.Email)
	if msg := validEmail(email, a.utf8LocalParts); msg != "" {
		errs.Add("email", msg)
	}
	name := strings.TrimSpace(req.Name)
	if msg := validName(name); msg != "" {
		errs.Add("name", msg)
	}
	artisan := validAccess(errs, req.Role, req.Artisan)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if a.staffInvite == nil {
		return nil, booking.Errorf(booking.EUNAVAILABLE, "unavailable", "invitations cannot be sent here; make the account with atelier user add")
	}
	nu := booking.User{Email: email, Name: name, Role: req.Role, ArtisanID: artisan}
	inv, job, err := a.newInvite(nu, u)
	if err != nil {
		return nil, err
	}
	made, err := a.store.InviteUser(ctx, nu, inv, job, u.Actor())
	if err != nil {
		return nil, wrapStore("invite", err)
	}
	return made, nil
}

// newInvite makes an invitation for nu from admin: a fresh token, whose
// hash is kept, and the e-mail that carries it.
func (a *App) newInvite(nu booking.User, admin *booking.User) (booking.Invite, booking.Job, error) {
	token, hash := auth.NewSecret()
	expires := a.now().Add(InviteTTL).UTC()
	link := a.publicURL + InvitePath + "?token=" + token
	job, err := a.staffInvite(nu, admin.Name, link, expires)
	if err != nil {
		return booking.Invite{}, booking.Job{}, internal("invitation e-mail", err)
	}
	return booking.Invite{UserID: nu.ID, TokenHash: hash, CreatedBy: admin.ID, ExpiresAt: expires}, job, nil
}

// ResendInvite e-mails an invited account a new link; the old one stops
// working (admins only).
func (a *App) ResendInvite(ctx context.Context, u *booking.User, id string) error {
	acc, err := a.StaffAccount(ctx, u, id)
	if err != nil {
		return err
	}
	if !acc.Invited {
		return booking.Errorf(booking.ECONFLICT, "password_set", "%s has set a password already", acc.Name)
	}
	if a.staffInvite == nil {
		return booking.Errorf(booking.EUNAVAILABLE, "unavailable", "invitations cannot be sent here")
	}
	inv, job, err := a.newInvite(acc.User, u)
	if err != nil {
		return err
	}
	if err := a.store.ReplaceInvite(ctx, inv, job, u.Actor()); err != nil {
		return wrapStore("send the invitation again", err)
	}
	return nil
}

// notSelf refuses an admin's change of their own access, which could
// leave the atelier without an admin.
func notSelf(u *booking.User, id, what string) error {
	if u.ID == id {
		return booking.Errorf(booking.ECONFLICT, "own_account", "you cannot %s your own account; ask another admin", what)
	}
	return nil
}

// SetAccountAccess changes an account's name, role and artisan; its
// sessions end when what it may see changes (admins only, not their own
// role).
func (a *App) SetAccountAccess(ctx context.Context, u *booking.User, id, name string, role booking.Role, artisan string) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	errs := booking.FieldErrors{}
	name = strings.TrimSpace(name)
	if msg := validName(name); msg != "" {
		errs.Add("name", msg)
	}
	artisan = validAccess(errs, role, artisan)
	if err := errs.Err(); err != nil {
		return err
	}
	if id == u.ID && role != booking.RoleAdmin {
		return notSelf(u, id, "take the admin role from")
	}
	if err := a.store.SetUserAccess(ctx, id, name, role, artisan, u.Actor()); err != nil {
		return wrapStore("change account", err)
	}
	return nil
}

// SetAccountDisabled disables or enables an account (admins only, never
// their own).
func (a *App) SetAccountDisabled(ctx context.Context, u *booking.User, id string, disabled bool) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	if disabled {
		if err := notSelf(u, id, "disable"); err != nil {
			return err
		}
	}
	if err := a.store.SetUserDisabled(ctx, id, disabled, u.Actor()); err != nil {
		return wrapStore("disable or enable account", err)
	}
	return nil
}

// SignOutEverywhere ends every session of an account (admins only; their
// own too, which signs them out here as well).
func (a *App) SignOutEverywhere(ctx context.Context, u *booking.User, id string) (int64, error) {
	if err := requireAdmin(u); err != nil {
		return 0, err
	}
	n, err := a.store.EndSessions(ctx, id, u.Actor())
	if err != nil {
		return 0, wrapStore("sign out everywhere", err)
	}
	return n, nil
}

// InvitedAccount returns the account an invitation token is for
// (ENOTFOUND for an unknown, used or expired link: CodeInviteExpired for
// the last).
func (a *App) InvitedAccount(ctx context.Context, token string) (*booking.User, error) {
	if token == "" || len(token) > 200 {
		return nil, booking.ErrNotFound("invitation")
	}
	u, err := a.store.InvitedUser(ctx, auth.HashSecret(token), a.now())
	if err != nil {
		return nil, wrapStore("invitation", err)
	}
	return u, nil
}

// AcceptInvite sets the password of an invited account; the link then no
// longer works. A password too short or too long is EINVALID on
// "password"; two that differ on "confirm".
func (a *App) AcceptInvite(ctx context.Context, token, password, confirm string) (*booking.User, error) {
	u, err := a.InvitedAccount(ctx, token)
	if err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	if err := auth.ValidatePassword(password); err != nil {
		errs.Add("password", err.Error())
	} else if password != confirm {
		errs.Add("confirm", "is not the same password")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password, a.passwords)
	if err != nil {
		return nil, internal("hash password", err)
	}
	done, err := a.store.AcceptInvite(ctx, auth.HashSecret(token), hash, a.now())
	if err != nil {
		return nil, wrapStore("set password", err)
	}
	a.logger().Info("staff account set its password from an invitation", "user", u.ID)
	return done, nil
}

// ErrInviteExpired reports whether err is an expired invitation.
func ErrInviteExpired(err error) bool {
	var e *booking.Error
	return errors.As(err, &e) && e.Code == booking.CodeInviteExpired
}
