package httpapi

import (
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
)

// The JSON views of the catalogue and of free times.

// atelierView is the public description of the atelier.
type atelierView struct {
	Name         string            `json:"name"`
	Timezone     string            `json:"timezone"`
	Address      string            `json:"address"`
	Phone        string            `json:"phone"`
	Email        string            `json:"email"`
	MapURL       string            `json:"map_url,omitempty"`
	Rooms        []booking.Room    `json:"rooms"`
	OpeningHours booking.WeekHours `json:"opening_hours"`
	Closures     []closureView     `json:"closures"`
	Booking      rulesView         `json:"booking"`
}

// closureView is a closure as customers see it. ID (an extension of the
// contract) lets staff find the closure to delete.
type closureView struct {
	ID     string       `json:"id"`
	From   booking.Date `json:"from"`
	To     booking.Date `json:"to"`
	Reason string       `json:"reason"`
}

// rulesView is the booking rules as customers see them.
type rulesView struct {
	MinNoticeMinutes    int `json:"min_notice_minutes"`
	HorizonDays         int `json:"horizon_days"`
	SlotIntervalMinutes int `json:"slot_interval_minutes"`
	// PendingHours is how long a request waits for the atelier's
	// decision (issue 13).
	PendingHours int `json:"pending_hours"`
}

func newAtelierView(at *booking.Atelier) *atelierView {
	v := &atelierView{
		Name:         at.Name,
		Timezone:     at.Timezone,
		Address:      at.Address,
		Phone:        at.Phone,
		Email:        at.Email,
		MapURL:       at.MapURL,
		Rooms:        nonNil(at.Rooms),
		OpeningHours: at.Hours,
		Closures:     make([]closureView, 0, len(at.Closures)),
		Booking:      newRulesView(at.Rules),
	}
	for _, cl := range at.Closures {
		v.Closures = append(v.Closures, newClosureView(cl))
	}
	return v
}

func newClosureView(cl booking.Closure) closureView {
	return closureView{ID: cl.ID, From: cl.From, To: cl.To, Reason: cl.Reason}
}

// staffClosureView is a closure as staff see it: Source is "config" for
// one from the configuration file (which only an edit of the file
// removes) and "staff" for one added through the API.
type staffClosureView struct {
	closureView
	Source string `json:"source"`
}

func newStaffClosureViews(cls []booking.Closure) []staffClosureView {
	out := make([]staffClosureView, 0, len(cls))
	for _, cl := range cls {
		out = append(out, staffClosureView{closureView: newClosureView(cl), Source: cl.Source})
	}
	return out
}

// serviceView is a bookable service.
type serviceView struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Description     string         `json:"description"`
	DurationMinutes int            `json:"duration_minutes"`
	Modes           []booking.Mode `json:"modes"`
	Artisans        []string       `json:"artisans"`
	// Questions are the intake form asked when the service is booked.
	Questions []booking.Question `json:"questions"`
	// Policy is what a customer may change once it is booked (the
	// customers' list; the admin view gives the overrides instead).
	Policy *servicePolicyView `json:"policy,omitempty"`
	// ArtisansNeeded is how many of Artisans each booking takes together.
	ArtisansNeeded int `json:"artisans_needed"`
	// RequiresConfirmation: a booking of it is a request, pending until
	// the atelier confirms it (issue 13).
	RequiresConfirmation bool `json:"requires_confirmation"`
}

// servicePolicyView is the booking policy that applies to a service: the
// atelier's, or the service's own where it has one.
type servicePolicyView struct {
	ChangeCutoffHours int    `json:"change_cutoff_hours"`
	MaxReschedules    int    `json:"max_reschedules"`
	Text              string `json:"text"`
}

// customerServiceView is service s of c as customers see it, with its
// policy.
func customerServiceView(c *booking.Catalog, s *booking.Service) serviceView {
	v := newServiceView(s)
	p := c.PolicyOf(s.ID)
	v.Policy = &servicePolicyView{ChangeCutoffHours: int(p.ChangeCutoff / time.Hour), MaxReschedules: p.MaxReschedules, Text: p.Text()}
	return v
}

func newServiceView(s *booking.Service) serviceView {
	return serviceView{
		ID:              s.ID,
		Name:            s.Name,
		Description:     s.Description,
		DurationMinutes: int(s.Duration / time.Minute),
		Modes:           nonNil(s.Modes),
		Artisans:        nonNil(s.Artisans),
		Questions:       nonNil(s.Questions),
		ArtisansNeeded:  s.Needed(),

		RequiresConfirmation: s.RequiresConfirmation,
	}
}

// artisanView is an artisan as customers see them.
type artisanView struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Bio      string   `json:"bio"`
	Services []string `json:"services"`
}

func newArtisanView(a *booking.Artisan) artisanView {
	return artisanView{ID: a.ID, Name: a.Name, Bio: a.Bio, Services: nonNil(a.Services)}
}

// slotView is a bookable start time with the artisans free at it.
type slotView struct {
	Start    Time     `json:"start"`
	End      Time     `json:"end"`
	Artisans []string `json:"artisans"`
}

// availabilityView is the answer to an availability query, times in
// Timezone.
type availabilityView struct {
	Service  string       `json:"service"`
	Mode     booking.Mode `json:"mode"`
	Timezone string       `json:"timezone"`
	Slots    []slotView   `json:"slots"`
}

func newAvailabilityView(av *app.Availability) *availabilityView {
	v := &availabilityView{Service: av.Service, Mode: av.Mode, Timezone: av.Timezone, Slots: make([]slotView, 0, len(av.Slots))}
	for _, sl := range av.Slots {
		v.Slots = append(v.Slots, newSlotView(sl, av.Zone))
	}
	return v
}

func newSlotView(sl availability.Slot, loc *time.Location) slotView {
	return slotView{Start: At(sl.Start.In(loc)), End: At(sl.End.In(loc)), Artisans: sl.Artisans.IDs()}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
