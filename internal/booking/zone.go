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
