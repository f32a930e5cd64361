package booking

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// A customer is one person across all their bookings: the bookings made
// with one e-mail address, in any case (EmailKey). Each address gets a
// random id (cu_ and 20 hex digits) the first time a booking is made with
// it, kept in the store, so that a customer's page has a stable address
// that says nothing of their e-mail address.

// CustomerProfile is a customer as staff see them: the details of their
// latest booking (name and address as last given; the latest phone number
// and time zone given), how many bookings they have, and the notes staff
// keep across their bookings.
type CustomerProfile struct {
	ID                    string
	Name, Email, Phone    string
	Timezone              string
	Bookings              int // every status, as far as the reader may see
	Notes                 string
	NotesUpdatedAt        time.Time // zero when there are no notes
	NotesUpdatedBy        string    // the staff account's id
	FirstBooked, LastSeen time.Time // the first booking made; the latest start
}

// SearchQuery is a staff search: every term must be part of a booking's
// reference, customer name, e-mail address or phone number (its digits).
type SearchQuery struct {
	Terms     []string // lower case, from SearchTerms
	ArtisanID string   // only this artisan's bookings when not ""
	Limit     int
}

// MaxSearchLength is the longest search text read, in bytes.
const MaxSearchLength = 200

// SearchTerms splits a search text into its terms: words in lower case; a
// word made only of digits and phone punctuation (+, -, (, ), .) is its
// digits, so "+65 9123-4567" finds the phone number "+65 9123 4567".
func SearchTerms(q string) []string {
	var out []string
	for _, w := range strings.Fields(q) {
		phone := strings.IndexFunc(w, unicode.IsDigit) >= 0 && strings.Trim(w, "0123456789+-().") == ""
		if phone {
			w = strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, w)
		}
		if w = strings.ToLower(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// CustomerStore finds bookings and customers for staff and keeps the
// notes staff write about a customer.
type CustomerStore interface {
	// SearchBookings returns up to q.Limit bookings (any status) matching
	// every term, the latest start first.
	SearchBookings(ctx context.Context, q SearchQuery) ([]Booking, error)
	// SearchCustomers returns up to q.Limit customers with a booking
	// matching every term (of q.ArtisanID when set), the latest seen first.
	SearchCustomers(ctx context.Context, q SearchQuery) ([]CustomerProfile, error)
	// Customer returns customer id as seen through artisanID's bookings
	// ("" for every booking): ENOTFOUND for an unknown id and for a
	// customer without a booking of artisanID.
	Customer(ctx context.Context, id, artisanID string) (*CustomerProfile, error)
	// CustomerIDs returns the ids of the customers with the e-mail
	// addresses (any case), by address as given.
	CustomerIDs(ctx context.Context, emails ...string) (map[string]string, error)
	// CustomerHistory returns up to limit bookings (any status) of customer
	// id, of artisanID when set, the latest start first.
	CustomerHistory(ctx context.Context, id, artisanID string, limit int) ([]Booking, error)
	// SetCustomerNotes replaces the notes of customer id ("" removes them)
	// and writes an audit row; ENOTFOUND for an unknown id.
	SetCustomerNotes(ctx context.Context, id, notes string, actor Actor) error
}
