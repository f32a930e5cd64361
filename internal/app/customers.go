package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/booking"
)

// The staff's search and customer pages. A customer is one person across
// all their bookings, matched by e-mail address in any case
// (booking.CustomerProfile); an artisan account sees only its own
// artisan's bookings, and so only the customers who booked with it.

// MaxSearchResults bounds each list of a search's answer.
const MaxSearchResults = 20

// maxCustomerHistory bounds the bookings on a customer's page.
const maxCustomerHistory = 200

// maxCustomerNotes is the longest customer note, in bytes.
const maxCustomerNotes = 4000

// SearchResults is the answer to a staff search: the bookings (the latest
// start first) and the customers (the latest seen first) that match, at
// most MaxSearchResults of each, with each booking's customer id.
type SearchResults struct {
	Query     string
	Bookings  []StaffBooking
	Customers []booking.CustomerProfile
	// CustomerOf is the customer id of each booking, by booking id.
	CustomerOf map[string]string
	Zone       *time.Location // the atelier's, where times are shown
}

// Customer is a customer's page: their profile and their bookings (the
// latest start first), each with the state of its e-mails.
type Customer struct {
	booking.CustomerProfile
	Bookings []StaffBooking
	// Commissions are the customer's commissions the reader may see, the
	// latest changed first.
	Commissions []Commission
	// Mail counts the e-mails of each booking by state (MessageSent,
	// MessagePending, MessageFailed), by booking id.
	Mail map[string]map[string]int
	Zone *time.Location
}

// ownArtisan is the artisan whose bookings u searches: every artisan's
// for an admin.
func ownArtisan(u *booking.User) (string, error) {
	if err := requireStaff(u); err != nil {
		return "", err
	}
	if u.IsAdmin() {
		return "", nil
	}
	return u.ArtisanID, nil
}

// StaffSearch finds the bookings and customers whose reference, name,
// e-mail address or phone number holds every word of q, in any case (a
// phone number by its digits). An empty q, or one longer than
// booking.MaxSearchLength, is EINVALID on the field "q".
func (a *App) StaffSearch(ctx context.Context, u *booking.User, q string) (*SearchResults, error) {
	artisan, err := ownArtisan(u)
	if err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	errs := booking.FieldErrors{}
	terms := booking.SearchTerms(q)
	switch {
	case len(q) > booking.MaxSearchLength:
		errs.Add("q", "must be at most 200 characters")
	case !utf8.ValidString(q):
		errs.Add("q", "must be text")
	case len(terms) == 0:
		errs.Add("q", "is required")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	sq := booking.SearchQuery{Terms: terms, ArtisanID: artisan, Limit: MaxSearchResults}
	bs, err := a.store.SearchBookings(ctx, sq)
	if err != nil {
		return nil, internal("search bookings", err)
	}
	cs, err := a.store.SearchCustomers(ctx, sq)
	if err != nil {
		return nil, internal("search customers", err)
	}
	out := &SearchResults{Query: q, Customers: cs, Zone: zoneOf(c)}
	if out.Bookings, err = a.staffViews(ctx, bs, c); err != nil {
		return nil, err
	}
	if out.CustomerOf, err = a.customerOf(ctx, bs); err != nil {
		return nil, err
	}
	return out, nil
}

// staffViews are bs as staff see them, with their staff notes, in the
// atelier's zone.
func (a *App) staffViews(ctx context.Context, bs []booking.Booking, c *booking.Catalog) ([]StaffBooking, error) {
	ids := make([]string, len(bs))
	for i := range bs {
		ids[i] = bs[i].ID
	}
	notes, err := a.store.StaffNotes(ctx, ids...)
	if err != nil {
		return nil, internal("load staff notes", err)
	}
	refs, err := a.commissionRefs(ctx, bs)
	if err != nil {
		return nil, err
	}
	out := make([]StaffBooking, 0, len(bs))
	for i := range bs {
		out = append(out, StaffBooking{Booking: *result(&bs[i], c, zoneOf(c), a.now()), StaffNotes: notes[bs[i].ID], Commission: refs[bs[i].ID]})
	}
	return out, nil
}

// customerOf maps each booking to its customer's id.
func (a *App) customerOf(ctx context.Context, bs []booking.Booking) (map[string]string, error) {
	emails := make([]string, 0, len(bs))
	for i := range bs {
		emails = append(emails, bs[i].Customer.Email)
	}
	ids, err := a.store.CustomerIDs(ctx, emails...)
	if err != nil {
		return nil, internal("load customer ids", err)
	}
	out := make(map[string]string, len(bs))
	for i := range bs {
		if id, ok := ids[bs[i].Customer.Email]; ok {
			out[bs[i].ID] = id
		}
	}
	return out, nil
}

// StaffCustomerID is the customer id of booking id, for a link to the
// customer's page ("" when the booking has none, which a booking made
// before customers existed may not have until the migration ran).
func (a *App) StaffCustomerID(ctx context.Context, u *booking.User, id string) (string, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return "", err
	}
	ids, err := a.customerOf(ctx, []booking.Booking{*b})
	if err != nil {
		return "", err
	}
	return ids[b.ID], nil
}

