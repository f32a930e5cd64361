package booking

import (
	"context"
	"time"
)

// A commission is a piece made over several appointments (issue 13): a
// consultation, design reviews, a fitting, the collection. It belongs to
// one customer and one artisan, moves through the atelier's stages
// (commissions.stages in the configuration) and gathers the bookings made
// for it: each booking belongs to at most one commission.

// CommissionIDPrefix starts every commission id.
const CommissionIDPrefix = "cm_"

// DefaultCommissionStages are the stages when the configuration names
// none, in their order.
var DefaultCommissionStages = []string{"consultation", "design", "approved", "making", "fitting", "ready", "collected", "closed"}

// Commission is a piece made for a customer over several appointments.
type Commission struct {
	ID    string
	Title string
	// Stage is one of the configured stages (a stage since removed from
	// the configuration stays until staff change it).
	Stage string
	// CustomerID is the customer's id (CustomerProfile.ID), made for the
	// address when the commission is the customer's first record.
	CustomerID string
	// Customer are the customer's details as staff gave them (or as the
	// booking it started from had them): an invitation to book the next
	// step fills a booking's customer from them.
	Customer  Customer
	ArtisanID string
	// Notes are the staff's; the customer never sees them.
	Notes string
	// NeededBy is the date the piece is wanted by (a proposal, a
	// wedding); zero when none was given.
	NeededBy             Date
	CreatedAt, UpdatedAt time.Time
}

// CommissionRef names the commission a booking belongs to.
type CommissionRef struct {
	ID    string
	Title string
}

// CommissionQuery selects commissions: every field set must match.
type CommissionQuery struct {
	Stage      string
	ArtisanID  string
	CustomerID string
	IDs        []string // only these ids when not nil
}

// CommissionStore keeps the commissions and which bookings belong to
// them. Every change writes an audit row.
type CommissionStore interface {
	// CreateCommission stores c under a new id (c.ID is ignored) with its
	// customer's id (made for c.Customer.Email when the address has none
	// yet) and returns it. When bookingID is not "", that booking joins it
	// in the same transaction (ENOTFOUND "booking" when unknown).
	CreateCommission(ctx context.Context, c Commission, bookingID string, actor Actor) (*Commission, error)
	// Commission returns commission id (ENOTFOUND when unknown).
	Commission(ctx context.Context, id string) (*Commission, error)
	// Commissions lists the commissions q selects, the latest changed
	// first.
	Commissions(ctx context.Context, q CommissionQuery) ([]Commission, error)
	// UpdateCommission applies edit to commission id inside one write
	// transaction and stores the title, stage, artisan, notes and needed-by
	// date it leaves; an error of edit is returned as it is and nothing
	// changes. ENOTFOUND when unknown.
	UpdateCommission(ctx context.Context, id string, edit func(*Commission) error, actor Actor) (*Commission, error)
	// LinkBooking makes booking bookingID belong to commission
	// commissionID, or to none when commissionID is "" (ENOTFOUND for an
	// unknown booking or commission). A booking in another commission is
	// EINVALID on "booking": it must be detached first.
	LinkBooking(ctx context.Context, bookingID, commissionID string, actor Actor) error
	// CommissionBookings returns the bookings (any status) of commission
	// id, by start time.
	CommissionBookings(ctx context.Context, id string) ([]Booking, error)
	// CommissionByManageToken returns commission id if tokenHash is the
	// hash of a manage token of one of its bookings; ENOTFOUND for an
	// unknown id or token alike.
	CommissionByManageToken(ctx context.Context, id string, tokenHash []byte) (*Commission, error)
}
