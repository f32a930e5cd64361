package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/atelier-app/atelier/internal/sqlite"
	"github.com/atelier-app/atelier/internal/storetest"
)

// contractStore is a store of the contract: it can open a second store on
// its file, as a second process would (storetest.Peer).
type contractStore struct {
	*sqlite.Store
	path string
	h    storetest.Hooks
}

func openContract(tb testing.TB, path string, h storetest.Hooks) *contractStore {
	tb.Helper()
	st, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{Jobs: h.Jobs, ReplyJobs: h.ReplyJobs})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Error(err)
		}
	})
	st.Now = h.Now
	return &contractStore{Store: st, path: path, h: h}
}

// Peer opens the same file again.
func (c *contractStore) Peer(tb testing.TB) storetest.Store {
	return openContract(tb, c.path, c.h)
}

// The store contract, shared with internal/postgres, on a file database.
func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, h storetest.Hooks) storetest.Store {
		return openContract(tb, filepath.Join(tb.TempDir(), "atelier.db"), h)
	})
}
