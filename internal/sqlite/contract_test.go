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

// The store contract, shared with internal/postgres, on a file database.
func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB, now func() time.Time, jobs booking.JobsFunc) storetest.Store {
		st, err := sqlite.OpenWith(context.Background(), filepath.Join(tb.TempDir(), "atelier.db"), sqlite.Options{Jobs: jobs})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			if err := st.Close(); err != nil {
				tb.Error(err)
			}
		})
		st.Now = now
		return st
	})
}
