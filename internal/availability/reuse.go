package availability

import (
	"encoding/binary"
	"sync"
	"time"
	"unsafe"

	"github.com/atelier-app/atelier/internal/booking"
)

// Indexes keeps the indexes Slots builds, so that a later call on an
// unchanged window reuses one rather than building it again (building
// the index was over half of a 62-day answer's engine time). It is a
// memo, not a source: Slots through it returns exactly what Slots
// returns, and the engine stays a function of its arguments.
//
// An index is reused only when everything it was built from is the same:
// the query's service, mode, candidates and window, and, compared by
// value, the zone, rooms, hours, dates' hours, closures, the candidates'
// hours, caps and time off, and the busy times; the bookings by identity.
// A schedule's Holds (the store's days of bookings) are shared and never
// changed once handed out: a day that changes is replaced by a new run,
// so a run is the same only if it is the very same array, and an entry
// keeps the runs it was built from (they cannot be freed and their
// addresses reused while it lives). A schedule with Bookings (copies made
// per call) is never memoized.
//
// It holds at most maxBytes of indexes (an estimate of what they and the
// runs they keep hold, each run counted once however many entries keep
// it: the windows of one calendar share most of their days), dropping the
// least recently used. Safe for concurrent use.
type Indexes struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	tick     uint64
	entries  map[string]*memoIndex
	runRefs  map[*booking.Hold]int // the entries keeping each run
	hits     int                   // indexes reused (tests)
}

// memoIndex is one memoized index and what it was built from.
type memoIndex struct {
	ix    *index
	runs  [][]booking.Hold
	bytes int
	used  uint64
}

// NewIndexes returns an empty memo holding at most maxBytes.
func NewIndexes(maxBytes int) *Indexes {
	return &Indexes{maxBytes: maxBytes, entries: map[string]*memoIndex{}, runRefs: map[*booking.Hold]int{}}
}

// Slots is Slots(s, q, now), reusing an index built before from the same
// inputs.
func (c *Indexes) Slots(s *booking.Schedule, q Query, now time.Time) ([]Slot, error) {
	return slots(s, q, now, c)
}

// index returns the index newIndex would build, from the memo when an
// entry was built from the same inputs. A nil memo builds it.
func (c *Indexes) index(s *booking.Schedule, svc *booking.Service, mode booking.Mode, cands []*booking.Artisan,
	lo, hi time.Time, first, last booking.Date, ignore string) *index {
	if c == nil || len(s.Bookings) > 0 {
		return newIndex(s, svc, mode, cands, lo, hi, first, last, ignore)
	}
	key := string(indexKey(s, svc, mode, cands, lo, hi, first, last, ignore))
	c.mu.Lock()
	c.tick++
	if e := c.entries[key]; e != nil && sameRuns(e.runs, s.Holds) {
		e.used = c.tick
		c.hits++
		c.mu.Unlock()
		return e.ix
	}
	c.mu.Unlock()

	ix := newIndex(s, svc, mode, cands, lo, hi, first, last, ignore)
	// Readers share it: every day Slots reads is made now, and day never
	// adds to a frozen index's map.
	for d := first; !d.After(last); d = d.AddDays(1) {
		ix.day(d)
	}
	ix.frozen = true
	e := &memoIndex{ix: ix, runs: s.Holds, bytes: ix.bytes() + len(key) + 24*len(s.Holds)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil {
		c.drop(key, old)
	}
	if e.bytes+runsBytes(s.Holds) > c.maxBytes {
		return ix
	}
	for len(c.entries) > 0 && c.bytes+e.bytes+c.newRunsBytes(s.Holds) > c.maxBytes {
		c.evict()
	}
	e.used = c.tick
	c.entries[key] = e
	c.bytes += e.bytes
	for _, run := range e.runs {
		if len(run) > 0 {
			if c.runRefs[&run[0]] == 0 {
				c.bytes += runBytes(run)
			}
			c.runRefs[&run[0]]++
		}
	}
	return ix
}

// evict drops the least recently used entry.
func (c *Indexes) evict() {
	var oldest string
	var at uint64
	first := true
	for k, e := range c.entries {
		if first || e.used < at {
			oldest, at, first = k, e.used, false
		}
	}
	c.drop(oldest, c.entries[oldest])
}

// drop removes entry e, and the runs no other entry keeps.
func (c *Indexes) drop(key string, e *memoIndex) {
	delete(c.entries, key)
	c.bytes -= e.bytes
	for _, run := range e.runs {
		if len(run) == 0 {
			continue
		}
		if c.runRefs[&run[0]]--; c.runRefs[&run[0]] == 0 {
			delete(c.runRefs, &run[0])
			c.bytes -= runBytes(run)
		}
	}
}

// newRunsBytes is the size of the runs no entry keeps yet.
func (c *Indexes) newRunsBytes(runs [][]booking.Hold) int {
	n := 0
	for _, run := range runs {
		if len(run) > 0 && c.runRefs[&run[0]] == 0 {
			n += runBytes(run)
		}
	}
	return n
}

// Len is the number of indexes held.
func (c *Indexes) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Bytes is the estimated size of what the memo holds.
func (c *Indexes) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// sameRuns reports whether a and b are the very same runs of holds.
func sameRuns(a, b [][]booking.Hold) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) || len(a[i]) > 0 && &a[i][0] != &b[i][0] {
			return false
		}
	}
	return true
}

