package booking

import (
	"context"
	"time"
)

// Where a catalogue item comes from. The configuration file seeds the
// catalogue (SourceConfig); an item an admin creates or edits in the app is
// the database's from then on (SourceStaff), and the file never overwrites
// it again (see the stores' SyncCatalog).
const (
	SourceConfig = "config"
	SourceStaff  = "staff"
)

// CodeIDTaken is the error code for creating a service, artisan or room
// with an id that is already used (active or not).
const CodeIDTaken = "id_taken"

// CodeClosureExists is the error code for adding a closure of exactly the
// dates of one already stored (a second click, or the file's own): it
// would close nothing more, and deleting one of the two would leave the
// atelier closed without anyone seeing why.
const CodeClosureExists = "closure_exists"

// ClosureExists is the ECONFLICT error for adding c again when closure id
// already covers exactly its dates.
func ClosureExists(c Closure, id string) error {
	what := "on " + c.From.String()
	if c.To != c.From {
		what = "from " + c.From.String() + " to " + c.To.String()
	}
	return Errorf(ECONFLICT, CodeClosureExists, "the atelier is already closed %s (closure %s)", what, id)
}

// ServiceItem is a service as admins edit it: offered or not, and whose
// it is (Source).
type ServiceItem struct {
	Service
	Active    bool
	Source    string
	UpdatedAt time.Time // zero for an item never changed in the app
}

// ArtisanItem is an artisan as admins edit it.
type ArtisanItem struct {
	Artisan
	Active    bool
	Source    string
	UpdatedAt time.Time
}

// RoomItem is a consultation room as admins edit it.
type RoomItem struct {
	Room
	Active    bool
	Source    string
	UpdatedAt time.Time
}

// CatalogItems is the whole editable catalogue, inactive items included,
// in catalogue order.
type CatalogItems struct {
	Services    []ServiceItem
	Artisans    []ArtisanItem
	Rooms       []RoomItem
	Rules       Rules
	RulesSource string
}

// Service returns the service item with id, or nil.
func (c *CatalogItems) Service(id string) *ServiceItem {
	for i := range c.Services {
		if c.Services[i].ID == id {
			return &c.Services[i]
		}
	}
	return nil
}

// Artisan returns the artisan item with id, or nil.
func (c *CatalogItems) Artisan(id string) *ArtisanItem {
	for i := range c.Artisans {
		if c.Artisans[i].ID == id {
			return &c.Artisans[i]
		}
	}
	return nil
}

// Room returns the room item with id, or nil.
func (c *CatalogItems) Room(id string) *RoomItem {
	for i := range c.Rooms {
		if c.Rooms[i].ID == id {
			return &c.Rooms[i]
		}
	}
	return nil
}

// CatalogEditor keeps the admins' edits of the catalogue. Every change
// takes effect at once (the next Catalog and Schedule see it), marks the
// item SourceStaff and writes an audit row with the item before and after.
// Nothing is ever deleted: an item made inactive leaves the catalogue and
// its bookings keep their references.
type CatalogEditor interface {
	// CatalogItems returns every service, artisan and room, active or not,
	// and the booking rules.
	CatalogItems(ctx context.Context) (*CatalogItems, error)
	// SaveService stores s: a new service when create is set (ECONFLICT
	// CodeIDTaken if the id is used), else a replacement of an existing one
	// (ENOTFOUND if none). s.Artisans become exactly the artisans who offer
	// it.
	SaveService(ctx context.Context, s ServiceItem, create bool, actor Actor) error
	// SaveArtisan stores a as SaveService stores a service; a.Services
	// become exactly the services the artisan offers, in that order.
	SaveArtisan(ctx context.Context, a ArtisanItem, create bool, actor Actor) error
	// SaveRoom adds a room (create: an inactive room of the same id is
	// offered again with r's name; an active one is ECONFLICT CodeIDTaken)
	// or replaces one (ENOTFOUND if none).
	SaveRoom(ctx context.Context, r RoomItem, create bool, actor Actor) error
	// SetRules replaces the booking rules.
	SetRules(ctx context.Context, r Rules, actor Actor) error
}

// The snapshots of catalogue items that the audit log keeps, before and
// after each change (the API's shape of the item).

