package booking

import (
	"context"
	"time"
)

// Personal data (issue 13). A customer's data is the details of their
// bookings (name, e-mail address, phone, time zone, notes), their answers
// and photos, the staff's notes on the bookings and on the customer, the
// e-mails queued for them and the audit rows that repeat any of it.
// Erasing a booking's personal data keeps the booking itself (its time,
// service, artisan, status and reference: the atelier's own record of the
// work) and blanks or deletes everything else; ErasedAt says it happened.

// EventErased is the change of a booking whose personal data was erased:
// the calendar sync rewrites its event without the customer.
const EventErased EventKind = "erased"

// Erasure says whose bookings lose their personal data.
type Erasure struct {
	// CustomerID limits the erasure to one customer's bookings (their
	// request, or staff's on their behalf); "" erases every customer's
	// (the retention job).
	CustomerID string
	// EndedBefore: only bookings that ended before it are erased, so a
	// coming appointment is kept as it is. A customer's own erasure also
	// takes their cancelled bookings, whenever they were for.
	EndedBefore time.Time
	// Cancelled also erases the customer's cancelled and declined
	// bookings of any time.
	Cancelled bool
}

// ErasureResult is what an erasure did, in numbers only (the audit keeps
// it so; never the data).
type ErasureResult struct {
	Bookings int // bookings whose personal data was erased
	Photos   int // photos deleted
	Kept     int // the customer's bookings kept (coming appointments)
	// CustomerGone says the customer no longer exists: no booking carries
	// their address any more, so their page and id are gone.
	CustomerGone bool
}

// Privacy link purposes: what a link mailed to a customer lets them do.
const (
	PrivacyExport = "export" // download a copy of their data
	PrivacyErase  = "erase"  // confirm the erasure of their data
)

// PrivacyLink is a link mailed to a customer's address on record: only the
// hash of its random token is kept, it works a few times (Uses) until
// ExpiresAt.
type PrivacyLink struct {
	TokenHash  []byte
	Purpose    string // PrivacyExport or PrivacyErase
	CustomerID string
	BookingID  string // the booking whose manage page asked for it
	CreatedAt  time.Time
	ExpiresAt  time.Time
	Uses       int // uses left
}

// CodeLinkExpired is the problem code of a privacy link past its time.
const CodeLinkExpired = "link_expired"

// PrivacyStore erases personal data and keeps the customers' privacy
// links.
type PrivacyStore interface {
	// ErasePersonalData erases the personal data of the bookings e
	// selects, in one transaction: the booking rows' customer details,
	// notes and answers are blanked and ErasedAt set; their photos, staff
	// notes, manage tokens and idempotency records are deleted; their
	// e-mails' stored messages and errors are dropped (one not yet sent is
	// not sent); the audit rows of those bookings lose the details they
	// repeated; the search no longer finds them. For one customer, their
	// notes go too, and the customer itself once none of their bookings
	// is left. Each booking gets an audit row "booking.erased" and an
	// EventErased job (the calendar); the whole gets one
	// "customer.erased" (or "privacy.retention") with the counts.
	// ENOTFOUND for an unknown customer.
	ErasePersonalData(ctx context.Context, e Erasure, actor Actor) (ErasureResult, error)
	// AddPrivacyLink stores a link with the job of the e-mail that
	// carries it, in one transaction.
	AddPrivacyLink(ctx context.Context, l PrivacyLink, mail Job) error
	// UsePrivacyLink spends one use of the link with hash for purpose and
	// returns it: ENOTFOUND for an unknown or spent one, CodeLinkExpired
	// (ENOTFOUND) past its time. With spend false it only looks, and purpose
	// "" takes a link of either purpose.
	UsePrivacyLink(ctx context.Context, hash []byte, purpose string, now time.Time, spend bool) (*PrivacyLink, error)
	// OfferJob adds j unless a pending job of its queue and kind exists
	// (only the queue PrivacyQueue has that rule), and reports whether it
	// did: every server offers the daily retention job, one is kept.
	OfferJob(ctx context.Context, j Job) (bool, error)
}

// PrivacyQueue is the job queue of the daily retention erasure; its one
// job, of kind RetentionJob, is put off to the next day after each run.
const (
	PrivacyQueue = "privacy"
	RetentionJob = "retention"
)
