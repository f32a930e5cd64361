package app

import (
	"context"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mailaddr"
)

// What a customer's "No" to an invitation does (mail.declined_reply).
const (
	DeclinedCancel = "cancel" // cancel the booking, as the customer's own cancel would
	DeclinedNotify = "notify" // keep it and tell staff
)

// maxCounterLength bounds the time a proposal may span: a longer one is
// not a proposal for an appointment.
const maxCounterLength = 24 * time.Hour

// ApplyReply acts on an iTIP reply read from the organizer's mailbox
// (internal/replies), exactly once per message (r.Key). It returns what
// the message did; ReplyUnknown means no booking of ours has its UID, and
// nothing was recorded. Errors are the store's (the reader tries again).
//
// Trust: a reply counts only when both its ATTENDEE and its author (the
// From address, as the reader checked it against Sender) are the booking's
// customer, the receiving server did not record a DMARC failure, and it
// answers the booking's current SEQUENCE. Everything is decided inside the
// store's transaction, against the booking as committed.
func (a *App) ApplyReply(ctx context.Context, r booking.InboundReply) (booking.ReplyOutcome, error) {
	id := BookingIDOfUID(r.EventUID)
	if id == "" {
		return booking.ReplyUnknown, nil
	}
	now := a.now()
	outcome, _, err := a.store.ApplyReply(ctx, r, id, func(b *booking.Booking, prev *booking.CustomerReply) booking.ReplyAction {
		return decideReply(r, b, prev, now, a.declinedReply)
	})
	if err != nil {
		return "", wrapStore("apply reply", err)
	}
	return outcome, nil
}

// BookingIDOfUID returns the booking id an invite UID names
// ("bk_…@host", invite.UID), or "" for a UID that is not one of ours.
func BookingIDOfUID(uid string) string {
	local, _, ok := strings.Cut(strings.TrimSpace(uid), "@")
	if !ok {
		return ""
	}
	id := ParseBookingID(local)
	if !strings.HasPrefix(id, booking.BookingIDPrefix) || len(id) == len(booking.BookingIDPrefix) || len(id) > 64 {
		return ""
	}
	return id
}

// decideReply is what reply r does to b (nil when no booking has the id
// its UID names), given the answer recorded so far. It is pure: the store
// calls it inside its transaction.
func decideReply(r booking.InboundReply, b *booking.Booking, prev *booking.CustomerReply, now time.Time, declined string) booking.ReplyAction {
	act := booking.ReplyAction{Actor: booking.ReplyActor}
	// The stored UID, not only the id inside it: a UID made for another
	// host (another atelier sharing the mailbox) is not ours.
	if b == nil || !strings.EqualFold(b.UID, strings.TrimSpace(r.EventUID)) {
		act.Outcome = booking.ReplyUnknown
		return act
	}
	if act.Outcome = replyRefused(r, b, now); act.Outcome != "" {
		return act
	}
	if r.Method == booking.MethodCounter {
		return decideCounter(act, r, prev, now)
	}
	return decideAnswer(act, r, prev, declined)
}

// replyRefused is why r is not taken from b's customer at all (not
// theirs, an older invitation, a booking no longer on), or "".
func replyRefused(r booking.InboundReply, b *booking.Booking, now time.Time) booking.ReplyOutcome {
	switch {
	case r.Unauthenticated:
		return booking.ReplyUnauthenticated
	case !mailaddr.Equal(r.Attendee, b.Customer.Email) || !mailaddr.Equal(r.Author, b.Customer.Email):
		return booking.ReplyNotCustomer
	case r.Sequence != b.Sequence:
		// An older invitation (the booking moved since), or a SEQUENCE
		// never sent.
		return booking.ReplyStale
	case b.Status != booking.Confirmed:
		return booking.ReplyNotConfirmed
	case !now.Before(b.Start):
		return booking.ReplyPast
	}
	return ""
}

