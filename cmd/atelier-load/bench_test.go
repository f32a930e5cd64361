package main

// Speed benchmarks of docs/PERFORMANCE.md. They live beside the load tool,
// not in the packages they measure, because they wire the real store, engine,
// application and API together as cmd/atelier does, and so that the bare
// SQLite comparison runs in the same process and the same run.
//
//	go test ./cmd/atelier-load -run '^$' -bench . -benchtime 2s

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// bareDSN is the store's DSN: the same pragmas for the bare comparison.
const bareDSN = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"

var (
	benchLoc = mustLoadLocation("Asia/Singapore")
	// benchDay0 is the first day of the 62-day window the calendar fills.
	benchDay0 = time.Date(2027, 1, 4, 0, 0, 0, 0, benchLoc)
	// benchNow is the clock of every benchmark: the day before the window.
	benchNow = benchDay0.Add(-15 * time.Hour)
)

const (
	benchDays     = 62
	benchOpen     = 9 * 60  // 09:00
	benchClose    = 21 * 60 // 21:00
	benchInterval = 15      // minutes; the "fitting" service lasts one interval
	benchSlots    = (benchClose - benchOpen) / benchInterval
)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// benchCatalog is testdata/load.yaml with n artisans: open 09:00-21:00
// every day, 2 rooms, a 15-minute fitting and a 60-minute design
// consultation with buffers, both in person and virtual.
func benchCatalog(n int) *booking.Catalog {
	var week booking.WeekHours
	for d := range week {
		week[d] = []booking.Span{{Start: benchOpen, End: benchClose}}
	}
	cat := &booking.Catalog{
		Atelier: booking.Atelier{
			Name: "Bench Atelier", Timezone: "Asia/Singapore", Location: benchLoc,
			Address: "41A Keong Saik Road, Singapore 089145", Email: "hello@load.example",
			Rooms: []booking.Room{{ID: "salon", Name: "The Salon"}, {ID: "stone-room", Name: "The Stone Room"}},
			Hours: week,
			Rules: booking.Rules{MinNotice: time.Hour, HorizonDays: 365, SlotInterval: benchInterval * time.Minute},
		},
		Services: []booking.Service{
			{ID: "fitting", Name: "Quick fitting", Duration: benchInterval * time.Minute, Modes: []booking.Mode{booking.InPerson, booking.Virtual}},
			{
				ID: "design", Name: "Bespoke design consultation", Duration: time.Hour, Modes: []booking.Mode{booking.InPerson, booking.Virtual},
				Buffers: map[booking.Mode]booking.Buffer{
					booking.InPerson: {Before: 15 * time.Minute, After: 10 * time.Minute},
					booking.Virtual:  {After: 5 * time.Minute},
				},
			},
		},
	}
	for i := range n {
		id := fmt.Sprintf("artisan-%02d", i)
		cat.Artisans = append(cat.Artisans, booking.Artisan{
			ID: id, Name: "Artisan " + id, Email: id + "@load.example", Services: []string{"fitting", "design"}, Hours: week,
		})
		for s := range cat.Services {
			cat.Services[s].Artisans = append(cat.Services[s].Artisans, id)
		}
	}
	return cat
}

// seeded is a calendar filled with fittings, and the (slot, artisan) pairs
// it left free, shuffled.
type seeded struct {
	taken, free []pair
	inPerson    map[string]string // artisan → room, for artisans seeded in person
}

// seedPlan spreads n fittings over the 62 days and artisans: each artisan
// day gets its share at random slots. Artisans 0 and 1 see visitors in
// person, each always in their own room, so no room is ever double-booked;
// the others give video calls.
func seedPlan(artisans, n int) seeded {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	s := seeded{inPerson: map[string]string{"artisan-00": "salon", "artisan-01": "stone-room"}}
	cells := artisans * benchDays
	for d := range benchDays {
		day := benchDay0.AddDate(0, 0, d)
		for a := range artisans {
			k := n / cells
			if (d*artisans + a) < n%cells {
				k++
			}
			for j, idx := range r.Perm(benchSlots) {
				p := pair{day.Add(time.Duration(benchOpen+idx*benchInterval) * time.Minute), fmt.Sprintf("artisan-%02d", a)}
				if j < k {
					s.taken = append(s.taken, p)
				} else {
					s.free = append(s.free, p)
				}
			}
		}
	}
	r.Shuffle(len(s.free), func(i, j int) { s.free[i], s.free[j] = s.free[j], s.free[i] })
	return s
}

