package sqlite_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// oneRoom is the test catalogue with a single consultation room.
func oneRoom() *booking.Catalog {
	c := testCatalog()
	c.Atelier.Rooms = c.Atelier.Rooms[:1]
	return c
}

// TestCreateBookingRace has 100 customers book the same slot at once. Exactly
// one gets it; the others get a clean slot_unavailable, never SQLITE_BUSY or
// another error. "Blind" placement skips the checks in Go, so that only the
// database's triggers stand between the customers.
func TestCreateBookingRace(t *testing.T) {
	const n = 100
	tests := []struct {
		name  string
		cat   func() *booking.Catalog
		req   func(i int) req
		blind bool
	}{
		{"Artisan", testCatalog, func(int) req { return req{Artisan: "ana", Start: at(11, 0)} }, false},
		{"ArtisanTrigger", testCatalog, func(int) req { return req{Artisan: "ana", Start: at(11, 0)} }, true},
		{"Room", oneRoom, func(i int) req {
			return req{Artisan: []string{"ana", "ben"}[i%2], Mode: booking.InPerson, Start: at(11, 0)}
		}, false},
		{"RoomTrigger", oneRoom, func(i int) req {
			return req{Artisan: []string{"ana", "ben"}[i%2], Mode: booking.InPerson, Start: at(11, 0)}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDBWith(t, tt.cat())
			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				ok        int
				conflicts int
				others    []error
			)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					nb := newBooking(tt.req(i))
					pf := place(nb, "")
					if tt.blind {
						pf = blindPlace(nb, "salon")
					}
					<-start
					_, _, err := db.CreateBooking(context.Background(), nb, pf)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case booking.ErrorCode(err) == booking.CodeSlotUnavailable:
						conflicts++
					default:
						others = append(others, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range others {
				t.Errorf("unexpected error: %v", err)
			}
			if ok != 1 || conflicts != n-1 {
				t.Errorf("got %d bookings and %d conflicts, want 1 and %d", ok, conflicts, n-1)
			}
			if got := count(t, db, `SELECT count(*) FROM bookings`); got != 1 {
				t.Errorf("%d bookings stored, want 1", got)
			}
		})
	}
}