// StaffCustomer is customer id's page: their details, notes and bookings
// past and coming (any status) with their mail, times in the atelier's
// zone. An unknown id, and for an artisan account a customer who never
// booked with its artisan, is ENOTFOUND.
func (a *App) StaffCustomer(ctx context.Context, u *booking.User, id string) (*Customer, error) {
	artisan, err := ownArtisan(u)
	if err != nil {
		return nil, err
	}
	id = strings.ToLower(strings.TrimSpace(id))
	p, err := a.store.Customer(ctx, id, artisan)
	if err != nil {
		return nil, wrapStore("load the customer", err)
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := a.store.CustomerHistory(ctx, id, artisan, maxCustomerHistory)
	if err != nil {
		return nil, internal("load the customer's bookings", err)
	}
	out := &Customer{CustomerProfile: *p, Zone: zoneOf(c), Mail: make(map[string]map[string]int, len(bs))}
	if out.Bookings, err = a.staffViews(ctx, bs, c); err != nil {
		return nil, err
	}
	if out.Commissions, err = a.customerCommissions(ctx, u, id); err != nil {
		return nil, err
	}
	for i := range bs {
		jobs, err := a.store.BookingJobs(ctx, bs[i].ID, mailQueue)
		if err != nil {
			return nil, internal("load the booking's mail", err)
		}
		counts := map[string]int{}
		for _, j := range jobs {
			counts[newMessage(j).State]++
		}
		out.Mail[bs[i].ID] = counts
	}
	return out, nil
}

// SetCustomerNotes replaces the notes kept about customer id across their
// bookings ("" removes them); at most 4000 bytes. The customer must be
// one the account may see.
func (a *App) SetCustomerNotes(ctx context.Context, u *booking.User, id, notes string) (*Customer, error) {
	artisan, err := ownArtisan(u)
	if err != nil {
		return nil, err
	}
	id = strings.ToLower(strings.TrimSpace(id))
	if _, err := a.store.Customer(ctx, id, artisan); err != nil {
		return nil, wrapStore("load the customer", err)
	}
	errs := booking.FieldErrors{}
	switch {
	case len(notes) > maxCustomerNotes:
		errs.Add("notes", "must be at most 4000 bytes")
	case !utf8.ValidString(notes):
		errs.Add("notes", "must be text")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := a.store.SetCustomerNotes(ctx, id, strings.TrimSpace(notes), u.Actor()); err != nil {
		return nil, wrapStore("save the customer's notes", err)
	}
	return a.StaffCustomer(ctx, u, id)
}

// StaffCustomerProfile is customer id's details and notes without their
// bookings (the New booking form's "book again").
func (a *App) StaffCustomerProfile(ctx context.Context, u *booking.User, id string) (*booking.CustomerProfile, error) {
	artisan, err := ownArtisan(u)
	if err != nil {
		return nil, err
	}
	p, err := a.store.Customer(ctx, strings.ToLower(strings.TrimSpace(id)), artisan)
	if err != nil {
		return nil, wrapStore("load the customer", err)
	}
	return p, nil
}
