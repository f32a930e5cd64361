package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Requests that staff approve (issue 13): a pending booking holds its time
// as a confirmed one does.

var customer = booking.Actor{Kind: "customer"}

// testPendingHoldsTime makes a pending request and then tries the same
// time for the same artisan and, in person, for the same room: through the
// placement check (the schedules, from the cache and inside the
// transaction, list the request as pending) and with the check bypassed
// (the database's own constraints refuse it).
func testPendingHoldsTime(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, oneRoom())
	nb := newBooking(req{Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)})
	nb.Booking.Status, nb.Booking.DecideBy = booking.Pending, testNow.Add(48*time.Hour)
	b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != booking.Pending {
		t.Fatalf("created with status %q, want pending", b.Status)
	}
	if got, err := e.st.Booking(ctx, b.ID); err != nil || got.Status != booking.Pending {
		t.Fatalf("stored: %+v, %v; want pending", got, err)
	}
	for range 2 { // the second read comes from the schedule cache, if any
		s, err := e.st.Schedule(ctx, at(0, 0), at(23, 59))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Bookings) != 1 || s.Bookings[0].ID != b.ID || s.Bookings[0].Status != booking.Pending {
			t.Fatalf("schedule bookings = %+v, want the pending request", s.Bookings)
		}
	}
	for _, tc := range []struct {
		name    string
		artisan string
		mode    booking.Mode
	}{{"SameArtisan", "ana", booking.Virtual}, {"SameRoom", "ben", booking.InPerson}} {
		t.Run(tc.name, func(t *testing.T) {
			other := newBooking(req{Artisan: tc.artisan, Mode: tc.mode, Start: at(11, 0)})
			_, _, err := e.st.CreateBooking(ctx, other, place(other, ""))
			wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
			_, _, err = e.st.CreateBooking(ctx, other, blindPlace(other, "salon"))
			wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
			pending := other
			pending.Booking.Status, pending.Booking.DecideBy = booking.Pending, testNow.Add(48*time.Hour)
			_, _, err = e.st.CreateBooking(ctx, pending, blindPlace(pending, "salon"))
			wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
		})
	}
	if got := e.stored(t); len(got) != 1 {
		t.Errorf("%d bookings stored, want only the request", len(got))
	}
}

// newRequest makes a pending request of Ana's at 11:00 (in person when
// visit) deciding by two days after testNow.
func (e *env) newRequest(t *testing.T, visit bool) *booking.Booking {
	t.Helper()
	r := req{Artisan: "ana", Start: at(11, 0)}
	if visit {
		r.Mode = booking.InPerson
	}
	nb := newBooking(r)
	nb.Booking.Status, nb.Booking.DecideBy = booking.Pending, testNow.Add(48*time.Hour)
	b, _, err := e.st.CreateBooking(context.Background(), nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testRequests: a request expires by a job written with it; staff confirm
// or decline it once, and a decision on anything else changes nothing; a
// declined request frees its time; a customer may withdraw a request but
// not move it.
func testRequests(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Opener)
	}{
		{"ExpiryJobWithTheRequest", testRequestsExpiryJobWithTheRequest},
		{"Confirm", testRequestsConfirm},
		{"DeclineFreesTheTime", testRequestsDeclineFreesTheTime},
		{"NotARequest", testRequestsNotARequest},
		{"WithdrawNotMove", testRequestsWithdrawNotMove},
		{"PendingRequests", testRequestsPendingRequests},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open) })
	}
}

