package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// rawJSON marks a string that is already JSON for writeAudit.
type rawJSON string

// insertAuditSQL is writeAudit's INSERT.
const insertAuditSQL = `INSERT INTO audit_log (at, actor_kind, actor_id, action, booking_id, target, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// writeAudit appends a row to the audit log, at the transaction's time.
// before and after are encoded as JSON (nil is NULL; rawJSON is stored as
// is).
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
	_, err = tx.ExecContext(ctx, insertAuditSQL,
		fmtTime(tx.now), kind, actor.ID, action, nullString(bookingID), target, b, a)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

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
// the manage token's hash.
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
