package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/calsync"
)

// The state of the calendar sync (calsync.Store). The checks of
// RunCalendarSync hold for any calsync.Store, including the in-memory one
// the Google sync's own tests use (internal/gcal/gcaltest), so those tests
// speak for the database stores too.

// SyncStore is a calsync.Store under test with a way to read back the
// stored busy intervals of an artisan, by start time.
type SyncStore struct {
	calsync.Store
	Busy func(tb testing.TB, artisanID string) []booking.Busy
}

// RunCalendarSync runs the calendar sync's contract against the stores
// open makes, each empty, with the contract's artisans ana and ben.
func RunCalendarSync(t *testing.T, open func(t *testing.T) SyncStore) {
	for _, tc := range calsyncContract {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// syncStore is e's store as a SyncStore.
func (e *env) syncStore() SyncStore {
	return SyncStore{Store: e.st, Busy: func(tb testing.TB, artisanID string) []booking.Busy {
		tb.Helper()
		evs, err := e.st.GoogleBusy(context.Background(), artisanID)
		if err != nil {
			tb.Fatal(err)
		}
		var out []booking.Busy
		for _, ev := range evs {
			out = append(out, booking.Busy{ArtisanID: ev.ArtisanID, Start: ev.Start, End: ev.End})
		}
		return out
	}}
}

func testCalendarSync(t *testing.T, open Opener) {
	RunCalendarSync(t, func(t *testing.T) SyncStore { return newQuietEnv(t, open, Catalog()).syncStore() })
	t.Run("BusyFeedsSchedule", func(t *testing.T) { testBusyFeedsSchedule(t, open) })
	t.Run("BookingSyncBeforeBookingExists", func(t *testing.T) { testBookingSyncBeforeBooking(t, open) })
}

func busyEv(artisan, id string, from, to time.Time) calsync.BusyEvent {
	return calsync.BusyEvent{ArtisanID: artisan, EventID: id, Start: from, End: to}
}

func busyOf(artisan string, from, to time.Time) booking.Busy {
	return booking.Busy{ArtisanID: artisan, Start: from.UTC(), End: to.UTC()}
}

func mustNoErr(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func wantBusy(tb testing.TB, s SyncStore, artisan string, want ...booking.Busy) {
	tb.Helper()
	got := s.Busy(tb, artisan)
	for i := range got {
		got[i].Start, got[i].End = got[i].Start.UTC(), got[i].End.UTC()
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("busy times of %s:\n got %v\nwant %v", artisan, got, want)
	}
}

var calsyncContract = []struct {
	name string
	run  func(t *testing.T, s SyncStore)
}{
	{"MissingRowsAreNil", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		if c, err := s.SyncCursor(ctx, "ana"); c != nil || err != nil {
			t.Errorf("SyncCursor = %v, %v; want nil, nil", c, err)
		}
		if b, err := s.BookingSync(ctx, "bk_none"); b != nil || err != nil {
			t.Errorf("BookingSync = %v, %v; want nil, nil", b, err)
		}
		if a, err := s.ArtisanSync(ctx, "ana"); a != nil || err != nil {
			t.Errorf("ArtisanSync = %v, %v; want nil, nil", a, err)
		}
		if tok, err := s.OAuthToken(ctx, "ana"); tok != nil || err != nil {
			t.Errorf("OAuthToken = %v, %v; want nil, nil", tok, err)
		}
		if all, err := s.ArtisanSyncs(ctx); len(all) != 0 || err != nil {
			t.Errorf("ArtisanSyncs = %v, %v; want none", all, err)
		}
	}},
	{"ReplaceBusyReplacesOneArtisan", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		mustNoErr(t, s.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{
			busyEv("ana", "e1", at(11, 0), at(12, 0)), busyEv("ana", "e2", at(14, 0), at(15, 0)),
		}, calsync.SyncCursor{CalendarID: "primary", Token: "t1"}))
		mustNoErr(t, s.ReplaceBusy(ctx, "ben", []calsync.BusyEvent{busyEv("ben", "e1", at(10, 0), at(11, 0))},
			calsync.SyncCursor{CalendarID: "ben@example.com", Token: "b1"}))
		mustNoErr(t, s.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "e3", at(16, 0), at(17, 0))},
			calsync.SyncCursor{CalendarID: "primary", Token: "t2"}))

		wantBusy(t, s, "ana", busyOf("ana", at(16, 0), at(17, 0)))
		wantBusy(t, s, "ben", busyOf("ben", at(10, 0), at(11, 0)))
		c, err := s.SyncCursor(ctx, "ana")
		mustNoErr(t, err)
		if c == nil || *c != (calsync.SyncCursor{CalendarID: "primary", Token: "t2"}) {
			t.Errorf("cursor = %+v, want primary/t2", c)
		}
	}},
	{"UpdateBusyUpsertsAndRemoves", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		mustNoErr(t, s.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{
			busyEv("ana", "e1", at(11, 0), at(12, 0)), busyEv("ana", "e2", at(14, 0), at(15, 0)),
		}, calsync.SyncCursor{CalendarID: "primary", Token: "t1"}))
		mustNoErr(t, s.ReplaceBusy(ctx, "ben", []calsync.BusyEvent{busyEv("ben", "e1", at(11, 0), at(12, 0))},
			calsync.SyncCursor{CalendarID: "primary", Token: "b1"}))
		// e1 moves, e2 goes, e4 arrives; "unknown" was never stored.
		mustNoErr(t, s.UpdateBusy(ctx, "ana", []calsync.BusyEvent{
			busyEv("ana", "e1", at(12, 0), at(13, 0)), busyEv("ana", "e4", at(17, 0), at(18, 0)),
		}, []string{"e2", "unknown"}, calsync.SyncCursor{CalendarID: "primary", Token: "t2"}))

		wantBusy(t, s, "ana", busyOf("ana", at(12, 0), at(13, 0)), busyOf("ana", at(17, 0), at(18, 0)))
		wantBusy(t, s, "ben", busyOf("ben", at(11, 0), at(12, 0)))
		c, err := s.SyncCursor(ctx, "ana")
		mustNoErr(t, err)
		if c == nil || c.Token != "t2" {
			t.Errorf("cursor = %+v, want token t2", c)
		}
	}},
	{"UpdateBusyWithoutFullSync", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		mustNoErr(t, s.UpdateBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "e1", at(11, 0), at(12, 0))}, nil,
			calsync.SyncCursor{CalendarID: "primary", Token: "t1"}))
		wantBusy(t, s, "ana", busyOf("ana", at(11, 0), at(12, 0)))
	}},
	{"EmptyIntervalRemoves", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		mustNoErr(t, s.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "e1", at(11, 0), at(12, 0))},
			calsync.SyncCursor{CalendarID: "primary", Token: "t1"}))
		// The event shrank to nothing: it blocks nothing any more.
		mustNoErr(t, s.UpdateBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "e1", at(11, 0), at(11, 0))}, nil,
			calsync.SyncCursor{CalendarID: "primary", Token: "t2"}))
		wantBusy(t, s, "ana")
	}},
	{"ClearSyncCursorKeepsBusyTimes", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		mustNoErr(t, s.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{busyEv("ana", "e1", at(11, 0), at(12, 0))},
			calsync.SyncCursor{CalendarID: "primary", Token: "t1"}))
		mustNoErr(t, s.ClearSyncCursor(ctx, "ana"))
		if c, err := s.SyncCursor(ctx, "ana"); c != nil || err != nil {
			t.Errorf("cursor after clear = %+v, %v; want nil", c, err)
		}
		// Busy times stay until the full sync replaces them: availability
		// does not open up in between.
		wantBusy(t, s, "ana", busyOf("ana", at(11, 0), at(12, 0)))
	}},
	{"BookingSyncRoundTrip", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		want := calsync.BookingSync{
			BookingID: "bk_1", State: calsync.SyncPending, ArtisanID: "ana", CalendarID: "primary",
			EventID: "atelierbk1", MeetURL: "https://meet.google.com/abc-defg-hij",
			LastError: "googleapi: Error 503", UpdatedAt: testNow,
		}
		mustNoErr(t, s.SetBookingSync(ctx, want))
		want.State, want.Sequence, want.SyncedAt, want.LastError = calsync.SyncSynced, 2, testNow.Add(time.Minute), ""
		want.UpdatedAt = testNow.Add(time.Minute)
		mustNoErr(t, s.SetBookingSync(ctx, want))
		got, err := s.BookingSync(ctx, "bk_1")
		mustNoErr(t, err)
		if got == nil || !got.SyncedAt.Equal(want.SyncedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("BookingSync = %+v, want %+v", got, want)
		}
		got.SyncedAt, got.UpdatedAt = want.SyncedAt, want.UpdatedAt
		if *got != want {
			t.Errorf("BookingSync =\n %+v\nwant\n %+v", *got, want)
		}
	}},
	{"ArtisanSyncRoundTrip", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		ben := calsync.ArtisanSync{ArtisanID: "ben", State: calsync.StateDisconnected,
			LastSuccess: testNow, LastError: "oauth2: invalid_grant", ErrorAt: testNow.Add(time.Hour)}
		ana := calsync.ArtisanSync{ArtisanID: "ana", State: calsync.StateNotConnected}
		mustNoErr(t, s.SetArtisanSync(ctx, ben))
		mustNoErr(t, s.SetArtisanSync(ctx, calsync.ArtisanSync{ArtisanID: "ana", State: calsync.StateConnected, LastSuccess: testNow}))
		mustNoErr(t, s.SetArtisanSync(ctx, ana))

		all, err := s.ArtisanSyncs(ctx)
		mustNoErr(t, err)
		if len(all) != 2 || all[0].ArtisanID != "ana" || all[1].ArtisanID != "ben" {
			t.Fatalf("ArtisanSyncs = %+v, want ana then ben", all)
		}
		if all[0].State != calsync.StateNotConnected || !all[0].LastSuccess.IsZero() {
			t.Errorf("ana = %+v, want replaced by %+v", all[0], ana)
		}
		got, err := s.ArtisanSync(ctx, "ben")
		mustNoErr(t, err)
		if got == nil || got.State != ben.State || got.LastError != ben.LastError ||
			!got.LastSuccess.Equal(ben.LastSuccess) || !got.ErrorAt.Equal(ben.ErrorAt) {
			t.Errorf("ArtisanSync(ben) = %+v, want %+v", got, ben)
		}
	}},
	{"OAuthTokenRoundTrip", func(t *testing.T, s SyncStore) {
		ctx := context.Background()
		tok := &oauth2.Token{AccessToken: "ya29.a", RefreshToken: "1//r", TokenType: "Bearer", Expiry: testNow.Add(time.Hour)}
		mustNoErr(t, s.SaveOAuthToken(ctx, "ana", tok))
		refreshed := &oauth2.Token{AccessToken: "ya29.b", RefreshToken: "1//r", TokenType: "Bearer", Expiry: testNow.Add(2 * time.Hour)}
		mustNoErr(t, s.SaveOAuthToken(ctx, "ana", refreshed))
		got, err := s.OAuthToken(ctx, "ana")
		mustNoErr(t, err)
		if got == nil || got.AccessToken != "ya29.b" || got.RefreshToken != "1//r" || got.TokenType != "Bearer" ||
			!got.Expiry.Equal(refreshed.Expiry) {
			t.Errorf("OAuthToken = %+v, want %+v", got, refreshed)
		}
		if other, err := s.OAuthToken(ctx, "ben"); other != nil || err != nil {
			t.Errorf("OAuthToken(ben) = %v, %v; want nil", other, err)
		}
		mustNoErr(t, s.DeleteOAuthToken(ctx, "ana"))
		if got, err := s.OAuthToken(ctx, "ana"); got != nil || err != nil {
			t.Errorf("OAuthToken after delete = %v, %v; want nil", got, err)
		}
	}},
}

