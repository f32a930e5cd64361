package sqlite

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// catalogCache keeps the whole catalogue (atelier, rooms, services,
// artisans, every closure and every time off) in memory between changes,
// so that availability reads and booking transactions, which need it every
// time, do not read and parse eight tables each time.
//
// Every change to the catalogue goes through this store (SyncCatalog and the
// staff's hours, closures and time off, all in catalogTx); no other process
// changes those tables while a server runs (the command-line tools change
// users only). A catalogue write marks the cache as being written from before
// its BEGIN to after its COMMIT or ROLLBACK: in that window nobody uses or
// fills the cache, and a load that overlapped it is thrown away (the
// generation moved), so a cached catalogue is never older than a committed
// change.
type catalogCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped at the start and the end of every catalogue write
	writing int    // catalogue writes in progress
	cat     *booking.Catalog
	catGen  uint64 // gen when cat was loaded
}

// get returns the cached catalogue, or loads it with load and caches it
// when no catalogue write overlapped the load. The result is shared: use
// catalogView to hand it out.
func (c *catalogCache) get(load func() (*booking.Catalog, error)) (*booking.Catalog, error) {
	c.mu.Lock()
	if c.cat != nil && c.writing == 0 && c.catGen == c.gen {
		cat := c.cat
		c.mu.Unlock()
		return cat, nil
	}
	gen, writing := c.gen, c.writing
	c.mu.Unlock()

	cat, err := load()
	if err != nil {
		return nil, err
	}
	if writing == 0 {
		c.mu.Lock()
		if c.writing == 0 && c.gen == gen {
			c.cat, c.catGen = cat, gen
		}
		c.mu.Unlock()
	}
	return cat, nil
}

// begin marks a catalogue write as started and drops the cached catalogue.
func (c *catalogCache) begin() {
	c.mu.Lock()
	c.writing++
	c.gen++
	c.cat = nil
	c.mu.Unlock()
}

// end marks a catalogue write as committed or rolled back.
func (c *catalogCache) end() {
	c.mu.Lock()
	c.writing--
	c.gen++
	c.cat = nil
	c.mu.Unlock()
}

// catalogTx runs fn in a write transaction that changes the catalogue,
// keeping the cache out of use until it has committed or rolled back.
func (db *DB) catalogTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	db.catalog.begin()
	defer db.catalog.end()
	return db.inTx(ctx, fn)
}

// fullCatalog returns the whole catalogue, from the cache when it is
// current, else read through q (a pool or the write transaction).
func (db *DB) fullCatalog(ctx context.Context, q queryer) (*booking.Catalog, error) {
	return db.catalog.get(func() (*booking.Catalog, error) {
		return loadCatalog(ctx, q, time.Time{}, maxTime)
	})
}

// catalogView copies the shared catalogue full for one caller, keeping the
// closures that may matter from offFrom on (by the UTC date, with a day of
// slack, as closures are local dates) and the time off that overlaps
// [offFrom, offTo). Every slice and map is the caller's own.
func catalogView(full *booking.Catalog, offFrom, offTo time.Time) *booking.Catalog {
	// Stored instants have millisecond precision; compare as the SQL
	// filter on their text did.
	offFrom, offTo = offFrom.UTC().Truncate(timePrecision), offTo.UTC().Truncate(timePrecision)
	y, m, d := offFrom.AddDate(0, 0, -1).Date()
	closedFrom := booking.Date{Year: y, Month: m, Day: d}

	c := &booking.Catalog{Atelier: full.Atelier}
	a := &c.Atelier
	a.Rooms = slices.Clone(full.Atelier.Rooms)
	a.Hours = full.Atelier.Hours.Clone()
	a.Closures = nil
	for _, cl := range full.Atelier.Closures {
		if !cl.To.Before(closedFrom) {
			a.Closures = append(a.Closures, cl)
		}
	}
	c.Services = make([]booking.Service, len(full.Services))
	for i, s := range full.Services {
		s.Modes = slices.Clone(s.Modes)
		s.Buffers = maps.Clone(s.Buffers)
		s.Artisans = slices.Clone(s.Artisans)
		c.Services[i] = s
	}
	c.Artisans = make([]booking.Artisan, len(full.Artisans))
	for i, ar := range full.Artisans {
		ar.Services = slices.Clone(ar.Services)
		ar.Hours = ar.Hours.Clone()
		ar.TimeOff = nil
		for _, t := range full.Artisans[i].TimeOff {
			if t.End.After(offFrom) && t.Start.Before(offTo) {
				ar.TimeOff = append(ar.TimeOff, t)
			}
		}
		c.Artisans[i] = ar
	}
	return c
}
