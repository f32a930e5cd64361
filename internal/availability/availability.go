package availability

import (
	"slices"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Query asks for the free slots of one service and mode whose start lies in [From, To).
type Query struct {
	ServiceID string
	Mode      booking.Mode
	ArtisanID string    // optional: only this artisan
	From, To  time.Time // instants
	// IgnoreBookingID is a booking being moved: its own time does not
	// block, so the times of a move may overlap where it is now.
	IgnoreBookingID string
	// Staff lists the times staff may book: minimum notice and horizon
	// do not apply (as Request.Staff), the past and clashes still do.
	Staff bool
}

// Slot is a bookable start time with every artisan free for it (in catalogue order).
type Slot struct {
	Start, End time.Time
	Artisans   ArtisanSet
}

// Request is one exact slot to check before booking or rescheduling.
type Request struct {
	ServiceID string
	Mode      booking.Mode
	Start     time.Time
	ArtisanID string // optional: "" picks one by the fairness rule
	// Artisans, for a service that needs several artisans, are those the
	// customer chose (ArtisanID, when set, comes first): at most the
	// number needed; the rest are picked by the fairness rule.
	Artisans        []string
	IgnoreBookingID string // the booking being rescheduled (its own time does not block)
	Staff           bool   // staff may ignore minimum notice and horizon (never a clash, never the past)
}

// Times returns the end and the blocked interval (start-before, end+after) for a service in a mode.
func Times(svc *booking.Service, mode booking.Mode, start time.Time) (end, blockStart, blockEnd time.Time) {
	buf := svc.Buffers[mode]
	end = start.Add(svc.Duration)
	return end, start.Add(-buf.Before), end.Add(buf.After)
}

// Slots returns the free slots in start order. Unknown service / mode not offered by the service /
// unknown artisan / artisan not offering the service are *booking.Error EINVALID with Fields
// ("service", "mode", "artisan").
func Slots(s *booking.Schedule, q Query, now time.Time) ([]Slot, error) {
	return slots(s, q, now, nil)
}

// slots is Slots, with the index from memo (nil: built for the call).
func slots(s *booking.Schedule, q Query, now time.Time, memo *Indexes) ([]Slot, error) {
	svc, cands, err := resolve(s, q.ServiceID, q.Mode, q.ArtisanID)
	if err != nil {
		return nil, err
	}
	// A service that needs several artisans together looks at all of its
	// artisans; a named one must be among the free ones.
	cands, need, must, err := slotTeam(s, svc, q.ArtisanID, cands) // team.go
	if err != nil {
		return nil, err
	}
	rules := s.Atelier.Rules
	if err := checkRules(rules); err != nil {
		return nil, err
	}
	loc := location(s)

	// Starts are limited by the query, the minimum notice and the horizon.
	lo, hi := q.From, q.To
	earliest := now.Add(rules.MinNotice)
	if q.Staff {
		earliest = now
	}
	if earliest.After(lo) {
		lo = earliest
	}
	if h := horizon(rules, now, loc); !q.Staff && h.Before(hi) {
		hi = h
	}
	if !lo.Before(hi) || len(cands) == 0 {
		return nil, nil
	}
	if q.Mode == booking.InPerson && len(s.Atelier.Rooms) == 0 {
		return nil, nil
	}

	buf := svc.Buffers[q.Mode]
	first, last := dayOf(lo, loc), dayOf(hi.Add(-1), loc)
	winLo := midnight(first, loc).Add(-buf.Before)
	winHi := midnight(last.AddDays(1), loc).Add(svc.Duration + buf.After)
	ix := memo.index(s, svc, q.Mode, cands, winLo, winHi, first, last, q.IgnoreBookingID)

	step := rules.SlotInterval
	dur, before, after := int64(svc.Duration), int64(buf.Before), int64(buf.After)
	loN, hiN := lo.UnixNano(), hi.UnixNano()
	most := ix.maxSlots(first, last, step)
	slots := make([]Slot, 0, min(most, firstSlots))
	ids := make([]string, len(cands))
	for i, a := range cands {
		ids[i] = a.ID
	}
	sets := newSetMaker(ids)                      // the slots' artisan sets
	starts := make([]int64, 0, int(day24/step)+1) // the grid of one day, reused
	// Blocks are tested in start order: a cursor per candidate and room.
	cursors := make([]cursor, len(cands)+len(ix.rooms))
	candCur, roomCur := cursors[:len(cands)], cursors[len(cands):]
	for d := first; !d.After(last); d = d.AddDays(1) {
		dy := ix.day(d)
		if dy.closed || len(dy.opening) == 0 {
			continue
		}
		starts = gridStarts(starts[:0], d, dy.start, dy.end, step, loc)
		for _, t := range starts {
			if t < loN {
				continue
			}
			if t >= hiN {
				break
			}
			end := t + dur
			if !dy.opening.contains(t, end) {
				continue
			}
			bs, be := t-before, end+after
			if ix.inPerson && ix.roomFreeFrom(roomCur, bs, be) < 0 {
				continue
			}
			if !ix.mustFit(dy, must, bs, be) {
				continue
			}
			free := sets.scratch()
			n := ix.freeArtisans(dy, free, bs, be, candCur)
			if n < need {
				continue
			}
			slots = appendSlot(slots, most, Slot{
				Start:    time.Unix(0, t).In(loc),
				End:      time.Unix(0, end).In(loc),
				Artisans: sets.keep(free, n),
			})
		}
	}
	return slots, nil
}

// firstSlots is the room an answer's array starts with: most answers
// (a week, a busy calendar) hold fewer slots.
const firstSlots = 256

// appendSlot appends sl to slots, growing a full array once to the most
// the window can hold (maxSlots) rather than by doubling: a 62-day answer
// is some 3,000 slots, 170 KB, which doubling from 256 copies 4 times
// and leaves up to twice as large.
func appendSlot(slots []Slot, most int, sl Slot) []Slot {
	if len(slots) == cap(slots) && most > len(slots) {
		slots = slices.Grow(slots, most-len(slots))
	}
	return append(slots, sl)
}

// maxSlots is the most slots days first to last can hold: the grid
// starts inside their opening hours.
func (ix *index) maxSlots(first, last booking.Date, step time.Duration) int {
	n := 0
	for d := first; !d.After(last); d = d.AddDays(1) {
		dy := ix.day(d)
		if dy.closed {
			continue
		}
		for _, iv := range dy.opening {
			// A day's grid is its wall clock's: a clock change can add an
			// hour's starts to a span of instants.
			n += int((iv.end-iv.start+int64(time.Hour))/int64(step)) + 1
		}
	}
	return n
}

// freeArtisans sets in free the bit of each candidate free for the block
// [bs, be) on day dy, walking the blocks with the candidates' cursors,
// and returns how many are.
func (ix *index) freeArtisans(dy *day, free []uint64, bs, be int64, cur []cursor) int {
	n := 0
	for i := range ix.artisans {
		if ix.artisanFits(dy, i, bs, be, &cur[i]) {
			free[i>>6] |= 1 << (i & 63)
			n++
		}
	}
	return n
}

// Place checks r against every rule and returns the artisan and, for a visit, the room.
// A start that cannot be booked is a *booking.Error ECONFLICT slot_unavailable whose message
// says why and whose Reason tells a time that was free and has been taken
// (booking.ErrSlotUnavailable: "that time is no longer available: Ana is booked then") from
// one that never was bookable (booking.ErrSlotNotBookable: "the atelier is closed at 20:30 on
// Tuesday 2 June (open 10:00-19:00 that day)", "that is a closure day: Christmas (Friday
// 25 December)", "bookings need at least 24 hours' notice, ...", ...). A start in the past is
// code booking_in_past.
func Place(s *booking.Schedule, r Request, now time.Time) (booking.Placement, error) {
	r, svc, cands, chose, err := resolvePlace(s, r) // team.go
	if err != nil {
		return booking.Placement{}, err
	}
	rules := s.Atelier.Rules
	if err := checkRules(rules); err != nil {
		return booking.Placement{}, err
	}
	loc := location(s)
	start := r.Start
	end, bs, be := Times(svc, r.Mode, start)
	d := dayOf(start, loc)
	mid := midnight(d, loc)
	say := speaker{loc: loc, now: now}

	switch {
	case start.Before(now):
		return booking.Placement{}, &booking.Error{
			Kind:    booking.ECONFLICT,
			Code:    booking.CodeBookingInPast,
			Message: "that time has passed",
		}
	case !onGrid(start, rules.SlotInterval, loc, d):
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonOffGrid,
			"not on the "+minutes(rules.SlotInterval)+" grid of the atelier's local time")
	case !r.Staff && start.Before(now.Add(rules.MinNotice)):
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonNotice,
			"bookings need at least "+notice(rules.MinNotice)+" notice, so "+say.when(start)+" is too soon")
	case !r.Staff && !start.Before(horizon(rules, now, loc)):
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonHorizon,
			"bookings can be made at most "+days(rules.HorizonDays)+" ahead, up to "+say.date(dayOf(now, loc).AddDays(rules.HorizonDays))+
				", so "+say.date(d)+" is too far")
	case len(cands) == 0:
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonUnstaffed, "no artisan offers this service")
	case r.Mode == booking.InPerson && len(s.Atelier.Rooms) == 0:
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonUnstaffed, "the atelier has no consultation room for visits")
	}

	ix := newIndex(s, svc, r.Mode, cands, minTime(bs, mid), maxTime(be, midnight(d.AddDays(1), loc)), d, d, r.IgnoreBookingID)
	dy := ix.day(d)
	switch {
	case dy.closed:
		return booking.Placement{}, say.closure(s.Atelier.Closures, d)
	case len(dy.opening) == 0:
		return booking.Placement{}, booking.ErrSlotNotBookable(booking.ReasonClosed, "the atelier is closed all day on "+say.date(d)+forDate(dy.special))
	case !dy.opening.contains(start.UnixNano(), end.UnixNano()):
		return booking.Placement{}, say.outsideOpening(dy, svc, start, end)
	}

	bsN, beN := bs.UnixNano(), be.UnixNano()
	if svc.Needed() > 1 {
		return placeTeam(s, ix, dy, r, svc, chose, say, start, end, bs, be)
	}
	// Fairness: the free artisan with the fewest confirmed bookings that
	// local day; ties go to catalogue order.
	pick := -1
	for i := range cands {
		if ix.artisanProblem(dy, i, bsN, beN) != fits {
			continue
		}
		if pick < 0 || dy.bookings[i] < dy.bookings[pick] {
			pick = i
		}
	}
	if pick < 0 {
		return booking.Placement{}, say.noArtisan(s, ix, dy, r, svc, start, end, bs, be)
	}
	p := booking.Placement{ArtisanID: cands[pick].ID}
	if ix.inPerson {
		room := ix.roomFree(bsN, beN)
		if room < 0 {
			return booking.Placement{}, booking.ErrSlotUnavailable("no consultation room is free then")
		}
		p.RoomID = ix.rooms[room].ID
	}
	return p, nil
}

