package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/booking"
)

// Requests that staff approve (issue 13; booking/request.go). A
// customer's booking of a service with RequiresConfirmation is made
// pending (createBooking): it holds its time, the customer hears that the
// request arrived (no invitation, no calendar event yet: the artisan's
// calendar shows what is certain), and staff confirm it (the usual
// confirmation with its invitation then goes out, and the calendar event)
// or decline it with a reason the customer is told. Staff's own bookings
// of such a service are confirmed at once: staff are the ones who vet.

// maxDeclineReason is the longest reason for a decline, in bytes.
const maxDeclineReason = 1000

// pendingFor is how long a request made now waits for staff: the
// atelier's rule, else the default.
func pendingFor(c *booking.Catalog) time.Duration {
	if d := c.Atelier.Rules.PendingFor; d > 0 {
		return d
	}
	return booking.DefaultPendingFor
}

// ConfirmRequest confirms the pending request id on behalf of u (an
// artisan account only its own artisan's requests: another's is
// ENOTFOUND); the confirmation with its invitation goes out. A virtual
// request gets its call link now (from Meetings). A booking that is no
// pending request is ECONFLICT booking_not_pending.
func (a *App) ConfirmRequest(ctx context.Context, u *booking.User, id string) (*StaffBooking, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	d := booking.Decision{Status: booking.Confirmed}
	if err := booking.DecideRefusal(b, d); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	linked := false
	if b.Mode == booking.Virtual && b.MeetingURL == "" && a.meetings != nil {
		url, err := a.meetings.Link(ctx, b, c.Artisan(b.ArtisanID))
		if err != nil {
			a.logger().ErrorContext(ctx, "create meeting link", "booking", b.ID, "err", err)
			return nil, booking.Errorf(booking.EUNAVAILABLE, "meeting_unavailable",
				"the video call could not be set up; the request is still waiting, please try again shortly")
		}
		d.MeetingURL, linked = url, true
	}
	done, err := a.store.DecideRequest(ctx, b.ID, d, u.Actor())
	if err != nil {
		if linked && booking.ErrorKind(err) != booking.EINTERNAL {
			linkedB := *b
			linkedB.MeetingURL = d.MeetingURL
			a.abandonMeeting(ctx, &linkedB, c)
		}
		return nil, wrapStore("confirm request", err)
	}
	return a.staffView(ctx, done, c, zoneOf(c))
}

// DeclineRequest declines the pending request id on behalf of u with
// reason, which its customer is told; the time is free again at once. A
// reason is required (422 on reason). A booking that is no pending
// request is ECONFLICT booking_not_pending.
func (a *App) DeclineRequest(ctx context.Context, u *booking.User, id, reason string) (*StaffBooking, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	errs := booking.FieldErrors{}
	switch {
	case reason == "":
		errs.Add("reason", "say why, in a sentence the customer will read")
	case len(reason) > maxDeclineReason || !utf8.ValidString(reason):
		errs.Add("reason", "must be at most 1000 bytes of text")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	d := booking.Decision{Status: booking.Declined, Reason: reason}
	if err := booking.DecideRefusal(b, d); err != nil {
		return nil, err
	}
	done, err := a.store.DecideRequest(ctx, b.ID, d, u.Actor())
	if err != nil {
		return nil, wrapStore("decline request", err)
	}
	return a.atelierStaffView(ctx, done)
}

// ExpiryOutcome is what ExpireRequest did.
type ExpiryOutcome struct {
	// Expired says the request was declined now, its customer told.
	Expired bool
	// NotBefore, when set, is when the request expires: it is not due yet.
	NotBefore time.Time
	// Skipped says why nothing was done (the request was decided,
	// withdrawn, or is no request).
	Skipped string
}

// ExpireRequest declines the request id if it is still pending at its
// DecideBy, on behalf of booking.RequestExpiryActor; its customer is
// told. It is the work of the request's expiry job, run by the job queue:
// a request decided meanwhile (by staff, by another server's run of the
// same job) is skipped, never declined twice.
func (a *App) ExpireRequest(ctx context.Context, id string) (ExpiryOutcome, error) {
	b, err := a.store.Booking(ctx, id)
	if err != nil {
		return ExpiryOutcome{}, wrapStore("load request", err)
	}
	if b.Status != booking.Pending {
		return ExpiryOutcome{Skipped: "the request is " + string(b.Status)}, nil
	}
	if now := a.now(); now.Before(b.DecideBy) {
		return ExpiryOutcome{NotBefore: b.DecideBy}, nil
	}
	_, err = a.store.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Declined}, booking.RequestExpiryActor)
	if booking.ErrorCode(err) == booking.CodeNotPending {
		return ExpiryOutcome{Skipped: "the request was decided meanwhile"}, nil
	}
	if err != nil {
		return ExpiryOutcome{}, wrapStore("expire request", err)
	}
	return ExpiryOutcome{Expired: true}, nil
}

// PendingRequests lists the requests waiting for a decision that u may
// see (an artisan account: its own), soonest expiry first, as staff see
// them in the atelier's zone.
func (a *App) PendingRequests(ctx context.Context, u *booking.User) ([]StaffBooking, error) {
	artisan, err := scope(u, "")
	if err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := a.store.PendingRequests(ctx, a.now().Add(-24*time.Hour), artisan)
	if err != nil {
		return nil, wrapStore("pending requests", err)
	}
	return a.staffViews(ctx, bs, c)
}
