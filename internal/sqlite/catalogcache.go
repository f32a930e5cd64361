package sqlite

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// catalogCache keeps the whole catalogue (atelier, rooms, services,
// artisans, every closure, time off and date's hours) in memory between changes,
// so that availability reads and booking transactions, which need it every
// time, do not read and parse eight tables each time.
//
// It learns of every change from the commits' records (Changes.Catalog,
// see Tx), which SQLite itself fills for any write to those tables, and no
// other process changes them while a server runs (the command-line tools
// change users only). A committed change drops the cached catalogue before
// the write returns and before the next write transaction begins, and a
// load that overlapped the commit is not kept (the generation moved), so
// the cache never holds a catalogue older than a change whose call has
// returned, and a booking transaction always reads the latest committed
// catalogue. A transaction that has itself changed the catalogue reads it
// from the database, uncached (fullCatalog).
type catalogCache struct {
	mu  sync.Mutex
	gen uint64 // bumped by every committed catalogue change
	cat *booking.Catalog
}

// get returns the cached catalogue, or loads it with load and caches it
// when no catalogue change committed during the load. The result is
// shared: use catalogView to hand it out.
func (c *catalogCache) get(load func() (*booking.Catalog, error)) (*booking.Catalog, error) {
	c.mu.Lock()
	if c.cat != nil {
		cat := c.cat
		c.mu.Unlock()
		return cat, nil
	}
	gen := c.gen
	c.mu.Unlock()

	cat, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.cat = cat
	}
	c.mu.Unlock()
	return cat, nil
}

// generation counts the catalogue changes committed so far.
func (c *catalogCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// changed drops the cached catalogue after a commit that changed it (or
// may have: a failed COMMIT).
func (c *catalogCache) changed(ch Changes) {
	if !ch.Catalog {
		return
	}
	c.mu.Lock()
	c.gen++
	c.cat = nil
	c.mu.Unlock()
}

// fullCatalog returns the whole catalogue, from the cache when it is
// current, else read through q (a pool or a write transaction). A
// transaction that has changed the catalogue reads its own, uncached.
func (db *DB) fullCatalog(ctx context.Context, q queryer) (*booking.Catalog, error) {
	load := func() (*booking.Catalog, error) { return loadCatalog(ctx, q, time.Time{}, maxTime) }
	if tx, ok := q.(*Tx); ok && tx.catalogChanged() {
		return load()
	}
	return db.catalog.get(load)
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
	a.DateHours = dateHoursFrom(full.Atelier.DateHours, closedFrom)
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
		ar.DateHours = dateHoursFrom(ar.DateHours, closedFrom)
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
