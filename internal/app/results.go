package app

import (
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The answers of the booking use cases: domain values that each adapter
// renders in its own way (the JSON adapter's views, the pages' models).

// Booking is a booking as a use case answers it: as stored, with
// ServiceName and ArtisanName the names to show (the catalogue's, or for a
// service or artisan that has left it the names kept with the booking),
// and Zone the zone its times are shown in: the customer's (or the
// atelier's when the customer gave none) to customers, the one asked for
// (the atelier's by default) to staff.
type Booking struct {
	booking.Booking
	Zone *time.Location
	// Changes is what the booking policy lets its customer still do
	// themselves at the time of the answer (staff are never bound).
	Changes Changes
}

// Changes is the booking policy of a booking as it stands: the policy of
// its service, when the customer's own changes close, whether they still
// may cancel or move it and how many moves are left.
type Changes struct {
	Policy booking.Policy
	// ClosesAt is the instant the customer's own changes stop (the
	// start when the policy has no cutoff).
	ClosesAt time.Time
	// Open says the customer may still cancel or move it (a confirmed
	// booking before ClosesAt), or withdraw it (a pending request, not
	// moved: CanReschedule is false).
	Open bool
	// ReschedulesLeft is how many more moves the customer may make, or
	// -1 for no limit; CanReschedule is Open with a move left.
	ReschedulesLeft int
	CanReschedule   bool
}

// changesOf is the booking policy's state of b at now.
func changesOf(b *booking.Booking, c *booking.Catalog, now time.Time) Changes {
	p := c.PolicyOf(b.ServiceID)
	ch := Changes{Policy: p, ClosesAt: p.ChangesCloseAt(b.Start), ReschedulesLeft: p.ReschedulesLeft(b)}
	switch b.Status {
	case booking.Confirmed:
		ch.Open = p.WindowOpen(b, now)
		ch.CanReschedule = ch.Open && ch.ReschedulesLeft != 0
	case booking.Pending:
		// A request may be withdrawn until it starts, not moved: the
		// atelier decides on the time asked for.
		ch.Open = now.Before(b.Start)
	}
	return ch
}

// StaffBooking is a booking as staff see it: with its staff notes, which
// customers never see, and the customer's answer to its invitations.
type StaffBooking struct {
	Booking
	StaffNotes string
	// Commission names the commission the booking belongs to; nil when
	// none (commissions.go).
	Commission *booking.CommissionRef
	// Reply is the customer's latest answer to the invitations, read from
	// the organizer's mailbox; nil when none (replies.go).
	Reply *CustomerReply
}

// CustomerReply is the customer's latest answer to a booking's
// invitations, with what it means for the booking as it is now.
type CustomerReply struct {
	booking.CustomerReply
	// Current says the answer (PartStat) is to the invitation of the
	// booking as it is now (false once it moved since).
	Current bool
	// CounterCurrent says the time proposed (Counter) answers the booking
	// as it is now, and the booking is still confirmed.
	CounterCurrent bool
	// CounterFree says whether the booking can move to the proposed time
	// now, with its artisan (staff rules: minimum notice does not apply),
	// and CounterReason why not. They are given on one booking's answer
	// only (StaffGetBooking), nil and "" elsewhere.
	CounterFree   *bool
	CounterReason string
}

// Created is the result of a booking request.
type Created struct {
	// Booking is the booking made, its times in the zone of the answer;
	// nil when Replayed.
	Booking *Booking
	// ManageToken is what lets the customer see, move and cancel the
	// booking. It is given only here, never stored (only its hash is).
	ManageToken string
	// Replayed is true when an earlier request with the same
	// Idempotency-Key made the booking: Response is then the answer to
	// that request, as the adapter's Replayer rendered it.
	Replayed bool
	Response []byte
}

// Replayer is the adapter's part in the Idempotency-Key: it renders the
// answer to the request that made a booking as the adapter gives it
// (Created with Booking and ManageToken), for a repeat of the request to
// get again. The app stores that answer sealed (AES-GCM) with a key derived
// from the Idempotency-Key alone, so that the manage token in it is
// readable only by a client holding the key, and gives it back, opened,
// in Created.Response.
type Replayer interface {
	FirstResponse(c *Created) ([]byte, error)
}

// result is b as a use case answers it, with the names of c and its
// times shown in loc.
func result(b *booking.Booking, c *booking.Catalog, loc *time.Location, now time.Time) *Booking {
	r := &Booking{Booking: *b, Zone: loc, Changes: changesOf(b, c, now)}
	r.ServiceName, r.ArtisanName = c.ServiceNameOf(b), c.ArtisanNameOf(b)
	return r
}

// customerResult is b as its customer sees it: in the customer's zone, or
// the atelier's when they gave none.
func customerResult(b *booking.Booking, c *booking.Catalog, now time.Time) *Booking {
	return result(b, c, viewZone(b, c), now)
}

// The answers of the staff use cases.

// Artisan is an artisan as staff see it: with its e-mail, daily cap,
// working hours and time off, whose times are shown in Zone (the
// atelier's).
type Artisan struct {
	booking.Artisan
	Zone *time.Location
}

// Conflict is a confirmed booking that a change to hours, closures or time
// off left outside the times it may take place, with Reason why; staff
// should move it. Its times are shown in Zone (the atelier's).
type Conflict struct {
	booking.Booking
	Reason string
	Zone   *time.Location
}

// HoursChange is the answer to a change of weekly hours: the hours as set,
// of the atelier (Artisan "") or of an artisan, and the bookings they
// leave outside them.
type HoursChange struct {
	Hours     booking.WeekHours
	Artisan   string
	Conflicts []Conflict
}

// ClosureAdded is a closure just added, with the confirmed bookings it
// leaves on a closed day.
type ClosureAdded struct {
	booking.Closure
	Conflicts []Conflict
}

// TimeOffAdded is time off just added, its times shown in Zone (the
// atelier's), with the confirmed bookings it leaves stranded.
type TimeOffAdded struct {
	booking.TimeOff
	Zone      *time.Location
	Conflicts []Conflict
}

// AuditLog is audit rows, oldest first, their times shown in Zone.
type AuditLog struct {
	Entries []booking.AuditEntry
	Zone    *time.Location
}
