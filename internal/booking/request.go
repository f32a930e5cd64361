package booking

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Requests that staff approve (issue 13). A booking of a service with
// RequiresConfirmation is made pending: it holds its time as a confirmed
// booking does (the stores' overlap checks and every schedule count it),
// its customer hears that the request arrived, and staff confirm it (the
// usual confirmation and invitation then go out) or decline it with a
// reason for the customer. A request not decided by its DecideBy is
// declined on its own by the job RequestExpiryJob made with it.

// RequestQueue is the job queue of requests' expiries.
const RequestQueue = "requests"

// RequestExpiryKind is the kind of the job that expires a request.
const RequestExpiryKind = "expire"

// RequestExpiryActor is who declines a request that expired undecided.
var RequestExpiryActor = Actor{Kind: "system", ID: "expiry"}

// Decision is what staff (or the expiry) decide on a pending request.
type Decision struct {
	// Status is Confirmed or Declined.
	Status Status
	// Reason is kept with a declined request and told to the customer;
	// "" only for an expiry.
	Reason string
	// MeetingURL, when set, becomes the video-call link of a confirmed
	// virtual request (made when it is confirmed, not before).
	MeetingURL string
}

// RequestStore decides on pending requests.
type RequestStore interface {
	// DecideRequest applies d to the pending request id on behalf of
	// actor, in one write transaction with its audit row and the jobs of
	// the event (EventConfirmed or EventDeclined), and returns the
	// booking as it is after. A booking that is not pending (decided
	// already, withdrawn, or never a request) is ECONFLICT
	// CodeNotPending and changes nothing: of two decisions at once,
	// exactly one is applied.
	DecideRequest(ctx context.Context, id string, d Decision, actor Actor) (*Booking, error)
	// PendingRequests lists the pending requests starting at or after
	// from, of artisanID when it is not "", soonest decision first.
	PendingRequests(ctx context.Context, from time.Time, artisanID string) ([]Booking, error)
}

// RequestExpiryJob is the job that declines request b if it is still
// pending at its DecideBy; nil for a booking that is no pending request.
// The mail and calendar hooks of a store (JobsFunc) add it to the jobs of
// the request's making.
func RequestExpiryJob(e Event) []Job {
	if e.Kind != EventCreated || e.Booking == nil || e.Booking.Status != Pending || e.Booking.DecideBy.IsZero() {
		return nil
	}
	return []Job{{Queue: RequestQueue, Kind: RequestExpiryKind, BookingID: e.Booking.ID, RunAt: e.Booking.DecideBy.UTC()}}
}

// PrepareNew settles the status of a booking about to be made: pending,
// with its DecideBy, when it is a request, else confirmed with no
// DecideBy; never with a DeclineReason. A request without DecideBy is an
// internal error of the caller.
func PrepareNew(b *Booking) error {
	if b.Status != Pending {
		b.Status, b.DecideBy = Confirmed, time.Time{}
	} else if b.DecideBy.IsZero() {
		return errors.New("a request must say when it expires (DecideBy)")
	}
	b.DeclineReason = ""
	return nil
}

// CancelRefusal is why b cannot be cancelled (ECONFLICT
// booking_cancelled), nil when it can: a confirmed booking and a pending
// request (withdrawn by its customer, or by staff) can.
func CancelRefusal(b *Booking) error {
	switch b.Status {
	case Cancelled:
		return Errorf(ECONFLICT, CodeBookingCancelled, "the booking is already cancelled")
	case Declined:
		return Errorf(ECONFLICT, CodeBookingCancelled, "the request was declined; it holds no time")
	}
	return nil
}

// MoveRefusal is why b cannot be moved, nil when it can: only a confirmed
// booking moves. A pending request is ECONFLICT request_pending: the
// atelier decides on the time asked for, so the customer withdraws it and
// asks for another.
func MoveRefusal(b *Booking) error {
	switch b.Status {
	case Confirmed:
		return nil
	case Pending:
		return Errorf(ECONFLICT, CodeRequestPending,
			"a request waiting for the atelier's confirmation cannot be moved; cancel it and ask for another time")
	case Declined:
		return Errorf(ECONFLICT, CodeBookingCancelled, "a declined request cannot be moved")
	}
	return Errorf(ECONFLICT, CodeBookingCancelled, "a cancelled booking cannot be moved")
}

// DecideRefusal is why decision d cannot be applied to b (ECONFLICT
// booking_not_pending), nil when it can.
func DecideRefusal(b *Booking, d Decision) error {
	if d.Status != Confirmed && d.Status != Declined {
		return fmt.Errorf("a decision confirms or declines, not %q", d.Status)
	}
	if b.Status == Pending {
		return nil
	}
	what := map[Status]string{Confirmed: "confirmed", Cancelled: "cancelled", Declined: "declined"}[b.Status]
	if !b.WasRequest() {
		return Errorf(ECONFLICT, CodeNotPending, "this booking is not a request waiting for confirmation (it is %s)", what)
	}
	if b.Expired() {
		what = "declined: it expired undecided"
	}
	return Errorf(ECONFLICT, CodeNotPending, "this request is no longer waiting for a decision: it was %s", what)
}
