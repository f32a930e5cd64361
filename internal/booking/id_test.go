package booking_test

import (
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := booking.NewID(booking.BookingIDPrefix)
		if len(id) != 23 || !strings.HasPrefix(id, "bk_") || strings.Trim(id[3:], "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("id %q is not bk_ and 20 base32 characters", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
	if id := booking.NewID(booking.UserIDPrefix); len(id) != 23 || !strings.HasPrefix(id, "us_") {
		t.Errorf("user id %q is not us_ and 20 characters", id)
	}
}
