package booking

import (
	"context"
	"time"
)

// IdempotencyRecord remembers the first response to a request made with an
// Idempotency-Key. The key itself is never stored: KeyHash identifies it and
// Response is sealed with a key derived from it (see internal/app).
type IdempotencyRecord struct {
	KeyHash     []byte
	RequestHash []byte
	BookingID   string
	Response    []byte
	CreatedAt   time.Time
}

// NewBooking is a booking to insert; the store fills ArtisanID and RoomID
// from the placement.
type NewBooking struct {
	Booking Booking
	// TokenHash is the hash of the manage token in the answer that makes
	// the booking; the store keeps it (purpose "created").
	TokenHash   []byte
	Idempotency *IdempotencyRecord // optional
	Actor       Actor
	// Invitation, when set, is used up in the same transaction: the
	// booking is stored only while it is open (invitation.go).
	Invitation *InvitationUse
}

// The persistence the application needs, one interface per concern. A
// store adapter implements each with one small type (internal/sqlite:
// CatalogStore, BookingStore, StaffStore, JobStore; the calendar sync's
// state is calsync.Store, replies ReplyStore); Store is all of them.
// Nothing here names a database: another adapter (PostgreSQL) implements
// the same interfaces.

// CatalogStore keeps the catalogue and the staff's changes to it. Each
// change takes effect at once (the next Schedule sees it) and writes an
// audit row.
type CatalogStore interface {
	// Catalog returns the current catalogue, including staff changes to
	// hours, closures and time off.
	Catalog(ctx context.Context) (*Catalog, error)
	// SetOpeningHours replaces the atelier's opening hours.
	SetOpeningHours(ctx context.Context, hours WeekHours, actor Actor) error
	// SetWorkingHours replaces an active artisan's working hours.
	SetWorkingHours(ctx context.Context, artisanID string, hours WeekHours, actor Actor) error
	// AddClosure closes the atelier over c's dates and returns it with
	// its id.
	AddClosure(ctx context.Context, c Closure, actor Actor) (Closure, error)
	// DeleteClosure removes a closure staff added.
	DeleteClosure(ctx context.Context, id string, actor Actor) error
	// AddTimeOff records time off of t.ArtisanID and returns it with its id.
	AddTimeOff(ctx context.Context, t TimeOff, actor Actor) (TimeOff, error)
	// DeleteTimeOff removes time off id of artisanID.
	DeleteTimeOff(ctx context.Context, artisanID, id string, actor Actor) error

	// Hours for one date (issue 12).

	// SetDateHours sets the hours of d.Date for the atelier (d.ArtisanID
	// "") or an active artisan, replacing any set for that date, and
	// returns them with a new id and source "staff".
	SetDateHours(ctx context.Context, d DateHours, actor Actor) (DateHours, error)
	// DeleteDateHours removes the hours with id once allow accepts them
	// (its error is returned as it is) and returns what was removed: the
	// weekly hours apply on that date again, and the file's entry for the
	// date does not come back. ENOTFOUND for an unknown id.
	DeleteDateHours(ctx context.Context, id string, allow func(DateHours) error, actor Actor) (DateHours, error)
	// DateHoursIn lists the hours set for the dates from to to inclusive,
	// by date, the atelier's before the artisans' (by id).
	DateHoursIn(ctx context.Context, from, to Date) ([]DateHours, error)
}

