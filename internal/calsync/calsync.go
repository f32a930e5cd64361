// Package calsync holds the state of the calendar sync that the store keeps
// for it: each artisan's connection, inbound cursor, busy times read from
// their calendar and OAuth token, and how far each booking has been pushed.
// It has no calendar client, so the store can keep this state without
// importing one: internal/gcal (the Google client) and the stores
// (internal/sqlite) both import it.
package calsync

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// ConnState is the state of an artisan's connection to Google Calendar.
type ConnState string

const (
	// StateNotConnected: no credentials yet (OAuth not granted).
	StateNotConnected ConnState = "not_connected"
	// StateConnected: syncing normally (possibly retrying transient errors).
	StateConnected ConnState = "connected"
	// StateDisconnected: Google refused our credentials (401, invalid_grant,
	// revoked); sync is stopped until the artisan reconnects.
	StateDisconnected ConnState = "disconnected"
	// StateError: sync is stopped for another reason (daily quota exhausted)
	// until reconnected.
	StateError ConnState = "error"
)

// Stopped reports whether sync is stopped in state s.
func (s ConnState) Stopped() bool { return s == StateDisconnected || s == StateError }

// ArtisanSync is the connection state of one artisan, shown to staff and on
// /healthz.
type ArtisanSync struct {
	ArtisanID   string
	State       ConnState
	LastSuccess time.Time // last successful call to Google (zero: never)
	LastError   string    // empty when the last call succeeded
	ErrorAt     time.Time
}

// SyncCursor is where incremental inbound sync resumes for an artisan.
type SyncCursor struct {
	CalendarID string // the calendar the token belongs to
	Token      string // nextSyncToken of the last complete listing
}

// BusyEvent is a busy interval read from an artisan's calendar, keyed by the
// Google event id (one per instance of a recurring event).
type BusyEvent struct {
	ArtisanID string
	EventID   string
	Start     time.Time
	End       time.Time
}

// BookingSyncState is how far a booking has been pushed to Google.
type BookingSyncState string

const (
	SyncPending BookingSyncState = "pending" // a change is waiting or being retried
	SyncSynced  BookingSyncState = "synced"  // Google matches the booking
	SyncFailed  BookingSyncState = "failed"  // gave up (permanent error); see LastError
)

// BookingSync is the Google side of one booking.
type BookingSync struct {
	BookingID  string
	State      BookingSyncState
	ArtisanID  string // whose calendar holds the event (empty: none yet)
	CalendarID string
	EventID    string
	Sequence   int       // booking sequence last written to Google
	MeetURL    string    // Meet link obtained for the booking, if any
	SyncedAt   time.Time // last time Google was made to match
	LastError  string
	UpdatedAt  time.Time
}

// Store is the persistence the calendar sync needs (internal/gcal uses
// it). The SQLite store implements it; gcaltest.Store is an in-memory
// version for tests. Methods return (nil, nil) for rows that do not exist.
type Store interface {
	// SyncCursor returns the inbound sync cursor of an artisan, or nil.
	SyncCursor(ctx context.Context, artisanID string) (*SyncCursor, error)
	// ReplaceBusy replaces all busy intervals of the artisan and stores the
	// cursor, in one transaction (after a full sync).
	ReplaceBusy(ctx context.Context, artisanID string, busy []BusyEvent, cur SyncCursor) error
	// UpdateBusy upserts busy intervals by event id, deletes those with the
	// event ids in remove, and stores the cursor, in one transaction (after
	// an incremental sync).
	UpdateBusy(ctx context.Context, artisanID string, upsert []BusyEvent, remove []string, cur SyncCursor) error
	// ClearSyncCursor forgets the cursor so that the next sync is a full one.
	ClearSyncCursor(ctx context.Context, artisanID string) error

	// BookingSync returns the sync state of a booking, or nil.
	BookingSync(ctx context.Context, bookingID string) (*BookingSync, error)
	// SetBookingSync inserts or replaces the sync state of a booking.
	SetBookingSync(ctx context.Context, s BookingSync) error

	// ArtisanSync returns the connection state of an artisan, or nil.
	ArtisanSync(ctx context.Context, artisanID string) (*ArtisanSync, error)
	// ArtisanSyncs returns the connection states of all artisans that have one.
	ArtisanSyncs(ctx context.Context) ([]ArtisanSync, error)
	// SetArtisanSync inserts or replaces the connection state of an artisan.
	SetArtisanSync(ctx context.Context, s ArtisanSync) error

	// OAuthToken returns the stored OAuth token of an artisan, or nil.
	OAuthToken(ctx context.Context, artisanID string) (*oauth2.Token, error)
	// SaveOAuthToken stores (or replaces) the OAuth token of an artisan.
	SaveOAuthToken(ctx context.Context, artisanID string, tok *oauth2.Token) error
	// DeleteOAuthToken forgets the OAuth token of an artisan (disconnect).
	DeleteOAuthToken(ctx context.Context, artisanID string) error
}