// TestOverlapTriggers writes with raw SQL, bypassing the store: the
// database itself refuses double bookings.
func TestOverlapTriggers(t *testing.T) {
	const insert = `INSERT INTO bookings (id, status, service_id, mode, artisan_id, room_id, start_at, end_at,
		block_start, block_end, customer_name, customer_email, created_at, updated_at)
		VALUES (?, ?, 'design', ?, ?, ?, ?, ?, ?, ?, 'C', 'c@example.com', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')`
	type row struct {
		id, status, mode, artisan string
		room                      any
		start, end                string // block = [start, end)
	}
	existing := []row{
		{"a1", "confirmed", "in_person", "ana", "salon", "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"},
		{"a2", "confirmed", "virtual", "ana", nil, "2026-12-08T06:00:00.000Z", "2026-12-08T07:00:00.000Z"},
		{"c1", "cancelled", "in_person", "ben", "studio", "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"},
	}
	tests := []struct {
		name    string
		row     row
		refused bool
	}{
		{"SameArtisanOverlap", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T03:00:00.000Z", "2026-12-08T05:00:00.000Z"}, true},
		{"SameArtisanInside", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T06:15:00.000Z", "2026-12-08T06:30:00.000Z"}, true},
		{"SameArtisanAround", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T01:00:00.000Z", "2026-12-08T08:00:00.000Z"}, true},
		{"SameArtisanAdjacent", row{"x", "confirmed", "virtual", "ana", nil, "2026-12-08T04:00:00.000Z", "2026-12-08T06:00:00.000Z"}, false},
		{"OtherArtisan", row{"x", "confirmed", "virtual", "ben", nil, "2026-12-08T03:00:00.000Z", "2026-12-08T05:00:00.000Z"}, false},
		{"SameRoomOverlap", row{"x", "confirmed", "in_person", "ben", "salon", "2026-12-08T03:30:00.000Z", "2026-12-08T05:00:00.000Z"}, true},
		{"OtherRoom", row{"x", "confirmed", "in_person", "ben", "studio", "2026-12-08T03:30:00.000Z", "2026-12-08T05:00:00.000Z"}, false},
		{"OverCancelled", row{"x", "confirmed", "in_person", "ben", "studio", "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"}, false},
		{"CancelledOverConfirmed", row{"x", "cancelled", "virtual", "ana", nil, "2026-12-08T02:00:00.000Z", "2026-12-08T04:00:00.000Z"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			raw := rawDB(t, db)
			// The appointment fills its whole block here.
			ins := func(r row) error {
				_, err := raw.Exec(insert, r.id, r.status, r.mode, r.artisan, r.room, r.start, r.end, r.start, r.end)
				return err
			}
			for _, r := range existing {
				if err := ins(r); err != nil {
					t.Fatalf("insert %s: %v", r.id, err)
				}
			}
			err := ins(tt.row)
			if tt.refused && err == nil {
				t.Fatal("overlapping insert accepted")
			}
			if !tt.refused && err != nil {
				t.Fatalf("insert refused: %v", err)
			}
		})
	}

	t.Run("UpdateIntoOverlap", func(t *testing.T) {
		db := MustOpenDB(t)
		a := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		b := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(13, 0)})
		raw := rawDB(t, db)
		_, err := raw.Exec(`UPDATE bookings SET block_start = ?, start_at = ? WHERE id = ?`,
			"2026-12-08T03:00:00.000Z", "2026-12-08T03:00:00.000Z", b.ID) // 11:00 SGT, inside a
		if err == nil {
			t.Fatal("moving a booking onto another was accepted")
		}
		// Moving a booking within its own old time is fine.
		if _, err := raw.Exec(`UPDATE bookings SET end_at = ?, block_end = ? WHERE id = ?`,
			"2026-12-08T03:00:00.000Z", "2026-12-08T03:00:00.000Z", a.ID); err != nil {
			t.Fatalf("shortening a booking: %v", err)
		}
	})
	t.Run("ReconfirmOverlapping", func(t *testing.T) {
		db := MustOpenDB(t)
		a := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		if _, err := db.CancelBooking(context.Background(), a.ID, booking.Actor{Kind: "customer"}); err != nil {
			t.Fatal(err)
		}
		MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 30)})
		if _, err := rawDB(t, db).Exec(`UPDATE bookings SET status = 'confirmed' WHERE id = ?`, a.ID); err == nil {
			t.Fatal("re-confirming a booking over another was accepted")
		}
	})
}

