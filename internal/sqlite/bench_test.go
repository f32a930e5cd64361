package sqlite_test

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mail"
	"github.com/atelier-app/atelier/internal/sqlite"
)

const benchArtisans = 8

// benchCatalog is the test atelier with 8 artisans offering design.
func benchCatalog() *booking.Catalog {
	c := testCatalog()
	c.Artisans = nil
	for i := range benchArtisans {
		c.Artisans = append(c.Artisans, booking.Artisan{
			ID: fmt.Sprintf("a%d", i), Name: fmt.Sprintf("Artisan %d", i),
			Services: []string{"design"}, Hours: c.Atelier.Hours,
		})
	}
	return c
}

var benchStart = time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC)

// seedBookings inserts n confirmed bookings, 90-minute calls every two
// hours round the clock, spread over the artisans; every fourth is a visit
// in one of the two rooms. It returns the first free instant after them.
func seedBookings(tb testing.TB, db *sqlite.Store, n int) time.Time {
	tb.Helper()
	raw := rawDB(tb, db)
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id, start_at, end_at,
		block_start, block_end, customer_name, customer_email, created_at, updated_at)
		VALUES (?, 'confirmed', 'design', ?, ?, ?, ?, ?, ?, ?, 'C', 'c@example.com', ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	f := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	var t time.Time
	for i := range n {
		artisan := i % benchArtisans
		t = benchStart.Add(time.Duration(i/benchArtisans) * 2 * time.Hour)
		mode, room := "virtual", any(nil)
		if artisan < 2 {
			mode, room = "in_person", []string{"salon", "studio"}[artisan]
		}
		end := t.Add(90 * time.Minute)
		if _, err := stmt.Exec(fmt.Sprintf("seed%05d", i), mode, fmt.Sprintf("a%d", artisan), room,
			f(t), f(end), f(t), f(end), f(testNow), f(testNow)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return t.Add(2 * time.Hour)
}

// BenchmarkCreateBooking books one slot after another on a file database
// (WAL, synchronous=FULL: each commit waits for the disk) that already
// holds 10,000 bookings.
func BenchmarkCreateBooking(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	next := seedBookings(b, db, 10_000)
	ctx := context.Background()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		r := req{Artisan: fmt.Sprintf("a%d", i%benchArtisans), Start: next.Add(time.Duration(i/benchArtisans) * 2 * time.Hour)}
		nb := newBooking(r)
		if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCreateBookingParallel is BenchmarkCreateBooking with
// GOMAXPROCS goroutines booking at once (-test.cpu 16: sixteen clients),
// each its own slots: the writes queue for the one write connection, and
// each transaction's COMMIT waits for the disk.
func BenchmarkCreateBookingParallel(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	next := seedBookings(b, db, 10_000)
	ctx := context.Background()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1) - 1)
			r := req{Artisan: fmt.Sprintf("a%d", i%benchArtisans), Start: next.Add(time.Duration(i/benchArtisans) * 2 * time.Hour)}
			nb := newBooking(r)
			if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bookings/s")
}

// BenchmarkSchedule loads the schedule of a 62-day availability window
// from a database holding 10,000 bookings.
func BenchmarkSchedule(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	seedBookings(b, db, 10_000)
	ctx := context.Background()
	from := benchStart.Add(30 * 24 * time.Hour)
	to := from.Add(62 * 24 * time.Hour)
	s, err := db.Schedule(ctx, from, to)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(s.Bookings)), "bookings/op")
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.Schedule(ctx, from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateVisitsWithMail books visits (in person, the room chosen
// by the placement) from 16 goroutines at once, each with its mail jobs
// made by the real mail.Jobs, on a database of 10,000 bookings. A visit's
// jobs are made inside its transaction (its room is the placement's
// choice): since 2026-12-02 they hold their messages' facts, which the
// mail worker renders when it sends them. (Rendering the messages before
// the transaction for the room the engine proposes on the read side's
// schedule was tried earlier that day and cost more CPU than it saved;
// PERFORMANCE.md.)
func BenchmarkCreateVisitsWithMail(b *testing.B) {
	c := benchCatalog()
	db := MustOpenDBWith(b, c)
	next := seedBookings(b, db, 10_000)
	db.Jobs = mail.Jobs(mail.Options{
		From: &gomail.Address{Name: "Atelier", Address: "bookings@example.com"}, PublicURL: "https://book.example.com",
		Catalog: func() *booking.Catalog { return c }, Now: time.Now, ReminderBefore: 24 * time.Hour,
	})
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(8) // 16 goroutines on 2 cores
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			r := req{Artisan: fmt.Sprintf("a%d", i%benchArtisans), Mode: booking.InPerson, Start: next.Add(time.Duration(i) * 2 * time.Hour)}
			nb := newBooking(r)
			if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "bookings/s")
}

// BenchmarkJobWorker is the mail worker's store side for each job: claimed
// in batches of 10, then completed, one transaction each (the worker's
// drain after a run of bookings, with no bookings to share a commit with).
func BenchmarkJobWorker(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	ctx := context.Background()
	jobs := make([]booking.Job, b.N)
	for i := range jobs {
		jobs[i] = booking.Job{Queue: "mail", Kind: "test", Payload: []byte("a message")}
	}
	if err := db.Enqueue(ctx, jobs...); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for done := 0; done < b.N; {
		claimed, err := db.ClaimJobs(ctx, "mail", testNow.Add(time.Hour), 10, time.Minute)
		if err != nil || len(claimed) == 0 {
			b.Fatalf("claimed %d, %v", len(claimed), err)
		}
		for _, j := range claimed {
			if err := db.CompleteJob(ctx, j.ID); err != nil {
				b.Fatal(err)
			}
			done++
		}
	}
}

// BenchmarkCreateBookingPages books as BenchmarkCreateBookingParallel
// does, in groups of exactly 16 calls to one transaction (a gate holds the
// writer while they queue, as the group-commit tests do), with the WAL
// never checkpointed, and reports the pages each booking adds to the WAL:
// every one is written, and fsynced, at its group's COMMIT. With
// ATELIER_WAL_PAGES_BY_TREE=1 it logs them by table and index (the page
// number in each WAL frame's header, found in dbstat).
func BenchmarkCreateBookingPages(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	next := seedBookings(b, db, 10_000)
	ctx := context.Background()
	if err := db.SetAutocheckpoint(ctx, 0); err != nil {
		b.Fatal(err)
	}
	wal := db.Path() + "-wal"
	// One booking first, so that the WAL has restarted after the seed.
	first := newBooking(req{Artisan: "a0", Start: next.Add(-365 * 24 * time.Hour)})
	if _, _, err := db.CreateBooking(ctx, first, place(first, "")); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(wal)
	if err != nil {
		b.Fatal(err)
	}
	before := fi.Size()
	const group = 16
	b.ResetTimer()
	for i := 0; i < b.N; i += group {
		g := holdWriter(b, db)
		var errs []<-chan error
		for k := i; k < min(i+group, b.N); k++ {
			r := req{Artisan: fmt.Sprintf("a%d", k%benchArtisans), Start: next.Add(time.Duration(k/benchArtisans) * 2 * time.Hour)}
			nb := newBooking(r)
			errs = append(errs, g.start(func() error { _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); return err }))
		}
		if err := g.open(); err != nil {
			b.Fatal(err)
		}
		for _, e := range errs {
			if err := <-e; err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	frames, err := os.ReadFile(wal)
	if err != nil {
		b.Fatal(err)
	}
	const frameSize = 24 + 4096 // header and page
	b.ReportMetric(float64(int64(len(frames))-before)/frameSize/float64(b.N), "pages/booking")
	if os.Getenv("ATELIER_WAL_PAGES_BY_TREE") == "" {
		return
	}
	owner := map[uint32]string{}
	rows, err := rawDB(b, db).Query(`SELECT name, pageno FROM dbstat`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var name string
		var page uint32
		if err := rows.Scan(&name, &page); err != nil {
			b.Fatal(err)
		}
		owner[page] = name
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	byTree := map[string]int{}
	for off := before; off+frameSize <= int64(len(frames)); off += frameSize {
		byTree[owner[binary.BigEndian.Uint32(frames[off:])]]++
	}
	names := slices.SortedFunc(maps.Keys(byTree), func(x, y string) int { return cmp.Compare(byTree[y], byTree[x]) })
	for _, n := range names {
		b.Logf("%-32s %.2f pages/booking", n, float64(byTree[n])/float64(b.N))
	}
}
