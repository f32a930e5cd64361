package main

// The PostgreSQL counterparts of the speed benchmarks (docs/PERFORMANCE.md),
// on the test binary's PostgreSQL server (pgtest: skipped without one):
//
//	ATELIER_REQUIRE_POSTGRES=1 go test ./cmd/atelier-load -run '^$' -bench 'Postgres' -benchtime 2s

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/postgres"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
)

// MustOpenSeededPostgres is MustOpenSeededStore on PostgreSQL: the same
// catalogue and the same n fittings, copied straight into the table (the
// exclusion constraints still check each row).
func MustOpenSeededPostgres(tb testing.TB, artisans, n int) (*postgres.Store, seeded) {
	tb.Helper()
	ctx := context.Background()
	dbURL := pgtest.Database(tb)
	db, err := postgres.Open(ctx, dbURL, postgres.Options{MaxConns: 32})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.SyncCatalog(ctx, benchCatalog(artisans)); err != nil {
		tb.Fatal(err)
	}
	plan := seedPlan(artisans, n)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	created := benchNow.UTC().Add(-24 * time.Hour)
	rows := make([][]any, len(plan.taken))
	for i, p := range plan.taken {
		mode, room := "virtual", any(nil)
		if r, ok := plan.inPerson[p.artisan]; ok {
			mode, room = "in_person", r
		}
		st, en := p.start.UTC(), p.start.Add(benchInterval*time.Minute).UTC()
		rows[i] = []any{fmt.Sprintf("bk_seed%06d", i), "confirmed", "fitting", mode, p.artisan, room, st, en, st, en,
			"Seed Customer", fmt.Sprintf("seed%d@load.example", i), created, created}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bookings"}, []string{"id", "status", "service_id", "mode", "artisan_id", "room_id",
		"start_at", "end_at", "block_start", "block_end", "customer_name", "customer_email", "created_at", "updated_at"},
		pgx.CopyFromRows(rows)); err != nil {
		tb.Fatalf("seeding: %v", err)
	}
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		tb.Fatal(err)
	}
	return db, plan
}

// MustStartAPIPostgres is MustStartAPI on PostgreSQL.
func MustStartAPIPostgres(tb testing.TB, artisans, n int) (*httptest.Server, seeded) {
	tb.Helper()
	db, plan := MustOpenSeededPostgres(tb, artisans, n)
	logger := slog.New(slog.DiscardHandler)
	a := app.New(app.Deps{Store: db, Now: func() time.Time { return benchNow }, Logger: logger, PublicURL: "http://127.0.0.1"})
	edge := httpx.New(httpx.Config{PublicURL: "http://127.0.0.1"}, logger)
	httpapi.New(edge, a)
	hs := httptest.NewServer(edge.Handler())
	tb.Cleanup(hs.Close)
	hs.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	return hs, plan
}

// BenchmarkPostgresEndpointVsBare compares, in one run on one PostgreSQL
// server, the booking endpoint (POST /api/v1/bookings over loopback HTTP on
// the PostgreSQL store) with a bare "check then insert": one READ
// COMMITTED transaction that takes the artisan's advisory lock (what makes
// the check hold against a concurrent insert, as the store does), checks
// the artisan has nothing overlapping and inserts, on a one-table schema
// with the same 10,000-booking calendar; both from parallel clients over
// a pool of 32 connections. It logs the ratio endpoint ÷ bare.
func BenchmarkPostgresEndpointVsBare(b *testing.B) {
	const artisans, n = 8, 10000
	var bare, endpoint float64
	b.Run("bare", func(b *testing.B) {
		ctx := context.Background()
		pool, err := pgxpool.New(ctx, pgtest.Database(b)+"&pool_max_conns=32")
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		if _, err := pool.Exec(ctx, `CREATE TABLE bookings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, artisan text NOT NULL,
			start_at timestamptz NOT NULL, end_at timestamptz NOT NULL, customer text NOT NULL);
			CREATE INDEX bookings_artisan ON bookings (artisan, start_at)`); err != nil {
			b.Fatal(err)
		}
		plan := seedPlan(artisans, n)
		rows := make([][]any, len(plan.taken))
		for i, p := range plan.taken {
			rows[i] = []any{p.artisan, p.start.UTC(), p.start.Add(benchInterval * time.Minute).UTC(), "seed"}
		}
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{"bookings"}, []string{"artisan", "start_at", "end_at", "customer"}, pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
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
				if err := bareBookPostgres(ctx, pool, p.artisan, p.start, p.start.Add(benchInterval*time.Minute)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		bare = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(bare, "bookings/s")
	})
	b.Run("endpoint", func(b *testing.B) {
		hs, plan := MustStartAPIPostgres(b, artisans, n)
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
		b.Logf("endpoint %.0f bookings/s, bare PostgreSQL %.0f bookings/s: ratio %.2f", endpoint, bare, endpoint/bare)
	}
}

// bareBookPostgres is the least a correct booking can do on PostgreSQL:
// lock the artisan, check nothing of theirs overlaps, insert, commit.
func bareBookPostgres(ctx context.Context, pool *pgxpool.Pool, artisan string, start, end time.Time) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, artisan); err != nil {
		return err
	}
	var clash bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bookings WHERE artisan = $1 AND start_at < $2 AND end_at > $3)`,
		artisan, end, start).Scan(&clash); err != nil {
		return err
	}
	if clash {
		return fmt.Errorf("bare: %s at %s is taken", artisan, start)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO bookings (artisan, start_at, end_at, customer) VALUES ($1, $2, $3, 'bench')`, artisan, start, end); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// BenchmarkPostgresAvailabilityHTTP is BenchmarkAvailabilityHTTP on
// PostgreSQL (no cache: every answer reads the catalogue and the
// bookings in one REPEATABLE READ transaction).
func BenchmarkPostgresAvailabilityHTTP(b *testing.B) {
	hs, _ := MustStartAPIPostgres(b, 8, 10000)
	hc := hs.Client()
	for _, days := range []int{1, 7, 31} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
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
		})
	}
}
