package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// mailQueue is the job queue of outgoing mail (mail.Queue).
const mailQueue = "mail"

// Message states as staff see them.
const (
	MessagePending = "pending" // not sent yet: due, retrying after a failure, or scheduled (a reminder)
	MessageSent    = "sent"
	MessageFailed  = "failed" // given up: the customer did not get it
)

// Message is one e-mail about a booking and how its delivery went.
type Message struct {
	ID        int64
	Kind      string // confirmation, update, cancellation, reminder, staff_notice
	State     string // MessagePending, MessageSent, MessageFailed
	Attempts  int
	LastError string
	// CreatedAt is when the change that caused the message was made.
	CreatedAt time.Time
	// DueAt is when a pending message is (next) tried; nil otherwise.
	DueAt *time.Time
	// SentAt is when it was delivered; FailedAt when it was given up.
	SentAt, FailedAt *time.Time
}

// StaffBookingMessages lists the e-mails of a booking the user may see
// (another artisan's booking is not found), oldest first, with their
// delivery state.
func (a *App) StaffBookingMessages(ctx context.Context, u *booking.User, id string) ([]Message, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	jobs, err := a.store.BookingJobs(ctx, b.ID, mailQueue)
	if err != nil {
		return nil, internal("load the booking's mail", err)
	}
	out := make([]Message, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, newMessage(j))
	}
	return out, nil
}

func newMessage(j booking.JobRecord) Message {
	v := Message{
		ID: j.ID, Kind: j.Kind, Attempts: j.Attempts, LastError: j.LastError,
		CreatedAt: j.CreatedAt.UTC(),
	}
	at := func(t time.Time) *time.Time { t = t.UTC(); return &t }
	switch j.State {
	case booking.JobDone:
		v.State, v.SentAt = MessageSent, at(j.DoneAt)
		v.LastError = "" // an earlier attempt's error no longer matters
	case booking.JobFailed:
		v.State, v.FailedAt = MessageFailed, at(j.DoneAt)
	default:
		v.State, v.DueAt = MessagePending, at(j.RunAt)
	}
	return v
}

// maxFailingShown is how many bookings the staff home lists with failing
// messages; the rest are counted.
const maxFailingShown = 10

// FailingMessages is the staff home's notice of e-mails that are not
// getting through: being retried after a failure, or given up within
// StaffFailedWindow.
type FailingMessages struct {
	Retrying, Failed int // messages, across every booking the user may see
	// Bookings are the bookings those messages are about, the most
	// recently failing first, at most maxFailingShown; More counts the
	// others.
	Bookings []FailingBooking
	More     int
}

// Total is the number of failing messages.
func (f *FailingMessages) Total() int { return f.Retrying + f.Failed }

// FailingBooking is a booking with failing messages.
type FailingBooking struct {
	ID       string
	Customer string
	Start    time.Time
	Retrying int
	Failed   int
}

// StaffFailingMessages returns the failing messages of the bookings u may
// see (an artisan's own; an admin's also those about no booking), or nil
// when none is failing.
func (a *App) StaffFailingMessages(ctx context.Context, u *booking.User) (*FailingMessages, error) {
	artisan, err := scope(u, "")
	if err != nil {
		return nil, err
	}
	rows, err := a.store.FailingJobs(ctx, mailQueue, a.now().Add(-StaffFailedWindow), artisan)
	if err != nil {
		return nil, internal("load the failing mail", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := &FailingMessages{}
	for _, r := range rows {
		out.Retrying += r.Retrying
		out.Failed += r.Failed
		if r.BookingID == "" {
			continue
		}
		if len(out.Bookings) == maxFailingShown {
			out.More++
			continue
		}
		b, err := a.store.Booking(ctx, r.BookingID)
		if err != nil {
			return nil, internal("load a booking with failing mail", err)
		}
		out.Bookings = append(out.Bookings, FailingBooking{
			ID: b.ID, Customer: b.Customer.Name, Start: b.Start, Retrying: r.Retrying, Failed: r.Failed,
		})
	}
	return out, nil
}