// MustOpenSeededStore opens a store on a new file with benchCatalog(artisans)
// and n confirmed bookings written straight into the file in one
// transaction (the overlap triggers still check each row).
func MustOpenSeededStore(tb testing.TB, artisans, n int) (*sqlite.Store, seeded) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "atelier.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.SyncCatalog(ctx, benchCatalog(artisans)); err != nil {
		tb.Fatal(err)
	}
	plan := seedPlan(artisans, n)
	raw, err := sql.Open("sqlite", "file:"+path+bareDSN)
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id,
		start_at, end_at, block_start, block_end, customer_name, customer_email, created_at, updated_at)
		VALUES (?, 'confirmed', 'fitting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	const layout = "2006-01-02T15:04:05.000Z"
	created := benchNow.UTC().Add(-24 * time.Hour).Format(layout)
	for i, p := range plan.taken {
		mode, room := "virtual", any(nil)
		if r, ok := plan.inPerson[p.artisan]; ok {
			mode, room = "in_person", r
		}
		st, en := p.start.UTC().Format(layout), p.start.Add(benchInterval*time.Minute).UTC().Format(layout)
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("bk_seed%06d", i), mode, p.artisan, room, st, en, st, en,
			"Seed Customer", fmt.Sprintf("seed%d@load.example", i), created, created); err != nil {
			tb.Fatalf("seeding booking %d: %v", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return db, plan
}

// BenchmarkBookingTx measures the booking transaction of the store: BEGIN
// IMMEDIATE, the schedule of the day either side, the engine's placement
// check, the insert under the overlap triggers, the audit row and COMMIT
// with synchronous=FULL; one booking at a time, as the single writer
// connection serialises them anyway.
func BenchmarkBookingTx(b *testing.B) {
	for _, size := range []struct{ artisans, bookings int }{{8, 10000}, {25, 50000}} {
		b.Run(fmt.Sprintf("artisans=%d/bookings=%d", size.artisans, size.bookings), func(b *testing.B) {
			db, plan := MustOpenSeededStore(b, size.artisans, size.bookings)
			ctx := context.Background()
			cat, err := db.Catalog(ctx)
			if err != nil {
				b.Fatal(err)
			}
			svc := &cat.Services[0]
			i := 0
			for b.Loop() {
				if i >= len(plan.free) {
					b.Fatalf("ran out of free slots after %d bookings", i)
				}
				p := plan.free[i]
				i++
				end, bs, be := availability.Times(svc, booking.Virtual, p.start)
				h := sha256.Sum256([]byte(fmt.Sprint("bench", i)))
				nb := booking.NewBooking{
					Booking: booking.Booking{
						ServiceID: svc.ID, Mode: booking.Virtual, ArtisanID: p.artisan,
						Start: p.start, End: end, BlockStart: bs, BlockEnd: be,
						Customer: booking.Customer{Name: "Bench", Email: "bench@load.example"},
					},
					TokenHash: h[:],
					Actor:     booking.Actor{Kind: "customer"},
				}
				place := func(s *booking.Schedule) (booking.Placement, error) {
					return availability.Place(s, availability.Request{ServiceID: svc.ID, Mode: booking.Virtual, Start: p.start, ArtisanID: p.artisan}, benchNow)
				}
				if _, _, err := db.CreateBooking(ctx, nb, place); err != nil {
					b.Fatalf("booking %d (%s %s): %v", i, p.artisan, p.start, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bookings/s")
		})
	}
}

// MustStartAPI serves the JSON API over a seeded store on a loopback
// port, wired as cmd/atelier wires it (rate limit off).
func MustStartAPI(tb testing.TB, artisans, n int) (*httptest.Server, seeded) {
	tb.Helper()
	db, plan := MustOpenSeededStore(tb, artisans, n)
	logger := slog.New(slog.DiscardHandler)
	a := app.New(app.Deps{Store: db, Now: func() time.Time { return benchNow }, Logger: logger, PublicURL: "http://127.0.0.1"})
	edge := httpx.New(httpx.Config{PublicURL: "http://127.0.0.1"}, logger)
	httpapi.New(edge, a)
	hs := httptest.NewServer(edge.Handler())
	tb.Cleanup(hs.Close)
	hs.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	return hs, plan
}

// BenchmarkEndpointVsBare compares, in one run, the booking endpoint
// (POST /api/v1/bookings over loopback HTTP: decoding, validation,
// idempotency, engine, store, triggers, audit, response) with a bare SQLite
// "check overlap, then insert" transaction on the same pragmas and the same
// 10,000-booking calendar, both driven by parallel clients through one
// writer connection. It logs the ratio endpoint/bare (goal: at least 0.5).
func BenchmarkEndpointVsBare(b *testing.B) {
	const artisans, n = 8, 10000
	var bare, endpoint float64
	b.Run("bare", func(b *testing.B) {
		ctx := context.Background()
		path := filepath.Join(b.TempDir(), "bare.db")
		db, err := sql.Open("sqlite", "file:"+path+bareDSN)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.ExecContext(ctx, `CREATE TABLE bookings (id INTEGER PRIMARY KEY, artisan TEXT NOT NULL,
			start_at TEXT NOT NULL, end_at TEXT NOT NULL, customer TEXT NOT NULL);
			CREATE INDEX bookings_artisan ON bookings (artisan, start_at)`); err != nil {
			b.Fatal(err)
		}
		plan := seedPlan(artisans, n)
		const layout = "2006-01-02T15:04:05.000Z"
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range plan.taken {
			if _, err := tx.ExecContext(ctx, "INSERT INTO bookings (artisan, start_at, end_at, customer) VALUES (?, ?, ?, 'seed')",
				p.artisan, p.start.UTC().Format(layout), p.start.Add(benchInterval*time.Minute).UTC().Format(layout)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1) - 1
				if i >= int64(len(plan.free)) {
					b.Error("ran out of free slots")
					return
				}
				p := plan.free[i]
				st, en := p.start.UTC().Format(layout), p.start.Add(benchInterval*time.Minute).UTC().Format(layout)
				if err := bareBook(ctx, db, p.artisan, st, en); err != nil {
					b.Error(err)
					return
				}
			}
		})
		bare = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(bare, "bookings/s")
	})
	b.Run("endpoint", func(b *testing.B) {
		hs, plan := MustStartAPI(b, artisans, n)
		hc := hs.Client()
		var next atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1) - 1
				if i >= int64(len(plan.free)) {
					b.Error("ran out of free slots")
					return
				}
				p := plan.free[i]
				body, _ := json.Marshal(bookingRequest{Service: "fitting", Mode: "virtual", Start: p.start, Artisan: p.artisan,
					Customer: customer{Name: "Bench Customer", Email: "bench@load.example"}})
				res, err := hc.Post(hs.URL+"/api/v1/bookings", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				msg, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					b.Errorf("POST /api/v1/bookings: %d %s", res.StatusCode, msg)
					return
				}
			}
		})
		endpoint = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(endpoint, "bookings/s")
	})
	if bare > 0 && endpoint > 0 {
		b.Logf("endpoint %.0f bookings/s, bare SQLite %.0f bookings/s: ratio %.2f (goal >= 0.50)", endpoint, bare, endpoint/bare)
	}
}

