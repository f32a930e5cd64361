package availability

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// naive is a deliberately simple, independent model of the rules: wall
// times are found by scanning minute by minute, intervals are tested
// pairwise and hours five minutes at a time.
type naive struct {
	s     *booking.Schedule
	loc   *time.Location
	first map[[2]int64]time.Time
	grids map[booking.Date][]time.Time
}

// wallFirst is the first minute whose local wall clock reads (d, c) or later.
func (n *naive) wallFirst(d booking.Date, c booking.Clock) time.Time {
	key := [2]int64{int64(d.Year*10000 + int(d.Month)*100 + d.Day), int64(c)}
	if t, ok := n.first[key]; ok {
		return t
	}
	// Wall readings compare as the number yyyymmddMMMM (MMMM: minutes of the day).
	reading := func(d booking.Date, minutes int) int64 {
		return int64(d.Year*10000+int(d.Month)*100+d.Day)*10000 + int64(minutes)
	}
	target := reading(d, int(c))
	if c == 24*60 {
		target = reading(d.AddDays(1), 0)
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(-16 * time.Hour)
	for {
		w := t.In(n.loc)
		if reading(booking.DateOf(w), w.Hour()*60+w.Minute()) >= target {
			break
		}
		t = t.Add(time.Minute)
	}
	n.first[key] = t
	return t
}

// dayOf finds the day whose [midnight, next midnight) holds t.
func (n *naive) dayOf(t time.Time) booking.Date {
	d := booking.DateOf(t.UTC()).AddDays(-2)
	for !t.Before(n.wallFirst(d.AddDays(1), 0)) {
		d = d.AddDays(1)
	}
	return d
}

// onGrid reports whether the wall clock at t reads date d and a time of day
// that is a whole number of slot intervals after 00:00: the grid is the
// same list of local times every day, whatever the clocks do.
func (n *naive) onGrid(t time.Time, d booking.Date) bool {
	w := t.In(n.loc)
	if booking.DateOf(w) != d || w.Second() != 0 || w.Nanosecond() != 0 {
		return false
	}
	return (w.Hour()*60+w.Minute())%int(n.s.Atelier.Rules.SlotInterval/time.Minute) == 0
}

// grid lists the instants of day d whose wall clock reads a grid time,
// found by reading the clock at every minute of the day.
func (n *naive) grid(d booking.Date) []time.Time {
	if g, ok := n.grids[d]; ok {
		return g
	}
	var out []time.Time
	for t := n.wallFirst(d, 0); t.Before(n.wallFirst(d.AddDays(1), 0)); t = t.Add(time.Minute) {
		if n.onGrid(t, d) {
			out = append(out, t)
		}
	}
	n.grids[d] = out
	return out
}

// inHours reports whether every five-minute step of [from, to) lies in one
// of the spans of d.
func (n *naive) inHours(spans []booking.Span, d booking.Date, from, to time.Time) bool {
	for m := from; m.Before(to); m = m.Add(5 * time.Minute) {
		ok := false
		for _, sp := range spans {
			if !m.Before(n.wallFirst(d, sp.Start)) && m.Before(n.wallFirst(d, sp.End)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// free reports whether artisan a can take service svc in mode at start,
// and the first free room.
func (n *naive) free(svc *booking.Service, mode booking.Mode, a *booking.Artisan, start, now time.Time, ignore string) (ok bool, room string) {
	s := n.s
	r := s.Atelier.Rules
	d := n.dayOf(start)
	if !n.onGrid(start, d) || start.Before(now.Add(r.MinNotice)) ||
		!start.Before(n.wallFirst(n.dayOf(now).AddDays(r.HorizonDays+1), 0)) {
		return false, ""
	}
	for _, c := range s.Atelier.Closures {
		if c.Covers(d) {
			return false, ""
		}
	}
	buf := svc.Buffers[mode]
	end := start.Add(svc.Duration)
	bs, be := start.Add(-buf.Before), end.Add(buf.After)
	if !n.inHours(naiveHours(s.Atelier.Hours, s.Atelier.DateHours, d), d, start, end) ||
		!n.inHours(naiveHours(a.Hours, a.DateHours, d), d, bs, be) {
		return false, ""
	}
	if !a.Offers(svc.ID) || !slices.Contains(svc.Artisans, a.ID) || !svc.Offers(mode) {
		return false, ""
	}
	for _, t := range a.TimeOff {
		if booking.Overlaps(bs, be, t.Start, t.End) {
			return false, ""
		}
	}
	for _, b := range s.Busy {
		if b.ArtisanID == a.ID && booking.Overlaps(bs, be, b.Start, b.End) {
			return false, ""
		}
	}
	count := 0
	for _, b := range s.Bookings {
		// A booking of a team holds each of its artisans.
		if b.ID == ignore || !slices.Contains(b.ArtisanIDs(), a.ID) {
			continue
		}
		if booking.Overlaps(bs, be, b.BlockStart, b.BlockEnd) {
			return false, ""
		}
		if n.dayOf(b.Start) == d {
			count++
		}
	}
	if a.DailyCap > 0 && count >= a.DailyCap {
		return false, ""
	}
	if mode != booking.InPerson {
		return true, ""
	}
rooms:
	for _, rm := range s.Atelier.Rooms {
		for _, b := range s.Bookings {
			if b.ID != ignore && b.Mode == booking.InPerson && b.RoomID == rm.ID && booking.Overlaps(bs, be, b.BlockStart, b.BlockEnd) {
				continue rooms
			}
		}
		return true, rm.ID
	}
	return false, ""
}

// naiveHours is the rule for hours set for one date: on a date with an
// entry its spans (none: closed) replace the week's for that weekday.
func naiveHours(week booking.WeekHours, dates []booking.DateHours, d booking.Date) []booking.Span {
	spans := week[d.Weekday()]
	for _, x := range dates {
		if x.Date.Year == d.Year && x.Date.Month == d.Month && x.Date.Day == d.Day {
			spans = x.Hours
		}
	}
	return spans
}

func (n *naive) bookingsOn(a string, d booking.Date, ignore string) int {
	c := 0
	for _, b := range n.s.Bookings {
		if b.ID != ignore && slices.Contains(b.ArtisanIDs(), a) && n.dayOf(b.Start) == d {
			c++
		}
	}
	return c
}

var propZones = []string{"Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Singapore", "America/Santiago", "UTC"}

// transitions lists the instants in year at which loc changes offset.
func transitions(loc *time.Location, year int) []time.Time {
	var out []time.Time
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	for t.Year() == year {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Year() != year {
			break
		}
		out = append(out, end)
		t = end
	}
	return out
}

func randSpans(r *rand.Rand) []booking.Span {
	var out []booking.Span
	at := booking.Clock(r.IntN(8) * 30)
	for k := 1 + r.IntN(2); k > 0 && at < 24*60; k-- {
		end := at + booking.Clock(30*(1+r.IntN(30)))
		end = min(end, 24*60)
		out = append(out, booking.Span{Start: at, End: end})
		at = end + booking.Clock(30*r.IntN(4))
	}
	return out
}

// randDateHours sets hours for a few of the dates around the base day
// (often the day of a clock change), some closing the date; each date once.
func randDateHours(r *rand.Rand, around func() time.Time, loc *time.Location) []booking.DateHours {
	var out []booking.DateHours
	seen := map[booking.Date]bool{}
	for range r.IntN(4) {
		d := booking.DateOf(around().In(loc))
		if seen[d] {
			continue
		}
		seen[d] = true
		var spans []booking.Span
		if r.IntN(4) > 0 {
			spans = randSpans(r)
		}
		out = append(out, booking.DateHours{Date: d, Hours: spans})
	}
	return out
}

func randHours(r *rand.Rand) booking.WeekHours {
	var w booking.WeekHours
	for d := range w {
		w[d] = randSpans(r)
	}
	return w
}

// randSchedule builds a random schedule around a random day (often a DST
// change) and returns it with a query window and now.
func randSchedule(tb testing.TB, r *rand.Rand) (*booking.Schedule, Query, time.Time) {
	tb.Helper()
	loc := mustLoad(tb, propZones[r.IntN(len(propZones))])
	base := time.Date(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, loc)
	if tr := transitions(loc, 2026); len(tr) > 0 && r.IntN(4) > 0 {
		base = tr[r.IntN(len(tr))].Add(-time.Duration(r.IntN(30)) * time.Hour)
	}
	step := func(n int) time.Duration { return time.Duration(n) * 5 * time.Minute }
	around := func() time.Time { return base.Add(step(r.IntN(12*24*4)) - 24*time.Hour).Truncate(5 * time.Minute) }

	nRooms := r.IntN(4)
	var rooms []booking.Room
	for i := range nRooms {
		rooms = append(rooms, booking.Room{ID: fmt.Sprintf("r%d", i)})
	}
	svc := booking.Service{ID: "svc", Duration: time.Duration(1+r.IntN(6)) * 15 * time.Minute, Buffers: map[booking.Mode]booking.Buffer{}}
	svc.Modes = [][]booking.Mode{{booking.InPerson}, {booking.Virtual}, {booking.InPerson, booking.Virtual}}[r.IntN(3)]
	for _, m := range []booking.Mode{booking.InPerson, booking.Virtual} {
		if r.IntN(3) > 0 {
			svc.Buffers[m] = booking.Buffer{Before: step(r.IntN(7)), After: step(r.IntN(7))}
		}
	}
	s := &booking.Schedule{Catalog: booking.Catalog{
		Atelier: booking.Atelier{
			Location: loc, Timezone: loc.String(), Rooms: rooms, Hours: randHours(r),
			Rules: booking.Rules{
				MinNotice:    time.Duration(r.IntN(12)) * time.Hour,
				HorizonDays:  r.IntN(6),
				SlotInterval: time.Duration([]int{15, 30, 45, 60, 90, 120, 240}[r.IntN(7)]) * time.Minute,
			},
		},
		Services: []booking.Service{svc},
	}}
	if r.IntN(2) == 0 {
		s.Atelier.DateHours = randDateHours(r, around, loc)
	}
	if r.IntN(3) == 0 {
		from := booking.DateOf(around().In(loc))
		s.Atelier.Closures = []booking.Closure{{From: from, To: from.AddDays(r.IntN(2))}}
	}
	nArt := 1 + r.IntN(4)
	for i := range nArt {
		a := booking.Artisan{ID: fmt.Sprintf("a%d", i), Hours: randHours(r), DailyCap: r.IntN(4)}
		if r.IntN(2) == 0 {
			a.DateHours = randDateHours(r, around, loc)
			for j := range a.DateHours {
				a.DateHours[j].ArtisanID = a.ID
			}
		}
		if r.IntN(6) > 0 {
			a.Services = []string{"svc"}
		}
		if r.IntN(6) > 0 {
			s.Services[0].Artisans = append(s.Services[0].Artisans, a.ID)
		}
		for range r.IntN(3) {
			st := around()
			a.TimeOff = append(a.TimeOff, booking.TimeOff{Start: st, End: st.Add(step(1 + r.IntN(48)))})
		}
		for range r.IntN(3) {
			st := around()
			s.Busy = append(s.Busy, booking.Busy{ArtisanID: a.ID, Start: st, End: st.Add(step(1 + r.IntN(24)))})
		}
		s.Artisans = append(s.Artisans, a)
	}
	// A third of the cases need a team of two or three artisans (more than
	// the service may have: then nothing is offered).
	if r.IntN(3) == 0 {
		s.Services[0].ArtisansNeeded = 2 + r.IntN(2)
	}
	for i := range r.IntN(25) {
		st := around()
		mode := booking.Virtual
		room := ""
		if r.IntN(2) == 0 {
			mode = booking.InPerson
			if nRooms > 0 {
				room = rooms[r.IntN(nRooms)].ID
			}
		}
		end := st.Add(step(3 + r.IntN(24)))
		s.Bookings = append(s.Bookings, booking.Booking{
			ID: fmt.Sprintf("b%d", i), Status: booking.Confirmed, ServiceID: "svc", Mode: mode,
			ArtisanID: fmt.Sprintf("a%d", r.IntN(nArt)), RoomID: room,
			Start: st, End: end, BlockStart: st.Add(-step(r.IntN(4))), BlockEnd: end.Add(step(r.IntN(4))),
		})
		// Some bookings hold other artisans too (a team's).
		if b := &s.Bookings[len(s.Bookings)-1]; nArt > 1 && r.IntN(3) == 0 {
			b.Artisans = []string{b.ArtisanID}
			for _, k := range r.Perm(nArt)[:1+r.IntN(nArt-1)] {
				if id := fmt.Sprintf("a%d", k); id != b.ArtisanID {
					b.Artisans = append(b.Artisans, id)
				}
			}
		}
	}
	q := Query{ServiceID: "svc", Mode: svc.Modes[r.IntN(len(svc.Modes))], From: around()}
	q.To = q.From.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	if r.IntN(4) == 0 {
		q.ArtisanID = s.Artisans[r.IntN(nArt)].ID
		if !s.Artisans[r.IntN(nArt)].Offers("svc") || !slices.Contains(s.Services[0].Artisans, q.ArtisanID) {
			q.ArtisanID = ""
		}
	}
	now := around().Add(-24 * time.Hour)
	return s, q, now
}

func TestProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 6))
	total, teamSlots, teamPlaced := 0, 0, 0
	for iter := range 800 {
		s, q, now := randSchedule(t, r)
		if q.ArtisanID != "" && !offers(&s.Services[0], s.Artisan(q.ArtisanID)) {
			q.ArtisanID = ""
		}
		// Some queries list the times of a move: that booking does not block.
		if len(s.Bookings) > 0 && r.IntN(3) == 0 {
			q.IgnoreBookingID = s.Bookings[r.IntN(len(s.Bookings))].ID
		}
		n := &naive{s: s, loc: s.Atelier.Location, first: map[[2]int64]time.Time{}, grids: map[booking.Date][]time.Time{}}
		desc := fmt.Sprintf("case %d (%s, %s, %v..%v, now %v, moving %q)", iter, s.Atelier.Timezone, q.Mode, q.From, q.To, now, q.IgnoreBookingID)

		slots, err := Slots(s, q, now)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		total += len(slots)
		got := map[int64][]string{}
		for _, sl := range slots {
			got[sl.Start.UnixNano()] = sl.Artisans.IDs()
		}

		// Every grid start the naive model finds free, with exactly the
		// artisans it finds free, and nothing else.
		svc := &s.Services[0]
		want := map[int64][]string{}
		for d := n.dayOf(q.From).AddDays(-1); !d.After(n.dayOf(q.To).AddDays(1)); d = d.AddDays(1) {
			for _, st := range n.grid(d) {
				if st.Before(q.From) || !st.Before(q.To) {
					continue
				}
				var free []string
				for i := range s.Artisans {
					a := &s.Artisans[i]
					if q.ArtisanID != "" && a.ID != q.ArtisanID && svc.ArtisansNeeded < 2 {
						continue
					}
					if ok, _ := n.free(svc, q.Mode, a, st, now, q.IgnoreBookingID); ok {
						free = append(free, a.ID)
					}
				}
				// A team's slot needs that many free, the named one among them.
				if len(free) == 0 || len(free) < svc.ArtisansNeeded || q.ArtisanID != "" && !slices.Contains(free, q.ArtisanID) {
					continue
				}
				want[st.UnixNano()] = free
				if svc.ArtisansNeeded > 1 {
					teamSlots++
				}
			}
		}
		for st, ids := range want {
			if !slices.Equal(got[st], ids) {
				t.Errorf("%s: at %v got %v, naive finds %v free", desc, time.Unix(0, st).In(n.loc), got[st], ids)
			}
		}
		for st, ids := range got {
			if _, ok := want[st]; !ok {
				t.Errorf("%s: slot %v %v is not free by the naive check", desc, time.Unix(0, st).In(n.loc), ids)
			}
		}

		// Place agrees on random probes, including off-grid ones and
		// reschedules.
		for range 20 {
			start := q.From.Add(time.Duration(r.IntN(int(q.To.Sub(q.From)/(5*time.Minute)))) * 5 * time.Minute)
			// The check made when a booking arrives is the same grid.
			if got, want := OnGrid(start, s.Atelier.Rules.SlotInterval, n.loc), n.onGrid(start, n.dayOf(start)); got != want {
				t.Errorf("%s: OnGrid(%v) = %v, naive %v", desc, start.In(n.loc), got, want)
			}
			ignore := ""
			if len(s.Bookings) > 0 && r.IntN(3) == 0 {
				ignore = s.Bookings[r.IntN(len(s.Bookings))].ID
			}
			if svc.ArtisansNeeded > 1 {
				// Half the probes of a team start at a slot offered.
				if starts := slices.Sorted(maps.Keys(want)); len(starts) > 0 && r.IntN(2) == 0 {
					start = time.Unix(0, starts[r.IntN(len(starts))])
				}
				teamPlaced += n.checkTeamPlace(t, desc, r, q, start, now, ignore)
				continue
			}
			var free []string
			room := ""
			for i := range s.Artisans {
				a := &s.Artisans[i]
				if q.ArtisanID != "" && a.ID != q.ArtisanID {
					continue
				}
				if ok, rm := n.free(svc, q.Mode, a, start, now, ignore); ok {
					free = append(free, a.ID)
					room = rm
				}
			}
			p, err := Place(s, Request{ServiceID: "svc", Mode: q.Mode, Start: start, ArtisanID: q.ArtisanID, IgnoreBookingID: ignore}, now)
			if len(free) == 0 {
				if err == nil {
					t.Errorf("%s: Place(%v) = %+v, naive finds nobody free", desc, start, p)
				} else if k := booking.ErrorKind(err); k != booking.ECONFLICT {
					t.Errorf("%s: Place(%v) error kind %s", desc, start, k)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: Place(%v, ignore %q) = %v, naive finds %v free", desc, start, ignore, err, free)
				continue
			}
			// Fairness: fewest bookings that day, then catalogue order.
			wantA := free[0]
			d := n.dayOf(start)
			for _, id := range free[1:] {
				if n.bookingsOn(id, d, ignore) < n.bookingsOn(wantA, d, ignore) {
					wantA = id
				}
			}
			if p.ArtisanID != wantA || p.RoomID != room {
				t.Errorf("%s: Place(%v) = %+v, want %s in %q", desc, start, p, wantA, room)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	if total < 500 {
		t.Errorf("only %d slots in all random cases: the generator offers too little to test", total)
	}
	if teamSlots < 100 || teamPlaced < 30 {
		t.Errorf("only %d slots and %d placements of teams: the generator offers too little to test", teamSlots, teamPlaced)
	}
	t.Logf("%d slots checked (%d of teams); %d team placements", total, teamSlots, teamPlaced)
}

// checkTeamPlace checks Place for a service that needs several artisans at
// start, sometimes with some of them chosen, against the naive model: the
// chosen ones (each free), then the free ones with the fewest bookings that
// day, ties in catalogue order. It returns 1 when Place placed it.
func (n *naive) checkTeamPlace(t *testing.T, desc string, r *rand.Rand, q Query, start, now time.Time, ignore string) int {
	t.Helper()
	s, svc := n.s, &n.s.Services[0]
	var free []string
	room := ""
	for i := range s.Artisans {
		if ok, rm := n.free(svc, q.Mode, &s.Artisans[i], start, now, ignore); ok {
			free = append(free, s.Artisans[i].ID)
			room = rm
		}
	}
	req := Request{ServiceID: "svc", Mode: q.Mode, Start: start, ArtisanID: q.ArtisanID, IgnoreBookingID: ignore}
	var chose []string
	if q.ArtisanID != "" {
		chose = []string{q.ArtisanID}
	}
	if len(free) > 0 && r.IntN(3) == 0 {
		// Choose one that is free (or, now and then, one that may not be).
		pick := free[r.IntN(len(free))]
		if r.IntN(4) == 0 {
			pick = s.Artisans[r.IntN(len(s.Artisans))].ID
		}
		if offers(svc, s.Artisan(pick)) && !slices.Contains(chose, pick) {
			req.Artisans = []string{pick}
			chose = append(chose, pick)
		}
	}
	var want []string
	ok := len(free) >= svc.ArtisansNeeded
	for _, id := range chose {
		ok = ok && slices.Contains(free, id)
	}
	if ok {
		want = slices.Clone(chose)
		d := n.dayOf(start)
		for len(want) < svc.ArtisansNeeded {
			best := ""
			for _, id := range free {
				if !slices.Contains(want, id) && (best == "" || n.bookingsOn(id, d, ignore) < n.bookingsOn(best, d, ignore)) {
					best = id
				}
			}
			want = append(want, best)
		}
	}
	p, err := Place(s, req, now)
	switch {
	case want == nil && err == nil:
		t.Errorf("%s: Place(%v, %v) = %+v, naive finds only %v free for a team of %d", desc, start, chose, p, free, svc.ArtisansNeeded)
	case want == nil && booking.ErrorKind(err) != booking.ECONFLICT:
		t.Errorf("%s: Place(%v, %v) error %v, want a conflict", desc, start, chose, err)
	case want == nil:
	case err != nil:
		t.Errorf("%s: Place(%v, %v, ignore %q) = %v, naive finds %v free", desc, start, chose, ignore, err, free)
	case !slices.Equal(p.Artisans, want) || p.ArtisanID != want[0] || p.RoomID != room:
		t.Errorf("%s: Place(%v, %v) = %+v, want %v in %q", desc, start, chose, p, want, room)
	default:
		return 1
	}
	return 0
}
