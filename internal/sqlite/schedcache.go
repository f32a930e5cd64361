package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// scheduleCache keeps the bookings holding their time (confirmed, pending) that availability reads need,
// by the UTC day of their block start, between changes. Reading and parsing
// a window's bookings through the driver was most of an availability
// request's cost (thousands of rows of text times per 7-day window).
//
// Only reads use it (Schedule). Booking transactions keep reading their
// schedule from the database inside the transaction, so the check that
// refuses a double booking never depends on it.
//
// It learns of every booking row written from the commits' records
// (Changes.BookingDays, see Tx), which SQLite itself fills, and one server
// runs per database. After a transaction commits, the days it touched are
// dropped and their versions move, before the write returns; a day read
// from the database is kept only if its version did not move during the
// read, so a day read before a commit never outlives that commit's
// clean-up. A read that overlaps a change may see it or not, as with any
// read of the database; a read that starts after the change's call
// returned sees it.
type scheduleCache struct {
	mu      sync.Mutex
	epoch   uint64                   // bumped when every day is dropped
	ver     map[int64]uint64         // UTC day number → changes committed on that day
	days    map[int64][]booking.Hold // UTC day number of block_start → bookings, by block_start
	count   int                      // bookings held in days
	loading map[int64]*dayLoad       // days being read from the database

	internMu sync.Mutex
	interned map[string]string // see intern

	// afterRead, when set (tests), runs after a day has been read from the
	// database and before the cache decides whether to keep it: a seam to
	// force a change between the two.
	afterRead func(d int64)
}

// dayLoad is one read of a day from the database; requests that miss the
// same day meanwhile wait for it instead of reading it again.
type dayLoad struct {
	done       chan struct{}
	epoch, ver uint64 // of the day when the read began
	list       []booking.Hold
	err        error
}

// maxCachedBookings bounds the cache (about 200 bytes a booking): past it,
// the cache starts again empty.
const maxCachedBookings = 200_000

// A day's bookings are kept as booking.Hold, the part that scheduling
// needs, times in Unix nanoseconds (from the stored milliseconds), the
// artisan, service, room, mode and status strings shared (intern). The
// slice of a day is shared with availability reads (holds) once stored:
// it is never changed, only replaced.

func dayNumber(t time.Time) int64 {
	const day = int64(24 * time.Hour / time.Millisecond)
	ms := t.UnixMilli()
	if ms < 0 {
		return (ms - day + 1) / day
	}
	return ms / day
}

// bookings returns the confirmed bookings whose block overlaps [from, to),
// by block start, as loadSchedule selects them, reading the days it does
// not hold through q.
func (c *scheduleCache) bookings(ctx context.Context, q queryer, from, to time.Time) ([]booking.Booking, error) {
	// The bounds as the SQL compares them: text at millisecond precision.
	lo := from.Add(-maxBlock).Truncate(timePrecision).UnixMilli() // block_start > lo
	hi := to.Truncate(timePrecision).UnixMilli()                  // block_start < hi
	after := from.Truncate(timePrecision).UnixMilli()             // block_end > after
	if hi <= lo {
		return nil, nil
	}
	const ms = int64(time.Millisecond)
	lo, hi, after = lo*ms, hi*ms, after*ms
	in := func(b *booking.Hold) bool { return b.BlockStart > lo && b.BlockStart < hi && b.BlockEnd > after }
	first, last := dayNumber(time.Unix(0, lo)), dayNumber(time.Unix(0, hi-1))
	days := make([][]booking.Hold, 0, last-first+1)
	n := 0
	for d := first; d <= last; d++ {
		list, err := c.day(ctx, q, d)
		if err != nil {
			return nil, err
		}
		days = append(days, list)
		for i := range list {
			if in(&list[i]) {
				n++
			}
		}
	}
	if n == 0 {
		return nil, nil
	}
	// booking.Booking is large (most of an availability request's
	// allocations, and so of its garbage collection): one allocation of
	// exactly the size needed, filled in place.
	out := make([]booking.Booking, n)
	n = 0
	for _, list := range days {
		for i := range list {
			b := &list[i]
			if !in(b) {
				continue
			}
			o := &out[n]
			n++
			o.ID, o.Status, o.ServiceID, o.Mode = b.ID, b.Status, b.ServiceID, b.Mode
			o.ArtisanID, o.RoomID, o.Artisans = b.ArtisanID, b.RoomID, b.Artisans
			o.Start, o.End = time.Unix(0, b.Start).UTC(), time.Unix(0, b.End).UTC()
			o.BlockStart, o.BlockEnd = time.Unix(0, b.BlockStart).UTC(), time.Unix(0, b.BlockEnd).UTC()
		}
	}
	return out, nil
}

