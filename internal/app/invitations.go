package app

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// Invitations to book the next step of a commission (issue 13): staff pick
// a service (often one that is not public), optionally its mode and
// artisan, and the customer gets a private link that books exactly that,
// with their details from the commission. The link works once, expires and
// can be revoked (booking.Invitation). Who may invite: whoever may see the
// commission (an artisan account, its own artisan's).

// InvitationPath is the page an invitation's link opens; the token
// follows as ?token=.
const InvitationPath = "/book/invitation"

// Bounds of an invitation's life, in days.
const (
	DefaultInvitationDays = 30
	MaxInvitationDays     = 365
)

// InvitationMailJob builds the outbox job of the e-mail that sends iv's
// link to the customer of cm (mail.InvitationJob).
type InvitationMailJob func(iv booking.Invitation, cm booking.Commission, link string) (booking.Job, error)

// InvitationRequest is staff's invitation to book a commission's next
// step. Mode and Artisan may be "" (the customer chooses); ExpiresDays nil
// is DefaultInvitationDays.
type InvitationRequest struct {
	Service     string
	Mode        string
	Artisan     string
	ExpiresDays *int
	Note        string
	Unread      booking.FieldErrors // as in BookingRequest
}

// CreatedInvitation is a new invitation with its link; the token is shown
// only here (and in the e-mail).
type CreatedInvitation struct {
	Invitation booking.Invitation
	Token      string
	URL        string
}

// CreateInvitation invites the customer of commission id to book the step
// req names: ENOTFOUND for a commission u may not see, EINVALID by field
// for a service that is unknown or withdrawn, a mode it is not offered in,
// an artisan who does not offer it, a life outside 1 to 365 days, or a
// note too long. The e-mail is queued with the invitation.
func (a *App) CreateInvitation(ctx context.Context, u *booking.User, id string, req InvitationRequest) (*CreatedInvitation, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	iv := booking.Invitation{ID: booking.NewID(booking.InvitationIDPrefix), CommissionID: cm.ID, CreatedBy: u.ID,
		ServiceID: strings.TrimSpace(req.Service), Mode: booking.Mode(strings.TrimSpace(req.Mode)),
		ArtisanID: strings.TrimSpace(req.Artisan), Note: strings.TrimSpace(req.Note)}
	checkInvitation(c, errs, &iv)
	days := DefaultInvitationDays
	if req.ExpiresDays != nil {
		days = *req.ExpiresDays
	}
	if days < 1 || days > MaxInvitationDays {
		errs.Add("expires_days", "must be between 1 and 365 days")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	iv.CreatedAt, iv.ExpiresAt = now, now.Add(time.Duration(days)*24*time.Hour)
	token, hash := auth.NewSecret()
	link := a.InvitationURL(token)
	var jobs []booking.Job
	if a.invitationMail != nil {
		job, err := a.invitationMail(iv, *cm, link)
		if err != nil {
			return nil, internal("invitation e-mail", err)
		}
		jobs = append(jobs, job)
	}
	if err := a.store.CreateInvitation(ctx, iv, hash, jobs, u.Actor()); err != nil {
		return nil, wrapStore("create invitation", err)
	}
	return &CreatedInvitation{Invitation: iv, Token: token, URL: link}, nil
}

// InvitationURL is the link of the invitation with token.
func (a *App) InvitationURL(token string) string {
	return a.publicURL + InvitationPath + "?" + url.Values{"token": {token}}.Encode()
}

// checkInvitation adds the field errors of iv's service, mode, artisan and
// note against the catalogue of offered (active) services and artisans.
func checkInvitation(c *booking.Catalog, errs booking.FieldErrors, iv *booking.Invitation) {
	svc := c.Service(iv.ServiceID)
	switch {
	case iv.ServiceID == "":
		errs.Add("service", "is required")
	case svc == nil:
		errs.Add("service", "unknown service (or one no longer offered)")
	}
	switch {
	case iv.Mode == "":
	case !iv.Mode.Valid():
		errs.Add("mode", `must be "in_person" or "virtual"`)
	case svc != nil && !svc.Offers(iv.Mode):
		errs.Add("mode", "is not offered for this service")
	}
	if iv.ArtisanID != "" {
		switch ar := c.Artisan(iv.ArtisanID); {
		case ar == nil:
			errs.Add("artisan", "unknown artisan")
		case svc != nil && !ar.Offers(svc.ID):
			errs.Add("artisan", "does not offer this service")
		}
	}
	if m := validNotes(iv.Note); m != "" {
		errs.Add("note", m)
	}
}

// CommissionInvitations lists the invitations of commission id, the newest
// first (ENOTFOUND for one u may not see).
func (a *App) CommissionInvitations(ctx context.Context, u *booking.User, id string) ([]booking.Invitation, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	out, err := a.store.CommissionInvitations(ctx, cm.ID)
	if err != nil {
		return nil, internal("list invitations", err)
	}
	return out, nil
}

// RevokeInvitation revokes invitation iid of commission id: its link no
// longer books (410). ENOTFOUND for an unknown one; ECONFLICT
// invitation_used once it has booked.
func (a *App) RevokeInvitation(ctx context.Context, u *booking.User, id, iid string) (*booking.Invitation, error) {
	cm, err := a.visibleCommission(ctx, u, id)
	if err != nil {
		return nil, err
	}
	iv, err := a.store.RevokeInvitation(ctx, cm.ID, strings.TrimSpace(iid), u.Actor())
	if err != nil {
		return nil, wrapStore("revoke invitation", err)
	}
	return iv, nil
}

// OpenInvitation is an invitation as its customer opens it.
type OpenInvitation struct {
	Invitation booking.Invitation
	Commission booking.Commission
}

// Invitation returns the invitation of token with its commission, for
// its customer: ENOTFOUND for a token that is not one, ECONFLICT
// invitation_used once it has booked (Used then names the booking's
// invitation, so a page can say so), EGONE when expired or revoked.
func (a *App) Invitation(ctx context.Context, token string) (*OpenInvitation, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, booking.ErrNotFound("invitation")
	}
	iv, err := a.store.InvitationByToken(ctx, auth.HashSecret(token))
	if err != nil {
		return nil, wrapStore("load invitation", err)
	}
	if err := iv.Usable(a.now()); err != nil {
		return nil, err
	}
	cm, err := a.store.Commission(ctx, iv.CommissionID)
	if err != nil {
		return nil, wrapStore("load the invitation's commission", err)
	}
	return &OpenInvitation{Invitation: *iv, Commission: *cm}, nil
}

