package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/storetest"
)

// The calendar sync's store contract (storetest.RunCalendarSync) runs on
// this store and on PostgreSQL's in TestContract; here it runs on the
// in-memory store the gcal tests use, so those tests speak for both.
func TestMemoryCalendarSyncStore(t *testing.T) {
	storetest.RunCalendarSync(t, func(*testing.T) storetest.SyncStore {
		s := gcaltest.NewStore()
		return storetest.SyncStore{Store: s, Busy: func(_ testing.TB, artisanID string) []booking.Busy { return s.Busy(artisanID) }}
	})
}

func busyEv(artisan, id string, from, to time.Time) calsync.BusyEvent {
	return calsync.BusyEvent{ArtisanID: artisan, EventID: id, Start: from, End: to}
}

func mustNoErr(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TestGcalReplaceBusyIsAtomic: a failure half-way through a full sync
// leaves the previous busy times and cursor in place.
func TestGcalReplaceBusyIsAtomic(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mustNoErr(t, db.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "old", at(11, 0), at(12, 0))},
		calsync.SyncCursor{CalendarID: "primary", Token: "t1"}))
	if _, err := rawDB(t, db).Exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON busy_times
		WHEN NEW.external_id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"ReplaceBusy", func() error {
			return db.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{
				busyEv("ana", "new", at(14, 0), at(15, 0)), busyEv("ana", "boom", at(16, 0), at(17, 0)),
			}, calsync.SyncCursor{CalendarID: "primary", Token: "t2"})
		}},
		{"UpdateBusy", func() error {
			return db.UpdateBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "boom", at(16, 0), at(17, 0))},
				[]string{"old"}, calsync.SyncCursor{CalendarID: "primary", Token: "t2"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil || !strings.Contains(err.Error(), "boom") {
				t.Fatalf("err = %v, want the refusal", err)
			}
			got, err := db.GoogleBusy(ctx, "ana")
			mustNoErr(t, err)
			if len(got) != 1 || got[0].EventID != "old" {
				t.Errorf("busy times after the failure = %+v, want only the old one", got)
			}
			c, err := db.SyncCursor(ctx, "ana")
			mustNoErr(t, err)
			if c == nil || c.Token != "t1" {
				t.Errorf("cursor after the failure = %+v, want t1", c)
			}
		})
	}
}
