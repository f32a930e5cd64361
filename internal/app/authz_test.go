package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// TestStaffBookingChangesNeedTheUser: every staff use case on a booking
// takes the account and asks its role rules. An artisan account (or a
// disabled one) cannot read, cancel, move or annotate another artisan's
// booking through the service, whichever method an adapter calls: it is
// not found, as an unknown id is, and the booking stays as it was.
func TestStaffBookingChangesNeedTheUser(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, sgt)
	meis := book(t, a, day.Add(12*time.Hour), booking.InPerson, "mei")
	later := app.RescheduleRequest{Start: day.Add(16 * time.Hour)}

	for _, u := range []struct {
		name string
		u    *booking.User
	}{{"OtherArtisan", arjunUser}, {"DisabledOwner", disabledMe}, {"NoRole", &booking.User{ID: "u9"}}} {
		t.Run(u.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				call func() error
			}{
				{"StaffCancel", func() error { _, err := a.StaffCancel(ctx, u.u, meis.ID); return err }},
				{"StaffReschedule", func() error { _, err := a.StaffReschedule(ctx, u.u, meis.ID, later); return err }},
				{"StaffGetBooking", func() error { _, err := a.StaffGetBooking(ctx, u.u, meis.ID); return err }},
				{"SetStaffNotes", func() error { _, err := a.SetStaffNotes(ctx, u.u, meis.ID, "mine now"); return err }},
				{"StaffBookingMessages", func() error { _, err := a.StaffBookingMessages(ctx, u.u, meis.ID); return err }},
				{"StaffGoogleBooking", func() error { _, err := a.StaffGoogleBooking(ctx, u.u, meis.ID); return err }},
			} {
				if err := tc.call(); booking.ErrorKind(err) != booking.ENOTFOUND {
					t.Errorf("%s: err = %v, want not found", tc.name, err)
				}
			}
		})
	}
	got, err := a.StaffGetBooking(ctx, admin, meis.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != booking.Confirmed || got.Sequence != 0 || !got.Start.Equal(meis.Start) || got.StaffNotes != "" {
		t.Fatalf("refused calls changed the booking: %s, sequence %d, at %s, notes %q", got.Status, got.Sequence, got.Start, got.StaffNotes)
	}

	// Mei's own account may move it, but not hand it to another artisan,
	// nor let whoever is free take it.
	for _, artisan := range []string{"arjun", app.AnyArtisan} {
		req := later
		req.Artisan = artisan
		if _, err := a.StaffReschedule(ctx, meiUser, meis.ID, req); booking.ErrorKind(err) != booking.EFORBIDDEN {
			t.Errorf("mei moving her booking to %q: err = %v, want forbidden", artisan, err)
		}
	}
	moved, err := a.StaffReschedule(ctx, meiUser, meis.ID, later)
	if err != nil || moved.ArtisanID != "mei" || !moved.Start.Equal(day.Add(16*time.Hour)) {
		t.Fatalf("mei moving her own booking: %+v, %v", moved, err)
	}
	if _, err := a.StaffCancel(ctx, meiUser, meis.ID); err != nil {
		t.Fatalf("mei cancelling her own booking: %v", err)
	}
	if got, err := a.StaffGetBooking(ctx, admin, meis.ID); err != nil || got.Status != booking.Cancelled {
		t.Fatalf("after mei's cancel: %+v, %v", got, err)
	}
}
