package gcal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/outbox"
)

// env is a syncer wired to the fake Calendar API and in-memory stores,
// with a clock the test moves.
type env struct {
	tb       testing.TB
	srv      *gcaltest.Server
	store    *gcaltest.Store
	bookings *gcaltest.Bookings
	syncer   *gcal.Syncer

	mu      sync.Mutex
	now     time.Time
	stopped []string // OnSyncStopped calls, "artisan: reason"
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }

func (e *env) advance(d time.Duration) { e.mu.Lock(); defer e.mu.Unlock(); e.now = e.now.Add(d) }

func (e *env) stops() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.stopped...)
}

var calIDs = map[string]string{"ana": "ana@example.com", "ben": "ben@example.com"}

func mustNewEnv(tb testing.TB, mutate func(*gcal.Options)) *env {
	tb.Helper()
	sgt, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		tb.Fatal(err)
	}
	cat := &booking.Catalog{
		Atelier:  booking.Atelier{Name: "Atelier", Timezone: "Asia/Singapore", Location: sgt, Address: "1 Jewel Lane"},
		Services: []booking.Service{{ID: "ring", Name: "Ring design", Duration: time.Hour, Modes: []booking.Mode{booking.InPerson, booking.Virtual}}},
		Artisans: []booking.Artisan{{ID: "ana", Name: "Ana", Email: "ana@example.com"}, {ID: "ben", Name: "Ben", Email: "ben@example.com"}},
	}
	e := &env{tb: tb, srv: gcaltest.NewServer(), store: gcaltest.NewStore(), bookings: gcaltest.NewBookings(cat, gcal.Jobs()),
		now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	tb.Cleanup(e.srv.Close)
	opts := gcal.Options{
		Config:      gcal.Config{Enabled: true, Endpoint: e.srv.Endpoint(), Auth: gcal.AuthNone, Meet: true},
		Store:       e.store,
		Bookings:    e.bookings,
		CalendarIDs: calIDs,
		StaffURL:    func(id string) string { return "https://atelier.test/staff/bookings/" + id },
		OnSyncStopped: func(a, reason string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.stopped = append(e.stopped, a+": "+reason)
		},
		Now:           e.clock,
		Sleep:         func(ctx context.Context, d time.Duration) error { return ctx.Err() }, // no real waiting
		HTTPClient:    &http.Client{Timeout: 2 * time.Second},
		MeetPollDelay: time.Millisecond,
	}
	if mutate != nil {
		mutate(&opts)
	}
	e.syncer, err = gcal.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// runJobs claims the due sync jobs and runs them, as the server's runner of
// the queue does, with the policy changed by opts.
func (e *env) runJobs(ctx context.Context, opts ...func(*outbox.Config)) (int, error) {
	return e.runner(opts...).RunOnce(ctx)
}

// runner returns a runner of the sync jobs with the env's syncer and clock.
func (e *env) runner(opts ...func(*outbox.Config)) *outbox.Runner {
	c := outbox.Config{Queue: gcal.Queue, Store: e.bookings, Handler: e.syncer, Now: e.clock}
	for _, o := range opts {
		o(&c)
	}
	r, err := outbox.New(c)
	if err != nil {
		e.tb.Fatal(err)
	}
	return r
}

// drainJobs runs jobs, moving the clock an hour at a time, until none is
// left (or gives up after rounds).
func (e *env) drainJobs(tb testing.TB, rounds int) {
	tb.Helper()
	for range rounds {
		if _, err := e.runJobs(context.Background()); err != nil {
			tb.Fatal(err)
		}
		if len(e.bookings.Pending()) == 0 {
			return
		}
		e.advance(time.Hour)
	}
	tb.Fatalf("jobs still pending after %d rounds: %+v", rounds, e.bookings.Pending())
}

func mustCreateBooking(tb testing.TB, e *env, id, artisan string, mode booking.Mode, start time.Time) {
	tb.Helper()
	b := booking.Booking{ID: id, ServiceID: "ring", Mode: mode, ArtisanID: artisan, Start: start, End: start.Add(time.Hour),
		BlockStart: start, BlockEnd: start.Add(time.Hour), Customer: booking.Customer{Name: "Customer " + id, Email: id + "@example.net"}}
	if mode == booking.InPerson {
		b.Location = "1 Jewel Lane"
	}
	if err := e.bookings.Create(b); err != nil {
		tb.Fatal(err)
	}
}

// assertGoogleMatches checks that Google holds exactly one event per
// confirmed booking, in the booking's artisan's calendar, at its time.
func assertGoogleMatches(tb testing.TB, e *env) {
	tb.Helper()
	want := map[string]map[string]booking.Booking{}
	for _, b := range e.bookings.All() {
		if b.Status != booking.Confirmed {
			continue
		}
		cal := calIDs[b.ArtisanID]
		if want[cal] == nil {
			want[cal] = map[string]booking.Booking{}
		}
		want[cal][gcal.EventID(b.ID)] = b
	}
	for _, cal := range calIDs {
		got := e.srv.Events(cal)
		if len(got) != len(want[cal]) {
			tb.Errorf("calendar %s: %d events, want %d", cal, len(got), len(want[cal]))
		}
		for id, ev := range got {
			b, ok := want[cal][id]
			if !ok {
				tb.Errorf("calendar %s: unexpected event %s (%s)", cal, id, ev.Summary)
				continue
			}
			start, _ := time.Parse(time.RFC3339, ev.Start.DateTime)
			end, _ := time.Parse(time.RFC3339, ev.End.DateTime)
			if !start.Equal(b.Start) || !end.Equal(b.End) {
				tb.Errorf("booking %s: event at %s-%s, want %s-%s", b.ID, start, end, b.Start, b.End)
			}
			if got := ev.ExtendedProperties.Private[gcal.BookingIDProperty]; got != b.ID {
				tb.Errorf("event %s: booking id property %q, want %q", id, got, b.ID)
			}
			if ev.Visibility != "private" || len(ev.Attendees) != 0 {
				tb.Errorf("event %s: visibility %q with %d attendees, want private with none", id, ev.Visibility, len(ev.Attendees))
			}
		}
	}
}

func TestEventID(t *testing.T) {
	for _, id := range []string{"a", "bk_01HZX3", "0123456789abcdef0123456789abcdef", "ünïcode"} {
		t.Run(id, func(t *testing.T) {
			got := gcal.EventID(id)
			if got != gcal.EventID(id) {
				t.Fatal("not deterministic")
			}
			if len(got) < 5 || len(got) > 1024 {
				t.Errorf("len %d outside 5..1024", len(got))
			}
			for _, c := range got {
				if !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
					t.Fatalf("%q has %q, outside base32hex a-v0-9", got, c)
				}
			}
			if back, ok := gcal.BookingIDFromEventID(got); !ok || back != id {
				t.Errorf("round trip = %q, %v", back, ok)
			}
		})
	}
	if gcal.EventID("a") == gcal.EventID("b") {
		t.Error("two bookings share an event id")
	}
}

