package availability

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// holdsOnly is s with all its bookings that hold their time as runs of
// holds (as the store's days), none left in Bookings.
func holdsOnly(s *booking.Schedule, r *rand.Rand) *booking.Schedule {
	out := *s
	out.Bookings, out.Holds = nil, nil
	var run []booking.Hold
	for _, b := range s.Bookings {
		if !b.Status.Holds() {
			continue
		}
		run = append(run, booking.Hold{
			ID: b.ID, ServiceID: b.ServiceID, ArtisanID: b.ArtisanID, RoomID: b.RoomID, Mode: b.Mode, Status: b.Status,
			Start: b.Start.UnixNano(), End: b.End.UnixNano(), BlockStart: b.BlockStart.UnixNano(), BlockEnd: b.BlockEnd.UnixNano(),
			Artisans: b.Artisans,
		})
		if r.IntN(4) == 0 {
			out.Holds, run = append(out.Holds, run), nil
		}
	}
	if len(run) > 0 {
		out.Holds = append(out.Holds, run)
	}
	return &out
}

// changeSchedule returns a copy of s with one change to something an
// index is built from, made as the store makes it: new arrays, never an
// edit of those s holds (which the memo may hold too).
func changeSchedule(s *booking.Schedule, q Query, r *rand.Rand) (*booking.Schedule, string) {
	c := *s
	c.Artisans = slices.Clone(s.Artisans)
	a := &c.Artisans[r.IntN(len(c.Artisans))]
	at := q.From.Add(time.Duration(r.IntN(int(q.To.Sub(q.From)/time.Minute)+1)) * time.Minute).Truncate(15 * time.Minute)
	switch k := r.IntN(9); k {
	case 0, 1: // a booking made: its day's run replaced by a new one
		h := booking.Hold{ID: "new", ServiceID: "svc", ArtisanID: a.ID, Mode: q.Mode, Status: booking.Confirmed,
			Start: at.UnixNano(), End: at.Add(time.Hour).UnixNano(), BlockStart: at.UnixNano(), BlockEnd: at.Add(time.Hour).UnixNano()}
		if len(c.Atelier.Rooms) > 0 {
			h.RoomID = c.Atelier.Rooms[0].ID
		}
		c.Holds = slices.Clone(s.Holds)
		if len(c.Holds) == 0 {
			c.Holds = [][]booking.Hold{{h}}
			return &c, "booking into an empty schedule"
		}
		i := r.IntN(len(c.Holds))
		run := append(slices.Clone(c.Holds[i]), h)
		slices.SortFunc(run, func(x, y booking.Hold) int { return int(x.BlockStart - y.BlockStart) })
		c.Holds[i] = run
		return &c, "booking"
	case 2: // a booking cancelled
		c.Holds = slices.Clone(s.Holds)
		for i, run := range c.Holds {
			if len(run) > 0 {
				c.Holds[i] = slices.Delete(slices.Clone(run), 0, 1)
				return &c, "cancellation"
			}
		}
		return &c, "nothing to cancel"
	case 3:
		if len(a.TimeOff) > 0 && r.IntN(2) == 0 { // moved: as many as before
			a.TimeOff = slices.Clone(a.TimeOff)
			a.TimeOff[0].Start = at
			return &c, "time off moved"
		}
		a.TimeOff = append(slices.Clone(a.TimeOff), booking.TimeOff{Start: at, End: at.Add(3 * time.Hour)})
		return &c, "time off"
	case 4:
		a.Hours = a.Hours.Clone()
		d := at.In(location(s)).Weekday()
		a.Hours[d] = []booking.Span{{Start: 13 * 60, End: 15 * 60}}
		return &c, "working hours"
	case 5:
		if len(s.Busy) > 0 && r.IntN(2) == 0 {
			c.Busy = slices.Clone(s.Busy)
			b := &c.Busy[r.IntN(len(c.Busy))]
			b.Start, b.End = at, at.Add(2*time.Hour)
			return &c, "busy time moved"
		}
		c.Busy = append(slices.Clone(s.Busy), booking.Busy{ArtisanID: a.ID, Start: at, End: at.Add(2 * time.Hour)})
		return &c, "busy time"
	case 6:
		d := booking.DateOf(at.In(location(s)))
		if len(s.Atelier.Closures) > 0 && r.IntN(2) == 0 {
			c.Atelier.Closures = slices.Clone(s.Atelier.Closures)
			c.Atelier.Closures[0].From, c.Atelier.Closures[0].To = d, d
			return &c, "closure moved"
		}
		c.Atelier.Closures = append(slices.Clone(s.Atelier.Closures), booking.Closure{From: d, To: d})
		return &c, "closure"
	case 7:
		a.DailyCap = 1 + a.DailyCap%2
		return &c, "daily cap"
	default: // the same bookings in new arrays: a miss, the same slots
		c.Holds = make([][]booking.Hold, len(s.Holds))
		for i := range s.Holds {
			c.Holds[i] = slices.Clone(s.Holds[i])
		}
		return &c, "the same days read again"
	}
}

