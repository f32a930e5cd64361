package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// AtelierView is the public description of the atelier.
type AtelierView struct {
	Name         string            `json:"name"`
	Timezone     string            `json:"timezone"`
	Address      string            `json:"address"`
	Phone        string            `json:"phone"`
	Email        string            `json:"email"`
	MapURL       string            `json:"map_url,omitempty"`
	Rooms        []booking.Room    `json:"rooms"`
	OpeningHours booking.WeekHours `json:"opening_hours"`
	Closures     []ClosureView     `json:"closures"`
	Booking      RulesView         `json:"booking"`
}

// ClosureView is a closure as customers see it. ID (an extension of the
// contract) lets staff find the closure to delete.
type ClosureView struct {
	ID     string       `json:"id"`
	From   booking.Date `json:"from"`
	To     booking.Date `json:"to"`
	Reason string       `json:"reason"`
}

// RulesView is the booking rules as customers see them.
type RulesView struct {
	MinNoticeMinutes    int `json:"min_notice_minutes"`
	HorizonDays         int `json:"horizon_days"`
	SlotIntervalMinutes int `json:"slot_interval_minutes"`
}

// ServiceView is a bookable service.
type ServiceView struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Description     string         `json:"description"`
	DurationMinutes int            `json:"duration_minutes"`
	Modes           []booking.Mode `json:"modes"`
	Artisans        []string       `json:"artisans"`
}

// ArtisanView is an artisan as customers see them.
type ArtisanView struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Bio      string   `json:"bio"`
	Services []string `json:"services"`
}

// Atelier returns the public description of the atelier.
func (a *App) Atelier(ctx context.Context) (*AtelierView, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	at := &c.Atelier
	v := &AtelierView{
		Name:         at.Name,
		Timezone:     at.Timezone,
		Address:      at.Address,
		Phone:        at.Phone,
		Email:        at.Email,
		MapURL:       at.MapURL,
		Rooms:        nonNil(at.Rooms),
		OpeningHours: at.Hours,
		Closures:     make([]ClosureView, 0, len(at.Closures)),
		Booking: RulesView{
			MinNoticeMinutes:    int(at.Rules.MinNotice / time.Minute),
			HorizonDays:         at.Rules.HorizonDays,
			SlotIntervalMinutes: int(at.Rules.SlotInterval / time.Minute),
		},
	}
	for _, cl := range at.Closures {
		v.Closures = append(v.Closures, ClosureView{ID: cl.ID, From: cl.From, To: cl.To, Reason: cl.Reason})
	}
	return v, nil
}

// StaffClosureView is a closure as staff see it: Source is "config" for
// one from the configuration file (which only an edit of the file
// removes) and "staff" for one added through the API.
type StaffClosureView struct {
	ClosureView
	Source string `json:"source"`
}

// Closures lists the closures that have not ended, in date order, for any
// staff account (GET /api/v1/staff/closures).
func (a *App) Closures(ctx context.Context, u *booking.User) ([]StaffClosureView, error) {
	if err := requireStaff(u); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StaffClosureView, 0, len(c.Atelier.Closures))
	for _, cl := range c.Atelier.Closures {
		out = append(out, StaffClosureView{
			ClosureView: ClosureView{ID: cl.ID, From: cl.From, To: cl.To, Reason: cl.Reason},
			Source:      cl.Source,
		})
	}
	return out, nil
}

// Services lists the bookable services in catalogue order.
func (a *App) Services(ctx context.Context) ([]ServiceView, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceView, 0, len(c.Services))
	for _, s := range c.Services {
		out = append(out, ServiceView{
			ID:              s.ID,
			Name:            s.Name,
			Description:     s.Description,
			DurationMinutes: int(s.Duration / time.Minute),
			Modes:           nonNil(s.Modes),
			Artisans:        nonNil(s.Artisans),
		})
	}
	return out, nil
}

// Artisans lists the artisans in catalogue order.
func (a *App) Artisans(ctx context.Context) ([]ArtisanView, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ArtisanView, 0, len(c.Artisans))
	for _, ar := range c.Artisans {
		out = append(out, ArtisanView{ID: ar.ID, Name: ar.Name, Bio: ar.Bio, Services: nonNil(ar.Services)})
	}
	return out, nil
}

// viewZone is where a booking is shown to its customer: the customer's
// zone if they gave one, else the atelier's (booking.Customer.ZoneOr).
func viewZone(b *booking.Booking, c *booking.Catalog) *time.Location {
	return b.Customer.ZoneOr(zoneOf(c))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
