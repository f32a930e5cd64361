package booking

import (
	"slices"
	"time"
)

// Mode is how an appointment takes place.
type Mode string

const (
	InPerson Mode = "in_person" // a visit to the atelier; needs a consultation room
	Virtual  Mode = "virtual"   // a video call
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == InPerson || m == Virtual }

// Atelier is the workshop: identity, rooms, opening hours and booking rules.
type Atelier struct {
	Name     string
	Timezone string         // IANA name, e.g. "Asia/Singapore"
	Location *time.Location // loaded from Timezone
	Address  string
	Phone    string
	Email    string
	MapURL   string
	Rooms    []Room
	Hours    WeekHours // opening hours, wall clock in Location
	// DateHours replace Hours on their dates (datehours.go), by date.
	DateHours []DateHours
	Closures  []Closure
	Rules     Rules
}

// Room is a consultation room used by in-person visits.
type Room struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Closure closes the atelier on the dates From to To inclusive.
type Closure struct {
	ID     string `json:"id"`
	From   Date   `json:"from"`
	To     Date   `json:"to"`
	Reason string `json:"reason"`
	Source string `json:"source"` // "config" (from the file) or "staff"
}

// Covers reports whether d falls within the closure.
func (c Closure) Covers(d Date) bool { return !d.Before(c.From) && !d.After(c.To) }

// Rules are the booking rules of the atelier.
type Rules struct {
	MinNotice    time.Duration // earliest start is now + MinNotice
	HorizonDays  int           // latest start is before local midnight of today + HorizonDays + 1
	SlotInterval time.Duration // slots start at local midnight + k*SlotInterval

	// The booking policy (policy.go): a customer's own cancel or move
	// stops ChangeCutoff before the start (0: until it starts), and a
	// booking can be moved by its customer at most MaxReschedules times
	// (0: no limit). PolicyNote is the atelier's own words beside them.
	// Services may override the first two.
	ChangeCutoff   time.Duration
	MaxReschedules int
	PolicyNote     string

	// PendingFor is how long a request for a service that staff confirm
	// (Service.RequiresConfirmation) waits for their decision before it
	// is declined on its own (booking.pending_hours).
	PendingFor time.Duration
}

// DefaultPendingFor is booking.pending_hours when it is not set.
const DefaultPendingFor = 48 * time.Hour

// MaxPendingHours bounds booking.pending_hours: 30 days.
const MaxPendingHours = 720

// Service is something a customer can book.
type Service struct {
	ID          string
	Name        string
	Description string
	Duration    time.Duration
	Modes       []Mode
	Buffers     map[Mode]Buffer // preparation and clearing time per mode
	Artisans    []string        // ids of artisans who offer it, in catalogue order
	// Questions are the intake form asked when it is booked (question.go).
	Questions []Question
	// ChangeCutoff and MaxReschedules override the atelier's booking
	// policy (Rules) for this service when set.
	ChangeCutoff   *time.Duration
	MaxReschedules *int
	// Private is a service not listed to customers (public: false in the
	// file and the API): it is booked only through an invitation or by
	// staff, e.g. a commission's fitting.
	Private bool
	// ArtisansNeeded is how many of Artisans take part in one booking
	// together (a design consultation with the goldsmith and the
	// gemmologist); 0 and 1 both mean one (Needed).
	ArtisansNeeded int
	// RequiresConfirmation makes a booking of the service a request that
	// staff confirm or decline (status pending until then); staff's own
	// bookings of it are confirmed at once.
	RequiresConfirmation bool
}

// Needed is how many artisans one booking of the service holds: at least one.
func (s *Service) Needed() int { return max(s.ArtisansNeeded, 1) }

// Offers reports whether the service can be booked in mode m.
func (s *Service) Offers(m Mode) bool {
	for _, x := range s.Modes {
		if x == m {
			return true
		}
	}
	return false
}

// Buffer is time blocked before and after an appointment.
type Buffer struct {
	Before time.Duration
	After  time.Duration
}

// Artisan is a maker who meets customers.
type Artisan struct {
	ID       string
	Name     string
	Bio      string
	Email    string
	Services []string  // ids of services offered
	Hours    WeekHours // working hours, wall clock in the atelier's zone
	// DateHours replace Hours on their dates (datehours.go), by date.
	DateHours []DateHours
	DailyCap  int // most confirmed bookings per local day; 0 means no cap
	// MeetingURL is the artisan's own video-call link (meetings.provider
	// static), e.g. a personal Zoom room; "" for none.
	MeetingURL string
	TimeOff    []TimeOff
}

// Offers reports whether the artisan offers service id.
func (a *Artisan) Offers(id string) bool {
	for _, s := range a.Services {
		if s == id {
			return true
		}
	}
	return false
}

// TimeOff is a period in which an artisan takes no appointments.
type TimeOff struct {
	ID        string    `json:"id"`
	ArtisanID string    `json:"-"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Reason    string    `json:"reason"`
}

// Busy is a time an artisan is busy elsewhere (e.g. an event in their
// Google Calendar).
type Busy struct {
	ArtisanID string
	Start     time.Time
	End       time.Time
}

// Catalog is the atelier with its services and artisans: everything the
// availability rules depend on apart from bookings and busy times.
type Catalog struct {
	Atelier  Atelier
	Services []Service
	Artisans []Artisan
}

// Service returns the service with id, or nil.
func (c *Catalog) Service(id string) *Service {
	for i := range c.Services {
		if c.Services[i].ID == id {
			return &c.Services[i]
		}
	}
	return nil
}

// Public returns the catalogue as customers see it: without its private
// services, and without them in each artisan's services. It shares
// everything else with c (read it, never change it); with no private
// service it is c itself.
func (c *Catalog) Public() *Catalog {
	private := map[string]bool{}
	for i := range c.Services {
		if c.Services[i].Private {
			private[c.Services[i].ID] = true
		}
	}
	if len(private) == 0 {
		return c
	}
	out := &Catalog{Atelier: c.Atelier, Services: make([]Service, 0, len(c.Services)-len(private)),
		Artisans: make([]Artisan, len(c.Artisans))}
	for _, s := range c.Services {
		if !s.Private {
			out.Services = append(out.Services, s)
		}
	}
	for i, a := range c.Artisans {
		a.Services = slices.DeleteFunc(slices.Clone(a.Services), func(id string) bool { return private[id] })
		out.Artisans[i] = a
	}
	return out
}

// Artisan returns the artisan with id, or nil.
func (c *Catalog) Artisan(id string) *Artisan {
	for i := range c.Artisans {
		if c.Artisans[i].ID == id {
			return &c.Artisans[i]
		}
	}
	return nil
}
