// Package app is the application service of the atelier: the use cases
// behind the customer API (browse the catalogue, find free slots, book,
// view, cancel and reschedule with a manage token) and their staff
// counterparts. It knows nothing of HTTP; adapters translate its views and
// *booking.Error values into their own protocol.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// DefaultIdempotencyTTL is how long an Idempotency-Key is honoured when
// App.IdempotencyTTL is zero.
const DefaultIdempotencyTTL = 24 * time.Hour

// MeetingLinker creates the video-call link of a virtual booking. It is
// called before the booking is stored, with the artisan who will host.
type MeetingLinker interface {
	Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error)
}

// App holds the dependencies of the use cases. The zero value is not
// usable: Store and Now are required.
type App struct {
	Store     booking.Store
	Now       func() time.Time
	Logger    *slog.Logger
	PublicURL string // e.g. "https://atelier.example.com", no trailing slash
	// Meetings creates video-call links for virtual bookings; nil means
	// virtual bookings carry no link.
	Meetings MeetingLinker
	// Google is the Google Calendar sync (see google.go): a last free/busy
	// check of the slot before a booking is stored, and sync states for
	// staff. Nil means sync is off.
	Google GoogleCalendar
	// GoogleOAuth connects artisans' own Google accounts (auth oauth; see
	// google.go); nil otherwise.
	GoogleOAuth GoogleConnector
	// UTF8LocalParts says mail can be delivered to addresses with non-ASCII
	// letters before the @ (config.Mail.UTF8LocalParts); without it a
	// booking with such an address is refused with a field error.
	UTF8LocalParts bool
	// ManageLinks builds the e-mail job of RequestManageLinks; nil means
	// links cannot be sent again.
	ManageLinks ManageLinksJob
	// IdempotencyTTL is how long an Idempotency-Key replays its first
	// response; afterwards reusing it is refused. Zero means
	// DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// Metrics is told of measurements of the use cases (metrics.go); nil
	// means none.
	Metrics Metrics
	// Replies says the customers' answers to invitations are read
	// (mail.imap): only then do invites ask for one (RSVP=TRUE).
	Replies bool
	// DeclinedReply is what a customer's "No" does: DeclinedCancel (the
	// default, for "") or DeclinedNotify (replies.go).
	DeclinedReply string
}

func (a *App) now() time.Time { return a.Now() }

func (a *App) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

func (a *App) idempotencyTTL() time.Duration {
	if a.IdempotencyTTL > 0 {
		return a.IdempotencyTTL
	}
	return DefaultIdempotencyTTL
}

// catalog loads the current catalogue.
func (a *App) catalog(ctx context.Context) (*booking.Catalog, error) {
	c, err := a.Store.Catalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	return c, nil
}

// internal wraps an unexpected failure so that it is reported as EINTERNAL
// (ErrorKind of a non-*booking.Error is EINTERNAL) while keeping the cause.
func internal(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }
