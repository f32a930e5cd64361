package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestBookingReadsUseIndexes: every index of bookings is pages written at
// each booking's COMMIT, so the schema keeps only those the reads need
// (version 24 merged bookings_artisan_start into bookings_start). Each
// read of bookings by time, as the stores run it, still searches an index
// (no scan of the table), and the staff listings come in their order
// from it.
func TestBookingReadsUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := openDB(ctx, filepath.Join(t.TempDir(), "atelier.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const t0, t1 = "2027-01-01T00:00:00.000Z", "2027-01-08T00:00:00.000Z"
	for _, c := range []struct {
		name, query string
		args        []any
		want        string // in the plan
		sorted      bool   // no temp b-tree for the ORDER BY
	}{
		// staffview.go, BookingStore.Bookings
		{"staff listing", `SELECT ` + bookingColumns + ` FROM bookings WHERE start_at >= ? AND start_at < ? ORDER BY start_at, id`,
			[]any{t0, t1}, "bookings_start", true},
		{"staff listing of one artisan", `SELECT ` + bookingColumns + ` FROM bookings WHERE start_at >= ? AND start_at < ?
			AND (artisan_id = ? OR id IN (SELECT booking_id FROM booking_artisans WHERE artisan_id = ?)) ORDER BY start_at, id`,
			[]any{t0, t1, "ana", "ana"}, "bookings_start", true},
		// request.go, PendingRequests
		{"requests of one artisan", `SELECT ` + bookingColumns + ` FROM bookings WHERE status = 'pending' AND start_at >= ? AND artisan_id = ?
			ORDER BY decide_by, start_at, id`, []any{t0, "ana"}, "bookings_pending", false},
		{"orphans", `SELECT b.id FROM bookings AS b JOIN services AS s ON s.id = b.service_id JOIN artisans AS a ON a.id = b.artisan_id
			WHERE b.start_at > ? AND b.end_at > ? AND b.status IN ('confirmed', 'pending') AND (NOT s.active OR NOT a.active)
			ORDER BY b.start_at, b.id`, []any{t0, t0}, "bookings_start", true},
		{"schedule of one artisan", scheduleSelect + scheduleWhere(scheduleScope{artisanID: "a"}), []any{t0, t1, t0, "ana"}, "INDEX bookings_artisan_block", true},
		// the overlap trigger's probe (schema.sql)
		{"overlap probe", `SELECT b.block_end FROM bookings AS b WHERE b.status IN ('confirmed', 'pending') AND b.artisan_id = ?
			AND b.block_start < ? ORDER BY b.block_start DESC LIMIT 1`, []any{"ana", t1}, "INDEX bookings_artisan_block", true},
		{"schedule", scheduleSelect + scheduleWhere(scheduleScope{}), []any{t0, t1, t0}, "COVERING INDEX bookings_block", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.query, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			all := strings.Join(plan, "; ")
			// A scan of a partial index (bookings_pending) reads only its rows.
			table := regexp.MustCompile(`SCAN (bookings|b)(;|$| [^U])`)
			if !strings.Contains(all, c.want) || table.MatchString(all) {
				t.Errorf("plan %q, want a search of %s", all, c.want)
			}
			if c.sorted && strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("plan %q, want the rows in order from the index", all)
			}
		})
	}
}

// TestSearchIndexMergesSixteen: a new database and one upgraded from
// version 1 both have the search index merge its segments 16 at a time
// (version 24), and the search finds a booking among many, each its own
// segment, as before.
func TestSearchIndexMergesSixteen(t *testing.T) {
	ctx := context.Background()
	fresh, _ := openRaw(t)
	if err := migrate(ctx, fresh, migrations); err != nil {
		t.Fatal(err)
	}
	old, _ := createV1(t)
	if err := migrate(ctx, old, migrations); err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]*sql.DB{"new": fresh, "upgraded": old} {
		var v int
		if err := db.QueryRowContext(ctx, `SELECT v FROM booking_search_config WHERE k = 'automerge'`).Scan(&v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v != 16 {
			t.Errorf("%s: automerge = %d, want 16", name, v)
		}
	}
	// 100 rows, each its own transaction (its own segment), then a search.
	for i := range 100 {
		if _, err := fresh.ExecContext(ctx, `INSERT INTO booking_search (booking_id, text) VALUES (?, ?)`,
			fmt.Sprintf("bk_%03d", i), fmt.Sprintf("bk_%03d customer%03d c%03d@example.com", i, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	rows, err := fresh.QueryContext(ctx, `SELECT booking_id FROM booking_search WHERE text LIKE '%mer04%' ORDER BY booking_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	want := []string{"bk_040", "bk_041", "bk_042", "bk_043", "bk_044", "bk_045", "bk_046", "bk_047", "bk_048", "bk_049"}
	if !slices.Equal(got, want) {
		t.Errorf("search found %v, want %v", got, want)
	}
}