func testRequestsExpiryJobWithTheRequest(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	b := e.newRequest(t, false)
	if !b.DecideBy.Equal(testNow.Add(48*time.Hour)) || b.DeclineReason != "" {
		t.Errorf("request as made: decide by %v, reason %q", b.DecideBy, b.DeclineReason)
	}
	if got, _ := e.st.Booking(ctx, b.ID); !got.DecideBy.Equal(b.DecideBy) || !got.WasRequest() {
		t.Errorf("stored decide by %v, want %v", got.DecideBy, b.DecideBy)
	}
	jobs, err := e.st.BookingJobs(ctx, b.ID, booking.RequestQueue)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Kind != booking.RequestExpiryKind || !jobs[0].RunAt.Equal(b.DecideBy) {
		t.Fatalf("expiry jobs %+v, want one due at %v", jobs, b.DecideBy)
	}
	// Not due before its time; due at it.
	if got, err := e.st.ClaimJobs(ctx, booking.RequestQueue, b.DecideBy.Add(-time.Second), 10, time.Minute); err != nil || len(got) != 0 {
		t.Errorf("claimed before its time: %+v, %v", got, err)
	}
	if got, err := e.st.ClaimJobs(ctx, booking.RequestQueue, b.DecideBy, 10, time.Minute); err != nil || len(got) != 1 || got[0].BookingID != b.ID {
		t.Errorf("claimed at its time: %+v, %v", got, err)
	}
	// A confirmed booking has no such job.
	c := e.mustCreate(t, req{Artisan: "ben", Start: at(11, 0)})
	if jobs, _ := e.st.BookingJobs(ctx, c.ID, booking.RequestQueue); len(jobs) != 0 || c.WasRequest() {
		t.Errorf("a confirmed booking: expiry jobs %+v, decide by %v", jobs, c.DecideBy)
	}
}

func testRequestsConfirm(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "us_1"}
	e := newEnv(t, open, Catalog())
	b := e.newRequest(t, false)
	got, err := e.st.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Confirmed, MeetingURL: "https://meet.example/ana"}, staff)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != booking.Confirmed || got.MeetingURL != "https://meet.example/ana" || got.Sequence != b.Sequence {
		t.Errorf("confirmed: %+v", got)
	}
	stored, _ := e.st.Booking(ctx, b.ID)
	if stored.Status != booking.Confirmed || stored.MeetingURL != got.MeetingURL || !stored.WasRequest() {
		t.Errorf("stored after confirm: %+v", stored)
	}
	ev := e.rec.events[len(e.rec.events)-1]
	if ev.Kind != booking.EventConfirmed || ev.Previous.Status != booking.Pending || ev.Actor != staff {
		t.Errorf("event %+v", ev)
	}
	for _, d := range []booking.Decision{{Status: booking.Confirmed}, {Status: booking.Declined, Reason: "no"}} {
		_, err := e.st.DecideRequest(ctx, b.ID, d, staff)
		wantCode(t, err, booking.ECONFLICT, booking.CodeNotPending)
	}
	// Still holds the time, as any confirmed booking.
	other := newBooking(req{Artisan: "ana", Start: at(11, 0)})
	_, _, err = e.st.CreateBooking(ctx, other, blindPlace(other, "salon"))
	wantCode(t, err, booking.ECONFLICT, booking.CodeSlotUnavailable)
}

func testRequestsDeclineFreesTheTime(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "us_1"}
	e := newEnv(t, open, oneRoom())
	b := e.newRequest(t, true)
	got, err := e.st.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Declined, Reason: "The collection is at a fair that week."}, staff)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != booking.Declined || got.DeclineReason != "The collection is at a fair that week." || got.Expired() {
		t.Errorf("declined: %+v", got)
	}
	if stored, _ := e.st.Booking(ctx, b.ID); stored.Status != booking.Declined || stored.DeclineReason != got.DeclineReason {
		t.Errorf("stored after decline: %+v", stored)
	}
	s, err := e.st.Schedule(ctx, at(0, 0), at(23, 59))
	if err != nil || len(s.Bookings) != 0 {
		t.Errorf("schedule after the decline: %+v, %v; want it empty", s.Bookings, err)
	}
	// The artisan and the room are free: through the check and the
	// database's constraints alike.
	other := newBooking(req{Artisan: "ana", Mode: booking.InPerson, Start: at(11, 0)})
	if _, _, err := e.st.CreateBooking(ctx, other, blindPlace(other, "salon")); err != nil {
		t.Errorf("the declined request's time: %v", err)
	}
	_, err = e.st.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Confirmed}, staff)
	wantCode(t, err, booking.ECONFLICT, booking.CodeNotPending)
	_, err = e.st.CancelBooking(ctx, b.ID, customer)
	wantCode(t, err, booking.ECONFLICT, booking.CodeBookingCancelled)
}

func testRequestsNotARequest(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "us_1"}
	e := newEnv(t, open, Catalog())
	c := e.mustCreate(t, req{Artisan: "ana", Start: at(11, 0)})
	_, err := e.st.DecideRequest(ctx, c.ID, booking.Decision{Status: booking.Confirmed}, staff)
	wantCode(t, err, booking.ECONFLICT, booking.CodeNotPending)
	_, err = e.st.DecideRequest(ctx, "bk_nope", booking.Decision{Status: booking.Confirmed}, staff)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
}

