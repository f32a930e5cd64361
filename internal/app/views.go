package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Catalog returns the catalogue as it is now: the atelier (its hours,
// closures and booking rules), the services and the artisans, in
// catalogue order. It is shared: callers read it and never change it.
func (a *App) Catalog(ctx context.Context) (*booking.Catalog, error) {
	return a.catalog(ctx)
}

// PublicCatalog is the catalogue customers are shown: Catalog without the
// services that are not public (booking.Catalog.Public), which are booked
// only through an invitation or by staff.
func (a *App) PublicCatalog(ctx context.Context) (*booking.Catalog, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.Public(), nil
}

// Closures lists the atelier's closures in date order, for any staff
// account (GET /api/v1/staff/closures). Source says where each comes
// from: "config" for one from the configuration file (which only an edit
// of the file removes) and "staff" for one added by staff.
func (a *App) Closures(ctx context.Context, u *booking.User) ([]booking.Closure, error) {
	if err := requireStaff(u); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return c.Atelier.Closures, nil
}

// viewZone is where a booking is shown to its customer: the customer's
// zone if they gave one, else the atelier's (booking.Customer.ZoneOr).
func viewZone(b *booking.Booking, c *booking.Catalog) *time.Location {
	return b.Customer.ZoneOr(zoneOf(c))
}
