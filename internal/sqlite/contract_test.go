package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/sqlite"
	"github.com/atelier-app/atelier/internal/storetest"
)

// contractStore is a store of the contract: it can open a second store on
// its file, as a second process would (storetest.Peer).
type contractStore struct {
	*sqlite.Store
	path string
	now  func() time.Time
	jobs booking.JobsFunc
}

func openContract(tb testing.TB, path string, now func() time.Time, jobs booking.JobsFunc) *contractStore {
	tb.Helper()
	st, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{Jobs: jobs})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Error(err)
		}
	})
	st.Now = now
	return &contractStore{Store: st, path: path, now: now, jobs: jobs}
}

// Peer opens the same file again.
func (c *contractStore) Peer(tb testing.TB) storetest.Store {
	return openContract(tb, c.path, c.now, c.jobs)
}

// The store contract, shared with internal/postgres, on a file database.
func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, now func() time.Time, jobs booking.JobsFunc) storetest.Store {
		return openContract(tb, filepath.Join(tb.TempDir(), "atelier.db"), now, jobs)
	})
}
