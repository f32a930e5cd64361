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
