package gcal_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
)

// TestMoveToAnotherArtisan: a booking moved from Ana to Ben leaves Ana's
// Google Calendar and appears in Ben's at the new time; a video call that
// had a Meet link in Ana's event gets Ben's own, in Ben's event.
func TestMoveToAnotherArtisan(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	later := start.Add(26 * time.Hour)
	jitsi := gcal.LinkerFunc(func(_ context.Context, b *booking.Booking, a *booking.Artisan) (string, error) {
		return "https://meet.jit.si/atelier-" + a.ID + "-" + b.ID, nil
	})

	t.Run("Visit", func(t *testing.T) {
		e := mustNewEnv(t, nil)
		mustCreateBooking(t, e, "v1", "ana", booking.InPerson, start)
		e.drainJobs(t, 5)
		if e.srv.Events(calIDs["ana"])[gcal.EventID("v1")] == nil {
			t.Fatal("the booking is not in Ana's calendar before the move")
		}
		if err := e.bookings.Move("v1", "ben", later, ""); err != nil {
			t.Fatal(err)
		}
		// Until its job has run, the moved booking is pending, not the
		// "synced" of its old time.
		if st, err := e.syncer.BookingStatus(ctx, "v1"); err != nil || st == nil || st.State != calsync.SyncPending {
			t.Errorf("status after the move, before its job: %+v, %v; want pending", st, err)
		}
		e.drainJobs(t, 5)
		if st, err := e.syncer.BookingStatus(ctx, "v1"); err != nil || st == nil || st.State != calsync.SyncSynced {
			t.Errorf("status once the move's job ran: %+v, %v; want synced", st, err)
		}
		if ev := e.srv.Events(calIDs["ana"])[gcal.EventID("v1")]; ev != nil {
			t.Errorf("Ana's calendar still shows the moved booking: %s at %s", ev.Summary, ev.Start.DateTime)
		}
		assertGoogleMatches(t, e) // one event, in Ben's calendar, at the new time
		st, err := e.store.BookingSync(ctx, "v1")
		if err != nil || st == nil || st.ArtisanID != "ben" || st.CalendarID != calIDs["ben"] || st.State != calsync.SyncSynced {
			t.Errorf("sync state after the move = %+v, %v; want synced in Ben's calendar", st, err)
		}
	})

	t.Run("VideoCallWithMeet", func(t *testing.T) {
		e := mustNewEnv(t, nil)
		linker := &gcal.MeetLinker{Syncer: e.syncer, Fallback: jitsi, Timeout: time.Second}
		b := booking.Booking{ID: "c1", ServiceID: "ring", Mode: booking.Virtual, ArtisanID: "ana", Start: start, End: start.Add(time.Hour),
			BlockStart: start, BlockEnd: start.Add(time.Hour), Customer: booking.Customer{Name: "Vera", Email: "vera@example.net"}}
		anaLink := mustMeet(t, linker, &b, &e.bookings.Cat.Artisans[0])
		b.MeetingURL = anaLink
		if err := e.bookings.Create(b); err != nil {
			t.Fatal(err)
		}
		e.drainJobs(t, 5)

		// The app asks for the new host's link with the booking as it
		// will be after the move, before the move is stored.
		moved := b
		moved.ArtisanID, moved.Start, moved.End, moved.Sequence, moved.MeetingURL = "ben", later, later.Add(time.Hour), 1, ""
		benLink := mustMeet(t, linker, &moved, &e.bookings.Cat.Artisans[1])
		if benLink == anaLink {
			t.Fatalf("the move kept Ana's Meet link %s", anaLink)
		}
		if ev := e.srv.Events(calIDs["ana"])[gcal.EventID("c1")]; ev == nil || ev.HangoutLink != anaLink {
			t.Fatalf("Ana's event changed before the move was stored: %+v", ev)
		}
		if err := e.bookings.Move("c1", "ben", later, benLink); err != nil {
			t.Fatal(err)
		}
		e.drainJobs(t, 5)

		if ev := e.srv.Events(calIDs["ana"])[gcal.EventID("c1")]; ev != nil {
			t.Errorf("Ana's calendar still holds the moved call (link %s)", ev.HangoutLink)
		}
		assertGoogleMatches(t, e)
		ev := e.srv.Events(calIDs["ben"])[gcal.EventID("c1")]
		if ev == nil {
			t.Fatal("no event in Ben's calendar")
		}
		if ev.HangoutLink != benLink || ev.Location != benLink || !strings.Contains(ev.Description, benLink) {
			t.Errorf("Ben's event: Meet %q, location %q, description %q; want Ben's link %s throughout", ev.HangoutLink, ev.Location, ev.Description, benLink)
		}
		if st, _ := e.store.BookingSync(ctx, "c1"); st == nil || st.ArtisanID != "ben" || st.MeetURL != benLink {
			t.Errorf("sync state = %+v, want Ben's calendar and Meet link", st)
		}
	})

	t.Run("RefusedMoveLeavesTheCallWhereItWas", func(t *testing.T) {
		e := mustNewEnv(t, nil)
		linker := &gcal.MeetLinker{Syncer: e.syncer, Fallback: jitsi, Timeout: time.Second}
		b := booking.Booking{ID: "c2", ServiceID: "ring", Mode: booking.Virtual, ArtisanID: "ana", Start: start, End: start.Add(time.Hour),
			BlockStart: start, BlockEnd: start.Add(time.Hour), Customer: booking.Customer{Name: "Vera", Email: "vera@example.net"}}
		b.MeetingURL = mustMeet(t, linker, &b, &e.bookings.Cat.Artisans[0])
		if err := e.bookings.Create(b); err != nil {
			t.Fatal(err)
		}
		e.drainJobs(t, 5)

		moved := b
		moved.ArtisanID, moved.Start, moved.End, moved.Sequence, moved.MeetingURL = "ben", later, later.Add(time.Hour), 1, ""
		moved.MeetingURL = mustMeet(t, linker, &moved, &e.bookings.Cat.Artisans[1])
		// The slot was taken meanwhile: the store refused the move.
		if err := linker.Abandon(ctx, &moved, &e.bookings.Cat.Artisans[1]); err != nil {
			t.Fatal(err)
		}
		if evs := e.srv.Events(calIDs["ben"]); len(evs) != 0 {
			t.Errorf("Ben's calendar keeps %d event(s) of a move that did not happen", len(evs))
		}
		if ev := e.srv.Events(calIDs["ana"])[gcal.EventID("c2")]; ev == nil || ev.HangoutLink != b.MeetingURL {
			t.Errorf("Ana's event after the refused move = %+v, want it kept with its Meet link", ev)
		}
		// Abandoning with the booking's own host deletes nothing.
		if err := linker.Abandon(ctx, &b, &e.bookings.Cat.Artisans[0]); err != nil {
			t.Fatal(err)
		}
		if e.srv.Events(calIDs["ana"])[gcal.EventID("c2")] == nil {
			t.Error("abandoning a link on the booking's own calendar deleted the booking's event")
		}
		if st, _ := e.store.BookingSync(ctx, "c2"); st == nil || st.ArtisanID != "ana" || st.CalendarID != calIDs["ana"] {
			t.Errorf("sync state = %+v, want still Ana's calendar", st)
		}
		// A later sync of the booking changes nothing.
		if err := e.syncer.SyncBooking(ctx, "c2"); err != nil {
			t.Fatal(err)
		}
		assertGoogleMatches(t, e)
	})
}

