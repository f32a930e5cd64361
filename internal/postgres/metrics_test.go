package postgres

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/postgres/pgtest"
	"github.com/atelier-app/atelier/internal/storetest"
)

// upkeepDay is a day in the future of the tests' clock, at hh:00 in UTC.
func upkeepDay(hh int) time.Time { return time.Date(2026, 12, 8, hh, 0, 0, 0, time.UTC) }

var upkeepNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// openUpkeep opens a store on a new database with the contract's catalogue
// and jobs as its hook.
func openUpkeep(t *testing.T, jobs booking.JobsFunc) *Store {
	t.Helper()
	st, err := Open(context.Background(), pgtest.Database(t), Options{Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now = func() time.Time { return upkeepNow }
	if _, err := st.SyncCatalog(context.Background(), storetest.Catalog()); err != nil {
		t.Fatal(err)
	}
	return st
}

// book makes a one-hour video call of artisan at start, placed as asked.
func book(st *Store, id, artisan string, start time.Time) error {
	b := booking.Booking{ID: id, ServiceID: "design", Mode: booking.Virtual, ArtisanID: artisan,
		Start: start, End: start.Add(90 * time.Minute), BlockStart: start, BlockEnd: start.Add(90 * time.Minute),
		Customer: booking.Customer{Name: "Cleo", Email: "cleo@example.com"}}
	_, _, err := st.CreateBooking(context.Background(), booking.NewBooking{Booking: b, Actor: booking.Actor{Kind: "customer"}},
		func(*booking.Schedule) (booking.Placement, error) { return booking.Placement{ArtisanID: artisan}, nil })
	return err
}

func created(counts []BookingEventCount) int64 {
	var n int64
	for _, c := range counts {
		if c.Event == "created" {
			n += c.Count
		}
	}
	return n
}

// TestBookingEventsInCommitOrder: a change whose transaction took its audit
// row before another's but commits after it is counted, once, by a later
// call; a change rolled back never is. (Counting by audit row id, as SQLite
// may with its one writer, would skip the slow one for good.)
func TestBookingEventsInCommitOrder(t *testing.T) {
	ctx := context.Background()
	inside, release := make(chan struct{}), make(chan struct{})
	boom := errors.New("refused")
	st := openUpkeep(t, func(e booking.Event) ([]booking.Job, error) {
		switch e.Booking.ID {
		case "bk_slow": // its audit row is written; hold the transaction open
			close(inside)
			<-release
		case "bk_rolled_back":
			return nil, boom
		}
		return nil, nil
	})
	released := false
	t.Cleanup(func() { // before the store closes (cleanups run last first)
		if !released {
			close(release)
		}
	})
	if err := book(st, "bk_first", "ana", upkeepDay(2)); err != nil {
		t.Fatal(err)
	}
	slow := make(chan error, 1)
	go func() { slow <- book(st, "bk_slow", "ana", upkeepDay(6)) }()
	<-inside
	if err := book(st, "bk_quick", "ben", upkeepDay(2)); err != nil { // committed while bk_slow is not
		t.Fatal(err)
	}
	counts, h1, err := st.BookingEvents(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	total := created(counts)
	if total != 1 {
		t.Errorf("while bk_slow runs: %d created counted, want 1 (bk_first; bk_quick waits for the older transaction)", total)
	}
	close(release)
	released = true
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	if err := book(st, "bk_rolled_back", "ben", upkeepDay(6)); !errors.Is(err, boom) {
		t.Fatalf("rolled back booking: %v", err)
	}
	counts, h2, err := st.BookingEvents(ctx, h1)
	if err != nil || h2 < h1 {
		t.Fatalf("second count: %v, %v, horizon %d after %d", counts, err, h2, h1)
	}
	total += created(counts)
	counts, h3, err := st.BookingEvents(ctx, h2)
	if err != nil || len(counts) != 0 || h3 < h2 {
		t.Errorf("nothing new: %+v, %v (horizon %d after %d)", counts, err, h3, h2)
	}
	if total != 3 {
		t.Errorf("%d bookings counted over the calls, want the 3 committed", total)
	}
}

// TestBookingEvents: by event and actor; staff notes are not changes.
func TestBookingEvents(t *testing.T) {
	ctx := context.Background()
	st := openUpkeep(t, nil)
	for _, id := range []string{"bk_a", "bk_b"} {
		if err := book(st, id, map[string]string{"bk_a": "ana", "bk_b": "ben"}[id], upkeepDay(2)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CancelBooking(ctx, "bk_a", booking.Actor{Kind: "staff", ID: "us_1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetStaffNotes(ctx, "bk_b", "prefers mornings", booking.Actor{Kind: "staff", ID: "us_1"}); err != nil {
		t.Fatal(err)
	}
	counts, _, err := st.BookingEvents(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []BookingEventCount{{Event: "cancelled", Actor: "staff", Count: 1}, {Event: "created", Actor: "customer", Count: 2}}
	if !slices.Equal(counts, want) {
		t.Errorf("counts %+v, want %+v", counts, want)
	}
}

// TestOrphanBookings: a coming booking whose artisan left the file is
// reported, with what left; past and cancelled ones are not.
func TestOrphanBookings(t *testing.T) {
	ctx := context.Background()
	st := openUpkeep(t, nil)
	for _, b := range []struct {
		id, artisan string
		start       time.Time
	}{{"bk_ben", "ben", upkeepDay(2)}, {"bk_ana", "ana", upkeepDay(2)}, {"bk_gone", "ben", upkeepDay(6)}} {
		if err := book(st, b.id, b.artisan, b.start); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CancelBooking(ctx, "bk_gone", booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}
	cat := storetest.Catalog()
	cat.Artisans = cat.Artisans[:1]
	if _, err := st.SyncCatalog(ctx, cat); err != nil {
		t.Fatal(err)
	}
	got, err := st.OrphanBookings(ctx, upkeepNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []OrphanBooking{{ID: "bk_ben", Start: upkeepDay(2), End: upkeepDay(2).Add(90 * time.Minute),
		ServiceID: "design", ArtisanID: "ben", ArtisanRemoved: true}}
	if !slices.Equal(got, want) {
		t.Errorf("orphans %+v, want %+v", got, want)
	}
	if got, _ := st.OrphanBookings(ctx, upkeepDay(5)); len(got) != 0 {
		t.Errorf("orphans after the booking ended: %+v", got)
	}
}
