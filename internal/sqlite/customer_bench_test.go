package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
)

var (
	benchFirst = []string{"Ada", "Grace", "Mei", "Arjun", "Siti", "Chloé", "Hiroshi", "Amara", "Lars", "Priya", "Tomás", "Ines"}
	benchLast  = []string{"Lovelace", "Hopper", "Tan", "Nair", "Rahman", "Dubois", "Sato", "Okafor", "Berg", "Iyer", "García", "Costa", "Lim", "Wong"}
)

// seedCustomers inserts n bookings (as seedBookings, through the trigger
// that fills the customers and the search index) made by n/3 customers
// with varied names, addresses and phone numbers; the booking ids are
// bk_seed00000 on.
func seedCustomers(tb testing.TB, db *sqlite.Store, n int) {
	tb.Helper()
	raw := rawDB(tb, db)
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO bookings (id, status, service_id, mode, artisan_id, start_at, end_at,
		block_start, block_end, customer_name, customer_email, customer_phone, created_at, updated_at)
		VALUES (?, 'confirmed', 'design', 'virtual', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	f := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	for i := range n {
		c := i / 3
		name := benchFirst[c%len(benchFirst)] + " " + benchLast[(c/len(benchFirst))%len(benchLast)] + fmt.Sprintf(" %d", c)
		email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
		phone := fmt.Sprintf("+65 9%03d %04d", c%1000, c)
		t := benchStart.Add(time.Duration(i/benchArtisans) * 2 * time.Hour)
		end := t.Add(90 * time.Minute)
		if _, err := stmt.Exec(fmt.Sprintf("bk_seed%05d", i), fmt.Sprintf("a%d", i%benchArtisans),
			f(t), f(end), f(t), f(end), name, email, phone, f(testNow), f(testNow)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestSearchReadsTheIndex: on 10,000 bookings a search of a part of a name
// is answered from the trigram index (the plan searches booking_search by
// its full-text index, and bookings by primary key), and finds what a
// plain scan finds.
func TestSearchReadsTheIndex(t *testing.T) {
	db := MustOpenDBWith(t, benchCatalog())
	seedCustomers(t, db, 10_000)
	raw := rawDB(t, db)
	rows, err := raw.Query(`EXPLAIN QUERY PLAN SELECT id FROM bookings WHERE id IN
		(SELECT booking_id FROM booking_search WHERE booking_search MATCH '"velac"') ORDER BY start_at DESC LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "VIRTUAL TABLE INDEX") || !strings.Contains(text, "USING INDEX sqlite_autoindex_bookings_1") && !strings.Contains(text, "PRIMARY KEY") {
		t.Errorf("the search does not read the index:\n%s", text)
	}

	got, err := db.SearchBookings(context.Background(), booking.SearchQuery{Terms: booking.SearchTerms("VELAC 12"), Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	var want int
	if err := raw.QueryRow(`SELECT count(*) FROM bookings WHERE lower(customer_name) LIKE '%velac%'
		AND (instr(lower(id || customer_name || customer_email), '12') > 0 OR instr(replace(replace(customer_phone, ' ', ''), '+', ''), '12') > 0)`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if len(got) != want || want == 0 {
		t.Errorf("search found %d bookings, a scan %d", len(got), want)
	}
}

// BenchmarkSearch: the staff search on a database of 10,000 bookings made
// by about 3,300 customers, bookings and customers at most 20 each.
func BenchmarkSearch(b *testing.B) {
	db := MustOpenDBWith(b, benchCatalog())
	seedCustomers(b, db, 10_000)
	ctx := context.Background()
	// What the index saves: the same words found by reading every booking.
	raw := rawDB(b, db)
	b.Run("ScanWithoutIndex/RareName", func(b *testing.B) {
		for b.Loop() {
			rows, err := raw.QueryContext(ctx, `SELECT id FROM bookings WHERE instr(lower(id || ' ' || customer_name || ' ' || customer_email), 'lovelace') > 0
				AND instr(lower(id || ' ' || customer_name || ' ' || customer_email), '1201') > 0 ORDER BY start_at DESC LIMIT 20`)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
		}
	})
	for _, q := range []struct{ name, text string }{
		{"RareName", "lovelace 1201"},
		{"CommonPart", "hop"},
		{"Reference", "BK_SEED04242"},
		{"Phone", "+65 9042"},
		{"ShortTerm", "ad"},
	} {
		sq := booking.SearchQuery{Terms: booking.SearchTerms(q.text), Limit: 20}
		b.Run("Bookings/"+q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.SearchBookings(ctx, sq); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Customers/"+q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.SearchCustomers(ctx, sq); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