// Slots through a memo gives what Slots gives, on the property test's
// random schedules: asked again (the memo's index reused), later (the
// same index, another now), and after each kind of change to what the
// index is built from (a booking made or cancelled, time off, hours, a
// busy time, a closure, a cap), which the memo must notice.
func TestIndexesMatchSlots(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 8))
	memo := NewIndexes(1 << 20)
	changedAnswers := 0
	for iter := range 600 {
		s, q, now := randSchedule(t, r)
		if q.ArtisanID != "" && !offers(&s.Services[0], s.Artisan(q.ArtisanID)) {
			q.ArtisanID = ""
		}
		h := holdsOnly(s, r)
		check := func(what string, h *booking.Schedule, now time.Time) []Slot {
			t.Helper()
			want, werr := Slots(h, q, now)
			got, gerr := memo.Slots(h, q, now)
			if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d (%s, %s), %s: the memo gives\n%v, %v\nSlots gives\n%v, %v", iter, s.Atelier.Timezone, q.Mode, what, got, gerr, want, werr)
			}
			return want
		}
		before := check("first", h, now)
		check("again", h, now)
		check("an hour later", h, now.Add(time.Hour))
		c := h
		for range 3 {
			var what string
			c, what = changeSchedule(c, q, r)
			if after := check("after a change: "+what, c, now); !reflect.DeepEqual(after, before) {
				changedAnswers++
			}
		}
		check("the schedule before the changes again", h, now)
	}
	if memo.hits < 500 || changedAnswers < 100 {
		t.Fatalf("%d hits, %d changes that changed the answer: the test checks too little", memo.hits, changedAnswers)
	}
	if b := memo.Bytes(); b > 1<<20 || memo.Len() == 0 {
		t.Fatalf("the memo holds %d indexes, %d bytes, over its bound of %d", memo.Len(), b, 1<<20)
	}
}

// A schedule with Bookings (copies, which a caller may change in place)
// is never memoized; nor is an index larger than the memo's bound.
func TestIndexesKeepOnlyShared(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 9))
	s, q, now := benchSchedule(t)
	memo := NewIndexes(64 << 20)
	if _, err := memo.Slots(s, q, now); err != nil {
		t.Fatal(err)
	}
	if memo.Len() != 0 {
		t.Fatalf("a schedule of Bookings memoized")
	}
	h := holdsOnly(s, r)
	tiny := NewIndexes(1024)
	if _, err := tiny.Slots(h, q, now); err != nil {
		t.Fatal(err)
	}
	if tiny.Len() != 0 || tiny.Bytes() != 0 {
		t.Fatalf("an index over the bound kept: %d bytes", tiny.Bytes())
	}
	// Many windows: the least recently used go, the bound holds (the runs,
	// 1.6 MB, counted once for all the windows that keep them).
	small := NewIndexes(2 << 20)
	for d := range 40 {
		w := q
		w.From, w.To = q.From.AddDate(0, 0, d), q.From.AddDate(0, 0, d+7)
		if _, err := small.Slots(h, w, now); err != nil {
			t.Fatal(err)
		}
		if small.Bytes() > 2<<20 {
			t.Fatalf("%d bytes held, over the bound", small.Bytes())
		}
	}
	if small.Len() < 2 || small.Len() >= 40 {
		t.Fatalf("%d of 40 windows held in 2 MB", small.Len())
	}
}

// Concurrent readers share memoized indexes (run with -race) and each
// gets the answer Slots gives.
func TestIndexesConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 10))
	s, q, now := benchSchedule(t)
	h := holdsOnly(s, r)
	memo := NewIndexes(64 << 20)
	want := make([][]Slot, 4)
	for k := range want {
		w := q
		w.From = q.From.AddDate(0, 0, k)
		var err error
		if want[k], err = Slots(h, w, now); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				k := (g + i) % len(want)
				w := q
				w.From = q.From.AddDate(0, 0, k)
				got, err := memo.Slots(h, w, now)
				if err != nil || !reflect.DeepEqual(got, want[k]) {
					t.Errorf("window %d: the memo's answer differs (%v)", k, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if memo.hits == 0 {
		t.Fatalf("no index reused")
	}
}
