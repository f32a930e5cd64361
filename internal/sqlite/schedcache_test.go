package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// scheduleIDs returns the ids of the bookings of db's schedule of [from, to).
func scheduleIDs(tb testing.TB, db *sqlite.Store, from, to time.Time) []string {
	tb.Helper()
	s, err := db.Schedule(context.Background(), from, to)
	if err != nil {
		tb.Fatal(err)
	}
	ids := []string{}
	for _, b := range s.Bookings {
		ids = append(ids, b.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestScheduleSeesEveryBookingChange: Schedule keeps bookings in memory,
// so right after a booking is made, cancelled or moved (to another day
// too) the next Schedule must show it, though the days were read just
// before.
func TestScheduleSeesEveryBookingChange(t *testing.T) {
	ctx := context.Background()
	actor := booking.Actor{Kind: "customer"}
	nextDay := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	week := func(tb testing.TB, db *sqlite.Store) []string {
		return scheduleIDs(tb, db, at(0, 0), at(0, 0).AddDate(0, 0, 7))
	}
	tests := []struct {
		name   string
		change func(tb testing.TB, db *sqlite.Store, b *booking.Booking)
		want   func(b *booking.Booking) (day1, day2 []string)
	}{
		{
			name: "made",
			change: func(tb testing.TB, db *sqlite.Store, b *booking.Booking) {
				*b = *MustCreateBooking(tb, db, req{ID: "bk_new", Artisan: "ben", Start: at(15, 0)})
			},
			want: func(b *booking.Booking) ([]string, []string) { return []string{"bk_new", "bk_old"}, []string{} },
		},
		{
			name: "cancelled",
			change: func(tb testing.TB, db *sqlite.Store, b *booking.Booking) {
				_, err := db.CancelBooking(ctx, "bk_old", actor)
				mustNoErr(tb, err)
			},
			want: func(b *booking.Booking) ([]string, []string) { return []string{}, []string{} },
		},
		{
			name: "moved within the day",
			change: func(tb testing.TB, db *sqlite.Store, b *booking.Booking) {
				nb := newBooking(req{Artisan: "ana", Start: at(16, 0)}).Booking
				_, err := db.RescheduleBooking(ctx, "bk_old", nb.Start, nb.End, nb.BlockStart, nb.BlockEnd, actor,
					func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{ArtisanID: "ben"}, nil })
				mustNoErr(tb, err)
			},
			want: func(b *booking.Booking) ([]string, []string) { return []string{"bk_old"}, []string{} },
		},
		{
			name: "moved to the next day",
			change: func(tb testing.TB, db *sqlite.Store, b *booking.Booking) {
				nb := newBooking(req{Artisan: "ana", Start: nextDay(at(11, 0))}).Booking
				_, err := db.RescheduleBooking(ctx, "bk_old", nb.Start, nb.End, nb.BlockStart, nb.BlockEnd, actor,
					func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{ArtisanID: "ana"}, nil })
				mustNoErr(tb, err)
			},
			want: func(b *booking.Booking) ([]string, []string) { return []string{}, []string{"bk_old"} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			MustCreateBooking(t, db, req{ID: "bk_old", Artisan: "ana", Start: at(11, 0)})
			// Read the days (and so cache them) before the change.
			week(t, db)
			if got := scheduleIDs(t, db, nextDay(at(0, 0)), nextDay(at(23, 59))); len(got) != 0 {
				t.Fatalf("next day before the change: %v", got)
			}
			var b booking.Booking
			tt.change(t, db, &b)
			want1, want2 := tt.want(&b)
			if got := scheduleIDs(t, db, at(0, 0), at(23, 59)); !slices.Equal(got, want1) {
				t.Errorf("the day: bookings %v, want %v", got, want1)
			}
			if got := scheduleIDs(t, db, nextDay(at(0, 0)), nextDay(at(23, 59))); !slices.Equal(got, want2) {
				t.Errorf("the next day: bookings %v, want %v", got, want2)
			}
			// And the moved booking's times are the new ones.
			s, err := db.Schedule(ctx, at(0, 0), at(0, 0).AddDate(0, 0, 7))
			mustNoErr(t, err)
			fromDB, err := db.ScheduleFromDB(ctx, at(0, 0), at(0, 0).AddDate(0, 0, 7))
			mustNoErr(t, err)
			if !reflect.DeepEqual(sortedBookings(s.Bookings), sortedBookings(fromDB.Bookings)) {
				t.Errorf("Schedule bookings\n%+v\nthe database's\n%+v", s.Bookings, fromDB.Bookings)
			}
		})
	}
}

func sortedBookings(bs []booking.Booking) []booking.Booking {
	bs = slices.Clone(bs)
	slices.SortFunc(bs, func(a, b booking.Booking) int {
		if c := a.BlockStart.Compare(b.BlockStart); c != 0 {
			return c
		}
		return stringsCompare(a.ID, b.ID)
	})
	return bs
}

func stringsCompare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestScheduleMatchesDatabase: after a random run of bookings made,
// cancelled and moved, Schedule gives for any window exactly the bookings
// (and their times) the database gives, windows that start or end mid-day
// and blocks that cross midnight UTC included.
func TestScheduleMatchesDatabase(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	r := rand.New(rand.NewPCG(1, 2))
	actor := booking.Actor{Kind: "customer"}
	base := at(0, 0) // midnight in Singapore is 16:00 UTC the day before
	randomStart := func() time.Time {
		return base.Add(time.Duration(r.IntN(5*24*4)) * 15 * time.Minute)
	}
	var ids []string
	check := func(step int) {
		for range 5 {
			from := base.Add(time.Duration(r.IntN(6*24*60)-24*60) * time.Minute)
			to := from.Add(time.Duration(1+r.IntN(3*24*60)) * time.Minute)
			got, err := db.Schedule(ctx, from, to)
			mustNoErr(t, err)
			want, err := db.ScheduleFromDB(ctx, from, to)
			mustNoErr(t, err)
			if !reflect.DeepEqual(sortedBookings(got.Bookings), sortedBookings(want.Bookings)) {
				t.Fatalf("step %d, window %s-%s: Schedule gives\n%+v\nthe database\n%+v", step, from, to, got.Bookings, want.Bookings)
			}
		}
	}
	for step := range 150 {
		switch k := r.IntN(10); {
		case k < 6 || len(ids) == 0:
			artisan := []string{"ana", "ben"}[r.IntN(2)]
			nb := newBooking(req{Artisan: artisan, Start: randomStart()})
			b, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
			if booking.ErrorCode(err) == booking.CodeSlotUnavailable {
				continue
			}
			mustNoErr(t, err)
			ids = append(ids, b.ID)
		case k < 8:
			id := ids[r.IntN(len(ids))]
			if _, err := db.CancelBooking(ctx, id, actor); err != nil && booking.ErrorCode(err) != booking.CodeBookingCancelled {
				t.Fatal(err)
			}
		default:
			id := ids[r.IntN(len(ids))]
			cur, err := db.Booking(ctx, id)
			mustNoErr(t, err)
			nb := newBooking(req{Artisan: cur.ArtisanID, Start: randomStart()})
			_, err = db.RescheduleBooking(ctx, id, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd, actor, place(nb, id))
			if err != nil && booking.ErrorCode(err) != booking.CodeSlotUnavailable && booking.ErrorCode(err) != booking.CodeBookingCancelled {
				t.Fatal(err)
			}
		}
		check(step)
	}
	if len(ids) < 50 {
		t.Fatalf("only %d bookings made: the run did not exercise the cache", len(ids))
	}
}

// TestScheduleKeepsNoDayReadBeforeAChange forces the interleaving a
// cache of reads must survive: a request reads a day from the database,
// and before it stores what it read a booking on that day is made and its
// call returns. A request that starts then (the load still in progress)
// and every later one must see the booking: the stale read is neither
// joined nor kept.
func TestScheduleKeepsNoDayReadBeforeAChange(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	from, to := at(0, 0), at(0, 0).AddDate(0, 0, 7)
	MustCreateBooking(t, db, req{ID: "bk_a", Artisan: "ana", Start: at(11, 0)})
	scheduleIDs(t, db, from, to) // every day of the week cached
	// A change updates the cached day; forgotten, the next request reads
	// it again.
	MustCreateBooking(t, db, req{ID: "bk_b", Artisan: "ben", Start: at(11, 0)})
	db.ForgetScheduleDay(at(11, 0))
	fired := false
	var during []string
	var duringErr error
	db.SetScheduleReadHook(func() {
		if fired {
			return
		}
		fired = true
		// The day has been read without bk_late; its load is not over.
		MustCreateBooking(t, db, req{ID: "bk_late", Artisan: "ana", Start: at(15, 0)})
		// A request made now, after the call returned. Were it to join
		// the load in progress, it would wait for this very goroutine:
		// the deadline turns that into an error instead of a hang.
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		s, err := db.Schedule(wait, from, to)
		if duringErr = err; err == nil {
			for _, b := range s.Bookings {
				during = append(during, b.ID)
			}
			slices.Sort(during)
		}
	})
	overlapping := scheduleIDs(t, db, from, to)
	db.SetScheduleReadHook(nil)
	if !fired {
		t.Fatal("the day changed was not read from the database again")
	}
	if !slices.Contains(overlapping, "bk_b") {
		t.Errorf("the read that overlapped bk_late gives %v: bk_b, made before it, is missing", overlapping)
	}
	want := []string{"bk_a", "bk_b", "bk_late"}
	if duringErr != nil {
		t.Errorf("a request made after bk_late returned, during the stale load: %v", duringErr)
	} else if !slices.Equal(during, want) {
		t.Errorf("a request made after bk_late returned, during the stale load, gives %v, want %v", during, want)
	}
	if got := scheduleIDs(t, db, from, to); !slices.Equal(got, want) {
		t.Errorf("after the stale load: %v, want %v", got, want)
	}
}

// TestScheduleNeverMissesAReturnedChange: readers racing a run of bookings
// made, cancelled and moved to another day always see every change whose
// call had returned before their read began.
//
// A booking counts as settled for a read only if no call on it began
// before the read ended: a cancellation or a move that begins after the
// read began overlaps it, and the read may see it or not.
func TestScheduleNeverMissesAReturnedChange(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	from, to := at(0, 0), at(0, 0).AddDate(0, 0, 7)
	// entry is what the writer has done to a booking: calls counts the
	// calls begun on it, settled is whether the last one returned, and
	// then blockStart is where it is (zero: cancelled).
	type entry struct {
		calls      int
		settled    bool
		blockStart time.Time
	}
	var mu sync.Mutex
	state := map[string]entry{}
	begin := func(id string) {
		mu.Lock()
		e := state[id]
		e.calls++
		e.settled = false
		state[id] = e
		mu.Unlock()
	}
	settle := func(id string, blockStart time.Time) {
		mu.Lock()
		e := state[id]
		e.settled, e.blockStart = true, blockStart
		state[id] = e
		mu.Unlock()
	}
	snapshot := func() map[string]entry {
		mu.Lock()
		defer mu.Unlock()
		out := make(map[string]entry, len(state))
		for id, e := range state {
			out[id] = e
		}
		return out
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads, checked atomic.Int64
	defer func() { stop.Store(true); wg.Wait() }()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				before := snapshot()
				s, err := db.Schedule(ctx, from, to)
				if err != nil {
					t.Error(err)
					return
				}
				after := snapshot()
				reads.Add(1)
				got := map[string]time.Time{}
				for _, b := range s.Bookings {
					got[b.ID] = b.BlockStart
				}
				for id, e := range before {
					if !e.settled || after[id].calls != e.calls {
						continue // a call on it overlapped the read
					}
					checked.Add(1)
					bs, ok := got[id]
					switch {
					case e.blockStart.IsZero() && ok:
						t.Errorf("booking %s, cancelled before the read, is still there", id)
						return
					case !e.blockStart.IsZero() && !ok:
						t.Errorf("booking %s, made or moved before the read, is missing", id)
						return
					case ok && !bs.Equal(e.blockStart):
						t.Errorf("booking %s, moved before the read to a block starting %s, starts %s", id, e.blockStart, bs)
						return
					}
				}
			}
		}()
	}
	actor := booking.Actor{Kind: "customer"}
	for i := range 60 {
		// Six days, two artisans, five two-hour slots each.
		id := fmt.Sprintf("bk_%02d", i)
		artisan := []string{"ana", "ben"}[(i/6)%2]
		start := at(8, 0).AddDate(0, 0, i%6).Add(time.Duration(i/12) * 2 * time.Hour)
		begin(id)
		b := MustCreateBooking(t, db, req{ID: id, Artisan: artisan, Start: start})
		settle(id, b.BlockStart)
		switch i % 3 {
		case 0:
			begin(id)
			if _, err := db.CancelBooking(ctx, id, actor); err != nil {
				t.Fatal(err)
			}
			settle(id, time.Time{})
		case 1:
			// To the seventh day, where the slot may be taken: then the
			// booking stays where it is.
			nb := newBooking(req{Artisan: artisan, Start: at(8, 0).AddDate(0, 0, 6).Add(time.Duration(i%5) * 2 * time.Hour)})
			begin(id)
			moved, err := db.RescheduleBooking(ctx, id, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd, actor, place(nb, id))
			switch {
			case err == nil:
				settle(id, moved.BlockStart)
			case booking.ErrorCode(err) == booking.CodeSlotUnavailable:
				settle(id, b.BlockStart)
			default:
				t.Fatal(err)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if reads.Load() < 20 || checked.Load() < 200 {
		t.Fatalf("only %d reads and %d checks: the readers did not race the writes", reads.Load(), checked.Load())
	}
}