func runsBytes(runs [][]booking.Hold) int {
	n := 0
	for _, r := range runs {
		n += runBytes(r)
	}
	return n
}

func runBytes(run []booking.Hold) int { return len(run) * int(unsafe.Sizeof(booking.Hold{})) }

// bytes estimates what ix holds.
func (ix *index) bytes() int {
	const iv = int(unsafe.Sizeof(interval{}))
	n := 512 + 8*len(ix.mids)
	for _, s := range ix.blocked {
		n += 24 + iv*cap(s)
	}
	for _, s := range ix.roomBusy {
		n += 24 + iv*cap(s)
	}
	for _, p := range ix.perDay {
		n += 24 + 8*len(p)
	}
	for _, dy := range ix.dayCache {
		n += int(unsafe.Sizeof(day{})) + 64 + iv*len(dy.opening)
		n += len(ix.artisans) * (24 + 24 + 1 + 8)
		for i, w := range dy.working {
			if len(w) > 0 && (len(dy.opening) == 0 || &w[0] != &dy.opening[0]) && (i == 0 || len(dy.working[i-1]) == 0 || &w[0] != &dy.working[i-1][0]) {
				n += iv * len(w)
			}
		}
	}
	return n
}

// indexKey encodes everything newIndex reads, but the runs of holds
// (compared by identity, sameRuns), so that equal keys build equal
// indexes.
func indexKey(s *booking.Schedule, svc *booking.Service, mode booking.Mode, cands []*booking.Artisan,
	lo, hi time.Time, first, last booking.Date, ignore string) []byte {
	k := make([]byte, 0, 256+64*len(cands))
	str := func(v string) {
		k = binary.AppendUvarint(k, uint64(len(v)))
		k = append(k, v...)
	}
	num := func(v int64) { k = binary.AppendVarint(k, v) }
	date := func(d booking.Date) { num(int64(d.Year)<<9 | int64(d.Month)<<5 | int64(d.Day)) }
	spans := func(ss []booking.Span) {
		num(int64(len(ss)))
		for _, sp := range ss {
			num(int64(sp.Start))
			num(int64(sp.End))
		}
	}
	hours := func(week booking.WeekHours, dates []booking.DateHours) {
		for _, ss := range week {
			spans(ss)
		}
		num(int64(len(dates)))
		for i := range dates {
			date(dates[i].Date)
			spans(dates[i].Hours)
		}
	}
	at := func(t time.Time) { num(t.UnixNano()) }

	// The zone by identity as well as name: a memo entry keeps its index's
	// zone alive, so no other zone can take its address meanwhile.
	loc := location(s)
	str(loc.String())
	k = binary.AppendUvarint(k, uint64(uintptr(unsafe.Pointer(loc))))
	str(svc.ID)
	num(int64(svc.Duration))
	buf := svc.Buffers[mode]
	num(int64(buf.Before))
	num(int64(buf.After))
	str(string(mode))
	str(ignore)
	at(lo)
	at(hi)
	date(first)
	date(last)
	a := &s.Atelier
	hours(a.Hours, a.DateHours)
	num(int64(len(a.Closures)))
	for _, cl := range a.Closures {
		date(cl.From)
		date(cl.To)
	}
	num(int64(len(a.Rooms)))
	for _, r := range a.Rooms {
		str(r.ID)
	}
	num(int64(len(cands)))
	for _, ar := range cands {
		str(ar.ID)
		num(int64(ar.DailyCap))
		hours(ar.Hours, ar.DateHours)
		num(int64(len(ar.TimeOff)))
		for _, t := range ar.TimeOff {
			at(t.Start)
			at(t.End)
		}
	}
	num(int64(len(s.Busy)))
	for _, b := range s.Busy {
		str(b.ArtisanID)
		at(b.Start)
		at(b.End)
	}
	return k
}
