package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
// (Changes.BookingDays and BookingIDs, see Tx), which SQLite itself fills,
// and one server runs per database. After a transaction commits, and
// before the write returns, the versions of the days it touched move and
// each of those days that is cached is replaced by a new slice: the old
// one without the bookings the transaction wrote, with those bookings as
// the database now holds them (read again by id, after the COMMIT, so a
// statement or savepoint that SQLite rolled back inside the transaction
// leaves nothing behind: see changed). A day is dropped instead when that
// read fails. A day read from the database is kept only if its version
// did not move during the read, so a day read before a commit never
// outlives that commit's update. A read that overlaps a change may see it
// or not, as with any read of the database; a read that starts after the
// change's call returned sees it.
type scheduleCache struct {
	mu      sync.Mutex
	epoch   uint64                   // bumped when every day is dropped
	ver     map[int64]uint64         // UTC day number → changes committed on that day
	days    map[int64][]booking.Hold // UTC day number of block_start → bookings, by block_start
	count   int                      // bookings held in days
	loading map[int64]*dayLoad       // days being read from the database

	internMu sync.Mutex
	interned map[string]string // see intern

	// maxReread, when set (tests), replaces maxRereadIDs.
	maxReread int

	// reread is the cache's own read-only connection, on which changed
	// reads the bookings a commit wrote (openReread). Only the writer's
	// goroutine uses it, one commit at a time, so it never waits for the
	// availability reads' pool.
	reread *rereader

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
	list, err := c.scanHolds(rows, nil)
	if err != nil {
		return nil, err
	}
	// The other artisans of the day's team bookings (team.go).
	extras, err := extrasWhere(ctx, q, `block_start >= ? AND block_start < ?`, fmtTime(dayStart), fmtTime(dayStart.Add(24*time.Hour)))
	if err != nil {
		return nil, err
	}
	attachHoldExtras(list, extras)
	return slices.Clip(list), nil
}