// ServiceSnapshot is a service as the audit log shows it.
type ServiceSnapshot struct {
	ID              string                  `json:"id"`
	Name            string                  `json:"name"`
	Description     string                  `json:"description"`
	DurationMinutes int                     `json:"duration_minutes"`
	Modes           []Mode                  `json:"modes"`
	Buffers         map[Mode]BufferSnapshot `json:"buffers"`
	Artisans        []string                `json:"artisans"`
	Active          bool                    `json:"active"`
	// The intake form and the policy overrides (left out when none).
	Questions         []Question `json:"questions,omitempty"`
	ChangeCutoffHours *int       `json:"change_cutoff_hours,omitempty"`
	MaxReschedules    *int       `json:"max_reschedules,omitempty"`
	// Public is false for a service only invitations and staff book.
	Public bool `json:"public"`
}

// BufferSnapshot is a mode's buffers in minutes.
type BufferSnapshot struct {
	BeforeMinutes int `json:"before_minutes"`
	AfterMinutes  int `json:"after_minutes"`
}

// Snapshot returns s as the audit log shows it.
func (s *ServiceItem) Snapshot() ServiceSnapshot {
	v := ServiceSnapshot{ID: s.ID, Name: s.Name, Description: s.Description, DurationMinutes: int(s.Duration / time.Minute),
		Modes: s.Modes, Buffers: map[Mode]BufferSnapshot{}, Artisans: s.Artisans, Active: s.Active}
	for m, b := range s.Buffers {
		v.Buffers[m] = BufferSnapshot{int(b.Before / time.Minute), int(b.After / time.Minute)}
	}
	v.Questions, v.MaxReschedules = s.Questions, s.MaxReschedules
	v.Public = !s.Private
	if s.ChangeCutoff != nil {
		h := int(*s.ChangeCutoff / time.Hour)
		v.ChangeCutoffHours = &h
	}
	return v
}

// ArtisanSnapshot is an artisan as the audit log shows it.
type ArtisanSnapshot struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Bio        string    `json:"bio"`
	Email      string    `json:"email"`
	Services   []string  `json:"services"`
	Hours      WeekHours `json:"working_hours"`
	DailyCap   int       `json:"daily_cap"`
	MeetingURL string    `json:"meeting_url"`
	Active     bool      `json:"active"`
}

// Snapshot returns a as the audit log shows it.
func (a *ArtisanItem) Snapshot() ArtisanSnapshot {
	return ArtisanSnapshot{ID: a.ID, Name: a.Name, Bio: a.Bio, Email: a.Email, Services: a.Services, Hours: a.Hours,
		DailyCap: a.DailyCap, MeetingURL: a.MeetingURL, Active: a.Active}
}

// RoomSnapshot is a room as the audit log shows it.
type RoomSnapshot struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// Snapshot returns r as the audit log shows it.
func (r *RoomItem) Snapshot() RoomSnapshot { return RoomSnapshot{r.ID, r.Name, r.Active} }

// RulesSnapshot is the booking rules as the API and the audit log show
// them.
type RulesSnapshot struct {
	MinNoticeMinutes    int `json:"min_notice_minutes"`
	HorizonDays         int `json:"horizon_days"`
	SlotIntervalMinutes int `json:"slot_interval_minutes"`
	// PendingHours is how long a request waits for staff (Rules.PendingFor).
	PendingHours int `json:"pending_hours"`
}

// Snapshot returns r in minutes, hours and days. A PendingFor of zero
// (rules made before requests) is the default.
func (r Rules) Snapshot() RulesSnapshot {
	pending := r.PendingFor
	if pending <= 0 {
		pending = DefaultPendingFor
	}
	return RulesSnapshot{int(r.MinNotice / time.Minute), r.HorizonDays, int(r.SlotInterval / time.Minute), int(pending / time.Hour)}
}

// Differences names, by their keys in the configuration file, the rules
// of s that other has otherwise.
func (s RulesSnapshot) Differences(other RulesSnapshot) []string {
	var keys []string
	for _, v := range []struct {
		key  string
		a, b int
	}{{"booking.min_notice_minutes", s.MinNoticeMinutes, other.MinNoticeMinutes}, {"booking.horizon_days", s.HorizonDays, other.HorizonDays},
		{"booking.slot_interval_minutes", s.SlotIntervalMinutes, other.SlotIntervalMinutes},
		{"booking.pending_hours", s.PendingHours, other.PendingHours}} {
		if v.a != v.b {
			keys = append(keys, v.key)
		}
	}
	return keys
}
