package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// The manage tokens of a booking and the server's upkeep: UIDs filled in,
// idempotency keys and manage tokens past their time deleted.

// A booking opens with the token of its creation and with each token a job
// carried or that was added later, never with another booking's; the purge
// removes the tokens of bookings long past.
func testManageTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	mail := []byte("hash-of-the-confirmation-token-0")
	e.setJobs(func(ev booking.Event) ([]booking.Job, error) {
		if ev.Booking.ID != "bk_tok" {
			return nil, nil
		}
		return []booking.Job{{Queue: "mail", Kind: "confirmation", BookingID: ev.Booking.ID, ManageTokenHash: mail}}, nil
	})
	nb := newBooking(req{ID: "bk_tok", Artisan: "ana", Start: at(10, 0)})
	if _, _, err := e.st.CreateBooking(ctx, nb, place(nb, "")); err != nil {
		t.Fatal(err)
	}
	other := e.mustCreate(t, req{ID: "bk_other", Artisan: "ben", Start: at(10, 0)})
	later := []byte("hash-of-the-reminder-token-00000")
	if err := e.st.AddManageTokens(ctx, booking.ManageToken{BookingID: "bk_tok", Hash: later, Purpose: "reminder"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		id   string
		hash []byte
		ok   bool
	}{
		{"Created", "bk_tok", nb.TokenHash, true},
		{"CarriedByJob", "bk_tok", mail, true},
		{"AddedLater", "bk_tok", later, true},
		{"OtherBookingsToken", other.ID, mail, false},
		{"Unknown", "bk_tok", []byte("nope"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := e.st.BookingByManageToken(ctx, tc.id, tc.hash)
			switch {
			case tc.ok && (err != nil || b.ID != tc.id):
				t.Errorf("got %v, %v; want booking %s", b, err, tc.id)
			case !tc.ok:
				wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
			}
		})
	}
	toks, err := e.st.ManageTokens(ctx, "bk_tok")
	if err != nil || len(toks) != 3 {
		t.Fatalf("stored tokens %v, %v; want 3", toks, err)
	}
	purposes := map[string]bool{}
	for _, tok := range toks {
		purposes[tok.Purpose] = tok.BookingID == "bk_tok"
	}
	if !purposes["created"] || !purposes["confirmation"] || !purposes["reminder"] {
		t.Errorf("token purposes %v, want created, confirmation and reminder of bk_tok", purposes)
	}
	if err := e.st.AddManageTokens(ctx, booking.ManageToken{Hash: later}); err == nil {
		t.Error("a token of no booking was stored")
	}

	// The purge keeps the tokens of a booking that has not ended before
	// the cut, and removes those of one that has.
	if n, err := e.st.PurgeManageTokens(ctx, at(10, 0)); err != nil || n != 0 {
		t.Errorf("purge before the end: %d, %v; want 0", n, err)
	}
	if n, err := e.st.PurgeManageTokens(ctx, at(10, 0).Add(24*time.Hour)); err != nil || n != 4 {
		t.Errorf("purge after the end: %d, %v; want 4", n, err)
	}
	_, err = e.st.BookingByManageToken(ctx, "bk_tok", nb.TokenHash)
	wantCode(t, err, booking.ENOTFOUND, booking.CodeNotFound)
}

// The coming confirmed bookings of an address in any case, and no others.
func testCustomerBookings(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	mk := func(id, artisan, email string, start time.Time) {
		t.Helper()
		nb := newBooking(req{ID: id, Artisan: artisan, Start: start})
		nb.Booking.Customer.Email = email
		if _, _, err := e.st.CreateBooking(ctx, nb, place(nb, "")); err != nil {
			t.Fatal(err)
		}
	}
	mk("bk_b", "ana", "Cleo@Example.com", at(14, 0))
	mk("bk_a", "ana", "cleo@example.com", at(10, 0))
	mk("bk_x", "ben", "someone@example.com", at(10, 0))
	mk("bk_c", "ben", "cleo@example.com", at(16, 0))
	if _, err := e.st.CancelBooking(ctx, "bk_c", booking.Actor{Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	mk("bk_past", "ben", "cleo@example.com", at(12, 0))

	got, err := e.st.CustomerBookings(ctx, "CLEO@example.COM", at(13, 30), 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range got {
		ids = append(ids, b.ID)
	}
	// bk_a ended at 11:30 and bk_past at 13:30; bk_c is cancelled.
	if len(ids) != 1 || ids[0] != "bk_b" {
		t.Errorf("coming bookings at 13:30 = %v, want [bk_b]", ids)
	}
	got, err = e.st.CustomerBookings(ctx, "cleo@example.com", at(9, 0), 1)
	if err != nil || len(got) != 1 || got[0].ID != "bk_a" {
		t.Errorf("the first coming booking at 9:00 = %v, %v; want bk_a", got, err)
	}
}

// Idempotency records older than the cut are deleted, newer ones kept.
func testPurgeIdempotency(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	key := sha256.Sum256([]byte("key"))
	nb := newBooking(req{ID: "bk_key", Artisan: "ana", Start: at(10, 0)})
	nb.Idempotency = &booking.IdempotencyRecord{KeyHash: key[:], RequestHash: []byte("r"), Response: []byte("sealed")}
	if _, _, err := e.st.CreateBooking(ctx, nb, place(nb, "")); err != nil {
		t.Fatal(err)
	}
	if n, err := e.st.PurgeIdempotency(ctx, testNow); err != nil || n != 0 {
		t.Errorf("purge of the records before now: %d, %v; want 0 (it was made now)", n, err)
	}
	if n, err := e.st.PurgeIdempotency(ctx, testNow.Add(time.Second)); err != nil || n != 1 {
		t.Errorf("purge after it: %d, %v; want 1", n, err)
	}
	if rec, err := e.st.LookupIdempotency(ctx, key[:]); rec != nil || err != nil {
		t.Errorf("purged record still found: %+v, %v", rec, err)
	}
	if b, err := e.st.Booking(ctx, "bk_key"); err != nil || b.ID != "bk_key" {
		t.Errorf("the booking went with its key: %v, %v", b, err)
	}
}

// A booking without a UID gets one, once; a booking with one keeps it.
// (Bookings without come from databases of older versions; here one is
// made by giving none.)
func testFillBookingUIDs(t *testing.T, open Opener) {
	ctx := context.Background()
	e := newQuietEnv(t, open, Catalog())
	with := newBooking(req{ID: "bk_with", Artisan: "ana", Start: at(10, 0)})
	with.Booking.UID = "bk_with@first.example"
	if _, _, err := e.st.CreateBooking(ctx, with, place(with, "")); err != nil {
		t.Fatal(err)
	}
	e.mustCreate(t, req{ID: "bk_none", Artisan: "ben", Start: at(10, 0)})
	rule := func(host string) func(string) string { return func(id string) string { return id + "@" + host } }
	if n, err := e.st.FillBookingUIDs(ctx, rule("old.example")); err != nil || n != 1 {
		t.Fatalf("first fill: %d, %v; want 1", n, err)
	}
	if n, err := e.st.FillBookingUIDs(ctx, rule("new.example")); err != nil || n != 0 {
		t.Errorf("second fill: %d, %v; want 0", n, err)
	}
	for id, want := range map[string]string{"bk_with": "bk_with@first.example", "bk_none": "bk_none@old.example"} {
		if b, err := e.st.Booking(ctx, id); err != nil || b.UID != want {
			t.Errorf("UID of %s = %q (%v), want %q", id, b.UID, err, want)
		}
	}
}
