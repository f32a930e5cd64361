package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/gcal"
	"github.com/atelier-app/atelier/internal/gcal/gcaltest"
	"github.com/atelier-app/atelier/internal/meeting"
	"github.com/atelier-app/atelier/internal/outbox"
	"github.com/atelier-app/atelier/internal/sqlite"
)

// book makes a booking of the consultation with artisan ("" for any).
func book(tb testing.TB, a *app.App, start time.Time, mode booking.Mode, artisan string) *booked {
	tb.Helper()
	req := request(start, mode)
	req.Artisan = artisan
	c, err := a.CreateBooking(context.Background(), req, app.CreateOptions{})
	if err != nil {
		tb.Fatalf("book %s with %q at %s: %v", mode, artisan, start, err)
	}
	return made(c)
}

// TestRescheduleArtisanChoice: with no artisan a move stays with the
// booking's artisan or is refused; "any" lets another free artisan take
// it (the booking's own first); an id asks for that artisan.
func TestRescheduleArtisanChoice(t *testing.T) {
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, sgt)
	meiBusy, meiFree := day.Add(15*time.Hour), day.Add(17*time.Hour)
	for _, tc := range []struct {
		name    string
		artisan string
		start   time.Time
		want    string // the artisan after the move; "" when refused
		kind    booking.Kind
		code    string
		field   string
	}{
		{"KeepWhenFree", "", meiFree, "mei", "", "", ""},
		{"KeepRefusedWhenBusy", "", meiBusy, "", booking.ECONFLICT, booking.CodeSlotUnavailable, ""},
		{"AnyKeepsTheArtisanWhenFree", "any", meiFree, "mei", "", "", ""},
		{"AnyTakesAnotherWhenBusy", "any", meiBusy, "arjun", "", "", ""},
		{"AnyWithNobodyFree", "any", day.Add(30 * time.Hour), "", booking.ECONFLICT, booking.CodeSlotUnavailable, ""}, // 06:00: closed
		{"ByID", "arjun", meiFree, "arjun", "", "", ""},
		{"ByIDOfTheSameArtisan", "mei", meiFree, "mei", "", "", ""},
		{"ByIDBusy", "mei", meiBusy, "", booking.ECONFLICT, booking.CodeSlotUnavailable, ""},
		{"UnknownID", "nobody", meiFree, "", booking.EINVALID, booking.CodeInvalid, "artisan"},
		{"AnyIsCaseSensitive", "ANY", meiFree, "", booking.EINVALID, booking.CodeInvalid, "artisan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := MustOpenApp(t)
			ctx := context.Background()
			b := book(t, a, day.Add(12*time.Hour), booking.Virtual, "mei")
			book(t, a, meiBusy, booking.Virtual, "mei") // Mei is taken at 15:00
			for _, staff := range []bool{false, true} {
				var (
					got *app.Booking
					err error
				)
				req := app.RescheduleRequest{Start: tc.start, Artisan: tc.artisan}
				if staff {
					var sv *app.StaffBooking
					if sv, err = a.StaffReschedule(ctx, admin, b.ID, req); sv != nil {
						got = &sv.Booking
					}
				} else {
					got, err = a.RescheduleBooking(ctx, b.ID, b.ManageToken, req)
				}
				stored, serr := a.StaffGetBooking(ctx, admin, b.ID)
				if serr != nil {
					t.Fatal(serr)
				}
				if tc.want == "" {
					wantKind(t, err, tc.kind, tc.code)
					var e *booking.Error
					if tc.field != "" && (!errors.As(err, &e) || e.Fields[tc.field] == "") {
						t.Errorf("staff %v: err = %v, want a message for %s", staff, err, tc.field)
					}
					if !stored.Start.Equal(b.Start) || stored.ArtisanID != "mei" || stored.Sequence != 0 {
						t.Errorf("staff %v: a refused move changed the booking: %s with %s, sequence %d", staff, stored.Start, stored.ArtisanID, stored.Sequence)
					}
					continue
				}
				if err != nil {
					t.Fatalf("staff %v: %v", staff, err)
				}
				if got.ArtisanID != tc.want || stored.ArtisanID != tc.want || !stored.Start.Equal(tc.start) {
					t.Errorf("staff %v: moved to %s with %s (stored %s), want %s with %s", staff, got.Start, got.ArtisanID, stored.ArtisanID, tc.start, tc.want)
				}
				// Back where it was, for the staff round.
				if _, err := a.StaffReschedule(ctx, admin, b.ID, app.RescheduleRequest{Start: b.Start, Artisan: "mei"}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestPreviewReschedule: the confirmation step is told who would host the
// move, and nothing changes.
func TestPreviewReschedule(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, sgt)
	b := book(t, a, day.Add(12*time.Hour), booking.Virtual, "mei")
	book(t, a, day.Add(15*time.Hour), booking.Virtual, "mei")
	for _, tc := range []struct {
		artisan string
		start   time.Time
		want    string
		changes bool
	}{
		{"", day.Add(17 * time.Hour), "mei", false},
		{"any", day.Add(17 * time.Hour), "mei", false},
		{"any", day.Add(15 * time.Hour), "arjun", true},
		{"arjun", day.Add(17 * time.Hour), "arjun", true},
	} {
		p, err := a.PreviewReschedule(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: tc.start, Artisan: tc.artisan})
		if err != nil || p.Artisan != tc.want || p.Changes() != tc.changes || p.Previous != "mei" {
			t.Errorf("preview %q at %s = %+v, %v; want %s (changes %v)", tc.artisan, tc.start, p, err, tc.want, tc.changes)
		}
	}
	_, err := a.PreviewReschedule(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: day.Add(15 * time.Hour)})
	wantKind(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	_, err = a.PreviewReschedule(ctx, b.ID, "wrong", app.RescheduleRequest{Start: day.Add(17 * time.Hour)})
	wantKind(t, err, booking.ENOTFOUND, booking.CodeNotFound)
	if got, _ := a.StaffGetBooking(ctx, admin, b.ID); got.Sequence != 0 || got.ArtisanID != "mei" {
		t.Errorf("previews changed the booking: sequence %d, artisan %s", got.Sequence, got.ArtisanID)
	}
}

// TestRescheduleMeetingLinkFollowsTheArtisan: a video call moved to
// another artisan gets that artisan's link, whatever the provider; a move
// that keeps the artisan keeps the link; a link that cannot be made leaves
// the booking unchanged.
func TestRescheduleMeetingLinkFollowsTheArtisan(t *testing.T) {
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, sgt)
	for _, tc := range []struct {
		name    string
		linker  app.MeetingLinker
		meiLink func(string) bool
		arjun   func(string) bool
	}{
		{
			name:    "Static",
			linker:  meeting.Static{URLs: map[string]string{"mei": "https://zoom.example/mei", "arjun": "https://zoom.example/arjun"}},
			meiLink: func(l string) bool { return l == "https://zoom.example/mei" },
			arjun:   func(l string) bool { return l == "https://zoom.example/arjun" },
		},
		{
			name:    "Jitsi",
			linker:  meeting.Jitsi{},
			meiLink: func(l string) bool { return strings.HasPrefix(l, "https://meet.jit.si/atelier-mei-") },
			arjun:   func(l string) bool { return strings.HasPrefix(l, "https://meet.jit.si/atelier-arjun-") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := MustOpenApp(t, withMeetings(tc.linker))
			ctx := context.Background()
			b := book(t, a, day.Add(12*time.Hour), booking.Virtual, "mei")
			if !tc.meiLink(b.MeetingURL) {
				t.Fatalf("Mei's booking has link %q", b.MeetingURL)
			}
			kept, err := a.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: day.Add(13 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if kept.MeetingURL != b.MeetingURL {
				t.Errorf("a move that keeps Mei changed the link to %q", kept.MeetingURL)
			}
			moved, err := a.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: day.Add(14 * time.Hour), Artisan: "arjun"})
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := a.GetBooking(ctx, b.ID, b.ManageToken)
			if !tc.arjun(moved.MeetingURL) || stored.MeetingURL != moved.MeetingURL {
				t.Errorf("moved to Arjun: link %q (stored %q), want Arjun's", moved.MeetingURL, stored.MeetingURL)
			}
			// "any" with Arjun busy and Mei free goes back to Mei's room.
			book(t, a, day.Add(16*time.Hour), booking.Virtual, "arjun")
			back, err := a.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: day.Add(16 * time.Hour), Artisan: "any"})
			if err != nil {
				t.Fatal(err)
			}
			if back.ArtisanID != "mei" || !tc.meiLink(back.MeetingURL) {
				t.Errorf("any at a time only Mei is free: %s with link %q", back.ArtisanID, back.MeetingURL)
			}
		})
	}

	t.Run("LinkFails", func(t *testing.T) {
		l := &fakeLinker{}
		a, _ := MustOpenApp(t, withMeetings(l))
		ctx := context.Background()
		b := book(t, a, day.Add(12*time.Hour), booking.Virtual, "mei")
		l.err = errors.New("video service down")
		_, err := a.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: day.Add(14 * time.Hour), Artisan: "arjun"})
		wantKind(t, err, booking.EUNAVAILABLE, "meeting_unavailable")
		got, _ := a.GetBooking(ctx, b.ID, b.ManageToken)
		if got.ArtisanID != "mei" || got.Sequence != 0 || got.MeetingURL != b.MeetingURL {
			t.Errorf("after the failed link: %s, sequence %d, link %q; want unchanged", got.ArtisanID, got.Sequence, got.MeetingURL)
		}
		// Moves that keep the host need no new link.
		if _, err := a.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: day.Add(14 * time.Hour)}); err != nil {
			t.Errorf("a move with Mei while the video service is down: %v", err)
		}
	})
}