// decideCounter is what a proposal of another time (COUNTER) does: it is
// recorded and shown to staff, unless it is no time at all or older than
// the one recorded.
func decideCounter(act booking.ReplyAction, r booking.InboundReply, prev *booking.CustomerReply, now time.Time) booking.ReplyAction {
	switch {
	case r.Start.IsZero() || !r.End.After(r.Start) || r.End.Sub(r.Start) > maxCounterLength || !r.Start.After(now):
		act.Outcome = booking.ReplyUnsupported
	case prev != nil && prev.Counter != nil && prev.Counter.Sequence == r.Sequence && r.Stamp.Before(prev.Counter.At):
		act.Outcome = booking.ReplyOlder
	default:
		act.Outcome, act.Record, act.Notify = booking.ReplyCountered, true, true
	}
	return act
}

// decideAnswer is what an answer (REPLY: accepted, tentative, declined)
// does: it is recorded, and a decline cancels or notifies staff as
// declined (mail.declined_reply) says.
func decideAnswer(act booking.ReplyAction, r booking.InboundReply, prev *booking.CustomerReply, declined string) booking.ReplyAction {
	switch {
	case r.Method != booking.MethodReply || !r.PartStat.Valid():
		act.Outcome = booking.ReplyUnsupported
	case prev != nil && prev.PartStat != "" && prev.Sequence == r.Sequence && r.Stamp.Before(prev.At):
		// Answers can arrive out of order: the latest one stands.
		act.Outcome = booking.ReplyOlder
	case r.PartStat == booking.PartDeclined && declined == DeclinedNotify:
		act.Outcome, act.Record, act.Notify = booking.ReplyNotified, true, true
	case r.PartStat == booking.PartDeclined:
		act.Outcome, act.Record, act.Cancel = booking.ReplyCancelled, true, true
	default:
		act.Outcome, act.Record = booking.ReplyRecorded, true
	}
	return act
}

// customerReply is cr, the recorded answer to b's invitations, with what
// it means for b as it is now.
func customerReply(cr booking.CustomerReply, b *booking.Booking) *CustomerReply {
	return &CustomerReply{
		CustomerReply:  cr,
		Current:        cr.PartStat != "" && cr.Sequence == b.Sequence,
		CounterCurrent: cr.Counter != nil && cr.Counter.Sequence == b.Sequence && b.Status == booking.Confirmed,
	}
}

// customerReplies loads the recorded answers of the bookings ids.
func (a *App) customerReplies(ctx context.Context, ids ...string) (map[string]booking.CustomerReply, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := a.store.CustomerReplies(ctx, ids...)
	if err != nil {
		return nil, internal("load customer replies", err)
	}
	return out, nil
}

// counterFree says whether b can move to start as the customer proposed,
// with its artisan, as staff may move it (notice and horizon do not
// apply), and if not why, in words for staff.
func (a *App) counterFree(ctx context.Context, b *booking.Booking, c *booking.Catalog, start time.Time) (bool, string, error) {
	now := a.now()
	errs := booking.FieldErrors{}
	if _, ok := validateStart(errs, c, start, now); !ok {
		if start.Before(now) {
			return false, "that time has passed", nil
		}
		return false, "that time is not on the atelier's slot grid", nil
	}
	svc := c.Service(b.ServiceID)
	if svc == nil {
		return false, "the service of this booking is no longer offered", nil
	}
	_, bs, be := availability.Times(svc, b.Mode, start)
	sch, err := a.store.Schedule(ctx, bs.Add(-scheduleMargin), be.Add(scheduleMargin))
	if err != nil {
		return false, "", internal("load schedule", err)
	}
	r := availability.Request{ServiceID: svc.ID, Mode: b.Mode, Start: start, ArtisanID: b.ArtisanID, IgnoreBookingID: b.ID, Staff: true}
	if _, err := availability.Place(sch, r, now); err != nil {
		if booking.ErrorKind(err) == booking.EINTERNAL {
			return false, "", err
		}
		return false, booking.ErrorMessage(err), nil
	}
	return true, "", nil
}
