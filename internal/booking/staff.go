package booking

import (
	"encoding/json"
	"time"
)

// Role is what a staff account may do.
type Role string

const (
	// RoleAdmin sees and changes the whole calendar.
	RoleAdmin Role = "admin"
	// RoleArtisan sees and changes only its own artisan's bookings,
	// working hours and time off.
	RoleArtisan Role = "artisan"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleArtisan }

// User is a staff account.
type User struct {
	ID           string
	Email        string
	Name         string
	Role         Role
	ArtisanID    string // set for RoleArtisan only
	PasswordHash string // PHC string (argon2id)
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Actor returns the audit actor for changes the user makes.
func (u *User) Actor() Actor { return Actor{Kind: "staff", ID: u.ID} }

// The role rules. Every use case of a signed-in account asks them, and
// the pages ask the same ones to decide what to offer. They fail closed:
// a nil or disabled account, an unknown role and an artisan account that
// names no artisan may do nothing.

// active reports whether u is a usable account of a known role.
func (u *User) active() bool {
	if u == nil || u.Disabled {
		return false
	}
	return u.Role == RoleAdmin || (u.Role == RoleArtisan && u.ArtisanID != "")
}

// IsStaff reports whether u may use the staff area at all: read the
// catalogue as staff see it and the closures.
func (u *User) IsStaff() bool { return u.active() }

// IsAdmin reports whether u runs the whole atelier: every artisan's
// calendar, the opening hours and closures, the atelier-wide feed, the
// Google Calendar overview, backups and the audit log.
func (u *User) IsAdmin() bool { return u.active() && u.Role == RoleAdmin }

// MayManage reports whether u may see and change artisanID's bookings,
// working hours, time off, calendar feed and Google connection: an admin
// any artisan's, an artisan account only its own.
func (u *User) MayManage(artisanID string) bool {
	if !u.active() {
		return false
	}
	return u.Role == RoleAdmin || (artisanID != "" && artisanID == u.ArtisanID)
}

// MaySee reports whether u may see booking b (and so change it): it is
// with an artisan u manages.
// For a booking of several artisans together, any of them will do.
func (u *User) MaySee(b *Booking) bool {
	if b == nil {
		return false
	}
	for _, id := range b.ArtisanIDs() {
		if u.MayManage(id) {
			return true
		}
	}
	return false
}

// Scope is the artisan whose bookings u works with when it asks for
// asked ("" is every artisan, or for a new booking whoever is free): an
// admin gets what it asked for, an artisan account always its own
// artisan. ok is false when an artisan account asked for another artisan
// (or anything else but "" and its own), and for an account that may do
// nothing; the caller refuses the request then.
func (u *User) Scope(asked string) (artisanID string, ok bool) {
	switch {
	case !u.active():
		return "", false
	case u.Role == RoleAdmin:
		return asked, true
	case asked == "" || asked == u.ArtisanID:
		return u.ArtisanID, true
	}
	return "", false
}

// Session is a signed-in staff session. The cookie carries ID and a
// secret; only SecretHash (SHA-256 of the secret) is stored.
type Session struct {
	ID         string
	UserID     string
	SecretHash []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute expiry (CreatedAt + the maximum age).
	ExpiresAt time.Time
}

// AuditEntry is one row of the audit log: who changed what, and when,
// with the state before and after (JSON, nil when there was none).
type AuditEntry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Actor     Actor           `json:"-"`
	Action    string          `json:"action"`
	BookingID string          `json:"booking,omitempty"`
	Target    string          `json:"target,omitempty"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
}
