package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// rawJSON marks a string that is already JSON for writeAudit.
type rawJSON string

// writeAudit appends a row to the audit log, at the transaction's time.
// before and after are encoded as JSON (nil is NULL; rawJSON is stored as
// is). The rows are those SQLite's store writes.
func writeAudit(ctx context.Context, tx *Tx, actor booking.Actor, action, bookingID, target string, before, after any) error {
	b, err := auditJSON(before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := auditJSON(after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	kind := actor.Kind
	if kind == "" {
		kind = "system"
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, actor_kind, actor_id, action, booking_id, target, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json)`,
		tx.now, kind, actor.ID, action, nullString(bookingID), target, b, a)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditJSON returns v as JSON text, or nil (NULL).
func auditJSON(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case rawJSON:
		return string(v), nil
	case *booking.Booking:
		if v == nil {
			return nil, nil
		}
		return auditJSON(bookingAudit(v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// auditBooking is how a booking appears in the audit log: everything but
// the manage token's hash (the same shape as SQLite's store writes).
type auditBooking struct {
	ID         string           `json:"id"`
	Status     booking.Status   `json:"status"`
	ServiceID  string           `json:"service"`
	Mode       booking.Mode     `json:"mode"`
	ArtisanID  string           `json:"artisan"`
	RoomID     string           `json:"room,omitempty"`
	Start      time.Time        `json:"start"`
	End        time.Time        `json:"end"`
	BlockStart time.Time        `json:"block_start"`
	BlockEnd   time.Time        `json:"block_end"`
	Customer   booking.Customer `json:"customer"`
	Notes      string           `json:"notes,omitempty"`
	Location   string           `json:"location,omitempty"`
	MeetingURL string           `json:"meeting_url,omitempty"`
	Sequence   int              `json:"sequence"`
}

func bookingAudit(b *booking.Booking) auditBooking {
	return auditBooking{
		ID: b.ID, Status: b.Status, ServiceID: b.ServiceID, Mode: b.Mode, ArtisanID: b.ArtisanID, RoomID: b.RoomID,
		Start: b.Start, End: b.End, BlockStart: b.BlockStart, BlockEnd: b.BlockEnd, Customer: b.Customer,
		Notes: b.Notes, Location: b.Location, MeetingURL: b.MeetingURL, Sequence: b.Sequence,
	}
}
