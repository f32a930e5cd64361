package booking

import (
	"fmt"
	"sync"
	"time"

	_ "time/tzdata" // zones load on a machine without a zoneinfo database
)

// maxZoneName bounds a zone name from outside; the longest IANA name is
// about 30 bytes.
const maxZoneName = 64

// zones caches the zones loaded so far. Only names that loaded are kept,
// so it holds at most the IANA database's few hundred names.
var zones sync.Map // name → *time.Location

// LoadZone loads an IANA time zone by name: the one rule for every zone
// named in the configuration, a booking, a request or a Google event.
// The empty name and "Local" are refused everywhere, so the server's own
// zone never leaks into the data or a page, and so is a name longer than
// any IANA name. "UTC" is a zone like any other.
func LoadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	if name == "" || name == "Local" || len(name) > maxZoneName {
		return nil, zoneError(name)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, zoneError(name)
	}
	zones.Store(name, l)
	return l, nil
}

func zoneError(name string) error {
	return fmt.Errorf("unknown time zone %q (use an IANA name such as Asia/Singapore)", name)
}

// Zone is the atelier's zone, where staff see times and a visit takes
// place: Location, else the zone named by Timezone, else UTC (a catalogue
// not loaded yet).
func (a *Atelier) Zone() *time.Location {
	if a.Location != nil {
		return a.Location
	}
	if loc, err := LoadZone(a.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// Zone is the customer's own time zone, when the name they gave is one
// (LoadZone).
func (c Customer) Zone() (*time.Location, bool) {
	loc, err := LoadZone(c.Timezone)
	return loc, err == nil
}

// ZoneOr is the zone a customer is shown their booking in: their own zone
// when they gave one, else atelier (the atelier's zone). The API's
// customer views and the manage pages follow it; e-mails show a visit in
// the atelier's time first and the customer's beside it.
func (c Customer) ZoneOr(atelier *time.Location) *time.Location {
	if loc, ok := c.Zone(); ok {
		return loc
	}
	return atelier
}
