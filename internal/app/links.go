package app

import (
	"context"
	"strings"

	"github.com/atelier-app/atelier/internal/booking"
)

// ManageLinksJob builds the outbox job that e-mails an address fresh
// manage links for its coming bookings (mail.ManageLinksJob); the worker
// finds the bookings, mints the tokens and stores their hashes when it
// sends.
type ManageLinksJob func(email string) (booking.Job, error)

// RequestManageLinks queues an e-mail to email with a fresh manage link
// for each of its coming confirmed bookings ("send me my link again").
//
// It does the same work, and answers the same, whether or not the
// address has bookings: nothing here tells a stranger who books with us.
// The worker sends nothing to an address without coming bookings. Only a
// malformed address is refused (EINVALID, field "email"), which says
// nothing about bookings either. Callers rate-limit it per client and per
// address.
func (a *App) RequestManageLinks(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if m := validEmail(email, a.utf8LocalParts); m != "" {
		errs := booking.FieldErrors{}
		errs.Add("email", m)
		return errs.Err()
	}
	if a.manageLinks == nil {
		return booking.Errorf(booking.EUNAVAILABLE, "unavailable", "links cannot be sent again here; please contact the atelier")
	}
	job, err := a.manageLinks(email)
	if err != nil {
		return internal("manage links job", err)
	}
	if err := a.store.Enqueue(ctx, job); err != nil {
		return wrapStore("queue manage links", err)
	}
	return nil
}
