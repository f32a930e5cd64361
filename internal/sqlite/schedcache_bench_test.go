package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// manyArtisansCatalog is benchCatalog with n artisans.
func manyArtisansCatalog(n int) *booking.Catalog {
	c := testCatalog()
	c.Artisans = nil
	for i := range n {
		c.Artisans = append(c.Artisans, booking.Artisan{
			ID: fmt.Sprintf("a%d", i), Name: fmt.Sprintf("Artisan %d", i),
			Services: []string{"design"}, Hours: c.Atelier.Hours,
		})
	}
	return c
}

// seedDays fills days days from benchStart for artisans a0 ... a(n-2) as
// seedBookings does (90-minute calls every two hours round the clock, one
// in four a visit... of the first two artisans), leaving a(n-1) free.
func seedDays(tb testing.TB, db *sqlite.Store, n, days int) {
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
	for slot := range days * 12 {
		t := benchStart.Add(time.Duration(slot) * 2 * time.Hour)
		end := t.Add(90 * time.Minute)
		for a := range n - 1 {
			mode, room := "virtual", any(nil)
			if a < 2 {
				mode, room = "in_person", []string{"salon", "studio"}[a]
			}
			if _, err := stmt.Exec(fmt.Sprintf("seed%03d_%05d", a, slot), mode, fmt.Sprintf("a%d", a), room,
				f(t), f(end), f(t), f(end), f(testNow), f(testNow)); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkReadsWhileBooking is the mixed load's pattern on one store:
// each operation is a write on a day (a booking made, or the one made
// before cancelled: one in two each) followed by three 1-day
// availability reads of that day (AvailabilitySchedule, as the
// availability endpoint reads it), on a calendar of 10 full days of 8
// or 100 artisans (12 bookings a day each). The writes go round five
// days. Before the cache kept its days across writes, each write dropped
// its day and the first read after it read the day from the database
// again.
func BenchmarkReadsWhileBooking(b *testing.B) {
	for _, n := range []int{8, 100} {
		b.Run(fmt.Sprintf("artisans=%d", n), func(b *testing.B) {
			db := MustOpenDBWith(b, manyArtisansCatalog(n))
			seedDays(b, db, n, 10)
			ctx := context.Background()
			free := fmt.Sprintf("a%d", n-1)
			slot := func(k int) time.Time {
				return benchStart.AddDate(0, 0, 2+k%5).Add(time.Duration((k/5)%12) * 2 * time.Hour)
			}
			// Every day read once before the clock starts, as a server
			// that has answered for a while holds them.
			if _, err := db.AvailabilitySchedule(ctx, benchStart, benchStart.AddDate(0, 0, 10)); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			i := 0
			var id string
			for b.Loop() {
				k := i / 2
				start := slot(k)
				if i%2 == 0 {
					nb := newBooking(req{ID: fmt.Sprintf("bk_%07d", i), Artisan: free, Start: start})
					bk, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
					if err != nil {
						b.Fatal(err)
					}
					id = bk.ID
				} else if _, err := db.CancelBooking(ctx, id, booking.Actor{Kind: "customer"}); err != nil {
					b.Fatal(err)
				}
				from := start.Truncate(24 * time.Hour)
				for range 3 {
					if _, err := db.AvailabilitySchedule(ctx, from, from.Add(24*time.Hour)); err != nil {
						b.Fatal(err)
					}
				}
				i++
			}
		})
	}
}
