package web

import (
	"slices"
	"strings"
	"time"

	_ "time/tzdata" // zones work on a machine without a zoneinfo database
)

// commonZones are offered in the time zone selector (Go cannot list the
// zones it knows). The atelier's zone and the zone in use are added when
// missing, and any valid IANA name is accepted in the URL.
var commonZones = []string{
	"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
	"America/Chicago", "America/New_York", "America/Toronto", "America/Mexico_City",
	"America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
	"Atlantic/Reykjavik", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris",
	"Europe/Madrid", "Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome",
	"Europe/Stockholm", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos",
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi",
	"Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Kuala_Lumpur",
	"Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Taipei", "Asia/Manila",
	"Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide", "Australia/Brisbane",
	"Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "UTC",
}

// loadZone loads an IANA zone. The empty name and "Local" are refused so
// the server's own zone never leaks into a page.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// zoneOption is one entry of the time zone selector.
type zoneOption struct {
	Name, Label string
	Selected    bool
}

// zoneOptions lists commonZones plus extra zones, with selected marked.
func zoneOptions(selected string, extra ...string) []zoneOption {
	names := slices.Clone(commonZones)
	for _, z := range append(extra, selected) {
		if z != "" && !slices.Contains(names, z) {
			names = append(names, z)
		}
	}
	slices.Sort(names)
	out := make([]zoneOption, 0, len(names))
	for _, n := range names {
		out = append(out, zoneOption{Name: n, Label: zoneLabel(n), Selected: n == selected})
	}
	return out
}

// zoneLabel is a zone name for people: "Europe/London" becomes
// "Europe / London".
func zoneLabel(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "_", " "), "/", " / ")
}

// cityOf is the last part of a zone name: "Singapore", "London", "New York".
func cityOf(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}
