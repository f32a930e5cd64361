package availability

import (
	"math"
	"slices"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// interval is a half-open range of instants [start, end), kept as Unix
// nanoseconds so that comparisons in the hot loop are plain integer ones.
type interval struct{ start, end int64 }

// set is a sorted list of disjoint, non-touching intervals.
type set []interval

// normalize sorts the intervals and merges those that overlap or touch.
// Touching intervals may be merged because every interval tested against a
// set is half-open as well.
func normalize(s set) set {
	// Bookings come from the store in start order, so a candidate's list
	// is often sorted already: checking is one pass, sorting is n log n.
	if !slices.IsSortedFunc(s, byStart) {
		slices.SortFunc(s, byStart)
	}
	out := s[:0]
	for _, iv := range s {
		if iv.end <= iv.start {
			continue
		}
		if n := len(out); n > 0 && iv.start <= out[n-1].end {
			if iv.end > out[n-1].end {
				out[n-1].end = iv.end
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func byStart(a, b interval) int {
	switch {
	case a.start < b.start:
		return -1
	case a.start > b.start:
		return 1
	}
	return 0
}

// overlaps reports whether [start, end) overlaps any interval of s.
func (s set) overlaps(start, end int64) bool {
	// The first interval that ends after start is the only candidate: the
	// ends of disjoint sorted intervals are sorted too.
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m].end <= start {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(s) && s[lo].start < end
}

// cursor remembers where the last overlap test in a set stopped, for a
// walk whose starts never go back: Slots tests every grid start of the
// window in order, so each test moves past the blocks that ended, rather
// than searching the whole set again.
type cursor struct {
	k    int   // the first interval that may end after the next start
	last int64 // the start of the last test
}

// overlapsFrom is overlaps, walking on from c when start is not before
// the last start tested, else searching afresh.
func (s set) overlapsFrom(c *cursor, start, end int64) bool {
	if start < c.last {
		c.k = 0
	}
	c.last = start
	k := c.k
	for k < len(s) && s[k].end <= start {
		k++
	}
	c.k = k
	return k < len(s) && s[k].start < end
}

// contains reports whether [start, end) lies inside one interval of s.
func (s set) contains(start, end int64) bool {
	for _, iv := range s {
		if start >= iv.start && end <= iv.end {
			return true
		}
	}
	return false
}

// index is the part of a schedule that matters for one service, mode and
// window, arranged for fast lookups. Bookings outside the window are
// dropped while it is built, so its cost grows with the number of
// bookings in the schedule only by one linear scan.
type index struct {
	loc       *time.Location
	svc       *booking.Service
	mode      booking.Mode
	buf       booking.Buffer
	artisans  []*booking.Artisan // candidates, in catalogue order
	blocked   []set              // per candidate: bookings, time off, busy
	perDay    [][]int            // per candidate, per day from firstDay
	rooms     []booking.Room
	roomBusy  []set // per room: in-person bookings
	closures  []booking.Closure
	atelier   *booking.Atelier // opening hours, weekly and for dates
	dayCache  map[booking.Date]*day
	candByID  map[string]int
	windowLo  int64
	windowHi  int64
	inPerson  bool
	ignoredID string
	// firstDay and mids locate the days whose bookings count for daily
	// caps: mids[k] is the midnight starting firstDay+k, plus one more.
	firstDay booking.Date
	mids     []int64
	// frozen says the index is shared (Indexes): day no longer adds to
	// dayCache, which holds every day of the window.
	frozen bool
}

// day holds the opening hours and working hours of one local date as
// instants.
type day struct {
	date    booking.Date
	start   time.Time // midnight
	end     time.Time // next midnight
	closed  bool      // a closure covers the date
	opening set
	// openSpans are the opening hours of the date as wall-clock spans;
	// special says they were set for the date (DateHours), not the week.
	openSpans []booking.Span
	special   bool
	working   []set            // per candidate
	workSpans [][]booking.Span // per candidate, as openSpans
	workDate  []bool           // per candidate, as special
	bookings  []int            // confirmed bookings per candidate starting that day
}

// newIndex gathers what the candidates need over [lo, hi): the earliest
// instant any considered block may start and the latest it may end.
// Daily counts are kept for the local days first to last.
func newIndex(s *booking.Schedule, svc *booking.Service, mode booking.Mode, cands []*booking.Artisan, lo, hi time.Time, first, last booking.Date, ignore string) *index {
	loc := location(s)
	ix := &index{
		loc:       loc,
		svc:       svc,
		mode:      mode,
		buf:       svc.Buffers[mode],
		artisans:  cands,
		blocked:   make([]set, len(cands)),
		perDay:    make([][]int, len(cands)),
		closures:  s.Atelier.Closures,
		atelier:   &s.Atelier,
		dayCache:  make(map[booking.Date]*day),
		candByID:  make(map[string]int, len(cands)),
		windowLo:  lo.UnixNano(),
		windowHi:  hi.UnixNano(),
		inPerson:  mode == booking.InPerson,
		ignoredID: ignore,
		firstDay:  first,
	}
	for d := first; !d.After(last.AddDays(1)); d = d.AddDays(1) {
		ix.mids = append(ix.mids, midnight(d, loc).UnixNano())
	}
	perDay := make([]int, len(cands)*len(ix.mids)) // one array for every candidate's counts
	for i, a := range cands {
		ix.candByID[a.ID] = i
		ix.perDay[i] = perDay[i*len(ix.mids) : (i+1)*len(ix.mids) : (i+1)*len(ix.mids)]
		for _, t := range a.TimeOff {
			ix.addBlock(i, t.Start, t.End)
		}
	}
	if ix.inPerson {
		ix.rooms = s.Atelier.Rooms
		ix.roomBusy = make([]set, len(ix.rooms))
	}
	for _, b := range s.Busy {
		if i, ok := ix.candByID[b.ArtisanID]; ok {
			ix.addBlock(i, b.Start, b.End)
		}
	}

	// The bookings that matter are gathered first and then laid out in
	// one array, each candidate's and each room's part sized exactly,
	// rather than grown booking by booking.
	var buf [256]hit // on the stack: most windows hold fewer
	g := gathering{counts: make([]int, len(cands)+len(ix.rooms))}
	hits := ix.gather(&g, buf[:0], s.Bookings, ignore)
	for _, run := range s.Holds {
		hits = ix.gatherHolds(&g, hits, run, ignore)
	}
	ix.layOut(s, hits, g.counts)
	for i := range ix.blocked {
		ix.blocked[i] = normalize(ix.blocked[i])
	}
	for r := range ix.roomBusy {
		ix.roomBusy[r] = normalize(ix.roomBusy[r])
	}
	return ix
}

// hit is a booking that blocks candidate cand, room room, or both (-1 for
// neither), gathered while newIndex scans the schedule: k counts the
// bookings scanned before it, Bookings first, then the runs of Holds in
// order. Candidate and room numbers fit 16 bits (resolve refuses larger
// schedules), which keeps a hit to 8 bytes.
type hit struct {
	k          int32
	cand, room int16
}

// maxIndexed is the most candidates, and the most rooms, an index holds.
const maxIndexed = math.MaxInt16

// gathering is what gather counts besides its hits (which it returns,
// so that their first array can stay on newIndex's stack): the number of
// blocks per candidate, then per room, and the bookings scanned so far.
type gathering struct {
	counts []int
	k      int32
}

// gather finds the bookings that block a candidate or a room and counts
// each candidate's bookings per day.
func (ix *index) gather(g *gathering, hits []hit, bookings []booking.Booking, ignore string) []hit {
	for k := range bookings {
		b := &bookings[k]
		if !(b.ID == ignore && ignore != "" || !b.Status.Holds() || !ix.counts(b)) {
			hits = ix.add(g, hits, b.ArtisanID, b.RoomID, b.Mode, b.Start.UnixNano())
			if len(b.Artisans) > 1 {
				hits = ix.addExtras(g, hits, b.Artisans, b.Start.UnixNano())
			}
		}
		g.k++
	}
	return hits
}

// gatherHolds is gather for a run of holds (Schedule.Holds).
func (ix *index) gatherHolds(g *gathering, hits []hit, run []booking.Hold, ignore string) []hit {
	for k := range run {
		h := &run[k]
		if !(h.ID == ignore && ignore != "" || !ix.holds(h.Start, h.BlockStart, h.BlockEnd)) {
			hits = ix.add(g, hits, h.ArtisanID, h.RoomID, h.Mode, h.Start)
			if len(h.Artisans) > 1 {
				hits = ix.addExtras(g, hits, h.Artisans, h.Start)
			}
		}
		g.k++
	}
	return hits
}

// add gathers the block of a booking that matters to the index.
func (ix *index) add(g *gathering, hits []hit, artisanID, roomID string, mode booking.Mode, start int64) []hit {
	h := hit{k: g.k, cand: -1, room: -1}
	if i, ok := ix.candByID[artisanID]; ok {
		h.cand = int16(i)
		g.counts[i]++
		if d := ix.dayIndex(start); d >= 0 {
			ix.perDay[i][d]++
		}
	}
	if ix.inPerson && mode == booking.InPerson {
		h.room = int16(ix.roomIndex(roomID))
		if h.room >= 0 {
			g.counts[len(ix.artisans)+int(h.room)]++
		}
	}
	if h.cand >= 0 || h.room >= 0 {
		hits = append(hits, h)
	}
	return hits
}

// addExtras gathers the other artisans a team's booking holds (a
// service that needs several): each is blocked, and the booking counts
// towards each one's daily cap.
func (ix *index) addExtras(g *gathering, hits []hit, artisans []string, start int64) []hit {
	for _, id := range artisans[1:] {
		i, ok := ix.candByID[id]
		if !ok || id == artisans[0] {
			continue
		}
		g.counts[i]++
		if d := ix.dayIndex(start); d >= 0 {
			ix.perDay[i][d]++
		}
		hits = append(hits, hit{k: g.k, cand: int16(i), room: -1})
	}
	return hits
}

// counts reports whether b matters to the index: its block overlaps the
// window, or (for daily caps) it starts in the window. Buffers are never
// negative (the configuration refuses them), so the block holds the
// start: one edge of the block decides for a booking that starts
// outside, and most bookings of a long schedule are refused after
// reading one time.
func (ix *index) counts(b *booking.Booking) bool {
	st := b.Start.UnixNano()
	switch {
	case st < ix.windowLo:
		return b.BlockEnd.UnixNano() > ix.windowLo
	case st >= ix.windowHi:
		return b.BlockStart.UnixNano() < ix.windowHi
	}
	return true
}

// holds is counts for a hold's times.
func (ix *index) holds(start, blockStart, blockEnd int64) bool {
	switch {
	case start < ix.windowLo:
		return blockEnd > ix.windowLo
	case start >= ix.windowHi:
		return blockStart < ix.windowHi
	}
	return true
}

// roomIndex is the index of room id in ix.rooms, or -1.
func (ix *index) roomIndex(id string) int {
	for r := range ix.rooms {
		if ix.rooms[r].ID == id {
			return r
		}
	}
	return -1
}

// layOut places the time off and busy times already in ix.blocked and
// the gathered blocks in one array, each candidate's and room's part of
// exactly its size (counts, from gather).
func (ix *index) layOut(s *booking.Schedule, hits []hit, counts []int) {
	nc := len(ix.artisans)
	total := 0
	for i, n := range counts {
		if i < nc {
			n += len(ix.blocked[i])
		}
		total += n
	}
	all := make(set, 0, total)
	for i := range nc {
		from := len(all)
		all = append(all, ix.blocked[i]...)
		ix.blocked[i] = all[from : len(all) : len(all)+counts[i]]
		all = all[:len(all)+counts[i]]
	}
	for r := range ix.roomBusy {
		from := len(all)
		ix.roomBusy[r] = all[from : from : from+counts[nc+r]]
		all = all[:from+counts[nc+r]]
	}
	// The hits are in scan order: one walk over Bookings and the runs
	// finds each one's block.
	nb := int32(len(s.Bookings))
	run, base := 0, nb // the run that may hold the next hit, and its first k
	for _, h := range hits {
		var iv interval
		if h.k < nb {
			b := &s.Bookings[h.k]
			iv = interval{b.BlockStart.UnixNano(), b.BlockEnd.UnixNano()}
		} else {
			for h.k >= base+int32(len(s.Holds[run])) {
				base += int32(len(s.Holds[run]))
				run++
			}
			hd := &s.Holds[run][h.k-base]
			iv = interval{hd.BlockStart, hd.BlockEnd}
		}
		if h.cand >= 0 {
			ix.blocked[h.cand] = append(ix.blocked[h.cand], iv)
		}
		if h.room >= 0 {
			ix.roomBusy[h.room] = append(ix.roomBusy[h.room], iv)
		}
	}
}

// dayIndex returns k when t falls on local day firstDay+k, or -1 when t is
// outside the days the index counts.
func (ix *index) dayIndex(t int64) int {
	if len(ix.mids) < 2 || t < ix.mids[0] || t >= ix.mids[len(ix.mids)-1] {
		return -1
	}
	// Local days are 24 hours long but for a clock change: the guess is
	// at most a day or two off, and walked to the right day.
	k := min(int((t-ix.mids[0])/int64(day24)), len(ix.mids)-2)
	for ix.mids[k] > t {
		k--
	}
	for ix.mids[k+1] <= t {
		k++
	}
	return k
}

func (ix *index) addBlock(i int, start, end time.Time) {
	s, e := start.UnixNano(), end.UnixNano()
	if e <= ix.windowLo || s >= ix.windowHi {
		return
	}
	ix.blocked[i] = append(ix.blocked[i], interval{s, e})
}

// day returns the hours of local date d as instants.
func (ix *index) day(d booking.Date) *day {
	if dy, ok := ix.dayCache[d]; ok {
		return dy
	}
	dy := &day{
		date:      d,
		start:     midnight(d, ix.loc),
		end:       midnight(d.AddDays(1), ix.loc),
		working:   make([]set, len(ix.artisans)),
		workSpans: make([][]booking.Span, len(ix.artisans)),
		workDate:  make([]bool, len(ix.artisans)),
		bookings:  make([]int, len(ix.artisans)),
	}
	for _, c := range ix.closures {
		if c.Covers(d) {
			dy.closed = true
			break
		}
	}
	// Hours set for the date replace the week's, for the atelier and for
	// each artisan on their own.
	open, special := ix.atelier.HoursOn(d)
	dy.openSpans, dy.special = open, special
	dy.opening = spans(open, d, ix.loc)
	k := ix.firstDay.DaysUntil(d) // d's place in the daily counts
	for i, a := range ix.artisans {
		// Artisans often keep the atelier's hours, or each other's: the
		// same wall-clock spans give the same instants, so they share one
		// (read-only) set rather than converting the times again.
		work, onDate := a.HoursOn(d)
		dy.workSpans[i], dy.workDate[i] = work, onDate
		if slices.Equal(work, open) {
			dy.working[i] = dy.opening
		} else if j := sameHours(dy, i); j >= 0 {
			dy.working[i] = dy.working[j]
		} else {
			dy.working[i] = spans(work, d, ix.loc)
		}
		if k >= 0 && k < len(ix.perDay[i]) {
			dy.bookings[i] = ix.perDay[i][k]
		}
	}
	if !ix.frozen {
		ix.dayCache[d] = dy
	}
	return dy
}

// sameHours returns an earlier candidate with the same hours as candidate
// i on day dy, or -1.
func sameHours(dy *day, i int) int {
	for j := range i {
		if slices.Equal(dy.workSpans[j], dy.workSpans[i]) {
			return j
		}
	}
	return -1
}

// spans turns wall-clock spans of date d into instants; adjacent spans
// ("10:00-13:00" and "13:00-19:00") merge into one.
func spans(ss []booking.Span, d booking.Date, loc *time.Location) set {
	if len(ss) == 0 {
		return nil
	}
	out := make(set, 0, len(ss))
	for _, sp := range ss {
		out = append(out, interval{
			wallInstant(d, sp.Start, loc).UnixNano(),
			wallInstant(d, sp.End, loc).UnixNano(),
		})
	}
	return normalize(out)
}

// roomFreeFrom is roomFree for a walk of blocks in start order, with a
// cursor per room (cursor).
func (ix *index) roomFreeFrom(cs []cursor, bs, be int64) int {
	for r := range ix.rooms {
		if !ix.roomBusy[r].overlapsFrom(&cs[r], bs, be) {
			return r
		}
	}
	return -1
}

// artisanFits is artisanProblem(...) == fits for a walk of blocks in
// start order, with a cursor per candidate (cursor).
func (ix *index) artisanFits(dy *day, i int, bs, be int64, c *cursor) bool {
	a := ix.artisans[i]
	return dy.working[i].contains(bs, be) && (a.DailyCap <= 0 || dy.bookings[i] < a.DailyCap) &&
		!ix.blocked[i].overlapsFrom(c, bs, be)
}

// roomFree returns the first room with no in-person booking overlapping
// the block [bs, be), or -1.
func (ix *index) roomFree(bs, be int64) int {
	for r := range ix.rooms {
		if !ix.roomBusy[r].overlaps(bs, be) {
			return r
		}
	}
	return -1
}

// problem is why an artisan cannot take a slot.
type problem uint8

const (
	fits       problem = iota
	notWorking         // the blocked interval is outside the working hours
	capped             // the daily cap is reached
	blocked            // a booking, time off or busy time overlaps
)

// artisanProblem is why candidate i cannot take a slot, or fits if it can.
func (ix *index) artisanProblem(dy *day, i int, bs, be int64) problem {
	a := ix.artisans[i]
	switch {
	case !dy.working[i].contains(bs, be):
		return notWorking
	case a.DailyCap > 0 && dy.bookings[i] >= a.DailyCap:
		return capped
	case ix.blocked[i].overlaps(bs, be):
		return blocked
	}
	return fits
}