func testRequestsWithdrawNotMove(t *testing.T, open Opener) {
	ctx := context.Background()
	staff := booking.Actor{Kind: "staff", ID: "us_1"}
	e := newEnv(t, open, Catalog())
	b := e.newRequest(t, false)
	nb := newBooking(req{Artisan: "ana", Start: at(14, 0)})
	_, err := e.st.RescheduleBooking(ctx, b.ID, nb.Booking.Start, nb.Booking.End, nb.Booking.BlockStart, nb.Booking.BlockEnd, customer, place(nb, b.ID))
	wantCode(t, err, booking.ECONFLICT, booking.CodeRequestPending)
	got, err := e.st.CancelBooking(ctx, b.ID, customer)
	if err != nil || got.Status != booking.Cancelled {
		t.Fatalf("withdraw: %+v, %v", got, err)
	}
	_, err = e.st.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Confirmed}, staff)
	wantCode(t, err, booking.ECONFLICT, booking.CodeNotPending)
}

func testRequestsPendingRequests(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	b := e.newRequest(t, false)
	e.mustCreate(t, req{Artisan: "ben", Start: at(11, 0)})
	for _, tc := range []struct {
		artisan string
		want    int
	}{{"", 1}, {"ana", 1}, {"ben", 0}} {
		got, err := e.st.PendingRequests(ctx, at(0, 0), tc.artisan)
		if err != nil || len(got) != tc.want || tc.want == 1 && got[0].ID != b.ID {
			t.Errorf("pending requests of %q: %+v, %v; want %d", tc.artisan, got, err, tc.want)
		}
	}
	if got, _ := e.st.PendingRequests(ctx, at(12, 0), ""); len(got) != 0 {
		t.Errorf("pending requests from after its start: %+v", got)
	}
}

// testRequestDecisionRace: staff confirm a request on one server just as
// its expiry declines it on another, many times over, on one database:
// exactly one of the two is applied each time, with its one event (so one
// e-mail to the customer), and the other is refused with
// booking_not_pending.
func testRequestDecisionRace(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newEnv(t, open, Catalog())
	other := e.peer(t)
	staff := booking.Actor{Kind: "staff", ID: "us_1"}
	const rounds = 12
	wins := map[booking.Status]int{}
	for i := range rounds {
		nb := newBooking(req{Artisan: "ana", Start: at(10, 0).AddDate(0, 0, i)})
		nb.Booking.Status, nb.Booking.DecideBy = booking.Pending, testNow.Add(48*time.Hour)
		b, _, err := e.st.CreateBooking(ctx, nb, place(nb, ""))
		if err != nil {
			t.Fatal(err)
		}
		before := len(e.rec.kinds())
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]error, 2)
		decided := make([]*booking.Booking, 2)
		wg.Go(func() {
			<-start
			decided[0], results[0] = e.st.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Confirmed}, staff)
		})
		wg.Go(func() {
			<-start
			decided[1], results[1] = other.DecideRequest(ctx, b.ID, booking.Decision{Status: booking.Declined}, booking.RequestExpiryActor)
		})
		close(start)
		wg.Wait()
		won := -1
		for j, err := range results {
			switch {
			case err == nil:
				if won >= 0 {
					t.Fatalf("round %d: both decisions applied", i)
				}
				won = j
			case booking.ErrorCode(err) != booking.CodeNotPending:
				t.Fatalf("round %d: %v", i, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: neither decision applied: %v", i, results)
		}
		stored, err := e.st.Booking(ctx, b.ID)
		if err != nil || stored.Status != decided[won].Status {
			t.Fatalf("round %d: stored %+v, %v; want %s", i, stored, err, decided[won].Status)
		}
		wins[stored.Status]++
		// Both stores' events go through the recorder: one for the round,
		// the winner's.
		if k := e.rec.kinds(); len(k) != before+1 || k[len(k)-1] != map[int]booking.EventKind{0: booking.EventConfirmed, 1: booking.EventDeclined}[won] {
			t.Errorf("round %d: events %v after %d, want the winner's alone", i, k, before)
		}
	}
	t.Logf("%d rounds: %d confirmed, %d expired", rounds, wins[booking.Confirmed], wins[booking.Declined])
}
