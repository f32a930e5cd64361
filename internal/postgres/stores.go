package postgres

import "github.com/atelier-app/atelier/internal/booking"

// The stores, one per concern, each a small type over one DB, as in
// internal/sqlite. So far: CatalogStore, BookingStore and JobStore.

// CatalogStore keeps the catalogue: the configuration file's (SyncCatalog)
// and the staff's changes to hours, closures and time off (catalog.go,
// sync.go, catalogedit.go).
type CatalogStore struct{ db *DB }

// BookingStore keeps bookings and what belongs to them: their schedules,
// manage tokens, idempotency records and staff notes (booking.go,
// schedule.go, token.go, staffview.go).
type BookingStore struct{ db *DB }

// JobStore is the job queue shared by every server on the database
// (job.go, jobhealth.go).
type JobStore struct{ db *DB }

// NewCatalogStore returns the catalogue store over db.
func NewCatalogStore(db *DB) *CatalogStore { return &CatalogStore{db} }

// NewBookingStore returns the booking store over db.
func NewBookingStore(db *DB) *BookingStore { return &BookingStore{db} }

// NewJobStore returns the job store over db.
func NewJobStore(db *DB) *JobStore { return &JobStore{db} }

// Store is one DB with every store over it built so far.
type Store struct {
	*DB
	*CatalogStore
	*BookingStore
	*JobStore
}

// NewStore returns every store over db.
func NewStore(db *DB) *Store {
	return &Store{DB: db, CatalogStore: NewCatalogStore(db), BookingStore: NewBookingStore(db), JobStore: NewJobStore(db)}
}

var (
	_ booking.CatalogStore = (*CatalogStore)(nil)
	_ booking.BookingStore = (*BookingStore)(nil)
	_ booking.JobStore     = (*JobStore)(nil)
)
