package app

import (
	"context"
	"encoding/json"
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

// MessageView is one e-mail about a booking and how its delivery went.
type MessageView struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`  // booking.MailConfirmation, ...
	State     string `json:"state"` // pending, sent, failed
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error,omitempty"`
	// CreatedAt is when the change that caused the message was made.
	CreatedAt time.Time `json:"created_at"`
	// DueAt is when a pending message is (next) tried; absent otherwise.
	DueAt *time.Time `json:"due_at,omitempty"`
	// SentAt is when it was delivered; FailedAt when it was given up.
	SentAt   *time.Time `json:"sent_at,omitempty"`
	FailedAt *time.Time `json:"failed_at,omitempty"`
}

// MarshalJSON writes v with its times in TimeLayout (a numeric offset,
// "+00:00" for these UTC times rather than "Z").
func (v MessageView) MarshalJSON() ([]byte, error) {
	type plain MessageView // without this method
	return json.Marshal(struct {
		plain
		CreatedAt Time  `json:"created_at"`
		DueAt     *Time `json:"due_at,omitempty"`
		SentAt    *Time `json:"sent_at,omitempty"`
		FailedAt  *Time `json:"failed_at,omitempty"`
	}{plain(v), At(v.CreatedAt), timePtr(v.DueAt), timePtr(v.SentAt), timePtr(v.FailedAt)})
}

// StaffBookingMessages lists the e-mails of a booking the user may see
// (another artisan's booking is not found), oldest first, with their
// delivery state.
func (a *App) StaffBookingMessages(ctx context.Context, u *booking.User, id string) ([]MessageView, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	jobs, err := a.store.BookingJobs(ctx, b.ID, mailQueue)
	if err != nil {
		return nil, internal("load the booking's mail", err)
	}
	out := make([]MessageView, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, messageView(j))
	}
	return out, nil
}

func messageView(j booking.JobRecord) MessageView {
	v := MessageView{
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
