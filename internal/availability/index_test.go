package availability

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// referenceBlocks is how the index gathered blocks before it laid them out
// in one array: every considered booking appended to its candidate's and
// its room's list, in schedule order, then normalised.
func referenceBlocks(s *booking.Schedule, cands []*booking.Artisan, mode booking.Mode, lo, hi int64, ignore string) (blocked, rooms []set) {
	blocked = make([]set, len(cands))
	rooms = make([]set, len(s.Atelier.Rooms))
	add := func(i int, st, en time.Time) {
		if s, e := st.UnixNano(), en.UnixNano(); e > lo && s < hi {
			blocked[i] = append(blocked[i], interval{s, e})
		}
	}
	for i, a := range cands {
		for _, t := range a.TimeOff {
			add(i, t.Start, t.End)
		}
		for _, b := range s.Busy {
			if b.ArtisanID == a.ID {
				add(i, b.Start, b.End)
			}
		}
	}
	for _, b := range s.Bookings {
		if b.ID == ignore && ignore != "" || b.Status == booking.Cancelled {
			continue
		}
		bs, be, st := b.BlockStart.UnixNano(), b.BlockEnd.UnixNano(), b.Start.UnixNano()
		if (be <= lo || bs >= hi) && (st < lo || st >= hi) {
			continue
		}
		for i, a := range cands {
			if slices.Contains(b.ArtisanIDs(), a.ID) { // a team's booking holds each
				blocked[i] = append(blocked[i], interval{bs, be})
			}
		}
		if mode == booking.InPerson && b.Mode == booking.InPerson {
			for r, room := range s.Atelier.Rooms {
				if room.ID == b.RoomID {
					rooms[r] = append(rooms[r], interval{bs, be})
					break
				}
			}
		}
	}
	for i := range blocked {
		blocked[i] = normalize(blocked[i])
	}
	for r := range rooms {
		rooms[r] = normalize(rooms[r])
	}
	if mode != booking.InPerson {
		rooms = nil
	}
	return blocked, rooms
}

// The index's blocks are the reference's on random schedules, for both
// modes, with a booking being moved and with bookings of other artisans.
func TestIndexBlocksMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 5))
	seen, seenRooms := 0, 0
	for n := range 300 {
		s, q, _ := randSchedule(t, r)
		for _, mode := range []booking.Mode{booking.InPerson, booking.Virtual} {
			svc := &s.Services[0]
			cands := []*booking.Artisan{}
			for i := range s.Artisans {
				if i%3 != 2 || n%2 == 0 { // sometimes leave artisans out
					cands = append(cands, &s.Artisans[i])
				}
			}
			ignore := ""
			if len(s.Bookings) > 0 && n%3 == 0 {
				ignore = s.Bookings[r.IntN(len(s.Bookings))].ID
			}
			loc := location(s)
			first, last := dayOf(q.From, loc), dayOf(q.To.Add(-1), loc)
			lo, hi := midnight(first, loc).Add(-time.Hour), midnight(last.AddDays(1), loc).Add(2*time.Hour)
			ix := newIndex(s, svc, mode, cands, lo, hi, first, last, ignore)
			blocked, rooms := referenceBlocks(s, cands, mode, lo.UnixNano(), hi.UnixNano(), ignore)
			for i := range cands {
				seen += len(blocked[i])
				if !slices.Equal(ix.blocked[i], blocked[i]) {
					t.Fatalf("schedule %d, %s, artisan %s: blocks %v, want %v", n, mode, cands[i].ID, ix.blocked[i], blocked[i])
				}
			}
			perDay := referencePerDay(s, cands, first, len(ix.mids)-1, lo.UnixNano(), hi.UnixNano(), ignore)
			for i := range cands {
				if !slices.Equal(ix.perDay[i][:len(ix.mids)-1], perDay[i]) {
					t.Fatalf("schedule %d, %s, artisan %s: bookings per day %v, want %v", n, mode, cands[i].ID, ix.perDay[i], perDay[i])
				}
			}
			if len(ix.roomBusy) != len(rooms) {
				t.Fatalf("schedule %d, %s: %d rooms, want %d", n, mode, len(ix.roomBusy), len(rooms))
			}
			for k := range rooms {
				seenRooms += len(rooms[k])
				if !slices.Equal(ix.roomBusy[k], rooms[k]) {
					t.Fatalf("schedule %d, %s, room %d: busy %v, want %v", n, mode, k, ix.roomBusy[k], rooms[k])
				}
			}
		}
	}
	if seen == 0 || seenRooms == 0 {
		t.Fatalf("%d blocks and %d room blocks compared: the schedules test nothing", seen, seenRooms)
	}
	t.Logf("%d blocks and %d room blocks compared", seen, seenRooms)
}

// referencePerDay counts each candidate's bookings per local day from
// first (days of them) by the calendar, not by the index's midnights.
func referencePerDay(s *booking.Schedule, cands []*booking.Artisan, first booking.Date, days int, lo, hi int64, ignore string) [][]int {
	loc := location(s)
	out := make([][]int, len(cands))
	for i, a := range cands {
		out[i] = make([]int, days)
		for _, b := range s.Bookings {
			if !slices.Contains(b.ArtisanIDs(), a.ID) || b.ID == ignore && ignore != "" || b.Status == booking.Cancelled {
				continue
			}
			bs, be, st := b.BlockStart.UnixNano(), b.BlockEnd.UnixNano(), b.Start.UnixNano()
			if (be <= lo || bs >= hi) && (st < lo || st >= hi) {
				continue
			}
			if k := first.DaysUntil(dayOf(b.Start, loc)); k >= 0 && k < days {
				out[i][k]++
			}
		}
	}
	return out
}

// A walk with a cursor answers as the search does, for starts in order
// (as Slots walks them), starts that go back, and blocks of any length.
func TestOverlapsFromMatchesOverlaps(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 9))
	for range 200 {
		var s set
		for range r.IntN(40) {
			st := r.Int64N(1000)
			s = append(s, interval{st, st + 1 + r.Int64N(60)})
		}
		s = normalize(s)
		var c cursor
		at := int64(0)
		for range 300 {
			if r.IntN(10) == 0 {
				at -= r.Int64N(200) // back: searched afresh
			} else {
				at += r.Int64N(15)
			}
			end := at + 1 + r.Int64N(90)
			if got, want := s.overlapsFrom(&c, at, end), s.overlaps(at, end); got != want {
				t.Fatalf("%v: [%d, %d) overlaps %v with the cursor, %v by search", s, at, end, got, want)
			}
		}
	}
}
