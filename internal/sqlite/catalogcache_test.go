package sqlite_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// TestCatalogCacheSeesEveryChange: the store keeps the catalogue in memory,
// so after every kind of catalogue change the next Catalog, Schedule and
// booking transaction must see the change, even when the catalogue was read
// (and cached) just before it.
func TestCatalogCacheSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	monday := hours(`{"mon":[["11:00","12:00"]]}`)
	tests := []struct {
		name   string
		change func(tb testing.TB, db *sqlite.Store)
		check  func(c *booking.Catalog) bool // reports whether c shows the change
	}{
		{
			name:   "opening hours",
			change: func(tb testing.TB, db *sqlite.Store) { mustNoErr(tb, db.SetOpeningHours(ctx, monday, staff)) },
			check:  func(c *booking.Catalog) bool { return jsonOf(c.Atelier.Hours) == jsonOf(monday) },
		},
		{
			name:   "working hours",
			change: func(tb testing.TB, db *sqlite.Store) { mustNoErr(tb, db.SetWorkingHours(ctx, "ben", monday, staff)) },
			check:  func(c *booking.Catalog) bool { return jsonOf(c.Artisan("ben").Hours) == jsonOf(monday) },
		},
		{
			name: "closure added",
			change: func(tb testing.TB, db *sqlite.Store) {
				_, err := db.AddClosure(ctx, booking.Closure{From: day, To: day, Reason: "Stocktake"}, staff)
				mustNoErr(tb, err)
			},
			check: func(c *booking.Catalog) bool { return len(c.Atelier.Closures) == 2 },
		},
		{
			name: "closure deleted",
			change: func(tb testing.TB, db *sqlite.Store) {
				cl, err := db.AddClosure(ctx, booking.Closure{From: day, To: day}, staff)
				mustNoErr(tb, err)
				mustCatalog(tb, db)
				mustNoErr(tb, db.DeleteClosure(ctx, cl.ID, staff))
			},
			check: func(c *booking.Catalog) bool { return len(c.Atelier.Closures) == 1 },
		},
		{
			name: "time off added",
			change: func(tb testing.TB, db *sqlite.Store) {
				_, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(10, 0), End: at(12, 0)}, staff)
				mustNoErr(tb, err)
			},
			check: func(c *booking.Catalog) bool { return len(c.Artisan("ana").TimeOff) == 1 },
		},
		{
			name: "time off deleted",
			change: func(tb testing.TB, db *sqlite.Store) {
				to, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(10, 0), End: at(12, 0)}, staff)
				mustNoErr(tb, err)
				mustCatalog(tb, db)
				mustNoErr(tb, db.DeleteTimeOff(ctx, "ana", to.ID, staff))
			},
			check: func(c *booking.Catalog) bool { return c.Artisan("ana") != nil && len(c.Artisan("ana").TimeOff) == 0 },
		},
		{
			name: "catalogue synced from the file",
			change: func(tb testing.TB, db *sqlite.Store) {
				cat := testCatalog()
				cat.Artisans = cat.Artisans[:1] // Ben leaves
				_, err := db.SyncCatalog(ctx, cat)
				mustNoErr(tb, err)
			},
			check: func(c *booking.Catalog) bool { return len(c.Artisans) == 1 && c.Artisan("ben") == nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			// Fill the cache through each path.
			mustCatalog(t, db)
			if _, err := db.Schedule(ctx, at(0, 0), at(23, 0)); err != nil {
				t.Fatal(err)
			}
			tt.change(t, db)

			if c := mustCatalog(t, db); !tt.check(c) {
				t.Errorf("Catalog does not show the change: %+v", c)
			}
			s, err := db.Schedule(ctx, at(0, 0), at(23, 0))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(&s.Catalog) {
				t.Errorf("Schedule does not show the change: %+v", s.Catalog)
			}
			// The booking transaction's own check sees it too.
			nb := newBooking(req{Service: "design", Mode: booking.Virtual, Artisan: "ana", Start: at(15, 0)})
			var inTx *booking.Catalog
			_, _, err = db.CreateBooking(ctx, nb, func(s *booking.Schedule) (booking.Placement, error) {
				inTx = &s.Catalog
				return booking.Placement{ArtisanID: "ana"}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(inTx) {
				t.Errorf("the booking transaction's schedule does not show the change: %+v", inTx)
			}
		})
	}
}

// TestCatalogCallerOwnsCopy: a caller changing the catalogue it got does
// not change what the next caller gets.
func TestCatalogCallerOwnsCopy(t *testing.T) {
	db := MustOpenDB(t)
	c := mustCatalog(t, db)
	c.Services[0].Buffers[booking.InPerson] = booking.Buffer{Before: time.Hour}
	c.Services[0].Artisans[0] = "someone"
	c.Artisans[0].Hours[time.Monday] = nil
	c.Atelier.Rooms[0].Name = "changed"

	got := mustCatalog(t, db)
	want := testCatalog()
	if got.Services[0].Buffers[booking.InPerson] != want.Services[0].Buffers[booking.InPerson] ||
		got.Services[0].Artisans[0] != "ana" || len(got.Artisans[0].Hours[time.Monday]) != 1 ||
		got.Atelier.Rooms[0].Name != want.Atelier.Rooms[0].Name {
		t.Errorf("a caller's change leaked into the next catalogue: %+v", got)
	}
}

// TestCatalogCacheNeverStale: readers racing a run of catalogue writes
// never see a catalogue older than the last write that had returned before
// their read began, and once the writes stop everyone sees the last one.
func TestCatalogCacheNeverStale(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	const writes = 40
	// Version v closes Ben's Monday at 12:00 + v minutes.
	version := func(c *booking.Catalog) int {
		spans := c.Artisan("ben").Hours[time.Monday]
		if len(spans) != 1 || spans[0].Start != 10*60 {
			return -1 // the test catalogue's own hours
		}
		return int(spans[0].End) - 12*60
	}
	var committed atomic.Int64
	committed.Store(-1)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				least := int(committed.Load())
				var c *booking.Catalog
				if r%2 == 0 {
					c = mustCatalog(t, db)
				} else {
					s, err := db.Schedule(ctx, at(0, 0), at(23, 0))
					if err != nil {
						t.Error(err)
						return
					}
					c = &s.Catalog
				}
				if v := version(c); v < least {
					t.Errorf("read version %d after version %d was committed", v, least)
					return
				}
			}
		}()
	}
	for v := range writes {
		var w booking.WeekHours
		w[time.Monday] = []booking.Span{{Start: 10 * 60, End: booking.Clock(12*60 + v)}}
		if err := db.SetWorkingHours(ctx, "ben", w, staff); err != nil {
			t.Fatal(err)
		}
		committed.Store(int64(v))
	}
	close(done)
	wg.Wait()
	if v := version(mustCatalog(t, db)); v != writes-1 {
		t.Errorf("after the writes: version %d, want %d", v, writes-1)
	}
}
