package sqlite

import (
	"context"
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
	days    map[int64][]schedBooking // UTC day number of block_start → bookings, by block_start
	count   int                      // bookings held in days
	loading map[int64]*dayLoad       // days being read from the database

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
	list       []schedBooking
	err        error
}

// maxCachedBookings bounds the cache (about 200 bytes a booking): past it,
// the cache starts again empty.
const maxCachedBookings = 200_000

// schedBooking is the part of a confirmed booking that scheduling needs,
// with times in Unix milliseconds (the stored precision).
type schedBooking struct {
	id, serviceID, artisanID, roomID string
	mode                             booking.Mode
	status                           booking.Status // confirmed or pending
	start, end, blockStart, blockEnd int64
}

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
	in := func(b *schedBooking) bool { return b.blockStart > lo && b.blockStart < hi && b.blockEnd > after }
	first, last := dayNumber(time.UnixMilli(lo)), dayNumber(time.UnixMilli(hi-1))
	days := make([][]schedBooking, 0, last-first+1)
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
			o.ID, o.Status, o.ServiceID, o.Mode = b.id, b.status, b.serviceID, b.mode
			o.ArtisanID, o.RoomID = b.artisanID, b.roomID
			o.Start, o.End = time.UnixMilli(b.start).UTC(), time.UnixMilli(b.end).UTC()
			o.BlockStart, o.BlockEnd = time.UnixMilli(b.blockStart).UTC(), time.UnixMilli(b.blockEnd).UTC()
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
func (c *scheduleCache) day(ctx context.Context, q queryer, d int64) ([]schedBooking, error) {
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
		return readDay(ctx, q, d) // the other request's failure need not be ours
	}
	l := &dayLoad{done: make(chan struct{}), epoch: c.epoch, ver: c.ver[d]}
	if c.loading == nil {
		c.loading = map[int64]*dayLoad{}
	}
	c.loading[d] = l
	c.mu.Unlock()

	l.list, l.err = readDay(ctx, q, d)
	if c.afterRead != nil {
		c.afterRead(d)
	}

	c.mu.Lock()
	if c.loading[d] == l {
		delete(c.loading, d)
	}
	if l.err == nil && l.epoch == c.epoch && l.ver == c.ver[d] {
		if c.days == nil || c.count+len(l.list) > maxCachedBookings {
			c.days, c.count = map[int64][]schedBooking{}, 0
		}
		c.days[d] = l.list
		c.count += len(l.list)
	}
	c.mu.Unlock()
	close(l.done)
	return l.list, l.err
}

// readDay reads the bookings holding their time whose block starts on UTC day d.
func readDay(ctx context.Context, q queryer, d int64) ([]schedBooking, error) {
	dayStart := time.UnixMilli(d * int64(24*time.Hour/time.Millisecond)).UTC()
	bs, err := queryScheduleBookings(ctx, q, `WHERE status IN ('confirmed', 'pending') AND block_start >= ? AND block_start < ?
		ORDER BY block_start`, fmtTime(dayStart), fmtTime(dayStart.Add(24*time.Hour)))
	if err != nil {
		return nil, err
	}
	list := make([]schedBooking, len(bs))
	for i, b := range bs {
		list[i] = schedBooking{
			id: b.ID, serviceID: b.ServiceID, artisanID: b.ArtisanID, roomID: b.RoomID, mode: b.Mode, status: b.Status,
			start: b.Start.UnixMilli(), end: b.End.UnixMilli(),
			blockStart: b.BlockStart.UnixMilli(), blockEnd: b.BlockEnd.UnixMilli(),
		}
	}
	return list, nil
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
