package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// What a booking change writes with it (its jobs and audit row) and what a
// refused or rolled-back change leaves (nothing); ids never given out
// twice; the names a booking keeps.

// auditOf returns the audit rows of booking id with action, oldest first.
func (e *env) auditOf(t *testing.T, id, action string) []booking.AuditEntry {
	t.Helper()
	log, err := e.st.AuditLog(context.Background(), testNow.Add(-24*time.Hour), testNow.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []booking.AuditEntry
	for _, a := range log {
		if a.BookingID == id && a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// field returns member name of the JSON object raw ("" if none).
func field(t *testing.T, raw json.RawMessage, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit image %s: %v", raw, err)
	}
	s, _ := m[name].(string)
	return s
}

func testBookingLifecycle(t *testing.T, open Opener) {
	t.Run("CreateWritesJobAndAudit", func(t *testing.T) { lifecycleCreateWritesJobAndAudit(t, open) })
	t.Run("RefusedWritesNothing", func(t *testing.T) { lifecycleRefusedWritesNothing(t, open) })
	t.Run("JobsHookErrorRollsBack", func(t *testing.T) { lifecycleJobsHookErrorRollsBack(t, open) })
	t.Run("CancelAndMoveAudited", func(t *testing.T) { lifecycleCancelAndMoveAudited(t, open) })
	t.Run("MoveToAnotherHostChangesTheLink", func(t *testing.T) { lifecycleMoveToAnotherHostChangesTheLink(t, open) })
}

func lifecycleCreateWritesJobAndAudit(t *testing.T, open Opener) {
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
	if k := e.mailJobs(t, b.ID); len(k) != 1 || k[0] != "created" {
		t.Errorf("mail jobs %v, want one created", k)
	}
	audit := e.auditOf(t, b.ID, "booking.created")
	if len(audit) != 1 || audit[0].Actor.Kind != "customer" || string(audit[0].Before) != "null" ||
		field(t, audit[0].After, "artisan") != "ana" || field(t, audit[0].After, "room") != "salon" {
		t.Errorf("audit rows %+v, want one by the customer with the booking after", audit)
	}
	if ev := e.rec.events; len(ev) != 1 || ev[0].Previous != nil || ev[0].Booking.ID != b.ID || ev[0].Booking.RoomID != "salon" {
		t.Errorf("events = %+v", ev)
	}
}

func lifecycleRefusedWritesNothing(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	first := e.mustCreate(t, req{Artisan: "ana", Start: at(10, 0)})
	nb := newBooking(req{ID: "bk_refused", Artisan: "ana", Start: at(11, 0)})
	_, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	var be *booking.Error
	if !errors.As(err, &be) || be.Message != "that time is no longer available: the artisan is busy" {
		t.Errorf("place's error was not returned unchanged: %v", err)
	}
	if k := e.mailJobs(t, "bk_refused"); len(k) != 0 {
		t.Errorf("jobs of the refused booking: %v", k)
	}
	if a := e.auditOf(t, "bk_refused", "booking.created"); len(a) != 0 {
		t.Errorf("audit rows of the refused booking: %+v", a)
	}
	if got := e.stored(t); len(got) != 1 || got[0].ID != first.ID {
		t.Errorf("stored %+v, want only the first", got)
	}
}

func lifecycleJobsHookErrorRollsBack(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	boom := errors.New("boom")
	e.setJobs(func(booking.Event) ([]booking.Job, error) { return nil, boom })
	nb := newBooking(req{ID: "bk_nojobs", Artisan: "ana", Start: at(10, 0)})
	if _, _, err := e.st.CreateBooking(ctx, nb, place(nb, "")); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the hook's error", err)
	}
	if got := e.stored(t); len(got) != 0 {
		t.Errorf("%d bookings, want 0: a booking must not exist without its jobs", len(got))
	}
	if a := e.auditOf(t, "bk_nojobs", "booking.created"); len(a) != 0 {
		t.Errorf("audit rows of the rolled-back booking: %+v", a)
	}
}

func lifecycleCancelAndMoveAudited(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	e := newEnv(t, open, Catalog())
	b := e.mustCreate(t, req{Artisan: "ana", Mode: booking.InPerson, Start: at(10, 0)})
	moved := newBooking(req{ID: b.ID, Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)})
	move := func() *booking.Booking {
		t.Helper()
		got, err := e.st.RescheduleBooking(ctx, b.ID, moved.Booking.Start, moved.Booking.End,
			moved.Booking.BlockStart, moved.Booking.BlockEnd, staff, place(moved, b.ID))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	e.setClock(testNow.Add(time.Minute))
	first := move()
	e.setClock(testNow.Add(2 * time.Minute))
	again := move() // the move sent twice changes nothing
	if again.Sequence != first.Sequence || !again.UpdatedAt.Equal(testNow.Add(time.Minute)) {
		t.Errorf("moved again = %+v, want the booking as the first move left it", again)
	}
	ev := e.rec.events[len(e.rec.events)-1]
	if ev.Kind != booking.EventRescheduled || !ev.Previous.Start.Equal(at(10, 0)) || !ev.Booking.Start.Equal(at(11, 0)) {
		t.Errorf("event = %+v", ev)
	}
	later := testNow.Add(time.Hour)
	e.setClock(later)
	got, err := e.st.CancelBooking(ctx, b.ID, staff)
	if err != nil || !got.UpdatedAt.Equal(later) {
		t.Fatalf("cancel: %+v, %v; want updated at %v", got, err, later)
	}
	if ev := e.rec.events[len(e.rec.events)-1]; ev.Kind != booking.EventCancelled || ev.Previous.Status != booking.Confirmed || ev.Actor != staff {
		t.Errorf("event = %+v", ev)
	}
	if k := e.mailJobs(t, b.ID); len(k) != 3 || k[1] != "rescheduled" || k[2] != "cancelled" {
		t.Errorf("mail jobs %v, want created, one rescheduled, cancelled", k)
	}
	if a := e.auditOf(t, b.ID, "booking.rescheduled"); len(a) != 1 {
		t.Errorf("%d audit rows of the move, want 1", len(a))
	}
	c := e.auditOf(t, b.ID, "booking.cancelled")
	if len(c) != 1 || c[0].Actor != staff || field(t, c[0].Before, "status") != "confirmed" || field(t, c[0].After, "status") != "cancelled" {
		t.Errorf("audit rows of the cancel: %+v", c)
	}
}

func lifecycleMoveToAnotherHostChangesTheLink(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	e := newEnv(t, open, Catalog())
	nb := newBooking(req{Artisan: "ana", Start: at(10, 0)})
	nb.Booking.MeetingURL = "https://meet.example/ana-room"
	b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	to := newBooking(req{ID: b.ID, Artisan: "ben", Start: at(12, 0)})
	moved, err := e.st.RescheduleBooking(ctx, b.ID, to.Booking.Start, to.Booking.End, to.Booking.BlockStart, to.Booking.BlockEnd, staff,
		func(*booking.Schedule) (booking.Placement, error) {
			return booking.Placement{ArtisanID: "ben", MeetingURL: "https://meet.example/ben-room"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := e.st.Booking(ctx, b.ID)
	ev := e.rec.events[len(e.rec.events)-1]
	for what, got := range map[string]string{"returned": moved.MeetingURL, "stored": stored.MeetingURL, "event": ev.Booking.MeetingURL} {
		if got != "https://meet.example/ben-room" {
			t.Errorf("%s link = %q, want Ben's", what, got)
		}
	}
	if ev.Previous.MeetingURL != "https://meet.example/ana-room" {
		t.Errorf("event's previous link = %q, want Ana's", ev.Previous.MeetingURL)
	}
	if stored.ArtisanName != "Ben" || stored.ServiceName != "Bespoke design consultation" {
		t.Errorf("names kept after the move: %q, %q", stored.ArtisanName, stored.ServiceName)
	}
	// A placement without a link keeps the one the booking has.
	again := newBooking(req{ID: b.ID, Artisan: "ben", Start: at(14, 0)})
	if _, err := e.st.RescheduleBooking(ctx, b.ID, again.Booking.Start, again.Booking.End, again.Booking.BlockStart, again.Booking.BlockEnd, staff,
		place(again, b.ID)); err != nil {
		t.Fatal(err)
	}
	if stored, _ := e.st.Booking(ctx, b.ID); stored.MeetingURL != "https://meet.example/ben-room" {
		t.Errorf("after a move that keeps the host the link is %q, want Ben's kept", stored.MeetingURL)
	}
}

// After the newest closure or time off is deleted, the next one gets a new
// id, so a retried DELETE of the old id is a 404 and never removes the
// newcomer.
func testIDsNotReused(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "u1"}
	d := booking.Date{Year: 2026, Month: 12, Day: 30}
	tests := []struct {
		name   string
		add    func(st Store) (string, error)
		delete func(st Store, id string) error
	}{
		{"Closure",
			func(st Store) (string, error) {
				c, err := st.AddClosure(ctx, booking.Closure{From: d, To: d, Reason: "Stocktake"}, staff)
				return c.ID, err
			},
			func(st Store, id string) error { return st.DeleteClosure(ctx, id, staff) }},
		{"TimeOff",
			func(st Store) (string, error) {
				t, err := st.AddTimeOff(ctx, booking.TimeOff{ArtisanID: "ana", Start: at(10, 0), End: at(11, 0)}, staff)
				return t.ID, err
			},
			func(st Store, id string) error { return st.DeleteTimeOff(ctx, "ana", id, staff) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newQuietEnv(t, open, Catalog()).st
			first, err := tc.add(st)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.delete(st, first); err != nil {
				t.Fatal(err)
			}
			second, err := tc.add(st)
			if err != nil {
				t.Fatal(err)
			}
			if second == first {
				t.Fatalf("id %s given out again after its delete", first)
			}
			wantCode(t, tc.delete(st, first), booking.ENOTFOUND, booking.CodeNotFound)
			if err := tc.delete(st, second); err != nil {
				t.Errorf("the second one is gone or unreachable: %v", err)
			}
		})
	}
}
