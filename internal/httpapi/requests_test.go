package httpapi

import (
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

func TestInstantFieldNeedsOffset(t *testing.T) {
	for in, ok := range map[string]bool{
		"2026-12-01T10:00:00+08:00":  true,
		"2026-12-01T02:00:00Z":       true,
		" 2026-12-01T02:00:00Z ":     true,
		"2026-12-01T10:00:00":        false,
		"2026-12-01 10:00:00+08:00":  false,
		"2026-12-01":                 false,
		"tomorrow at ten, Singapore": false,
	} {
		var unread booking.FieldErrors
		got := instantField(&unread, "start", in)
		if (unread["start"] == "") != ok || got.IsZero() == ok {
			t.Errorf("instantField(%q) = %v, unread %v; want read %v", in, got, unread, ok)
		}
	}
	var unread booking.FieldErrors
	if got := instantField(&unread, "start", "  "); !got.IsZero() || unread != nil {
		t.Errorf("an empty start = %v, unread %v; want the zero time for the use case to require", got, unread)
	}
}