// scanHolds reads rows of (id, status, service_id, mode, artisan_id,
// room_id or the empty string, start_at, end_at, block_start, block_end)
// into holds, and closes them. When teams is not nil, each row has an
// eleventh column, extra_artisans, and teams gets the ids of the rows
// where it is not empty.
func (c *scheduleCache) scanHolds(rows *sql.Rows, teams *[]string) ([]booking.Hold, error) {
	var list []booking.Hold
	var status, service, mode, artisan, room, extra sql.RawBytes
	var times [4]string
	for rows.Next() {
		var h booking.Hold
		dst := []any{&h.ID, &status, &service, &mode, &artisan, &room, &times[0], &times[1], &times[2], &times[3]}
		if teams != nil {
			dst = append(dst, &extra)
		}
		if err := rows.Scan(dst...); err != nil {
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
		if teams != nil && len(extra) > 0 {
			*teams = append(*teams, h.ID)
		}
		list = append(list, h)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	return list, nil
}

// attachHoldExtras sets the Artisans of the holds of team bookings from
// extras (extrasWhere), as attachExtras does for bookings.
func attachHoldExtras(list []booking.Hold, extras map[string][]string) {
	if len(extras) == 0 {
		return
	}
	for i := range list {
		if x := extras[list[i].ID]; len(x) > 0 {
			list[i].Artisans = append([]string{list[i].ArtisanID}, x...)
		}
	}
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

// reset drops every day.
func (c *scheduleCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.days, c.count = nil, 0
}

// changed brings the cache up to date with a committed transaction
// (Subscribe: on the writer's goroutine, after the COMMIT, before the
// write returns and before the next write transaction begins). Every day
// the transaction wrote a booking on (before or after the change) gets a
// new version, and each of those days that is cached is replaced by a
// new slice built from the old one: without the bookings it wrote
// (Changes.BookingIDs), with those that now hold their time on that day
// as the database holds them, read again by id. The old slices are left
// as they were: availability reads may still be reading them.
//
// Reading them again, rather than taking the rows the pre-update hook saw
// (which would save one indexed read a commit), is what keeps the cache
// exact whatever happened inside the transaction: the hook also sees rows
// that a statement SQLite then rolled back wrote (a trigger refusing at
// the end of the statement, a foreign key, a multi-row UPDATE stopped at
// its second row), and rows of a savepoint rolled back; the database
// after the COMMIT holds only what committed. A team booking's other
// artisans, a request confirmed or declined, an erasure or any change of
// status are whatever the row says now.
//
// After a failed COMMIT, a booking whose day or id is not known, more
// than maxRereadIDs bookings written, or when the read fails, the days
// are dropped as they were before (every day, when the days are not
// known).
func (c *scheduleCache) changed(ch Changes) {
	if len(ch.BookingDays) == 0 && !ch.AllBookings {
		return
	}
	if ch.CommitFailed || ch.AllBookings {
		c.reset()
		return
	}
	days := make([]int64, 0, len(ch.BookingDays))
	for _, t := range ch.BookingDays {
		days = append(days, dayNumber(t))
	}
	var fresh []booking.Hold
	read := false
	if len(ch.BookingIDs) > 0 && len(ch.BookingIDs) <= c.rereadLimit() && c.anyCached(days) {
		var err error
		fresh, err = c.reread.holds(c, ch.BookingIDs)
		read = err == nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ver == nil {
		c.ver = map[int64]uint64{}
	}
	for _, d := range days {
		c.ver[d]++
	}
	for i := range fresh {
		if !slices.Contains(days, holdDay(fresh[i].BlockStart)) {
			// A booking now on a day the record does not name: the
			// record is not what it should be, so trust no day.
			c.epoch++
			c.days, c.count = nil, 0
			return
		}
	}
	for _, d := range days {
		old, ok := c.days[d]
		if !ok {
			continue
		}
		if !read {
			// Not read again (or the day was cached while the read was
			// being decided): drop it, to be read on demand.
			delete(c.days, d)
			c.count -= len(old)
			continue
		}
		list := patchDay(old, d, ch.BookingIDs, fresh)
		c.days[d] = list
		c.count += len(list) - len(old)
	}
}

// maxRereadIDs bounds the bookings changed reads again after a commit
// (about 20 µs for one, on the writer's goroutine): a transaction that
// wrote more (an erasure of years of bookings) drops its days instead.
const maxRereadIDs = 256

func (c *scheduleCache) rereadLimit() int {
	if c.maxReread > 0 {
		return c.maxReread
	}
	return maxRereadIDs
}

// anyCached reports whether any of days is cached.
func (c *scheduleCache) anyCached(days []int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range days {
		if _, ok := c.days[d]; ok {
			return true
		}
	}
	return false
}

// holdDay is the UTC day number of a block start in Unix nanoseconds.
func holdDay(ns int64) int64 { return dayNumber(time.Unix(0, ns)) }

// patchDay returns a new slice of day d's holds: old without the bookings
// ids, with those of fresh whose block starts on d, in block start order
// (a booking starting with others goes after them). old is not changed.
func patchDay(old []booking.Hold, d int64, ids []string, fresh []booking.Hold) []booking.Hold {
	written := func(id string) bool { return slices.Contains(ids, id) }
	if len(ids) > 8 {
		set := make(map[string]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		written = func(id string) bool { return set[id] }
	}
	list := make([]booking.Hold, 0, len(old)+len(fresh))
	for i := range old {
		if !written(old[i].ID) {
			list = append(list, old[i])
		}
	}
	for _, h := range fresh {
		if holdDay(h.BlockStart) != d {
			continue
		}
		i, _ := slices.BinarySearchFunc(list, h.BlockStart, func(e booking.Hold, t int64) int {
			if e.BlockStart <= t {
				return -1
			}
			return 1
		})
		list = slices.Insert(list, i, h)
	}
	if len(list) == 0 {
		return nil // as readDay gives an empty day
	}
	return slices.Clip(list)
}

// rereader is the schedule cache's read-only connection (scheduleCache.reread).
type rereader struct {
	mu   sync.Mutex
	db   *sql.DB
	stmt lazyStmt // rereadSQL (job.go)
}

// rereadSQL reads the bookings (ids, a JSON array) that hold their time,
// by primary key.
const rereadSQL = `SELECT id, status, service_id, mode, artisan_id, coalesce(room_id, ''),
		start_at, end_at, block_start, block_end, extra_artisans FROM bookings
		WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('confirmed', 'pending')`

// openReread opens the schedule cache's connection (dsn: read-only). It
// connects on first use.
func openReread(dsn string) (*rereader, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return &rereader{db: db}, nil
}

// close closes the connection (nil: none was opened).
func (r *rereader) close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.stmt.close(), r.db.Close())
}

// holds reads the bookings ids that hold their time, as they are now in
// the database, as c keeps them (team bookings with their other
// artisans).
func (r *rereader) holds(c *scheduleCache, ids []string) ([]booking.Hold, error) {
	if r == nil {
		return nil, errors.New("no connection to read bookings again")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background() // a read by primary key, never waiting for a writer (WAL)
	stmt, err := r.stmt.get(ctx, r.db, rereadSQL)
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	var teams []string
	out, err := c.scanHolds(rows, &teams)
	if err != nil || len(teams) == 0 {
		return out, err
	}
	// The other artisans (team.go), as readDay reads them.
	tl, err := json.Marshal(teams)
	if err != nil {
		return nil, err
	}
	extras, err := extrasWhere(ctx, r.db, `booking_id IN (SELECT value FROM json_each(?))`, tl)
	if err != nil {
		return nil, err
	}
	attachHoldExtras(out, extras)
	return out, nil
}

// bookingRowWritten records, for the pre-update hook (DB.preUpdate), the
// UTC day of the block start and the id of a row of bookings, or of
// booking_artisans, that the transaction writes (idCol and blockStartCol
// are those columns' positions), before and after the change.
func (c *Changes) bookingRowWritten(d *sqlite.SQLitePreUpdateData, idCol, blockStartCol int) {
	vals := make([]any, max(idCol, blockStartCol)+1)
	for _, after := range [2]bool{false, true} {
		var err error
		switch {
		case after && d.Op != sqlite3.SQLITE_DELETE:
			err = d.New(vals...)
		case !after && d.Op != sqlite3.SQLITE_INSERT:
			err = d.Old(vals...)
		default:
			continue
		}
		if err != nil {
			c.AllBookings = true
			continue
		}
		c.addBookingDay(vals[blockStartCol])
		id, ok := vals[idCol].(string)
		if !ok {
			c.AllBookings = true
			continue
		}
		// A row and its team's rows, or a row written twice, come one
		// after the other: checking the last id keeps a transaction of
		// thousands of rows (an erasure) linear. A repeat further back
		// does no harm.
		if n := len(c.BookingIDs); n == 0 || c.BookingIDs[n-1] != id {
			c.BookingIDs = append(c.BookingIDs, id)
		}
	}
}
