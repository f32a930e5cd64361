package sqlite_test

import (
	"context"
	"testing"
)

// TestBookingKeepsNames: a booking keeps the names of its service and
// artisan from the catalogue it was made in, and a move to another
// artisan keeps the new artisan's name.
func TestBookingKeepsNames(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	nb := newBooking(req{ID: "bk_names", Artisan: "ana", Start: at(10, 0)})
	b, _, err := db.CreateBooking(ctx, nb, place(nb, ""))
	if err != nil {
		t.Fatal(err)
	}
	if b.ServiceName != "Bespoke design consultation" || b.ArtisanName != "Ana" {
		t.Errorf("created with names %q, %q", b.ServiceName, b.ArtisanName)
	}
	moved := newBooking(req{ID: "bk_names", Artisan: "ben", Start: at(14, 0)})
	m := moved.Booking
	got, err := db.RescheduleBooking(ctx, "bk_names", m.Start, m.End, m.BlockStart, m.BlockEnd, nb.Actor, place(moved, "bk_names"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Booking(ctx, "bk_names")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]string{"returned": got.ArtisanName, "stored": stored.ArtisanName} {
		if b != "Ben" {
			t.Errorf("%s artisan name after the move to Ben = %q", name, b)
		}
	}
	if stored.ServiceName != "Bespoke design consultation" {
		t.Errorf("service name after the move = %q", stored.ServiceName)
	}
}
