package booking

import (
	"slices"
	"time"
)

// Status is the state of a booking.
type Status string

const (
	Confirmed Status = "confirmed"
	Cancelled Status = "cancelled"
	// Pending is a request for a service that staff confirm
	// (Service.RequiresConfirmation): it holds its time as a confirmed
	// booking does until staff confirm or decline it, or it expires.
	Pending Status = "pending"
	// Declined is a request staff declined or that expired undecided: like
	// a cancelled booking, it holds no time.
	Declined Status = "declined"
)

// Holds reports whether a booking of status s takes its time: confirmed
// and pending bookings do (the stores' overlap checks and schedules say
// the same), cancelled and declined ones do not.
func (s Status) Holds() bool { return s == Confirmed || s == Pending }

// Customer is who a booking is for.
type Customer struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	// Language is the language the customer booked in (i18n: "en",
	// "zh-Hans"); their e-mails and invitations are written in it. Empty
	// for a booking made before languages were kept: the default.
	Language string `json:"language,omitempty"`
}

// Booking is an appointment of a customer with an artisan.
type Booking struct {
	ID         string
	Status     Status
	ServiceID  string
	Mode       Mode
	ArtisanID  string
	RoomID     string // in-person only
	Start, End time.Time
	// BlockStart and BlockEnd are Start and End widened by the service's
	// buffers for the mode: the time the artisan (and room) is taken.
	BlockStart, BlockEnd time.Time
	Customer             Customer
	Notes                string
	Location             string // the address, in person
	MeetingURL           string // virtual
	Sequence             int
	CreatedAt, UpdatedAt time.Time
	// UID is the iCalendar UID of the booking's invites, fixed when the
	// booking is made so that every later invite replaces the first in
	// the customer's calendar. Empty only for a booking made before the
	// store kept it, until the server's first start fills it in.
	UID string
	// ServiceName and ArtisanName are the names the booking was made
	// with (the artisan's renewed when a move changes the artisan), kept
	// so that a booking still reads well once its service or artisan has
	// left the catalogue. The store fills them in.
	ServiceName, ArtisanName string
	// Answers are the customer's answers to the service's questions, in
	// canonical form (Service.CheckAnswers); nil or empty when none.
	Answers Answers
	// Reschedules counts the moves its customer made (the booking
	// policy's limit); moves by staff are not counted.
	Reschedules int
	// Discreet marks a surprise: the subjects of the customer's e-mails
	// and the invitation's title and description name no service, piece
	// or stone, only an appointment at the atelier. Staff see the flag.
	Discreet bool
	// CommissionID is the commission the booking belongs to (a piece made
	// over several appointments), "" when none (commission.go).
	CommissionID string
	// Artisans lists every artisan the booking holds when its service
	// needs more than one (Service.ArtisansNeeded), ArtisanID first; nil
	// for a booking of one artisan. Read it with ArtisanIDs.
	Artisans []string
	// ErasedAt is when the booking's personal data was erased (privacy.go):
	// its customer details, notes and answers are blank. Zero otherwise.
	ErasedAt time.Time
	// DecideBy is when a request (status pending, or declined once it
	// was) expires undecided: its making plus the atelier's
	// Rules.PendingFor then. Zero for a booking that was never a request.
	DecideBy time.Time
	// DeclineReason is what staff told the customer when they declined
	// the request; "" for a request that expired undecided (and for every
	// booking that was not declined).
	DeclineReason string
}

// ArtisanIDs lists every artisan the booking holds, ArtisanID first: one
// for an ordinary booking.
func (b *Booking) ArtisanIDs() []string {
	if len(b.Artisans) > 0 {
		return b.Artisans
	}
	return []string{b.ArtisanID}
}

// HasArtisan reports whether artisan id takes part in the booking.
func (b *Booking) HasArtisan(id string) bool {
	if b.ArtisanID == id {
		return true
	}
	for _, a := range b.Artisans {
		if a == id {
			return true
		}
	}
	return false
}

// Extras are the artisans the booking holds besides ArtisanID.
func (b *Booking) Extras() []string {
	if len(b.Artisans) < 2 {
		return nil
	}
	return b.Artisans[1:]
}

// WasRequest reports whether b was made as a request that staff decide on
// (it may have been confirmed, declined or withdrawn since).
func (b *Booking) WasRequest() bool { return !b.DecideBy.IsZero() }

