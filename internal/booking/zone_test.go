package booking_test

import (
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

// One rule for every zone name: the server's own zone ("Local") is refused
// like an unknown name, wherever the name comes from.
func TestLoadZone(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"Asia/Singapore", true},
		{"America/Argentina/Buenos_Aires", true},
		{"UTC", true},
		{"Local", false},
		{"", false},
		{"../../etc/passwd", false},
		{"Mars/Olympus_Mons", false},
		{"Europe/" + strings.Repeat("x", 64), false},
	}
	for _, tt := range tests {
		loc, err := booking.LoadZone(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("LoadZone(%q) = %v, %v; want ok %v", tt.name, loc, err, tt.ok)
			continue
		}
		if tt.ok && loc.String() != tt.name {
			t.Errorf("LoadZone(%q) = %s", tt.name, loc)
		}
		if !tt.ok && !strings.Contains(err.Error(), "unknown time zone") {
			t.Errorf("LoadZone(%q): error %q does not say the zone is unknown", tt.name, err)
		}
	}
	// A second load answers the same zone (from the cache).
	a, _ := booking.LoadZone("Europe/London")
	b, _ := booking.LoadZone("Europe/London")
	if a != b {
		t.Errorf("LoadZone twice gave two locations")
	}
}

// Where a booking is shown: the customer's zone when they gave a real
// one, else the atelier's; the atelier's is its Location, else its
// Timezone, else UTC.
func TestBookingZones(t *testing.T) {
	sgt, _ := booking.LoadZone("Asia/Singapore")
	for _, tt := range []struct{ customer, want string }{
		{"Europe/London", "Europe/London"},
		{"", "Asia/Singapore"},
		{"Local", "Asia/Singapore"},
		{"Mars/Base", "Asia/Singapore"},
	} {
		c := booking.Customer{Timezone: tt.customer}
		if got := c.ZoneOr(sgt).String(); got != tt.want {
			t.Errorf("customer zone %q: shown in %s, want %s", tt.customer, got, tt.want)
		}
		if _, ok := c.Zone(); ok != (tt.customer == tt.want) {
			t.Errorf("Customer{%q}.Zone ok = %v", tt.customer, ok)
		}
	}
	for _, tt := range []struct {
		a    booking.Atelier
		want string
	}{
		{booking.Atelier{Timezone: "Europe/Paris", Location: sgt}, "Asia/Singapore"},
		{booking.Atelier{Timezone: "Europe/Paris"}, "Europe/Paris"},
		{booking.Atelier{Timezone: "Local"}, "UTC"},
		{booking.Atelier{}, "UTC"},
	} {
		if got := tt.a.Zone().String(); got != tt.want {
			t.Errorf("Atelier{%q, %v}.Zone() = %s, want %s", tt.a.Timezone, tt.a.Location, got, tt.want)
		}
	}
}