// During an outage, 50 creates, reschedules and cancels happen; once Google
// is back, it holds exactly the confirmed bookings, once each, on time.
func TestOutageThenRecovery(t *testing.T) {
	e := mustNewEnv(t, nil)
	e.srv.Inject(gcaltest.Fault{Op: "insert", Delay: 100 * time.Millisecond, Times: 2}) // written, answer lost
	ctx := context.Background()
	base := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	// A few bookings sync before the outage.
	for i := range 5 {
		mustCreateBooking(t, e, fmt.Sprintf("pre%d", i), []string{"ana", "ben"}[i%2], booking.InPerson, base.Add(time.Duration(i)*time.Hour))
	}
	e.syncer = mustSyncerWithTimeout(t, e, 50*time.Millisecond)
	e.drainJobs(t, 20)

	faults := []gcaltest.Fault{
		{Status: 500},
		{Status: 429, RetryAfter: "120"},
		{Status: 403, Reason: "rateLimitExceeded"},
		{Status: 403, Reason: "userRateLimitExceeded"},
		{Status: 503},
	}
	for i := range 50 {
		e.srv.ClearFaults()
		e.srv.Inject(faults[i%len(faults)])
		id := fmt.Sprintf("b%02d", i)
		switch i % 5 {
		case 0, 1, 2:
			mustCreateBooking(t, e, id, []string{"ana", "ben"}[i%2], booking.Virtual, base.Add(time.Duration(24+i)*time.Hour))
		case 3: // reschedule an earlier booking, twice for some
			prev := fmt.Sprintf("b%02d", i-2)
			if err := e.bookings.Reschedule(prev, base.Add(time.Duration(200+i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if i%2 == 1 {
				if err := e.bookings.Reschedule(prev, base.Add(time.Duration(300+i)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		case 4: // cancel one booked in the outage and one synced before it
			if err := e.bookings.Cancel(fmt.Sprintf("b%02d", i-4)); err != nil {
				t.Fatal(err)
			}
			if i/5 < 5 {
				if err := e.bookings.Cancel(fmt.Sprintf("pre%d", i/5)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := e.runJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.bookings.Pending()) == 0 {
		t.Fatal("no job was left to retry: the outage did not bite")
	}
	e.srv.ClearFaults()
	e.drainJobs(t, 50)

	assertGoogleMatches(t, e)
	if f := e.bookings.Failed(); len(f) > 0 {
		t.Errorf("%d jobs given up, first: %s", len(f), f[0].LastError)
	}
	for _, b := range e.bookings.All() {
		st, err := e.syncer.BookingStatus(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st == nil || st.State != calsync.SyncSynced || st.Sequence != b.Sequence {
			t.Errorf("booking %s: sync state %+v, want synced at sequence %d", b.ID, st, b.Sequence)
		}
	}
	if s := e.stops(); len(s) > 0 {
		t.Errorf("transient faults stopped sync: %v", s)
	}
}

// mustSyncerWithTimeout rebuilds the env's syncer with a short HTTP
// timeout, so that slow answers are given up on.
func mustSyncerWithTimeout(tb testing.TB, e *env, d time.Duration) *gcal.Syncer {
	tb.Helper()
	n := mustNewEnvSharing(tb, e, func(o *gcal.Options) { o.HTTPClient = &http.Client{Timeout: d} })
	return n
}

func mustNewEnvSharing(tb testing.TB, e *env, mutate func(*gcal.Options)) *gcal.Syncer {
	tb.Helper()
	opts := gcal.Options{
		Config:      gcal.Config{Enabled: true, Endpoint: e.srv.Endpoint(), Auth: gcal.AuthNone, Meet: true},
		Store:       e.store,
		Bookings:    e.bookings,
		CalendarIDs: calIDs,
		Now:         e.clock,
		Sleep:       func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		OnSyncStopped: func(a, reason string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.stopped = append(e.stopped, a+": "+reason)
		},
	}
	mutate(&opts)
	s, err := gcal.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestInboundBusyTimes(t *testing.T) {
	e := mustNewEnv(t, nil)
	ctx := context.Background()
	cal := calIDs["ana"]
	at := func(h int) string { return time.Date(2026, 12, 2, h, 0, 0, 0, time.UTC).Format(time.RFC3339) }
	e.srv.Put(cal, &calendar.Event{Id: "dentist01", Summary: "Dentist", Start: &calendar.EventDateTime{DateTime: at(3)}, End: &calendar.EventDateTime{DateTime: at(4)}})
	e.srv.Put(cal, &calendar.Event{Id: "free00001", Summary: "Reminder", Transparency: "transparent", Start: &calendar.EventDateTime{DateTime: at(5)}, End: &calendar.EventDateTime{DateTime: at(6)}})
	e.srv.Put(cal, &calendar.Event{Id: "ours00001", ExtendedProperties: &calendar.EventExtendedProperties{Private: map[string]string{gcal.BookingIDProperty: "x"}},
		Start: &calendar.EventDateTime{DateTime: at(7)}, End: &calendar.EventDateTime{DateTime: at(8)}})
	e.srv.Put(cal, &calendar.Event{Id: "holiday01", Summary: "Holiday", Start: &calendar.EventDateTime{Date: "2026-12-05", TimeZone: "Asia/Singapore"}, End: &calendar.EventDateTime{Date: "2026-12-06"}})
	for i := range 4 { // more than a page
		e.srv.Put(cal, &calendar.Event{Id: fmt.Sprintf("mtg%06d", i), Start: &calendar.EventDateTime{DateTime: at(10 + i)}, End: &calendar.EventDateTime{DateTime: at(11 + i)}})
	}
	e.srv.Put(calIDs["ben"], &calendar.Event{Id: "bensevent", Start: &calendar.EventDateTime{DateTime: at(3)}, End: &calendar.EventDateTime{DateTime: at(4)}})

	if err := e.syncer.SyncAll(ctx); err != nil {
		t.Fatal(err)
	}
	sgt, _ := time.LoadLocation("Asia/Singapore")
	want := []string{
		at(3) + "/" + at(4), // dentist
		at(10) + "/" + at(11), at(11) + "/" + at(12), at(12) + "/" + at(13), at(13) + "/" + at(14),
		time.Date(2026, 12, 5, 0, 0, 0, 0, sgt).UTC().Format(time.RFC3339) + "/" + time.Date(2026, 12, 6, 0, 0, 0, 0, sgt).UTC().Format(time.RFC3339),
	}
	assertBusy(t, e.store.Busy("ana"), want)
	assertBusy(t, e.store.Busy("ben"), []string{at(3) + "/" + at(4)})

	t.Run("DeletedInGoogleFreesTheTime", func(t *testing.T) {
		lists := e.srv.Requests("list")
		e.srv.Remove(cal, "dentist01")
		if err := e.syncer.SyncArtisan(ctx, "ana"); err != nil {
			t.Fatal(err)
		}
		assertBusy(t, e.store.Busy("ana"), want[1:])
		if got := e.srv.Requests("list") - lists; got != 1 {
			t.Errorf("incremental sync made %d list calls, want 1 (only the change)", got)
		}
	})
	t.Run("MovedToFree", func(t *testing.T) {
		e.srv.Put(cal, &calendar.Event{Id: "mtg000000", Transparency: "transparent", Start: &calendar.EventDateTime{DateTime: at(10)}, End: &calendar.EventDateTime{DateTime: at(11)}})
		if err := e.syncer.SyncArtisan(ctx, "ana"); err != nil {
			t.Fatal(err)
		}
		assertBusy(t, e.store.Busy("ana"), want[2:])
	})
	t.Run("ExpiredTokenFullResync", func(t *testing.T) {
		e.srv.ExpireSyncTokens()
		e.srv.Put(cal, &calendar.Event{Id: "late00001", Start: &calendar.EventDateTime{DateTime: at(20)}, End: &calendar.EventDateTime{DateTime: at(21)}})
		if err := e.syncer.SyncArtisan(ctx, "ana"); err != nil {
			t.Fatal(err)
		}
		assertBusy(t, e.store.Busy("ana"), append(append([]string(nil), want[2:5]...), at(20)+"/"+at(21), want[5]))
	})
}

func assertBusy(tb testing.TB, got []booking.Busy, want []string) {
	tb.Helper()
	var g []string
	for _, b := range got {
		g = append(g, b.Start.UTC().Format(time.RFC3339)+"/"+b.End.UTC().Format(time.RFC3339))
	}
	if fmt.Sprint(g) != fmt.Sprint(want) {
		tb.Errorf("busy =\n  %v\nwant\n  %v", g, want)
	}
}

// A revoked token stops sync for that artisan only; reconnecting resumes it
// and the bookings made meanwhile reach Google.
func TestRevokedTokenStopsOneArtisan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault gcaltest.Fault
		state calsync.ConnState
	}{
		{"Unauthorized", gcaltest.Fault{Status: 401, Reason: "authError"}, calsync.StateDisconnected},
		{"QuotaExceeded", gcaltest.Fault{Status: 403, Reason: "quotaExceeded"}, calsync.StateError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustNewEnv(t, nil)
			ctx := context.Background()
			f := tc.fault
			f.Calendar = calIDs["ana"]
			e.srv.Inject(f)
			start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
			for i := range 3 {
				mustCreateBooking(t, e, fmt.Sprintf("a%d", i), "ana", booking.InPerson, start.Add(time.Duration(i)*time.Hour))
				mustCreateBooking(t, e, fmt.Sprintf("b%d", i), "ben", booking.InPerson, start.Add(time.Duration(i)*time.Hour))
			}
			for range 3 {
				if _, err := e.runJobs(ctx); err != nil {
					t.Fatal(err)
				}
				if err := e.syncer.SyncAll(ctx); err != nil {
					t.Fatal(err)
				}
				e.advance(10 * time.Minute)
			}
			if got := len(e.srv.Events(calIDs["ben"])); got != 3 {
				t.Errorf("ben has %d events, want 3 (unaffected)", got)
			}
			if got := len(e.srv.Events(calIDs["ana"])); got != 0 {
				t.Errorf("ana has %d events while stopped", got)
			}
			status := statusOf(t, e)
			if status["ana"].State != tc.state || status["ana"].LastError == "" {
				t.Errorf("ana: %+v, want %s with the error", status["ana"], tc.state)
			}
			if status["ben"].State != calsync.StateConnected || status["ben"].LastSuccess.IsZero() {
				t.Errorf("ben: %+v, want connected with a last success", status["ben"])
			}
			if s := e.stops(); len(s) != 1 {
				t.Errorf("stop reported %d times (%v), want once", len(s), s)
			}
			requests := e.srv.Requests("insert")
			e.advance(time.Hour)
			if _, err := e.runJobs(ctx); err != nil {
				t.Fatal(err)
			}
			if got := e.srv.Requests("insert") - requests; got != 0 {
				t.Errorf("stopped artisan still called Google %d times", got)
			}

			// The artisan reconnects; a booking was cancelled meanwhile.
			if err := e.bookings.Cancel("a1"); err != nil {
				t.Fatal(err)
			}
			e.srv.ClearFaults()
			if err := e.syncer.Reconnect(ctx, "ana"); err != nil {
				t.Fatal(err)
			}
			e.drainJobs(t, 5)
			assertGoogleMatches(t, e)
			if got := statusOf(t, e)["ana"].State; got != calsync.StateConnected {
				t.Errorf("ana after reconnect: %s", got)
			}
			if f := e.bookings.Failed(); len(f) > 0 {
				t.Errorf("jobs lost: %v", f)
			}
		})
	}
}

func statusOf(tb testing.TB, e *env) map[string]calsync.ArtisanSync {
	tb.Helper()
	all, err := e.syncer.Status(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]calsync.ArtisanSync{}
	for _, s := range all {
		m[s.ArtisanID] = s
	}
	return m
}

func TestMeetLink(t *testing.T) {
	jitsi := gcal.LinkerFunc(func(_ context.Context, b *booking.Booking, _ *booking.Artisan) (string, error) {
		return "https://meet.jit.si/atelier-" + b.ID, nil
	})
	for _, tc := range []struct {
		name     string
		setup    func(*gcaltest.Server)
		wantMeet bool
	}{
		{"PendingThenReady", func(s *gcaltest.Server) { s.MeetAfter = 3 }, true},
		{"CreationFails", func(s *gcaltest.Server) { s.MeetFails = true }, false},
		{"NeverReady", func(s *gcaltest.Server) { s.MeetAfter = 1000 }, false},
		{"GoogleDown", func(s *gcaltest.Server) { s.Inject(gcaltest.Fault{Status: 500}) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustNewEnv(t, func(o *gcal.Options) { o.MeetPolls = 5 })
			tc.setup(e.srv)
			ctx := context.Background()
			start := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
			b := booking.Booking{ID: "v1", ServiceID: "ring", Mode: booking.Virtual, ArtisanID: "ana", Start: start, End: start.Add(time.Hour),
				Customer: booking.Customer{Name: "Vera"}}
			linker := &gcal.MeetLinker{Syncer: e.syncer, Fallback: jitsi, Timeout: time.Second}
			link, err := linker.Link(ctx, &b, &e.bookings.Cat.Artisans[0])
			if err != nil {
				t.Fatal(err)
			}
			isMeet := len(link) > 24 && link[:24] == "https://meet.google.com/"
			if isMeet != tc.wantMeet {
				t.Fatalf("link %q, want Meet: %v", link, tc.wantMeet)
			}
			if !tc.wantMeet && link != "https://meet.jit.si/atelier-v1" {
				t.Fatalf("fallback link %q", link)
			}
			// The booking is committed with the link; the sync job keeps one
			// event, with the conference if Meet was had.
			e.srv.ClearFaults()
			b.MeetingURL = link
			if err := e.bookings.Create(b); err != nil {
				t.Fatal(err)
			}
			e.drainJobs(t, 5)
			assertGoogleMatches(t, e)
			ev := e.srv.Events(calIDs["ana"])[gcal.EventID("v1")]
			if ev == nil {
				t.Fatal("no event")
			}
			if tc.wantMeet && ev.HangoutLink != link {
				t.Errorf("event Meet link %q, want %q", ev.HangoutLink, link)
			}
		})
	}
}

func TestFreeBusy(t *testing.T) {
	e := mustNewEnv(t, func(o *gcal.Options) { o.Config.FreeBusyTimeout = 100 * time.Millisecond })
	ctx := context.Background()
	from := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	e.srv.Put(calIDs["ana"], &calendar.Event{Id: "lunch0001", Start: &calendar.EventDateTime{DateTime: from.Add(4 * time.Hour).Format(time.RFC3339)},
		End: &calendar.EventDateTime{DateTime: from.Add(5 * time.Hour).Format(time.RFC3339)}})
	busy, err := e.syncer.FreeBusy(ctx, "ana", from, from.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(busy) != 1 || !busy[0].Start.Equal(from.Add(4*time.Hour)) || !busy[0].End.Equal(from.Add(5*time.Hour)) {
		t.Errorf("busy = %+v", busy)
	}
	t.Run("SlowGoogle", func(t *testing.T) {
		e.srv.Inject(gcaltest.Fault{Op: "freebusy", Delay: 500 * time.Millisecond, Times: 1})
		began := time.Now()
		_, err := e.syncer.FreeBusy(ctx, "ana", from, from.Add(24*time.Hour))
		if !errors.Is(err, gcal.ErrNoAnswer) {
			t.Fatalf("err = %v, want ErrNoAnswer", err)
		}
		if d := time.Since(began); d > 400*time.Millisecond {
			t.Errorf("took %s, want the 100ms timeout", d)
		}
	})
}