// BookingStore keeps bookings, their manage tokens, idempotency records
// and staff notes. Every method that changes bookings re-checks the slot
// with place inside one write transaction.
type BookingStore interface {
	// Schedule returns the catalogue with the bookings that hold their
	// time (confirmed and pending) and busy times that overlap [from, to).
	Schedule(ctx context.Context, from, to time.Time) (*Schedule, error)
	// AvailabilitySchedule is Schedule for the engine alone (free times):
	// the bookings may come as Holds, shared with the store's cache, in
	// place of Bookings. Read nothing but the engine's answers from it.
	AvailabilitySchedule(ctx context.Context, from, to time.Time) (*Schedule, error)

	// CreateBooking checks and inserts a booking atomically. When
	// nb.Idempotency is set and a record with the same KeyHash exists, the
	// existing record is returned instead and nothing is inserted
	// (rec != nil).
	CreateBooking(ctx context.Context, nb NewBooking, place PlaceFunc) (b *Booking, rec *IdempotencyRecord, err error)
	// Booking returns a booking by id (ENOTFOUND if unknown).
	Booking(ctx context.Context, id string) (*Booking, error)
	// BookingByManageToken returns booking id if tokenHash is the hash of
	// one of its manage tokens; ENOTFOUND for an unknown id or token alike.
	BookingByManageToken(ctx context.Context, id string, tokenHash []byte) (*Booking, error)
	// CancelBooking marks a confirmed booking cancelled and bumps its
	// sequence; cancelling a cancelled booking is ECONFLICT.
	CancelBooking(ctx context.Context, id string, actor Actor) (*Booking, error)
	// RescheduleBooking moves a confirmed booking to start (and possibly
	// another artisan and room chosen by place), bumping its sequence; a
	// move to its own time with its own artisan changes nothing.
	RescheduleBooking(ctx context.Context, id string, start, end, blockStart, blockEnd time.Time, actor Actor, place PlaceFunc) (*Booking, error)
	// LookupIdempotency returns the record for keyHash, or nil.
	LookupIdempotency(ctx context.Context, keyHash []byte) (*IdempotencyRecord, error)
	// AddManageTokens stores the hashes of manage tokens for messages
	// rendered outside a booking change, before the messages go out.
	AddManageTokens(ctx context.Context, tokens ...ManageToken) error
	// CustomerBookings returns the confirmed and pending bookings made with email (in
	// any case) not ended at now, soonest first, at most limit.
	CustomerBookings(ctx context.Context, email string, now time.Time, limit int) ([]Booking, error)

	// Bookings lists the bookings (any status) starting in [from, to), of
	// artisanID when it is not "", by start time.
	Bookings(ctx context.Context, from, to time.Time, artisanID string) ([]Booking, error)
	// StaffNotes returns the staff notes of the bookings, by booking id.
	StaffNotes(ctx context.Context, bookingIDs ...string) (map[string]string, error)
	// SetStaffNotes replaces the staff notes of a booking ("" removes them).
	SetStaffNotes(ctx context.Context, bookingID, notes string, actor Actor) error
}

// StaffStore keeps staff accounts, their sessions and the secrets of the
// calendar feeds they make, and reads the audit log.
type StaffStore interface {
	// UserByEmail returns the account with the address (any case), or
	// ENOTFOUND.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// Session returns a session with its user, or ENOTFOUND.
	Session(ctx context.Context, id string) (*Session, *User, error)
	// TouchSession records that the session was used at t.
	TouchSession(ctx context.Context, id string, t time.Time) error
	// DeleteSession removes a session (an unknown one is not an error).
	DeleteSession(ctx context.Context, id string) error

	// SetFeedToken makes hash the only secret of the feed of artisanID
	// ("" for the atelier-wide feed; ENOTFOUND for an unknown artisan).
	SetFeedToken(ctx context.Context, artisanID string, hash []byte, actor Actor) error
	// DeleteFeedToken revokes the feed and reports whether it existed.
	DeleteFeedToken(ctx context.Context, artisanID string, actor Actor) (bool, error)
	// FeedByTokenHash returns the feed with secret hash (ENOTFOUND if none).
	FeedByTokenHash(ctx context.Context, hash []byte) (artisanID string, err error)

	// AuditLog returns up to limit audit rows written in [from, to),
	// oldest first.
	AuditLog(ctx context.Context, from, to time.Time, limit int) ([]AuditEntry, error)
}

// JobStore is the durable job queue (the outbox) and what staff and
// health checks read of it.
type JobStore interface {
	JobQueue
	// Enqueue adds jobs outside any booking change (e.g. an e-mail that
	// sends a customer's manage links again).
	Enqueue(ctx context.Context, jobs ...Job) error
	// JobHealth counts the queued and failing jobs of each of queues at
	// now, counting jobs given up at or after failedSince; a queue with no
	// such jobs has zero counts. It is one cheap, indexed query (/healthz).
	JobHealth(ctx context.Context, now, failedSince time.Time, queues ...string) (map[string]QueueHealth, error)
	// BookingJobs lists the jobs of queue for a booking with their
	// delivery state, in the order they were written.
	BookingJobs(ctx context.Context, bookingID, queue string) ([]JobRecord, error)
	// FailingJobs lists the bookings with failing jobs of queue, only
	// artisanID's when it is set.
	FailingJobs(ctx context.Context, queue string, failedSince time.Time, artisanID string) ([]FailingJobs, error)
}

// Store is the whole persistence of the application.
type Store interface {
	CatalogStore
	CatalogEditor // catalogedit.go
	AccountStore  // accounts.go
	BookingStore
	StaffStore
	JobStore
	PhotoStore   // the photos customers add to bookings (photo.go)
	RequestStore // requests that staff confirm or decline (request.go)
	// Personal data: erasure and the customers' links (privacy.go).
	PrivacyStore
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