// googleMove is an app whose store queues Google sync jobs, a Google
// Calendar fake with a calendar per artisan, and a syncer that runs the
// jobs; Meet links are on.
type googleMove struct {
	app    *app.App
	db     *sqlite.Store
	fake   *gcaltest.Server
	syncer *gcal.Syncer
	jobs   *outbox.Runner // the runner of the sync jobs
	linker *racingLinker  // Meet links, through a linker a test can race
}

var moveCalendars = map[string]string{"mei": "mei-cal", "arjun": "arjun-cal"}

func mustGoogleMove(t *testing.T) *googleMove {
	t.Helper()
	db, clock := MustOpenStore(t)
	db.Jobs = gcal.Jobs()
	fake := gcaltest.NewServer()
	t.Cleanup(fake.Close)
	syncer, err := gcal.New(gcal.Options{
		Config:        gcal.Config{Enabled: true, Endpoint: fake.Endpoint(), Auth: gcal.AuthNone, Meet: true},
		Store:         gcaltest.NewStore(),
		Bookings:      db,
		CalendarIDs:   moveCalendars,
		Now:           func() time.Time { return *clock },
		Sleep:         func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		HTTPClient:    &http.Client{Timeout: 5 * time.Second},
		MeetPollDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	jitsi := meeting.Jitsi{}
	l := &racingLinker{MeetLinker: &gcal.MeetLinker{Syncer: syncer, Fallback: jitsi}}
	a := NewApp(db, clock, withMeetings(l))
	jobs, err := outbox.New(outbox.Config{Queue: gcal.Queue, Store: db, Handler: syncer, Now: a.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &googleMove{app: a, db: db, fake: fake, syncer: syncer, jobs: jobs, linker: l}
}

func (g *googleMove) sync(t *testing.T) {
	t.Helper()
	for range 5 {
		n, err := g.jobs.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("gcal jobs still pending")
}

// TestRescheduleToAnotherArtisanMovesTheGoogleEvent: a video call with a
// Meet link in Mei's calendar, moved to Arjun, gets Arjun's own Meet link;
// Mei's calendar loses the event and Arjun's has it, at the new time, with
// the new link.
func TestRescheduleToAnotherArtisanMovesTheGoogleEvent(t *testing.T) {
	g := mustGoogleMove(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, sgt)
	b := book(t, g.app, day.Add(12*time.Hour), booking.Virtual, "mei")
	if !strings.HasPrefix(b.MeetingURL, "https://meet.google.com/") {
		t.Fatalf("meeting_url = %q, want a Meet link", b.MeetingURL)
	}
	g.sync(t)
	if ev := g.fake.Events("mei-cal")[gcal.EventID(b.ID)]; ev == nil || ev.HangoutLink != b.MeetingURL {
		t.Fatalf("Mei's event = %+v, want one with the Meet link", ev)
	}

	newStart := day.Add(14 * time.Hour)
	moved, err := g.app.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: newStart, Artisan: "arjun"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(moved.MeetingURL, "https://meet.google.com/") || moved.MeetingURL == b.MeetingURL {
		t.Fatalf("moved meeting_url = %q, want a new Meet link (was %s)", moved.MeetingURL, b.MeetingURL)
	}
	g.sync(t)
	if evs := g.fake.Events("mei-cal"); len(evs) != 0 {
		t.Errorf("Mei's calendar keeps %d event(s) after the move", len(evs))
	}
	ev := g.fake.Events("arjun-cal")[gcal.EventID(b.ID)]
	if ev == nil {
		t.Fatal("no event in Arjun's calendar")
	}
	if start, _ := time.Parse(time.RFC3339, ev.Start.DateTime); !start.Equal(newStart) || ev.HangoutLink != moved.MeetingURL {
		t.Errorf("Arjun's event at %s with Meet %q, want %s with %s", ev.Start.DateTime, ev.HangoutLink, newStart, moved.MeetingURL)
	}
}

// TestRefusedMoveToAnotherArtisanLeavesGoogleAlone: the slot is taken
// while Arjun's Meet link is being made: the customer gets 409, the
// booking keeps Mei and her link, and Arjun's calendar keeps nothing.
func TestRefusedMoveToAnotherArtisanLeavesGoogleAlone(t *testing.T) {
	g := mustGoogleMove(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, sgt)
	b := book(t, g.app, day.Add(12*time.Hour), booking.Virtual, "mei")
	g.sync(t)

	newStart := day.Add(14 * time.Hour)
	l := g.linker
	l.race = func(moving *booking.Booking) {
		l.race = nil
		if moving.ArtisanID != "arjun" {
			t.Errorf("link made for %s, want arjun", moving.ArtisanID)
		}
		req := request(newStart, booking.Virtual)
		req.Artisan = "arjun"
		if _, err := g.app.CreateBooking(ctx, req, app.CreateOptions{}); err != nil {
			t.Fatalf("the rival booking: %v", err)
		}
	}
	_, err := g.app.RescheduleBooking(ctx, b.ID, b.ManageToken, app.RescheduleRequest{Start: newStart, Artisan: "arjun"})
	wantKind(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
	got, _ := g.app.GetBooking(ctx, b.ID, b.ManageToken)
	if got.ArtisanID != "mei" || got.MeetingURL != b.MeetingURL || got.Sequence != 0 {
		t.Errorf("after the refused move: %s, link %q, sequence %d; want unchanged", got.ArtisanID, got.MeetingURL, got.Sequence)
	}
	g.sync(t)
	if ev := g.fake.Events("arjun-cal")[gcal.EventID(b.ID)]; ev != nil {
		t.Errorf("Arjun's calendar keeps the refused move's event (%s)", ev.HangoutLink)
	}
	if ev := g.fake.Events("mei-cal")[gcal.EventID(b.ID)]; ev == nil || ev.HangoutLink != b.MeetingURL {
		t.Errorf("Mei's event after the refused move = %+v, want it kept with its link", ev)
	}
}