// day returns the bookings whose block starts on UTC day d. The slice is
// shared: read it only.
//
// A day read from the database is kept only if no change to that day (and
// no reset) committed while it was read; and a request joins a read in
// progress only if no change to the day committed since that read began.
func (c *scheduleCache) day(ctx context.Context, q queryer, d int64) ([]booking.Hold, error) {
	c.mu.Lock()
	if list, ok := c.days[d]; ok {
		c.mu.Unlock()
		return list, nil
	}
	if l := c.loading[d]; l != nil && l.epoch == c.epoch && l.ver == c.ver[d] {
		c.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if l.err == nil {
			return l.list, nil
		}
		return c.readDay(ctx, q, d) // the other request's failure need not be ours
	}
	l := &dayLoad{done: make(chan struct{}), epoch: c.epoch, ver: c.ver[d]}
	if c.loading == nil {
		c.loading = map[int64]*dayLoad{}
	}
	c.loading[d] = l
	c.mu.Unlock()

	l.list, l.err = c.readDay(ctx, q, d)
	if c.afterRead != nil {
		c.afterRead(d)
	}

	c.mu.Lock()
	if c.loading[d] == l {
		delete(c.loading, d)
	}
	if l.err == nil && l.epoch == c.epoch && l.ver == c.ver[d] {
		if c.days == nil || c.count+len(l.list) > maxCachedBookings {
			c.days, c.count = map[int64][]booking.Hold{}, 0
		}
		c.days[d] = l.list
		c.count += len(l.list)
	}
	c.mu.Unlock()
	close(l.done)
	return l.list, l.err
}

// holds returns the runs of holds (the cached days, shared: read them
// only) of every UTC day on which a block touching [from, to) may start,
// reading the days it does not hold through q. A run may hold bookings of
// its day that do not touch the window (Schedule.Holds). Nothing is
// copied: this is what keeps a 62-day read of 100 artisans' calendar
// cheap in time and memory (BookingStore.AvailabilitySchedule).
func (c *scheduleCache) holds(ctx context.Context, q queryer, from, to time.Time) ([][]booking.Hold, error) {
	lo := from.Add(-maxBlock).Truncate(timePrecision).UnixMilli()
	hi := to.Truncate(timePrecision).UnixMilli()
	if hi <= lo {
		return nil, nil
	}
	first, last := dayNumber(time.UnixMilli(lo)), dayNumber(time.UnixMilli(hi-1))
	runs := make([][]booking.Hold, 0, last-first+1)
	for d := first; d <= last; d++ {
		list, err := c.day(ctx, q, d)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			runs = append(runs, list)
		}
	}
	return runs, nil
}

// readDay reads the bookings holding their time whose block starts on UTC
// day d, in block start order, straight into holds: the strings every
// booking repeats (artisan, service, room, mode, status) are shared.
func (c *scheduleCache) readDay(ctx context.Context, q queryer, d int64) ([]booking.Hold, error) {
	dayStart := time.UnixMilli(d * int64(24*time.Hour/time.Millisecond)).UTC()
	rows, err := q.QueryContext(ctx, `SELECT id, status, service_id, mode, artisan_id, coalesce(room_id, ''),
		start_at, end_at, block_start, block_end FROM bookings
		WHERE status IN ('confirmed', 'pending') AND block_start >= ? AND block_start < ? ORDER BY block_start`,
		fmtTime(dayStart), fmtTime(dayStart.Add(24*time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	var list []booking.Hold
	var status, service, mode, artisan, room sql.RawBytes
	var times [4]string
	for rows.Next() {
		var h booking.Hold
		if err := rows.Scan(&h.ID, &status, &service, &mode, &artisan, &room, &times[0], &times[1], &times[2], &times[3]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("bookings: %w", err)
		}
		h.Status, h.Mode = booking.Status(c.intern(status)), booking.Mode(c.intern(mode))
		h.ServiceID, h.ArtisanID, h.RoomID = c.intern(service), c.intern(artisan), c.intern(room)
		for i, dst := range [4]*int64{&h.Start, &h.End, &h.BlockStart, &h.BlockEnd} {
			t, err := parseTime(times[i])
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("booking %s: %w", h.ID, err)
			}
			*dst = t.UnixNano()
		}
		list = append(list, h)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	// The other artisans of the day's team bookings (team.go).
	extras, err := extrasWhere(ctx, q, `block_start >= ? AND block_start < ?`, fmtTime(dayStart), fmtTime(dayStart.Add(24*time.Hour)))
	if err != nil {
		return nil, err
	}
	for i := range list {
		if x := extras[list[i].ID]; len(x) > 0 {
			list[i].Artisans = append([]string{list[i].ArtisanID}, x...)
		}
	}
	return slices.Clip(list), nil
}

// maxInterned bounds the strings intern keeps (ids of artisans, services
// and rooms, modes and statuses: a catalogue's worth); past it, it starts
// again.
const maxInterned = 4096

// intern returns b as a string, the same string for the same bytes, so
// that the thousands of cached bookings of one artisan share its id.
func (c *scheduleCache) intern(b []byte) string {
	c.internMu.Lock()
	defer c.internMu.Unlock()
	if s, ok := c.interned[string(b)]; ok {
		return s
	}
	if c.interned == nil || len(c.interned) >= maxInterned {
		c.interned = make(map[string]string)
	}
	s := string(b)
	c.interned[s] = s
	return s
}

// changed drops the days a committed transaction wrote bookings on; after
// a failed COMMIT of bookings, or a booking whose day is not known, every
// day.
func (c *scheduleCache) changed(ch Changes) {
	if len(ch.BookingDays) == 0 && !ch.AllBookings {
		return
	}
	if ch.CommitFailed || ch.AllBookings {
		c.reset()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ver == nil {
		c.ver = map[int64]uint64{}
	}
	for _, t := range ch.BookingDays {
		d := dayNumber(t)
		c.ver[d]++
		c.count -= len(c.days[d])
		delete(c.days, d)
	}
}

// reset drops every day.
func (c *scheduleCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.days, c.count = nil, 0
}