// resolve finds the service and the candidate artisans, in catalogue order:
// artisanID alone when given, else every artisan who offers the service
// and whom the service lists.
func resolve(s *booking.Schedule, serviceID string, mode booking.Mode, artisanID string) (*booking.Service, []*booking.Artisan, error) {
	errs := booking.FieldErrors{}
	svc := s.Service(serviceID)
	switch {
	case svc == nil:
		errs.Add("service", "unknown service")
	case !mode.Valid():
		errs.Add("mode", `mode must be "in_person" or "virtual"`)
	case !svc.Offers(mode):
		errs.Add("mode", "this service is not offered "+modeName(mode))
	}
	if svc == nil && !mode.Valid() {
		errs.Add("mode", `mode must be "in_person" or "virtual"`)
	}
	var cands []*booking.Artisan
	if artisanID != "" {
		a := s.Artisan(artisanID)
		switch {
		case a == nil:
			errs.Add("artisan", "unknown artisan")
		case svc != nil && !offers(svc, a):
			errs.Add("artisan", "this artisan does not offer the service")
		default:
			cands = []*booking.Artisan{a}
		}
	} else if svc != nil {
		for i := range s.Artisans {
			if a := &s.Artisans[i]; offers(svc, a) {
				cands = append(cands, a)
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	if len(cands) > maxIndexed || len(s.Atelier.Rooms) > maxIndexed {
		return nil, nil, booking.Errorf(booking.EINTERNAL, booking.CodeInternal,
			"availability: at most %d artisans and %d rooms, got %d and %d", maxIndexed, maxIndexed, len(cands), len(s.Atelier.Rooms))
	}
	return svc, cands, nil
}

// offers reports whether a offers svc and svc lists a.
func offers(svc *booking.Service, a *booking.Artisan) bool {
	if !a.Offers(svc.ID) {
		return false
	}
	for _, id := range svc.Artisans {
		if id == a.ID {
			return true
		}
	}
	return false
}

func checkRules(r booking.Rules) error {
	if r.SlotInterval <= 0 {
		return booking.Errorf(booking.EINTERNAL, booking.CodeInternal, "availability: slot interval must be positive, got %s", r.SlotInterval)
	}
	return nil
}

// location is the atelier's zone; UTC when none is loaded.
func location(s *booking.Schedule) *time.Location {
	if s.Atelier.Location != nil {
		return s.Atelier.Location
	}
	return time.UTC
}

// horizon is the first instant that is too late to book: local midnight at
// the end of today + HorizonDays.
func horizon(r booking.Rules, now time.Time, loc *time.Location) time.Time {
	return midnight(dayOf(now, loc).AddDays(r.HorizonDays+1), loc)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