// invited applies the invitation of token to a customer's query: the
// service, mode and artisan it names fill what the query leaves out and
// must match what it gives (EINVALID by field otherwise). It returns the
// invitation, or the error Invitation returns.
func (a *App) invited(ctx context.Context, c *booking.Catalog, token string, service, mode, artisan *string) (*OpenInvitation, error) {
	oi, err := a.Invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	iv := &oi.Invitation
	errs := booking.FieldErrors{}
	for _, f := range []struct {
		name string
		got  *string
		want string
	}{{"service", service, iv.ServiceID}, {"mode", mode, string(iv.Mode)}, {"artisan", artisan, iv.ArtisanID}} {
		switch {
		case f.want == "":
		case *f.got == "":
			*f.got = f.want
		case *f.got != f.want:
			errs.Add(f.name, "must be the invitation's ("+f.want+")")
		}
	}
	// A service offered one way needs no mode.
	if svc := c.Service(*service); *mode == "" && svc != nil && len(svc.Modes) == 1 {
		*mode = string(svc.Modes[0])
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return oi, nil
}

// offerFor is the catalogue a booking request is checked against, with
// the invitation it comes with: for an invitation's request (a
// customer's, or staff booking it for them) the whole catalogue, with the
// request's service, mode, artisan and missing customer details filled
// from the invitation and its commission; else the whole catalogue for
// staff and the public one for customers.
func (a *App) offerFor(ctx context.Context, c *booking.Catalog, req *BookingRequest, how placing) (*booking.Catalog, *OpenInvitation, error) {
	switch {
	case req.Invitation == "" && how.staff:
		return c, nil, nil
	case req.Invitation == "":
		return c.Public(), nil, nil
	}
	mode := string(req.Mode)
	oi, err := a.invited(ctx, c, req.Invitation, &req.Service, &mode, &req.Artisan)
	if err != nil {
		return nil, nil, err
	}
	req.Mode = booking.Mode(mode)
	fillFromCommission(&req.Customer, oi.Commission.Customer)
	return c, oi, nil
}

// invitationKey is what an idempotent request keeps of its invitation:
// the token's hash, not the token.
func invitationKey(token string) []byte {
	if token == "" {
		return nil
	}
	return auth.HashSecret(token)
}

// fillFromCommission fills the customer details a booking made through an
// invitation leaves out from the commission's customer.
func fillFromCommission(c *booking.Customer, from booking.Customer) {
	for _, f := range []struct{ got, from *string }{
		{&c.Name, &from.Name}, {&c.Email, &from.Email}, {&c.Phone, &from.Phone},
		{&c.Timezone, &from.Timezone}, {&c.Language, &from.Language},
	} {
		if strings.TrimSpace(*f.got) == "" {
			*f.got = *f.from
		}
	}
}