// Google busy times are in the schedule the availability engine reads when
// they overlap the window, and leave it when their events are deleted.
func testBusyFeedsSchedule(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	db := e.st
	mustNoErr(t, db.ReplaceBusy(ctx, "ana", []calsync.BusyEvent{
		busyEv("ana", "in", at(11, 0), at(12, 0)),
		busyEv("ana", "edge", at(9, 0), at(10, 30)),
		busyEv("ana", "before", at(8, 0), at(9, 0)),
		busyEv("ana", "empty", at(13, 0), at(13, 0)),
	}, calsync.SyncCursor{CalendarID: "primary", Token: "t"}))

	s, err := db.Schedule(ctx, at(10, 0), at(19, 0))
	mustNoErr(t, err)
	want := []booking.Busy{busyOf("ana", at(9, 0), at(10, 30)), busyOf("ana", at(11, 0), at(12, 0))}
	if !reflect.DeepEqual(s.Busy, want) {
		t.Errorf("Schedule busy =\n %v\nwant\n %v", s.Busy, want)
	}

	mustNoErr(t, db.UpdateBusy(ctx, "ana", nil, []string{"in", "edge"}, calsync.SyncCursor{CalendarID: "primary", Token: "t2"}))
	s, err = db.Schedule(ctx, at(10, 0), at(19, 0))
	mustNoErr(t, err)
	if len(s.Busy) != 0 {
		t.Errorf("Schedule busy after the events were deleted = %v, want none", s.Busy)
	}
}

// The Meet link is recorded before the booking is committed, so the row
// must not need the booking; it is read back as written, and still once
// the booking it names is stored.
func testBookingSyncBeforeBooking(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	db := e.st
	const id, meet = "bk_notyet", "https://meet.google.com/abc-defg-hij"
	want := calsync.BookingSync{BookingID: id, State: calsync.SyncPending, ArtisanID: "ana",
		CalendarID: "primary", EventID: "ev1", MeetURL: meet, UpdatedAt: testNow}
	mustNoErr(t, db.SetBookingSync(ctx, want))
	check := func(when string) {
		t.Helper()
		got, err := db.BookingSync(ctx, id)
		mustNoErr(t, err)
		if got == nil {
			t.Fatalf("%s: no sync row for %s, want the one written", when, id)
		}
		if *got != want {
			t.Errorf("%s: sync row\n got %+v\nwant %+v", when, *got, want)
		}
	}
	check("before the booking exists")
	e.mustCreate(t, req{ID: id, Artisan: "ana", Start: at(10, 0)})
	check("after the booking is stored")
}
