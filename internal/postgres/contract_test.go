package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/postgres"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
	"github.com/atelier-app/atelier/internal/storetest"
)

// maxConns is the pool of each test's store: more connections than the
// machine has cores, all opened before the test, so that the race tests'
// transactions meet in the database and do not queue in the pool.
const maxConns = 20

// contractStore is a store of the contract: it can open a second store on
// its database, as a second server would (storetest.Peer).
type contractStore struct {
	*postgres.Store
	url string
	h   storetest.Hooks
}

func openContract(tb testing.TB, url string, h storetest.Hooks) *contractStore {
	tb.Helper()
	st, err := postgres.Open(context.Background(), url, postgres.Options{Jobs: h.Jobs, ReplyJobs: h.ReplyJobs, MaxConns: maxConns})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.OpenConns(context.Background(), maxConns); err != nil {
		tb.Fatal(err)
	}
	st.Now = h.Now
	return &contractStore{Store: st, url: url, h: h}
}

// Peer opens another pool on the same database: another server.
func (c *contractStore) Peer(tb testing.TB) storetest.Store {
	return openContract(tb, c.url, c.h)
}

// The store contract on a real PostgreSQL server, each test on a database
// of its own.
func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, h storetest.Hooks) storetest.Store {
		return openContract(tb, pgtest.Database(tb), h)
	})
}

// The store is what the application service needs (app.Store), and it
// offers what cmd/atelier's wiring uses of SQLite's store wherever the
// same makes sense on PostgreSQL (see wiring). Checked when the tests
// compile.
var (
	_ app.Store = (*postgres.Store)(nil)
	_ wiring    = (*postgres.Store)(nil)
)

// wiring is what cmd/atelier (wire.go, serve.go, user.go, google.go,
// replies.go, metrics.go) calls on SQLite's store besides app.Store, in
// the form it has here. Not here, as they make sense only for SQLite:
// Backup (use pg_dump), Pools (database/sql pools; PoolStat instead),
// Subscribe with sqlite.Changes (the commits of this process; WatchJobs
// rings the job runners for every server's jobs, and this store keeps no
// caches to refresh), Path.
type wiring interface {
	storetest.Store
	Close() error
	SyncCatalog(ctx context.Context, cat *booking.Catalog) ([]string, error)
	ReleaseLeases(ctx context.Context) (int64, error)
	DueJobStats(ctx context.Context, now time.Time) ([]postgres.DueJobs, error)
	BookingEvents(ctx context.Context, after int64) ([]postgres.BookingEventCount, int64, error)
	OrphanBookings(ctx context.Context, now time.Time) ([]postgres.OrphanBooking, error)
	PoolStat() *pgxpool.Stat
}