// mustMeet gets a link that must be a Google Meet one.
func mustMeet(tb testing.TB, l *gcal.MeetLinker, b *booking.Booking, a *booking.Artisan) string {
	tb.Helper()
	link, err := l.Link(context.Background(), b, a)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://meet.google.com/") {
		tb.Fatalf("link for %s with %s = %q, want a Meet link", b.ID, a.ID, link)
	}
	return link
}

// TestMoveAfterALostInsert: Google made the event but its answer was lost
// (a timeout), and the booking then moved to Ben before a retry: Ana's
// calendar must not keep the event nobody knew was there.
func TestMoveAfterALostInsert(t *testing.T) {
	e := mustNewEnv(t, func(o *gcal.Options) {
		o.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
		o.RetryTries = 1
	})
	start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	mustCreateBooking(t, e, "l1", "ana", booking.InPerson, start)
	e.srv.Inject(gcaltest.Fault{Calendar: calIDs["ana"], Op: "insert", Delay: 300 * time.Millisecond, Times: 1})
	if err := e.syncer.SyncBooking(context.Background(), "l1"); err == nil {
		t.Fatal("the sync succeeded although Google's answer was lost")
	}
	// The fake writes the event once its delay is over, as Google would.
	deadline := time.Now().Add(5 * time.Second)
	for e.srv.Events(calIDs["ana"])[gcal.EventID("l1")] == nil {
		if time.Now().After(deadline) {
			t.Fatal("the delayed insert never reached the fake")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := e.bookings.Move("l1", "ben", start.Add(48*time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	e.drainJobs(t, 5)
	if ev := e.srv.Events(calIDs["ana"])[gcal.EventID("l1")]; ev != nil {
		t.Errorf("Ana's calendar keeps the event of a booking moved to Ben (%s)", ev.Start.DateTime)
	}
	assertGoogleMatches(t, e)
}

// TestMoveAfterTheArtisansCalendarChanged: Ana's synced calendar was
// changed in the configuration (google_calendar_id); her booking's next
// change takes its event out of the old calendar and into the new one.
func TestMoveAfterTheArtisansCalendarChanged(t *testing.T) {
	e := mustNewEnv(t, func(o *gcal.Options) { o.CalendarIDs = map[string]string{"ana": "ana-old@example.com"} })
	start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	mustCreateBooking(t, e, "k1", "ana", booking.InPerson, start)
	e.drainJobs(t, 5)
	if e.srv.Events("ana-old@example.com")[gcal.EventID("k1")] == nil {
		t.Fatal("the booking is not in Ana's old calendar")
	}
	// Restarted with Ana's new calendar.
	e.syncer = mustNewEnvSharing(t, e, func(*gcal.Options) {})
	if err := e.bookings.Reschedule("k1", start.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.drainJobs(t, 5)
	if evs := e.srv.Events("ana-old@example.com"); len(evs) != 0 {
		t.Errorf("Ana's old calendar keeps %d event(s)", len(evs))
	}
	assertGoogleMatches(t, e)
}
