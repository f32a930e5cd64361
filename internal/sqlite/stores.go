package sqlite

import (
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// The stores, one per concern, each a small type over one DB. Each
// implements the domain's interface of its concern; Store gathers them
// for the wiring in cmd/atelier.

// CatalogStore keeps the catalogue: the configuration file's (SyncCatalog)
// and the staff's changes to hours, closures and time off (catalog.go,
// sync.go, staff.go).
type CatalogStore struct{ db *DB }

// BookingStore keeps bookings and what belongs to them: their schedules,
// manage tokens, idempotency records and staff notes (booking.go,
// catalog.go, token.go, staffview.go).
type BookingStore struct{ db *DB }

// StaffStore keeps staff accounts, their sessions and the secrets of their
// calendar feeds, and reads the audit log (user.go, session.go, feed.go,
// staffview.go).
type StaffStore struct{ db *DB }

// JobStore is the job queue (job.go, jobview.go, jobhealth.go, metrics.go).
type JobStore struct {
	db       *DB
	payloads lazyStmt // readPayloadsSQL on the read pool (job.go)
}

// CalendarSyncStore keeps the state of the calendar sync (gcal.go).
type CalendarSyncStore struct{ db *DB }

// ReplyStore keeps the replies to invitations read from the mailbox
// (reply.go).
type ReplyStore struct{ db *DB }

// NewCatalogStore returns the catalogue store over db.
func NewCatalogStore(db *DB) *CatalogStore { return &CatalogStore{db} }

// NewBookingStore returns the booking store over db.
func NewBookingStore(db *DB) *BookingStore { return &BookingStore{db} }

// NewStaffStore returns the staff store over db.
func NewStaffStore(db *DB) *StaffStore { return &StaffStore{db} }

// NewJobStore returns the job store over db.
func NewJobStore(db *DB) *JobStore { return &JobStore{db: db} }

// NewCalendarSyncStore returns the calendar sync store over db.
func NewCalendarSyncStore(db *DB) *CalendarSyncStore { return &CalendarSyncStore{db} }

// NewReplyStore returns the reply store over db.
func NewReplyStore(db *DB) *ReplyStore { return &ReplyStore{db} }

// Store is one DB with every store over it: what the application is
// given (booking.Store, with booking.ReplyStore) and what the Google sync
// keeps its state in (calsync.Store). Each embedded store is also
// reachable alone, by its type's name (Store.JobStore for a job runner).
type Store struct {
	*DB
	*CatalogStore
	*BookingStore
	*StaffStore
	*JobStore
	*CalendarSyncStore
	*ReplyStore
	*CustomerStore
	*PhotoStore
	*CommissionStore
	*PrivacyStore
	*InvitationStore // invitation.go
}

// NewStore returns every store over db.
func NewStore(db *DB) *Store {
	return &Store{
		DB:                db,
		CatalogStore:      NewCatalogStore(db),
		BookingStore:      NewBookingStore(db),
		StaffStore:        NewStaffStore(db),
		JobStore:          NewJobStore(db),
		CalendarSyncStore: NewCalendarSyncStore(db),
		ReplyStore:        NewReplyStore(db),
		CustomerStore:     NewCustomerStore(db),
		PhotoStore:        NewPhotoStore(db),
		CommissionStore:   NewCommissionStore(db),
		PrivacyStore:      &PrivacyStore{db},
		InvitationStore:   NewInvitationStore(db),
	}
}

var (
	_ booking.CatalogStore    = (*CatalogStore)(nil)
	_ booking.BookingStore    = (*BookingStore)(nil)
	_ booking.StaffStore      = (*StaffStore)(nil)
	_ booking.JobStore        = (*JobStore)(nil)
	_ calsync.Store           = (*CalendarSyncStore)(nil)
	_ booking.ReplyStore      = (*ReplyStore)(nil)
	_ booking.PhotoStore      = (*PhotoStore)(nil)
	_ booking.CommissionStore = (*CommissionStore)(nil)
	_ booking.PrivacyStore    = (*PrivacyStore)(nil)
	_ booking.InvitationStore = (*InvitationStore)(nil)
	_ booking.Store           = (*Store)(nil)
)