// bareBook is the least a correct booking can do: in one BEGIN IMMEDIATE
// transaction, check that the artisan has nothing overlapping, then insert.
func bareBook(ctx context.Context, db *sql.DB, artisan, start, end string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var clash bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM bookings
		WHERE artisan = ? AND start_at < ? AND end_at > ?)`, artisan, end, start).Scan(&clash); err != nil {
		return err
	}
	if clash {
		return fmt.Errorf("bare: %s at %s is taken", artisan, start)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO bookings (artisan, start_at, end_at, customer) VALUES (?, ?, ?, 'bench')", artisan, start, end); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkAvailabilityHTTP measures GET /api/v1/availability over loopback
// HTTP with 10,000 bookings, for windows of 1, 7 and 31 days, from
// parallel clients: the cost per read behind the mixed-load p99.
func BenchmarkAvailabilityHTTP(b *testing.B) {
	hs, _ := MustStartAPI(b, 8, 10000)
	for _, days := range []int{1, 7, 31, 62} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) { benchAvailabilityHTTP(b, hs, days) })
	}
}

// BenchmarkAvailabilityHTTPManyArtisans is BenchmarkAvailabilityHTTP on an
// atelier of 100 artisans: 10,000 bookings (about 1.6 per artisan and day,
// so most of the 100 are free at most times and each slot lists about 95)
// and a filled calendar of 124,000 (20 per artisan and day, the density
// of the 8-artisan calendar). It reports the heap in use after the run.
func BenchmarkAvailabilityHTTPManyArtisans(b *testing.B) {
	for _, n := range []int{10000, 124000} {
		b.Run(fmt.Sprintf("artisans=100/bookings=%d", n), func(b *testing.B) {
			hs, _ := MustStartAPI(b, 100, n)
			for _, days := range []int{1, 7, 62} {
				b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
					benchAvailabilityHTTP(b, hs, days)
					var ms runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&ms)
					b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
				})
			}
		})
	}
}

// benchAvailabilityHTTP asks hs for the fitting's video calls over windows
// of days days from parallel clients, each window one day on from the last.
func benchAvailabilityHTTP(b *testing.B, hs *httptest.Server, days int) {
	hc := hs.Client()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			from := benchDay0.AddDate(0, 0, int(next.Add(1)%int64(benchDays-days+1)))
			q := url.Values{"service": {"fitting"}, "mode": {"virtual"},
				"from": {from.Format(dateLayout)}, "to": {from.AddDate(0, 0, days-1).Format(dateLayout)}}
			res, err := hc.Get(hs.URL + "/api/v1/availability?" + q.Encode())
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("availability: %d", res.StatusCode)
				return
			}
		}
	})
}
