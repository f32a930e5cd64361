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
}

// Store is the persistence the application needs. Every method that changes
// bookings re-checks the slot with place inside one write transaction.
type Store interface {
	// Catalog returns the current catalogue, including staff changes to
	// hours, closures and time off.
	Catalog(ctx context.Context) (*Catalog, error)
	// Schedule returns the catalogue with the confirmed bookings and busy
	// times that overlap [from, to).
	Schedule(ctx context.Context, from, to time.Time) (*Schedule, error)

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
	// another artisan and room chosen by place), bumping its sequence.
	RescheduleBooking(ctx context.Context, id string, start, end, blockStart, blockEnd time.Time, actor Actor, place PlaceFunc) (*Booking, error)
	// LookupIdempotency returns the record for keyHash, or nil.
	LookupIdempotency(ctx context.Context, keyHash []byte) (*IdempotencyRecord, error)
	// Enqueue adds jobs outside any booking change (e.g. an e-mail that
	// sends a customer's manage links again).
	Enqueue(ctx context.Context, jobs ...Job) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// JobHealth counts the queued and failing jobs of each of queues at
	// now, counting jobs given up at or after failedSince; a queue with no
	// such jobs has zero counts. It is one cheap, indexed query (/healthz).
	JobHealth(ctx context.Context, now, failedSince time.Time, queues ...string) (map[string]QueueHealth, error)
}
