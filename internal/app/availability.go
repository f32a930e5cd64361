package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
)

// MaxAvailabilityDays is the largest number of days between the from and
// to dates of an availability query.
const MaxAvailabilityDays = 62

// availabilityMemoBytes bounds the availability engine's memo of the
// indexes it built (availability.Indexes): a later read of an unchanged
// window reuses its index. A 62-day window of 8 artisans holds about
// 0.15 MB of index, of 100 artisans 0.6 MB, besides the store's days of
// bookings it keeps (counted once, shared with the store's cache until a
// write replaces them).
const availabilityMemoBytes = 16 << 20

// scheduleMargin widens the schedule loaded around a window so that
// bookings whose buffers reach into it are seen.
const scheduleMargin = 24 * time.Hour

// AvailabilityQuery asks for free slots of a service. From and To are
// inclusive dates in Timezone (the atelier's zone when empty).
type AvailabilityQuery struct {
	Service  string
	Mode     string
	Artisan  string // optional: only this artisan
	From, To booking.Date
	Timezone string
	// Moving is the id of a booking being rescheduled: its own time does
	// not block (as the reschedule itself ignores it). Only the pages of
	// a move set it, for a booking the caller was allowed to see.
	Moving string
	// Invitation is the token of an invitation to book a commission's
	// next step: the query is for its service (even one that is not
	// public), mode and artisan, which fill what the query leaves out.
	Invitation string
}

// Availability is the answer to an AvailabilityQuery: the slots that can
// be booked now, each with the artisans free then, to be shown in Zone.
type Availability struct {
	Service string
	Mode    booking.Mode
	// Zone is the zone asked for (the atelier's by default) and Timezone
	// its name as asked.
	Zone     *time.Location
	Timezone string
	Slots    []availability.Slot
}

// Availability lists the slots of q that can be booked now. Invalid
// queries fail with EINVALID and a field map keyed by query parameter.
func (a *App) Availability(ctx context.Context, q AvailabilityQuery) (*Availability, error) {
	return a.availability(ctx, q, false)
}

// StaffAvailability lists the slots of q that staff may book on a
// customer's behalf: minimum notice and horizon do not apply, the past and
// clashes do (the rules of StaffCreateBooking). An artisan account sees
// only its own artisan's times; asking for another is EFORBIDDEN.
func (a *App) StaffAvailability(ctx context.Context, u *booking.User, q AvailabilityQuery) (*Availability, error) {
	var err error
	if q.Artisan, err = scope(u, q.Artisan); err != nil {
		return nil, err
	}
	return a.availability(ctx, q, true)
}

func (a *App) availability(ctx context.Context, q AvailabilityQuery, staff bool) (*Availability, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	offered := c
	if !staff {
		if offered, err = a.customerOffer(ctx, c, &q); err != nil {
			return nil, err
		}
	}
	svc := validateService(offered, errs, q.Service, q.Mode, q.Artisan)
	loc := c.Atelier.Zone()
	tz := loc.String()
	if q.Timezone != "" {
		l, err := booking.LoadZone(q.Timezone)
		if err != nil {
			errs.Add("tz", "must be an IANA time zone such as Asia/Singapore")
		}
		loc, tz = l, q.Timezone
	}
	switch {
	case q.From.IsZero():
		errs.Add("from", "is required")
	case q.To.IsZero():
		errs.Add("to", "is required")
	case q.To.Before(q.From):
		errs.Add("to", "must not be before from")
	case q.From.DaysUntil(q.To) > MaxAvailabilityDays:
		errs.Add("to", "must be at most 62 days after from")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}

	from := q.From.In(loc)
	to := q.To.AddDays(1).In(loc)
	kind := "customer"
	if staff {
		kind = "staff"
	}
	defer a.observeAvailability(kind, time.Now()) // metrics.go
	s, err := a.store.AvailabilitySchedule(ctx, from.Add(-scheduleMargin), to.Add(scheduleMargin))
	if err != nil {
		return nil, internal("load schedule", err)
	}
	slots, err := a.indexes.Slots(s, availability.Query{
		ServiceID: svc.ID,
		Mode:      booking.Mode(q.Mode),
		ArtisanID: q.Artisan,
		From:      from,
		To:        to,
		// The booking itself is in the schedule only when it overlaps.
		IgnoreBookingID: q.Moving,
		Staff:           staff,
	}, a.now())
	if err != nil {
		return nil, err
	}
	return &Availability{Service: svc.ID, Mode: booking.Mode(q.Mode), Zone: loc, Timezone: tz, Slots: slots}, nil
}

// customerOffer is the catalogue a customer's availability query is
// checked against: the public one (a service that is not public is
// unknown to customers), or the whole catalogue when the query comes with
// an invitation (which fills in its service, mode and artisan) or moves a
// booking of q.Service (its customer moves a fitting they were invited to).
func (a *App) customerOffer(ctx context.Context, c *booking.Catalog, q *AvailabilityQuery) (*booking.Catalog, error) {
	if q.Invitation != "" {
		if _, err := a.invited(ctx, c, q.Invitation, &q.Service, &q.Mode, &q.Artisan); err != nil {
			return nil, err
		}
		return c, nil
	}
	if q.Moving == "" {
		return c.Public(), nil
	}
	b, err := a.store.Booking(ctx, q.Moving)
	switch {
	case booking.ErrorKind(err) == booking.ENOTFOUND:
		return c.Public(), nil
	case err != nil:
		return nil, internal("load the booking being moved", err)
	case b.ServiceID != q.Service:
		return c.Public(), nil
	}
	return c, nil
}
