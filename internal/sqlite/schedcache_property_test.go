package sqlite_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// The schedule cache keeps its days across writes (schedcache.go,
// scheduleCache.changed): a committed change replaces each cached day it
// touched with the day as the database now holds it, instead of dropping
// it. These tests compare the cache with the database after every kind of
// write the store makes, and after writes that SQLite rolled back in part.

// teamTestCatalog is the test catalogue with a third artisan and a service
// that needs two artisans together.
func teamTestCatalog() *booking.Catalog {
	c := testCatalog()
	c.Services = append(c.Services, booking.Service{
		ID: "duo", Name: "Design with goldsmith and gemmologist", Duration: time.Hour,
		Modes:          []booking.Mode{booking.InPerson, booking.Virtual},
		Buffers:        map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 10 * time.Minute, After: 5 * time.Minute}},
		ArtisansNeeded: 2,
	})
	week := c.Artisans[0].Hours
	c.Artisans = append(c.Artisans, booking.Artisan{ID: "cal", Name: "Cal", Email: "cal@example.com", Services: []string{"duo"}, Hours: week})
	for i := range c.Artisans[:2] {
		c.Artisans[i].Services = append(c.Artisans[i].Services, "duo")
	}
	return c
}

// blindPlace accepts the booking's own artisan (and team) and room: only
// the database's overlap triggers stand in the way, so a clash is refused
// by SQLite inside the transaction.
func blindPlace(artisan, room string, team []string) booking.PlaceFunc {
	return func(*booking.Schedule) (booking.Placement, error) {
		return booking.Placement{ArtisanID: artisan, RoomID: room, Artisans: team}, nil
	}
}

// spec is a booking to make or a place to move one to.
type spec struct {
	service string
	mode    booking.Mode
	team    []string // ArtisanID first; one for a booking of one artisan
	room    string
	start   time.Time
}

// newFromSpec is the NewBooking of s (pending when pending).
func newFromSpec(id string, s spec, pending bool) booking.NewBooking {
	nb := newBooking(req{ID: id, Service: "design", Mode: s.mode, Artisan: s.team[0], Start: s.start})
	if s.service == "duo" {
		nb.Booking.ServiceID = "duo"
		nb.Booking.End = s.start.Add(time.Hour)
		nb.Booking.BlockStart, nb.Booking.BlockEnd = s.start, nb.Booking.End
		if s.mode == booking.InPerson {
			nb.Booking.BlockStart, nb.Booking.BlockEnd = s.start.Add(-10*time.Minute), nb.Booking.End.Add(5*time.Minute)
		}
		nb.Booking.Artisans = s.team
	}
	if pending {
		nb.Booking.Status, nb.Booking.DecideBy = booking.Pending, testNow.Add(36*time.Hour)
	}
	return nb
}

// placement is the PlaceFunc that puts s where it says.
func (s spec) placement() booking.PlaceFunc {
	var team []string
	if len(s.team) > 1 {
		team = s.team
	}
	return blindPlace(s.team[0], s.room, team)
}