// Expired reports whether b is a request that expired undecided.
func (b *Booking) Expired() bool { return b.Status == Declined && b.DeclineReason == "" }

// ServiceNameOf is the name to show for b's service: the catalogue's
// current name, else the name kept with the booking (the service left the
// catalogue), else its id.
func (c *Catalog) ServiceNameOf(b *Booking) string {
	if c != nil {
		if s := c.Service(b.ServiceID); s != nil && s.Name != "" {
			return s.Name
		}
	}
	if b.ServiceName != "" {
		return b.ServiceName
	}
	return b.ServiceID
}

// ArtisanNameOf is the name to show for b's artisan: the catalogue's
// current name, else the name kept with the booking (the artisan left the
// catalogue), else the id.
func (c *Catalog) ArtisanNameOf(b *Booking) string {
	if c != nil {
		if a := c.Artisan(b.ArtisanID); a != nil && a.Name != "" {
			return a.Name
		}
	}
	if b.ArtisanName != "" {
		return b.ArtisanName
	}
	return b.ArtisanID
}

// ArtisanNamesOf are the names to show for every artisan of b, its own
// first (ArtisanNameOf), the others of a team by the catalogue (else
// their ids).
func (c *Catalog) ArtisanNamesOf(b *Booking) []string {
	names := []string{c.ArtisanNameOf(b)}
	for _, id := range b.Extras() {
		name := id
		if c != nil {
			if a := c.Artisan(id); a != nil && a.Name != "" {
				name = a.Name
			}
		}
		names = append(names, name)
	}
	return names
}

// Overlaps reports whether the half-open intervals [a1,a2) and [b1,b2) overlap.
func Overlaps(a1, a2, b1, b2 time.Time) bool { return a1.Before(b2) && b1.Before(a2) }

// Actor is who made a change, for the audit trail.
type Actor struct {
	Kind string // "customer", "staff", "system"
	ID   string // staff user id, when Kind is "staff"
}

// Schedule is everything availability depends on for a window of time:
// the catalogue, confirmed bookings and busy times that touch the window.
type Schedule struct {
	Catalog
	Bookings []Booking // confirmed only
	Busy     []Busy
	// Holds are more bookings that hold their time, in the compact form
	// a store that keeps them in memory shares with availability reads
	// (BookingStore.AvailabilitySchedule): runs of holds, each in block
	// start order, shared and read-only. A run may hold bookings of its
	// day that do not touch the window; the engine reads Bookings and
	// Holds alike, and nothing else reads Holds.
	// A run is never changed once handed out (a day that changes is
	// replaced by a new run): the engine's memo of its indexes
	// (availability.Indexes) knows a run by its array alone.
	Holds [][]Hold
}

// Hold is a booking that holds its time (Status.Holds) as availability
// needs it: what it is, who and which room it holds, and when, in Unix
// nanoseconds (no time.Time, no customer: a window of 100 artisans holds
// 100,000 of them).
type Hold struct {
	ID, ServiceID, ArtisanID, RoomID string
	Mode                             Mode
	Status                           Status // confirmed or pending
	Start, End                       int64
	BlockStart, BlockEnd             int64
	// Artisans are every artisan a team's booking holds, ArtisanID first
	// (Booking.Artisans); nil for one artisan. Shared, read-only.
	Artisans []string
}

// HasArtisan reports whether artisan id takes part in the held booking.
func (h *Hold) HasArtisan(id string) bool {
	return h.ArtisanID == id || slices.Contains(h.Artisans, id)
}

// Placement is where a checked booking goes: which artisan and, for a visit,
// which room.
type Placement struct {
	ArtisanID string
	RoomID    string
	// MeetingURL, when set on a move, replaces the booking's video-call
	// link: the call moved with the booking to another artisan. Empty
	// keeps the link (a new booking carries its own in Booking.MeetingURL).
	MeetingURL string
	// Artisans lists every artisan of a booking whose service needs more
	// than one, ArtisanID first; nil when it needs one.
	Artisans []string
}

// PlaceFunc decides, inside the store's write transaction and against the
// committed schedule, whether a booking may be made and where. The schedule
// covers at least 24 hours either side of the booking. When a new booking
// names its artisan, or a booking is moved, the schedule may first hold
// only the bookings of that (the current) artisan and those that hold a
// room; a placement with another artisan is then asked again with every
// booking. It returns an *Error (ECONFLICT, slot_unavailable) when the
// booking may not be made.
type PlaceFunc func(s *Schedule) (Placement, error)
