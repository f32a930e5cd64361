package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// testNow is the store's clock in tests.
var testNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// day is a date in the tests' future; sgt is the atelier's zone.
var (
	sgt = mustZone("Asia/Singapore")
	day = booking.Date{Year: 2026, Month: time.December, Day: 8}
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at returns hh:mm on the test day in Singapore.
func at(hh, mm int) time.Time { return day.At(booking.Clock(hh*60+mm), sgt) }

func hours(spec string) booking.WeekHours {
	var w booking.WeekHours
	if err := w.UnmarshalJSON([]byte(spec)); err != nil {
		panic(err)
	}
	return w
}

// testCatalog is a small atelier: two rooms, two services, two artisans.
func testCatalog() *booking.Catalog {
	week := hours(`{"mon":[["10:00","19:00"]],"tue":[["10:00","19:00"]],"wed":[["10:00","19:00"]],
		"thu":[["10:00","19:00"]],"fri":[["10:00","19:00"]],"sat":[["10:00","17:00"]]}`)
	return &booking.Catalog{
		Atelier: booking.Atelier{
			Name: "Atelier Test", Timezone: "Asia/Singapore", Location: sgt,
			Address: "1 Jewel Lane", Phone: "+65 6000 0000", Email: "hello@example.com",
			Rooms: []booking.Room{{ID: "salon", Name: "Salon"}, {ID: "studio", Name: "Studio"}},
			Hours: week,
			Closures: []booking.Closure{
				{From: booking.Date{Year: 2026, Month: 12, Day: 25}, To: booking.Date{Year: 2026, Month: 12, Day: 25}, Reason: "Christmas"},
			},
			Rules: booking.Rules{MinNotice: 2 * time.Hour, HorizonDays: 90, SlotInterval: 30 * time.Minute, PendingFor: 36 * time.Hour},
		},
		Services: []booking.Service{
			{
				ID: "design", Name: "Bespoke design consultation", Duration: 90 * time.Minute,
				Modes:   []booking.Mode{booking.InPerson, booking.Virtual},
				Buffers: map[booking.Mode]booking.Buffer{booking.InPerson: {Before: 15 * time.Minute, After: 15 * time.Minute}},
			},
			{
				ID: "sizing", Name: "Ring sizing", Duration: 30 * time.Minute,
				Modes:   []booking.Mode{booking.InPerson},
				Buffers: map[booking.Mode]booking.Buffer{booking.InPerson: {After: 10 * time.Minute}},
			},
		},
		Artisans: []booking.Artisan{
			{ID: "ana", Name: "Ana", Email: "ana@example.com", Services: []string{"design", "sizing"}, Hours: week, DailyCap: 4},
			{ID: "ben", Name: "Ben", Email: "ben@example.com", Services: []string{"design"}, Hours: week},
		},
	}
}

// MustOpenDB opens a new file database in a temporary folder with the test
// catalogue and the test clock.
func MustOpenDB(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return MustOpenDBWith(tb, testCatalog())
}

// MustOpenDBWith is MustOpenDB with another catalogue.
func MustOpenDBWith(tb testing.TB, cat *booking.Catalog) *sqlite.Store {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "atelier.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	db.Now = func() time.Time { return testNow }
	if _, err := db.SyncCatalog(context.Background(), cat); err != nil {
		tb.Fatal(err)
	}
	return db
}

// rawDB opens a second, plain connection pool on db's file, for checks and
// for writes that bypass the store.
func rawDB(tb testing.TB, db *sqlite.Store) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

func count(tb testing.TB, db *sqlite.Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := rawDB(tb, db).QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// req describes a booking to make in a test.
type req struct {
	ID      string
	Service string
	Mode    booking.Mode
	Artisan string
	Start   time.Time
}

// newBooking builds the NewBooking for r with the test catalogue's
// durations and buffers.
func newBooking(r req) booking.NewBooking {
	if r.Service == "" {
		r.Service = "design"
	}
	if r.Mode == "" {
		r.Mode = booking.Virtual
	}
	svc := testCatalog().Service(r.Service)
	buf := svc.Buffers[r.Mode]
	end := r.Start.Add(svc.Duration)
	token := sha256.Sum256([]byte("token-" + r.ID + r.Start.String()))
	return booking.NewBooking{
		Booking: booking.Booking{
			ID: r.ID, ServiceID: r.Service, Mode: r.Mode, ArtisanID: r.Artisan,
			Start: r.Start, End: end, BlockStart: r.Start.Add(-buf.Before), BlockEnd: end.Add(buf.After),
			Customer: booking.Customer{Name: "Cleo Customer", Email: "cleo@example.com", Timezone: "Asia/Singapore"},
		},
		TokenHash: token[:],
		Actor:     booking.Actor{Kind: "customer"},
	}
}

// place is a simple PlaceFunc for tests: the requested artisan if they
// offer the service and are free over the block, and for a visit the first
// free room. The booking with id self (being moved) is ignored.
func place(nb booking.NewBooking, self string) booking.PlaceFunc {
	b := nb.Booking
	return func(s *booking.Schedule) (booking.Placement, error) {
		a := s.Artisan(b.ArtisanID)
		if a == nil || !a.Offers(b.ServiceID) {
			return booking.Placement{}, booking.ErrSlotUnavailable("the artisan does not offer it")
		}
		roomBusy := map[string]bool{}
		for _, o := range s.Bookings {
			if o.ID == self || !booking.Overlaps(b.BlockStart, b.BlockEnd, o.BlockStart, o.BlockEnd) {
				continue
			}
			if o.ArtisanID == b.ArtisanID {
				return booking.Placement{}, booking.ErrSlotUnavailable("the artisan is busy")
			}
			if o.RoomID != "" {
				roomBusy[o.RoomID] = true
			}
		}
		for _, t := range a.TimeOff {
			if booking.Overlaps(b.BlockStart, b.BlockEnd, t.Start, t.End) {
				return booking.Placement{}, booking.ErrSlotUnavailable("the artisan is away")
			}
		}
		p := booking.Placement{ArtisanID: b.ArtisanID}
		if b.Mode == booking.InPerson {
			for _, r := range s.Atelier.Rooms {
				if !roomBusy[r.ID] {
					p.RoomID = r.ID
					break
				}
			}
			if p.RoomID == "" {
				return booking.Placement{}, booking.ErrSlotUnavailable("no room is free")
			}
		}
		return p, nil
	}
}

// MustCreateBooking books r and fails the test if that fails.
func MustCreateBooking(tb testing.TB, db *sqlite.Store, r req) *booking.Booking {
	tb.Helper()
	nb := newBooking(r)
	b, _, err := db.CreateBooking(context.Background(), nb, place(nb, ""))
	if err != nil {
		tb.Fatalf("create booking %+v: %v", r, err)
	}
	return b
}

// wantCode fails unless err is a booking error with code.
func wantCode(tb testing.TB, err error, kind booking.Kind, code string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %s/%s", kind, code)
	}
	if booking.ErrorKind(err) != kind || booking.ErrorCode(err) != code {
		tb.Fatalf("got error %v (%s/%s), want %s/%s", err, booking.ErrorKind(err), booking.ErrorCode(err), kind, code)
	}
}

func TestOpen(t *testing.T) {
	t.Run("WALAndPing", func(t *testing.T) {
		db := MustOpenDB(t)
		raw := rawDB(t, db)
		var mode string
		if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		if err := db.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
	t.Run("ReopenKeepsData", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.db")
		ctx := context.Background()
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SyncCatalog(ctx, testCatalog()); err != nil {
			t.Fatal(err)
		}
		b := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		db.Close()
		db, err = sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, err := db.Booking(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Start.Equal(b.Start) || got.ArtisanID != "ana" {
			t.Errorf("after reopening got %+v, want %+v", got, b)
		}
	})
	t.Run("PathWithURLCharacters", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "my atelier #1?.db")
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("database not created at %q: %v", path, err)
		}
	})
	t.Run("NotADatabaseOfOurs", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("CREATE TABLE t (x)"); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		if db, err := sqlite.Open(context.Background(), path); err == nil {
			db.Close()
			t.Fatal("opened a foreign database, want an error")
		}
	})
}

func TestBookingTimesRoundTrip(t *testing.T) {
	db := MustOpenDB(t)
	start := at(14, 30).Add(123 * time.Millisecond)
	b := MustCreateBooking(t, db, req{Artisan: "ben", Start: start})
	got, err := db.Booking(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Start.Equal(start) || got.Start.Location() != time.UTC {
		t.Errorf("start = %v, want %v in UTC", got.Start, start)
	}
	if got.Status != booking.Confirmed || got.Sequence != 0 || !got.CreatedAt.Equal(testNow) {
		t.Errorf("got %+v, want confirmed, sequence 0, created at %v", got, testNow)
	}
	if _, err := db.BookingByManageToken(context.Background(), b.ID, newBooking(req{Artisan: "ben", Start: start}).TokenHash); err != nil {
		t.Errorf("the booking's manage token does not open it: %v", err)
	}
	if _, err := db.Booking(context.Background(), "bk_nope"); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("unknown booking: got %v, want ENOTFOUND", err)
	}
}