// flatHolds is the holds of runs in one list, by block start then id.
func flatHolds(runs [][]booking.Hold) []booking.Hold {
	var out []booking.Hold
	for _, run := range runs {
		out = append(out, run...)
	}
	slices.SortFunc(out, func(a, b booking.Hold) int {
		if c := cmp.Compare(a.BlockStart, b.BlockStart); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// checkRunsOrdered fails unless each run is in block start order, as the
// engine reads them.
func checkRunsOrdered(tb testing.TB, runs [][]booking.Hold) {
	tb.Helper()
	for _, run := range runs {
		for i := 1; i < len(run); i++ {
			if run[i].BlockStart < run[i-1].BlockStart {
				tb.Fatalf("a cached day is out of order: %s before %s", run[i-1].ID, run[i].ID)
			}
		}
	}
}

// checkCacheMatchesDB fails unless the cached schedule of [from, to), as
// AvailabilitySchedule and Schedule give it, is what the database holds.
func checkCacheMatchesDB(tb testing.TB, db *sqlite.Store, from, to time.Time, what string) {
	tb.Helper()
	ctx := context.Background()
	got, err := db.AvailabilitySchedule(ctx, from, to)
	mustNoErr(tb, err)
	checkRunsOrdered(tb, got.Holds)
	want, err := db.ScheduleHoldsFromDB(ctx, from, to)
	mustNoErr(tb, err)
	if g, w := flatHolds(got.Holds), flatHolds(want); !reflect.DeepEqual(g, w) {
		tb.Fatalf("%s, window %s-%s: the cache holds\n%+v\nthe database\n%+v", what, from, to, g, w)
	}
	s, err := db.Schedule(ctx, from, to)
	mustNoErr(tb, err)
	fromDB, err := db.ScheduleFromDB(ctx, from, to)
	mustNoErr(tb, err)
	if g, w := sortedBookings(s.Bookings), sortedBookings(fromDB.Bookings); !reflect.DeepEqual(g, w) {
		tb.Fatalf("%s, window %s-%s: Schedule gives\n%+v\nthe database\n%+v", what, from, to, g, w)
	}
}

// TestScheduleCacheMatchesDatabaseAcrossWrites is a differential test of
// the cache kept across writes: a random run of bookings made (one
// artisan or a team of two, confirmed or pending requests), double
// bookings the database refuses, moves (to another day, artisan or team),
// cancellations (five in one transaction too), requests confirmed and
// declined, erasures, and transactions in which SQLite rolled back a statement or a savepoint
// after it had written a booking row, while readers read the schedule
// and forget days (so that days are read from the database while changes
// commit). After each step, every window's bookings from the cache are
// exactly the database's, team members, statuses and times included.
func TestScheduleCacheMatchesDatabaseAcrossWrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWith(t, teamTestCatalog())
	// Erasures write more bookings than this: their days are dropped
	// (maxRereadIDs), the other steps' read again.
	db.SetScheduleRereadLimit(4)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 18))
	base := at(0, 0) // 16:00 UTC the day before: blocks cross UTC midnight
	span := [2]time.Time{base.AddDate(0, 0, -1), base.AddDate(0, 0, 5)}
	randomStart := func(r *rand.Rand) time.Time {
		return base.Add(time.Duration(r.IntN(4*24*4)) * 15 * time.Minute)
	}
	artisans := []string{"ana", "ben", "cal"}
	randomSpec := func() spec {
		s := spec{service: "design", mode: booking.Virtual, start: randomStart(r)}
		if r.IntN(4) == 0 {
			s.service = "duo"
			i := r.IntN(3)
			s.team = []string{artisans[i], artisans[(i+1+r.IntN(2))%3]}
		} else {
			s.team = []string{artisans[r.IntN(2)]} // cal offers only duo
		}
		if r.IntN(3) == 0 {
			s.mode, s.room = booking.InPerson, []string{"salon", "studio"}[r.IntN(2)]
		}
		return s
	}

	var loads atomic.Int64
	db.SetScheduleReadHook(func() { loads.Add(1) })
	defer db.SetScheduleReadHook(nil)

	// Readers race the writes; they check only that reads work and that
	// the cached days are ordered: the writer compares after each step.
	var stop atomic.Bool
	var wg sync.WaitGroup
	defer func() { stop.Store(true); wg.Wait() }()
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(seed, uint64(g)))
			for !stop.Load() {
				if rr.IntN(3) == 0 {
					db.ForgetScheduleDay(span[0].Add(time.Duration(rr.IntN(6*24)) * time.Hour))
				}
				from := span[0].Add(time.Duration(rr.IntN(5*24*60)) * time.Minute)
				to := from.Add(time.Duration(1+rr.IntN(2*24*60)) * time.Minute)
				if rr.IntN(2) == 0 {
					s, err := db.AvailabilitySchedule(ctx, from, to)
					if err != nil {
						t.Error(err)
						return
					}
					for _, run := range s.Holds {
						for i := 1; i < len(run); i++ {
							if run[i].BlockStart < run[i-1].BlockStart {
								t.Errorf("a cached day is out of order: %s before %s", run[i-1].ID, run[i].ID)
								return
							}
						}
					}
				} else if _, err := db.Schedule(ctx, from, to); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}

	type made struct {
		id   string
		spec spec
	}
	var all []made
	holding := func() []made {
		var out []made
		for _, m := range all {
			b, err := db.Booking(ctx, m.id)
			mustNoErr(t, err)
			if b.Status.Holds() {
				out = append(out, m)
			}
		}
		return out
	}
	counts := map[string]int{}
	kinds := []string{"made", "team made", "requested", "refused", "moved", "cancelled", "decided", "erased", "cancelled together", "rolled back"}
	exercised := func() bool {
		return !slices.ContainsFunc(kinds, func(k string) bool { return counts[k] < 2 })
	}
	// At least 300 steps, and on until every kind of step ran twice (a
	// seed may draw few of one kind): the check below then fails only when
	// a kind cannot happen at all.
	for step := 0; step < 300 || step < 3000 && !exercised(); step++ {
		var kind string
		switch k := r.IntN(20); {
		case k < 7 || len(all) == 0:
			kind = "made"
			s := randomSpec()
			pending := r.IntN(4) == 0
			nb := newFromSpec(fmt.Sprintf("bk_%03d", step), s, pending)
			_, _, err := db.CreateBooking(ctx, nb, s.placement())
			if booking.ErrorCode(err) == booking.CodeSlotUnavailable {
				kind = "refused"
				break
			}
			mustNoErr(t, err)
			all = append(all, made{nb.Booking.ID, s})
			if pending {
				kind = "requested"
			}
			if len(s.team) > 1 {
				counts["team made"]++
			}
		case k < 9:
			// A double booking: the same artisan at the same time.
			hs := holding()
			if len(hs) == 0 {
				continue
			}
			m := hs[r.IntN(len(hs))]
			s := spec{service: "design", mode: booking.Virtual, team: m.spec.team[:1], start: m.spec.start}
			if s.team[0] == "cal" {
				s.service, s.team = "duo", []string{"cal", "ana"}
			}
			nb := newFromSpec(fmt.Sprintf("bk_%03d", step), s, false)
			_, _, err := db.CreateBooking(ctx, nb, s.placement())
			if booking.ErrorCode(err) != booking.CodeSlotUnavailable {
				t.Fatalf("step %d: a double booking of %s over %s: %v, want slot_unavailable", step, s.team[0], m.id, err)
			}
			kind = "refused"
		case k < 12:
			kind = "moved"
			m := all[r.IntN(len(all))]
			if hs := holding(); len(hs) > 0 && r.IntN(4) > 0 {
				m = hs[r.IntN(len(hs))]
			}
			s := randomSpec()
			s.service, s.mode, s.room = m.spec.service, m.spec.mode, m.spec.room
			if s.service == "duo" {
				i := r.IntN(3)
				s.team = []string{artisans[i], artisans[(i+1+r.IntN(2))%3]}
			} else {
				s.team = []string{artisans[r.IntN(2)]}
			}
			b := newFromSpec(m.id, s, false).Booking
			_, err := db.RescheduleBooking(ctx, m.id, b.Start, b.End, b.BlockStart, b.BlockEnd, booking.Actor{Kind: "staff"}, s.placement())
			switch {
			case err != nil && slices.Contains([]string{booking.CodeSlotUnavailable, booking.CodeBookingCancelled, booking.CodeRequestPending}, booking.ErrorCode(err)):
				kind = "move refused"
			default:
				mustNoErr(t, err)
				for i := range all {
					if all[i].id == m.id {
						all[i].spec = s
					}
				}
			}
		case k < 14:
			kind = "cancelled"
			m := all[r.IntN(len(all))]
			if hs := holding(); len(hs) > 0 && r.IntN(4) > 0 {
				m = hs[r.IntN(len(hs))]
			}
			if _, err := db.CancelBooking(ctx, m.id, booking.Actor{Kind: "customer"}); booking.ErrorCode(err) == booking.CodeBookingCancelled {
				kind = "cancel refused"
			} else {
				mustNoErr(t, err)
			}
		case k < 16:
			kind = "decided"
			m := all[r.IntN(len(all))]
			var pending []made
			for _, h := range holding() {
				if b, err := db.Booking(ctx, h.id); err == nil && b.Status == booking.Pending {
					pending = append(pending, h)
				}
			}
			if len(pending) > 0 && r.IntN(4) > 0 {
				m = pending[r.IntN(len(pending))]
			}
			d := booking.Decision{Status: booking.Confirmed}
			if r.IntN(2) == 0 {
				d = booking.Decision{Status: booking.Declined, Reason: "The goldsmith is away"}
			}
			if _, err := db.DecideRequest(ctx, m.id, d, booking.Actor{Kind: "staff"}); err != nil {
				if booking.ErrorKind(err) != booking.ECONFLICT {
					t.Fatalf("step %d: decide %s: %v", step, m.id, err)
				}
				kind = "decision refused"
			}
		case k < 17:
			kind = "erased"
			res, err := db.ErasePersonalData(ctx, booking.Erasure{EndedBefore: randomStart(r)}, booking.Actor{Kind: "system"})
			mustNoErr(t, err)
			if res.Bookings > 4 {
				counts["erased past the reread limit"]++
			}
		case k < 18:
			// More bookings in one transaction than the cache reads
			// again: their days are dropped.
			kind = "cancelled together"
			hs := holding()
			if len(hs) < 5 {
				continue
			}
			args := []any{}
			for _, i := range r.Perm(len(hs))[:5] {
				args = append(args, hs[i].id)
			}
			errs, err := db.ExecAllInTx(ctx, sqlite.Statement{Query: `UPDATE bookings SET status = 'cancelled' WHERE id IN (?, ?, ?, ?, ?)`, Args: args})
			mustNoErr(t, err)
			mustNoErr(t, errs[0])
		default:
			kind = "rolled back"
			hs := holding()
			if len(hs) == 0 {
				continue
			}
			m := hs[r.IntN(len(hs))]
			other := hs[r.IntN(len(hs))]
			// Each statement writes a booking row that SQLite then takes
			// back: a foreign key checked at the end of the statement,
			// a savepoint rolled back, a multi-row UPDATE stopped by
			// the overlap trigger on its second row (when the two
			// bookings are the same artisan's and the first lands on
			// the second). The transaction commits what is left.
			errs, err := db.ExecAllInTx(ctx,
				sqlite.Statement{Query: `UPDATE bookings SET artisan_id = 'nobody' WHERE id = ?`, Args: []any{m.id}},
				sqlite.Statement{Query: `SAVEPOINT cache_test`},
				sqlite.Statement{Query: `UPDATE bookings SET status = 'cancelled' WHERE id = ?`, Args: []any{m.id}},
				sqlite.Statement{Query: `UPDATE bookings SET block_start = '2026-12-11T20:00:00.000Z', start_at = '2026-12-11T20:00:00.000Z',
					end_at = '2026-12-11T20:30:00.000Z', block_end = '2026-12-11T20:30:00.000Z' WHERE id = ?`, Args: []any{other.id}},
				sqlite.Statement{Query: `ROLLBACK TO cache_test`},
				sqlite.Statement{Query: `RELEASE cache_test`},
				sqlite.Statement{Query: `UPDATE bookings SET block_start = '2026-12-11T21:00:00.000Z', start_at = '2026-12-11T21:00:00.000Z',
					end_at = '2026-12-11T21:30:00.000Z', block_end = '2026-12-11T21:30:00.000Z'
					WHERE id IN (?, ?) AND ? <> ? AND (SELECT count(DISTINCT artisan_id) FROM bookings WHERE id IN (?, ?)) = 1
						AND NOT EXISTS (SELECT 1 FROM bookings WHERE id IN (?, ?) AND extra_artisans <> '')`,
					Args: []any{m.id, other.id, m.id, other.id, m.id, other.id, m.id, other.id}},
			)
			mustNoErr(t, err)
			if errs[0] == nil {
				t.Fatalf("step %d: the foreign key did not refuse an unknown artisan", step)
			}
			for _, i := range []int{1, 2, 4, 5} {
				mustNoErr(t, errs[i])
			}
			if errs[6] != nil {
				counts["second row refused"]++
			}
		}
		counts[kind]++
		checkCacheMatchesDB(t, db, span[0], span[1], fmt.Sprintf("step %d (%s)", step, kind))
		for range 3 {
			from := span[0].Add(time.Duration(r.IntN(5*24*60)) * time.Minute)
			to := from.Add(time.Duration(1+r.IntN(2*24*60)) * time.Minute)
			checkCacheMatchesDB(t, db, from, to, fmt.Sprintf("step %d (%s)", step, kind))
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("steps %v; days read from the database: %d", counts, loads.Load())
	for _, k := range kinds {
		if counts[k] < 2 {
			t.Errorf("only %d steps %q: the run did not exercise them", counts[k], k)
		}
	}
}

// TestScheduleCacheKeepsDaysAcrossWrites: once a week is cached, no kind
// of booking change sends the next read of that week to the database
// (before, every write dropped its days and the next reads read them
// again: 14 % of the server's CPU under the mixed load), and the read
// shows the change.
func TestScheduleCacheKeepsDaysAcrossWrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWith(t, teamTestCatalog())
	from, to := at(0, 0).AddDate(0, 0, -1), at(0, 0).AddDate(0, 0, 7)
	MustCreateBooking(t, db, req{ID: "bk_a", Artisan: "ana", Start: at(11, 0)})
	staff := booking.Actor{Kind: "staff"}
	single := func(artisan string, start time.Time) spec {
		return spec{service: "design", mode: booking.Virtual, team: []string{artisan}, start: start}
	}
	create := func(id string, s spec, pending bool) func(tb testing.TB) {
		return func(tb testing.TB) {
			nb := newFromSpec(id, s, pending)
			_, _, err := db.CreateBooking(ctx, nb, s.placement())
			mustNoErr(tb, err)
		}
	}
	move := func(id string, s spec) func(tb testing.TB) {
		return func(tb testing.TB) {
			b := newFromSpec(id, s, false).Booking
			_, err := db.RescheduleBooking(ctx, id, b.Start, b.End, b.BlockStart, b.BlockEnd, staff, s.placement())
			mustNoErr(tb, err)
		}
	}
	steps := []struct {
		name   string
		change func(tb testing.TB)
	}{
		{"made", create("bk_b", single("ben", at(11, 0)), false)},
		{"visit made", create("bk_v", spec{service: "design", mode: booking.InPerson, team: []string{"ana"}, room: "salon", start: at(14, 0)}, false)},
		{"team made", create("bk_t", spec{service: "duo", mode: booking.Virtual, team: []string{"cal", "ben"}, start: at(16, 0)}, false)},
		{"request made", create("bk_r", single("ben", at(8, 0).AddDate(0, 0, 1)), true)},
		{"request confirmed", func(tb testing.TB) {
			_, err := db.DecideRequest(ctx, "bk_r", booking.Decision{Status: booking.Confirmed}, staff)
			mustNoErr(tb, err)
		}},
		{"second request declined", func(tb testing.TB) {
			create("bk_r2", single("ana", at(8, 0).AddDate(0, 0, 2)), true)(tb)
			_, err := db.DecideRequest(ctx, "bk_r2", booking.Decision{Status: booking.Declined, Reason: "Away"}, staff)
			mustNoErr(tb, err)
		}},
		{"double booking refused", func(tb testing.TB) {
			s := single("ana", at(11, 30))
			_, _, err := db.CreateBooking(ctx, newFromSpec("bk_x", s, false), s.placement())
			wantCode(tb, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
		}},
		{"moved within the day", move("bk_a", single("ana", at(17, 0)))},
		{"moved across UTC midnight", move("bk_b", single("ben", at(7, 30)))},
		{"moved to another day and artisan", move("bk_v", spec{service: "design", mode: booking.InPerson, team: []string{"ben"}, room: "studio", start: at(12, 0).AddDate(0, 0, 3)})},
		{"team moved and changed", move("bk_t", spec{service: "duo", mode: booking.Virtual, team: []string{"ana", "cal"}, start: at(10, 0).AddDate(0, 0, 1)})},
		{"cancelled", func(tb testing.TB) {
			_, err := db.CancelBooking(ctx, "bk_a", booking.Actor{Kind: "customer"})
			mustNoErr(tb, err)
		}},
		{"team cancelled", func(tb testing.TB) {
			_, err := db.CancelBooking(ctx, "bk_t", booking.Actor{Kind: "customer"})
			mustNoErr(tb, err)
		}},
		{"erased", func(tb testing.TB) {
			_, err := db.ErasePersonalData(ctx, booking.Erasure{EndedBefore: to}, booking.Actor{Kind: "system"})
			mustNoErr(tb, err)
		}},
		{"statement and savepoint rolled back", func(tb testing.TB) {
			errs, err := db.ExecAllInTx(ctx,
				sqlite.Statement{Query: `UPDATE bookings SET artisan_id = 'nobody' WHERE id = 'bk_b'`},
				sqlite.Statement{Query: `SAVEPOINT cache_test`},
				sqlite.Statement{Query: `UPDATE bookings SET status = 'cancelled' WHERE id = 'bk_v'`},
				sqlite.Statement{Query: `ROLLBACK TO cache_test`},
				sqlite.Statement{Query: `RELEASE cache_test`})
			mustNoErr(tb, err)
			if errs[0] == nil {
				tb.Fatal("the foreign key did not refuse an unknown artisan")
			}
		}},
	}
	var loads atomic.Int64
	db.SetScheduleReadHook(func() { loads.Add(1) })
	defer db.SetScheduleReadHook(nil)
	checkCacheMatchesDB(t, db, from, to, "before the changes") // and caches the days
	for _, st := range steps {
		loads.Store(0)
		st.change(t)
		checkCacheMatchesDB(t, db, from, to, st.name)
		if n := loads.Load(); n != 0 {
			t.Errorf("%s: %d days read again from the database, want none", st.name, n)
		}
	}
	// The end state, spelled out.
	got := scheduleIDs(t, db, from, to)
	if want := []string{"bk_b", "bk_r", "bk_v"}; !slices.Equal(got, want) {
		t.Errorf("at the end: bookings %v, want %v", got, want)
	}
}

// TestScheduleCacheMatchesDatabaseWithConcurrentWriters: several writers
// at once (whose calls the store may commit together, each in its own
// savepoint), making, moving and cancelling bookings of one artisan and of
// teams, and deciding requests, while readers read and forget days. Each
// time the writers are all done, the cache is exactly the database.
func TestScheduleCacheMatchesDatabaseWithConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDBWith(t, teamTestCatalog())
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	base := at(0, 0)
	span := [2]time.Time{base.AddDate(0, 0, -1), base.AddDate(0, 0, 4)}
	artisans := []string{"ana", "ben", "cal"}
	randomSpec := func(r *rand.Rand, service string, mode booking.Mode) spec {
		s := spec{service: service, mode: mode, start: base.Add(time.Duration(r.IntN(3*24*4)) * 15 * time.Minute)}
		if service == "duo" {
			i := r.IntN(3)
			s.team = []string{artisans[i], artisans[(i+1+r.IntN(2))%3]}
		} else {
			s.team = []string{artisans[r.IntN(2)]}
		}
		if mode == booking.InPerson {
			s.room = []string{"salon", "studio"}[r.IntN(2)]
		}
		return s
	}
	type made struct {
		id            string
		service       string
		mode          booking.Mode
		pending, team bool
	}
	var mu sync.Mutex
	var all []made
	pick := func(r *rand.Rand) (made, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(all) == 0 {
			return made{}, false
		}
		return all[r.IntN(len(all))], true
	}

	var stop atomic.Bool
	var readers sync.WaitGroup
	defer func() { stop.Store(true); readers.Wait() }()
	for g := range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			rr := rand.New(rand.NewPCG(seed, uint64(100+g)))
			for !stop.Load() {
				if rr.IntN(3) == 0 {
					db.ForgetScheduleDay(span[0].Add(time.Duration(rr.IntN(5*24)) * time.Hour))
				}
				from := span[0].Add(time.Duration(rr.IntN(4*24*60)) * time.Minute)
				if _, err := db.AvailabilitySchedule(ctx, from, from.Add(time.Duration(1+rr.IntN(24*60))*time.Minute)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}

	var done atomic.Int64
	for round := range 15 {
		var writers sync.WaitGroup
		for w := range 4 {
			writers.Add(1)
			go func() {
				defer writers.Done()
				r := rand.New(rand.NewPCG(seed, uint64(round*10+w)))
				for op := range 5 {
					var err error
					switch k := r.IntN(10); {
					case k < 5:
						service, mode := "design", booking.Virtual
						if r.IntN(3) == 0 {
							service = "duo"
						}
						if r.IntN(3) == 0 {
							mode = booking.InPerson
						}
						s := randomSpec(r, service, mode)
						pending := r.IntN(4) == 0
						nb := newFromSpec(fmt.Sprintf("bk_%02d_%d_%d", round, w, op), s, pending)
						if _, _, err = db.CreateBooking(ctx, nb, s.placement()); err == nil {
							mu.Lock()
							all = append(all, made{nb.Booking.ID, service, mode, pending, service == "duo"})
							mu.Unlock()
						}
					case k < 7:
						m, ok := pick(r)
						if !ok {
							continue
						}
						s := randomSpec(r, m.service, m.mode)
						b := newFromSpec(m.id, s, false).Booking
						_, err = db.RescheduleBooking(ctx, m.id, b.Start, b.End, b.BlockStart, b.BlockEnd, booking.Actor{Kind: "staff"}, s.placement())
					case k < 9:
						m, ok := pick(r)
						if !ok {
							continue
						}
						_, err = db.CancelBooking(ctx, m.id, booking.Actor{Kind: "customer"})
					default:
						m, ok := pick(r)
						if !ok || !m.pending {
							continue
						}
						_, err = db.DecideRequest(ctx, m.id, booking.Decision{Status: []booking.Status{booking.Confirmed, booking.Declined}[r.IntN(2)]}, booking.Actor{Kind: "staff"})
					}
					if err != nil && booking.ErrorKind(err) != booking.ECONFLICT {
						t.Errorf("round %d, writer %d: %v", round, w, err)
						return
					}
					done.Add(1)
				}
			}()
		}
		writers.Wait()
		if t.Failed() {
			return
		}
		checkCacheMatchesDB(t, db, span[0], span[1], fmt.Sprintf("round %d", round))
	}
	if done.Load() < 200 {
		t.Fatalf("only %d writes done", done.Load())
	}
}
