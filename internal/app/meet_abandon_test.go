package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
)

// racingLinker is a Google Meet linker during whose call another request
// takes the slot: the booking is then refused by the store after its
// Google event was created.
type racingLinker struct {
	*gcal.MeetLinker // Link and Abandon
	race             func(b *booking.Booking)
}

func (l *racingLinker) Link(ctx context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
	link, err := l.MeetLinker.Link(ctx, b, a)
	if err == nil && l.race != nil {
		l.race(b)
	}
	return link, err
}

// TestRefusedBookingLeavesNoMeetEvent: when the slot is taken between the
// Meet link (which creates the booking's Google event) and the commit, the
// customer gets 409 and the artisan's Google Calendar keeps no empty event.
func TestRefusedBookingLeavesNoMeetEvent(t *testing.T) {
	db, clock := MustOpenStore(t)
	ctx := context.Background()
	fake := gcaltest.NewServer()
	t.Cleanup(fake.Close)
	syncer, err := gcal.New(gcal.Options{
		Config:        gcal.Config{Enabled: true, Endpoint: fake.Endpoint(), Auth: gcal.AuthNone, Meet: true},
		Store:         gcaltest.NewStore(),
		Bookings:      db,
		Now:           func() time.Time { return *clock },
		Sleep:         func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		HTTPClient:    &http.Client{Timeout: 5 * time.Second},
		MeetPollDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 2, 15, 0, 0, 0, sgt)
	l := &racingLinker{MeetLinker: &gcal.MeetLinker{Syncer: syncer}}
	a := NewApp(db, clock, withMeetings(l))

	var rival *app.Created
	l.race = func(b *booking.Booking) {
		l.race = nil // once
		req := request(start, booking.InPerson)
		req.Artisan = b.ArtisanID
		if rival, err = a.CreateBooking(ctx, req, app.CreateOptions{}); err != nil {
			t.Fatalf("the rival booking: %v", err)
		}
		if n := len(fake.Events(gcal.DefaultCalendarID)); n != 1 {
			t.Fatalf("%d events in Google after the Meet link, want the booking's own", n)
		}
	}
	_, err = a.CreateBooking(ctx, request(start, booking.Virtual), app.CreateOptions{})
	wantKind(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	if rival == nil {
		t.Fatal("the linker did not run")
	}
	if evs := fake.Events(gcal.DefaultCalendarID); len(evs) != 0 {
		t.Errorf("Google keeps %d event(s) of the refused booking: %v", len(evs), evs)
	}
	if fake.Requests("delete") != 1 {
		t.Errorf("events.delete called %d times, want 1", fake.Requests("delete"))
	}

	// A booking that is stored keeps its event.
	c, err := a.CreateBooking(ctx, request(start.Add(2*time.Hour), booking.Virtual), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fake.Events(gcal.DefaultCalendarID)[gcal.EventID(made(c).ID)] == nil {
		t.Error("the stored booking's Meet event is missing")
	}
}
