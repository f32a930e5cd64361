package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Store is the persistence of the application service: one interface made
// of one per concern, so that each method's implementation is easy to
// find. internal/sqlite.DB implements it.
type Store interface {
	booking.Store      // the catalogue, schedules, bookings and their tokens, idempotency, the outbox, health
	AccountStore       // staff accounts and sessions
	CalendarStore      // what staff read of bookings, notes, the audit log and messages
	HoursStore         // opening and working hours, closures and time off
	FeedStore          // calendar feed secrets (feed.go)
	booking.ReplyStore // the customers' answers to invitations (replies.go)
}

// AccountStore keeps staff accounts and their sessions.
type AccountStore interface {
	UserByEmail(ctx context.Context, email string) (*booking.User, error)
	CreateSession(ctx context.Context, s booking.Session) error
	Session(ctx context.Context, id string) (*booking.Session, *booking.User, error)
	TouchSession(ctx context.Context, id string, t time.Time) error
	DeleteSession(ctx context.Context, id string) error
}

// CalendarStore is what the staff calendar reads and annotates.
type CalendarStore interface {
	Bookings(ctx context.Context, from, to time.Time, artisanID string) ([]booking.Booking, error)
	StaffNotes(ctx context.Context, bookingIDs ...string) (map[string]string, error)
	SetStaffNotes(ctx context.Context, bookingID, notes string, actor booking.Actor) error
	AuditLog(ctx context.Context, from, to time.Time, limit int) ([]booking.AuditEntry, error)
	// BookingJobs lists the jobs of queue for a booking with their
	// delivery state (staff_messages.go).
	BookingJobs(ctx context.Context, bookingID, queue string) ([]booking.JobRecord, error)
	// FailingJobs lists the bookings with failing jobs of queue, only
	// artisanID's when it is set (staff_messages.go).
	FailingJobs(ctx context.Context, queue string, failedSince time.Time, artisanID string) ([]booking.FailingJobs, error)
}

// HoursStore changes when the atelier and its artisans work.
type HoursStore interface {
	SetOpeningHours(ctx context.Context, hours booking.WeekHours, actor booking.Actor) error
	SetWorkingHours(ctx context.Context, artisanID string, hours booking.WeekHours, actor booking.Actor) error
	AddClosure(ctx context.Context, c booking.Closure, actor booking.Actor) (booking.Closure, error)
	DeleteClosure(ctx context.Context, id string, actor booking.Actor) error
	AddTimeOff(ctx context.Context, t booking.TimeOff, actor booking.Actor) (booking.TimeOff, error)
	DeleteTimeOff(ctx context.Context, artisanID, id string, actor booking.Actor) error
}