func TestCreateBookingIdempotency(t *testing.T) {
	db := MustOpenDB(t)
	key := sha256.Sum256([]byte("key-1"))
	reqHash := sha256.Sum256([]byte("body-1"))
	const n = 20
	var wg sync.WaitGroup
	ids := make([]string, n)
	recs := make([]*booking.IdempotencyRecord, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nb := newBooking(req{ID: fmt.Sprintf("bk_%02d", i), Artisan: "ana", Start: at(15, 0)})
			nb.Idempotency = &booking.IdempotencyRecord{KeyHash: key[:], RequestHash: reqHash[:], Response: []byte("sealed")}
			<-start
			b, rec, err := db.CreateBooking(context.Background(), nb, place(nb, ""))
			errs[i], recs[i] = err, rec
			if b != nil {
				ids[i] = b.ID
			}
		}()
	}
	close(start)
	wg.Wait()
	first, replays := "", 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if recs[i] == nil {
			if first != "" {
				t.Fatalf("two requests created a booking: %s and %s", first, ids[i])
			}
			first = ids[i]
			continue
		}
		replays++
		if string(recs[i].Response) != "sealed" || string(recs[i].RequestHash) != string(reqHash[:]) {
			t.Errorf("replay %d got record %+v", i, recs[i])
		}
	}
	for i := range n {
		if ids[i] != first {
			t.Errorf("request %d got booking %q, want %q", i, ids[i], first)
		}
	}
	if replays != n-1 {
		t.Errorf("%d replays, want %d", replays, n-1)
	}
	if got := count(t, db, `SELECT count(*) FROM bookings`); got != 1 {
		t.Errorf("%d bookings stored, want 1", got)
	}
	rec, err := db.LookupIdempotency(context.Background(), key[:])
	if err != nil || rec == nil || rec.BookingID != first {
		t.Errorf("LookupIdempotency = %+v, %v; want booking %s", rec, err, first)
	}
	if rec, err := db.LookupIdempotency(context.Background(), []byte("unknown")); rec != nil || err != nil {
		t.Errorf("unknown key: got %+v, %v; want nil, nil", rec, err)
	}

	t.Run("Purge", func(t *testing.T) {
		n, err := db.PurgeIdempotency(context.Background(), testNow)
		if err != nil || n != 0 {
			t.Fatalf("purge before the record: %d, %v; want 0", n, err)
		}
		n, err = db.PurgeIdempotency(context.Background(), testNow.Add(time.Second))
		if err != nil || n != 1 {
			t.Fatalf("purge after the record: %d, %v; want 1", n, err)
		}
		if rec, _ := db.LookupIdempotency(context.Background(), key[:]); rec != nil {
			t.Errorf("record still there after purge")
		}
	})
}

// recorder is a Jobs hook that makes one mail job per event and remembers
// the events.
type recorder struct {
	mu     sync.Mutex
	events []booking.Event
	fail   error
}

func (r *recorder) jobs(e booking.Event) ([]booking.Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	r.events = append(r.events, e)
	return []booking.Job{{Queue: "mail", Kind: string(e.Kind), BookingID: e.Booking.ID, Payload: []byte(e.Booking.ID)}}, nil
}

