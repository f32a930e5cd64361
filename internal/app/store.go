package app

import (
	"context"

	"github.com/atelier-app/atelier/internal/booking"
)

// Store is the persistence of the application service: one interface made
// of the domain's one per concern, each implemented by one small type of
// the store (internal/sqlite: CatalogStore, BookingStore, StaffStore,
// JobStore, ReplyStore), so that each method's implementation is easy to
// find. internal/sqlite.Store implements it.
type Store interface {
	booking.CatalogStore // the catalogue, opening and working hours, closures and time off
	// CatalogEditor: the admins' edits of services, artisans, rooms and
	// booking rules (catalogue.go).
	booking.CatalogEditor
	booking.BookingStore // schedules, bookings, their tokens and staff notes, idempotency
	booking.StaffStore   // staff accounts and sessions, calendar feed secrets, the audit log
	// AccountStore: the accounts admins manage in the app (accounts.go).
	booking.AccountStore
	booking.JobStore   // the outbox, and what staff and health checks read of it
	booking.ReplyStore // the customers' answers to invitations (replies.go)
	// CustomerStore: staff search, customers and their notes (customers.go).
	booking.CustomerStore
	booking.PhotoStore   // the photos customers add to bookings (photos.go)
	booking.RequestStore // requests that staff confirm or decline (requests.go)
	// CommissionStore: pieces made over several appointments (commissions.go).
	booking.CommissionStore
	// PrivacyStore: erasure and the customers' privacy links (privacy.go).
	booking.PrivacyStore
	// InvitationStore: invitations to book a commission's next step
	// (invitations.go).
	booking.InvitationStore
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
