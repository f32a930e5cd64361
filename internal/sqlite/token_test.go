package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// TestManageTokens: a booking opens with the token of its creation and
// with each token a job carried or that was added later, never with
// another booking's; the purge removes the tokens of bookings long past.
func TestManageTokens(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mail := []byte("hash-of-the-confirmation-token-0")
	db.Jobs = func(e booking.Event) ([]booking.Job, error) {
		if e.Booking.ID != "bk_tok" {
			return nil, nil
		}
		return []booking.Job{{Queue: "mail", Kind: "confirmation", BookingID: e.Booking.ID, ManageTokenHash: mail}}, nil
	}
	nb := newBooking(req{ID: "bk_tok", Artisan: "ana", Start: at(10, 0)})
	if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
		t.Fatal(err)
	}
	other := MustCreateBooking(t, db, req{ID: "bk_other", Artisan: "ben", Start: at(10, 0)})
	later := []byte("hash-of-the-reminder-token-00000")
	if err := db.AddManageTokens(ctx, booking.ManageToken{BookingID: "bk_tok", Hash: later, Purpose: "reminder"}); err != nil {
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
			b, err := db.BookingByManageToken(ctx, tc.id, tc.hash)
			switch {
			case tc.ok && (err != nil || b.ID != tc.id):
				t.Errorf("got %v, %v; want booking %s", b, err, tc.id)
			case !tc.ok && booking.ErrorKind(err) != booking.ENOTFOUND:
				t.Errorf("got %v, want ENOTFOUND", err)
			}
		})
	}
	toks, err := db.ManageTokens(ctx, "bk_tok")
	if err != nil || len(toks) != 3 {
		t.Fatalf("stored tokens %v, %v; want 3", toks, err)
	}

	// The purge keeps the tokens of a booking that has not ended before
	// the cut, and removes those of one that has.
	if n, err := db.PurgeManageTokens(ctx, at(10, 0)); err != nil || n != 0 {
		t.Errorf("purge before the end: %d, %v; want 0", n, err)
	}
	if n, err := db.PurgeManageTokens(ctx, at(10, 0).Add(24*time.Hour)); err != nil || n != 4 {
		t.Errorf("purge after the end: %d, %v; want 4", n, err)
	}
	if _, err := db.BookingByManageToken(ctx, "bk_tok", nb.TokenHash); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("a purged token still opens the booking: %v", err)
	}
}

// TestCustomerBookings finds the coming confirmed bookings of an address
// in any case, and no others.
func TestCustomerBookings(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mk := func(id, artisan, email string, start time.Time) {
		nb := newBooking(req{ID: id, Artisan: artisan, Start: start})
		nb.Booking.Customer.Email = email
		if _, _, err := db.CreateBooking(ctx, nb, place(nb, "")); err != nil {
			t.Fatal(err)
		}
	}
	mk("bk_b", "ana", "Cleo@Example.com", at(14, 0))
	mk("bk_a", "ana", "cleo@example.com", at(10, 0))
	mk("bk_x", "ben", "someone@example.com", at(10, 0))
	mk("bk_c", "ben", "cleo@example.com", at(16, 0))
	if _, err := db.CancelBooking(ctx, "bk_c", booking.Actor{Kind: "customer"}); err != nil {
		t.Fatal(err)
	}
	mk("bk_past", "ben", "cleo@example.com", at(12, 0))

	got, err := db.CustomerBookings(ctx, "CLEO@example.COM", at(13, 30), 10)
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
	got, err = db.CustomerBookings(ctx, "cleo@example.com", at(9, 0), 1)
	if err != nil || len(got) != 1 || got[0].ID != "bk_a" {
		t.Errorf("the first coming booking at 9:00 = %v, %v; want bk_a", got, err)
	}
}