func TestBookingLifecycle(t *testing.T) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}

	t.Run("CreateWritesJobAndAudit", func(t *testing.T) {
		db := MustOpenDB(t)
		rec := &recorder{}
		db.Jobs = rec.jobs
		b := MustCreateBooking(t, db, req{Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
		if b.RoomID != "salon" {
			t.Errorf("room = %q, want salon (the placement)", b.RoomID)
		}
		if got := count(t, db, `SELECT count(*) FROM jobs WHERE queue = 'mail' AND kind = 'created' AND booking_id = ?`, b.ID); got != 1 {
			t.Errorf("%d created jobs, want 1", got)
		}
		if got := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'booking.created' AND booking_id = ?
			AND actor_kind = 'customer' AND before IS NULL AND json_extract(after, '$.artisan') = 'ana'`, b.ID); got != 1 {
			t.Errorf("%d audit rows, want 1", got)
		}
		if len(rec.events) != 1 || rec.events[0].Previous != nil || rec.events[0].Booking.ID != b.ID {
			t.Errorf("events = %+v", rec.events)
		}
	})

	t.Run("RefusedWritesNothing", func(t *testing.T) {
		db := MustOpenDB(t)
		rec := &recorder{}
		db.Jobs = rec.jobs
		MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		nb := newBooking(req{Artisan: "ana", Start: at(11, 0)})
		_, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
		wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
		var be *booking.Error
		if !errors.As(err, &be) || be.Message != "that time is no longer available: the artisan is busy" {
			t.Errorf("place's error was not returned unchanged: %v", err)
		}
		if got := count(t, db, `SELECT count(*) FROM jobs`); got != 1 {
			t.Errorf("%d jobs, want 1 (the first booking's)", got)
		}
		if got := count(t, db, `SELECT count(*) FROM audit_log WHERE booking_id IS NOT NULL`); got != 1 {
			t.Errorf("%d audit rows, want 1", got)
		}
	})

	t.Run("JobsHookErrorRollsBack", func(t *testing.T) {
		db := MustOpenDB(t)
		db.Jobs = (&recorder{fail: errors.New("boom")}).jobs
		nb := newBooking(req{Artisan: "ana", Start: at(10, 0)})
		if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err == nil {
			t.Fatal("want the hook's error")
		}
		if got := count(t, db, `SELECT count(*) FROM bookings`); got != 0 {
			t.Errorf("%d bookings, want 0: a booking must not exist without its jobs", got)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		db := MustOpenDB(t)
		rec := &recorder{}
		db.Jobs = rec.jobs
		b := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		later := testNow.Add(time.Hour)
		db.Now = func() time.Time { return later }
		got, err := db.CancelBooking(ctx, b.ID, staff)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != booking.Cancelled || got.Sequence != 1 || !got.UpdatedAt.Equal(later) {
			t.Errorf("cancelled booking = %+v, want cancelled, sequence 1, updated %v", got, later)
		}
		stored, _ := db.Booking(ctx, b.ID)
		if stored.Status != booking.Cancelled || stored.Sequence != 1 {
			t.Errorf("stored = %+v", stored)
		}
		if e := rec.events[len(rec.events)-1]; e.Kind != booking.EventCancelled || e.Previous.Status != booking.Confirmed || e.Actor != staff {
			t.Errorf("event = %+v", e)
		}
		if got := count(t, db, `SELECT count(*) FROM jobs WHERE kind = 'cancelled' AND booking_id = ?`, b.ID); got != 1 {
			t.Errorf("%d cancel jobs, want 1", got)
		}
		if got := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'booking.cancelled' AND actor_kind = 'staff'
			AND actor_id = 'u1' AND json_extract(before, '$.status') = 'confirmed'
			AND json_extract(after, '$.status') = 'cancelled'`); got != 1 {
			t.Errorf("%d cancel audit rows, want 1", got)
		}
		_, err = db.CancelBooking(ctx, b.ID, staff)
		wantCode(t, err, booking.ECONFLICT, booking.CodeBookingCancelled)
		// The time is free again at once.
		MustCreateBooking(t, db, req{Artisan: "ana", Start: at(10, 0)})
		_, err = db.CancelBooking(ctx, "bk_unknown", staff)
		wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	})

	t.Run("Reschedule", func(t *testing.T) {
		db := MustOpenDB(t)
		rec := &recorder{}
		db.Jobs = rec.jobs
		b := MustCreateBooking(t, db, req{Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
		other := MustCreateBooking(t, db, req{Artisan: "ben", Mode: booking.InPerson, Start: at(14, 0)})

		// Overlapping its own old time is fine: place ignores the booking itself.
		moved := newBooking(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(10, 30)})
		got, err := db.RescheduleBooking(ctx, b.ID, moved.Booking.Start, moved.Booking.End,
			moved.Booking.BlockStart, moved.Booking.BlockEnd, staff, place(moved, b.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Start.Equal(at(10, 30)) || got.Sequence != 1 || got.ID != b.ID || got.Status != booking.Confirmed {
			t.Errorf("moved = %+v, want start %v, sequence 1", got, at(10, 30))
		}
		if e := rec.events[len(rec.events)-1]; e.Kind != booking.EventRescheduled || !e.Previous.Start.Equal(at(10, 0)) || !e.Booking.Start.Equal(at(10, 30)) {
			t.Errorf("event = %+v", e)
		}
		if n := count(t, db, `SELECT count(*) FROM jobs WHERE kind = 'rescheduled'`); n != 1 {
			t.Errorf("%d reschedule jobs, want 1", n)
		}
		if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'booking.rescheduled' AND booking_id = ?`, b.ID); n != 1 {
			t.Errorf("%d reschedule audit rows, want 1", n)
		}

		// Moving onto Ben's visit with Ben: refused, booking unchanged.
		clash := newBooking(req{ID: b.ID, Artisan: "ben", Mode: booking.InPerson, Start: at(14, 0)})
		_, err = db.RescheduleBooking(ctx, b.ID, clash.Booking.Start, clash.Booking.End,
			clash.Booking.BlockStart, clash.Booking.BlockEnd, staff, place(clash, b.ID))
		wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
		// Same, with placement code bypassed: the triggers refuse.
		_, err = db.RescheduleBooking(ctx, b.ID, clash.Booking.Start, clash.Booking.End,
			clash.Booking.BlockStart, clash.Booking.BlockEnd, staff, blindPlace(clash, other.RoomID))
		wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
		stored, _ := db.Booking(ctx, b.ID)
		if !stored.Start.Equal(at(10, 30)) || stored.Sequence != 1 || stored.ArtisanID != "ana" {
			t.Errorf("after refused moves the booking is %+v, want unchanged", stored)
		}
		if n := count(t, db, `SELECT count(*) FROM jobs WHERE kind = 'rescheduled'`); n != 1 {
			t.Errorf("%d reschedule jobs after refusals, want 1", n)
		}

		// Cancelled bookings cannot move.
		if _, err := db.CancelBooking(ctx, b.ID, staff); err != nil {
			t.Fatal(err)
		}
		_, err = db.RescheduleBooking(ctx, b.ID, moved.Booking.Start, moved.Booking.End,
			moved.Booking.BlockStart, moved.Booking.BlockEnd, staff, place(moved, b.ID))
		wantCode(t, err, booking.ECONFLICT, booking.CodeBookingCancelled)
	})

	// A move to where the booking already is (the move form sent twice,
	// Back then the same time again) changes nothing: no new sequence, no
	// second update e-mail or artisan notice, no audit row.
	t.Run("RescheduleToItsOwnTimeChangesNothing", func(t *testing.T) {
		db := MustOpenDB(t)
		rec := &recorder{}
		db.Jobs = rec.jobs
		b := MustCreateBooking(t, db, req{Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
		moved := newBooking(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)})
		move := func() *booking.Booking {
			t.Helper()
			got, err := db.RescheduleBooking(ctx, b.ID, moved.Booking.Start, moved.Booking.End,
				moved.Booking.BlockStart, moved.Booking.BlockEnd, staff, place(moved, b.ID))
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		first := move()
		again := move()
		if !again.Start.Equal(at(11, 0)) || again.Sequence != first.Sequence || again.ArtisanID != "ana" ||
			!again.UpdatedAt.Equal(first.UpdatedAt) {
			t.Errorf("moved again = %+v, want the booking as the first move left it (sequence %d)", again, first.Sequence)
		}
		if stored, _ := db.Booking(ctx, b.ID); stored.Sequence != 1 {
			t.Errorf("stored sequence = %d, want 1", stored.Sequence)
		}
		if n := count(t, db, `SELECT count(*) FROM jobs WHERE kind = 'rescheduled'`); n != 1 {
			t.Errorf("%d reschedule jobs, want 1", n)
		}
		if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'booking.rescheduled' AND booking_id = ?`, b.ID); n != 1 {
			t.Errorf("%d reschedule audit rows, want 1", n)
		}
	})

	t.Run("RescheduleToAnotherHostChangesTheLink", func(t *testing.T) {
		db := MustOpenDB(t)
		rec := &recorder{}
		db.Jobs = rec.jobs
		nb := newBooking(req{Artisan: "ana", Start: at(10, 0)})
		nb.Booking.MeetingURL = "https://meet.example/ana-room"
		b, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
		if err != nil {
			t.Fatal(err)
		}
		// A move to Ben carries Ben's link: stored, and in the event the
		// mail and calendar jobs are rendered from.
		to := newBooking(req{ID: b.ID, Artisan: "ben", Start: at(12, 0)})
		moved, err := db.RescheduleBooking(ctx, b.ID, to.Booking.Start, to.Booking.End, to.Booking.BlockStart, to.Booking.BlockEnd, staff,
			func(*booking.Schedule) (booking.Placement, error) {
				return booking.Placement{ArtisanID: "ben", MeetingURL: "https://meet.example/ben-room"}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := db.Booking(ctx, b.ID)
		ev := rec.events[len(rec.events)-1]
		for what, got := range map[string]string{"returned": moved.MeetingURL, "stored": stored.MeetingURL, "event": ev.Booking.MeetingURL} {
			if got != "https://meet.example/ben-room" {
				t.Errorf("%s link = %q, want Ben's", what, got)
			}
		}
		if ev.Previous.MeetingURL != "https://meet.example/ana-room" {
			t.Errorf("event's previous link = %q, want Ana's", ev.Previous.MeetingURL)
		}
		// A placement without a link keeps the one the booking has.
		again := newBooking(req{ID: b.ID, Artisan: "ben", Start: at(14, 0)})
		if _, err := db.RescheduleBooking(ctx, b.ID, again.Booking.Start, again.Booking.End, again.Booking.BlockStart, again.Booking.BlockEnd, staff,
			place(again, b.ID)); err != nil {
			t.Fatal(err)
		}
		if stored, _ := db.Booking(ctx, b.ID); stored.MeetingURL != "https://meet.example/ben-room" {
			t.Errorf("after a move that keeps the host the link is %q, want Ben's kept", stored.MeetingURL)
		}
	})
}

func TestSchedule(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	early := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(9, 0)}) // 09:00-10:30
	inside := MustCreateBooking(t, db, req{Artisan: "ben", Start: at(12, 0)})
	cancelled := MustCreateBooking(t, db, req{Artisan: "ana", Start: at(12, 0)})
	if _, err := db.CancelBooking(ctx, cancelled.ID, booking.Actor{Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	MustCreateBooking(t, db, req{Artisan: "ana", Start: at(18, 0)}) // after the window
	raw := rawDB(t, db)
	if _, err := raw.Exec(`INSERT INTO busy_times (artisan_id, source, external_id, start_at, end_at, updated_at)
		VALUES ('ben', 'gcal', 'e1', ?, ?, ?), ('ben', 'gcal', 'e2', ?, ?, ?)`,
		"2026-12-08T01:00:00.000Z", "2026-12-08T03:00:00.000Z", "2026-12-01T00:00:00.000Z",
		"2026-12-09T01:00:00.000Z", "2026-12-09T03:00:00.000Z", "2026-12-01T00:00:00.000Z"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(13, 0), End: at(17, 0), Reason: "dentist"}, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(20, 0), End: at(21, 0)}, booking.Actor{Kind: "staff"}); err != nil {
		t.Fatal(err)
	}

	s, err := db.Schedule(ctx, at(10, 0), at(17, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range s.Bookings {
		got = append(got, b.ID)
	}
	if want := []string{early.ID, inside.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bookings = %v, want %v (the one before the window that runs into it, and the one inside)", got, want)
	}
	if len(s.Busy) != 1 || s.Busy[0].ArtisanID != "ben" || !s.Busy[0].Start.Equal(at(9, 0)) {
		t.Errorf("busy = %+v, want Ben's 09:00-11:00", s.Busy)
	}
	if ana := s.Artisan("ana"); len(ana.TimeOff) != 1 || ana.TimeOff[0].Reason != "dentist" {
		t.Errorf("Ana's time off = %+v, want the dentist only", ana.TimeOff)
	}
	if s.Atelier.Name != "Atelier Test" || len(s.Services) != 2 || len(s.Artisans) != 2 {
		t.Errorf("schedule catalogue = %+v", s.Catalog)
	}
}
