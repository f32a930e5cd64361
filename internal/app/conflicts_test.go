package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// TestConflictsNameTheCustomer checks that a change stranding a booking
// tells staff whom it belongs to: the store's schedule carries no customer
// details, so a conflict built from it alone had an empty name and e-mail.
func TestConflictsNameTheCustomer(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	admin := &booking.User{ID: "us_admin", Email: "owner@example.com", Name: "Owner", Role: booking.RoleAdmin}

	start := time.Date(2026, 12, 2, 11, 0, 0, 0, sgt)
	created, err := a.CreateBooking(ctx, request(start, booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatalf("book: %v", err)
	}

	tests := []struct {
		name   string
		change func() ([]app.Conflict, error)
	}{
		{"time off", func() ([]app.Conflict, error) {
			r, err := a.AddTimeOff(ctx, admin, made(created).ArtisanID, app.TimeOffRequest{
				Start: instant("2026-12-02T10:00:00+08:00"), End: instant("2026-12-02T13:00:00+08:00"), Reason: "dentist",
			})
			if err != nil {
				return nil, err
			}
			return r.Conflicts, nil
		}},
		{"closure", func() ([]app.Conflict, error) {
			r, err := a.AddClosure(ctx, admin, app.ClosureRequest{From: booking.Date{Year: 2026, Month: 12, Day: 2}, To: booking.Date{Year: 2026, Month: 12, Day: 2}, Reason: "stock-take"})
			if err != nil {
				return nil, err
			}
			return r.Conflicts, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.change()
			if err != nil {
				t.Fatalf("change: %v", err)
			}
			if len(got) != 1 || got[0].ID != made(created).ID {
				t.Fatalf("conflicts = %+v, want only %s", got, made(created).ID)
			}
			if got[0].Customer.Name != "Ana" || got[0].Customer.Email != "ana@example.com" {
				t.Errorf("conflict customer = %+v, want Ana <ana@example.com>", got[0].Customer)
			}
		})
	}
}

// TestCatalogueChangeNamesTheConflictsItCauses: a change of the catalogue
// answers with the bookings it leaves outside the rules, not those a
// change before it left there (the calendar flags those).
func TestCatalogueChangeNamesTheConflictsItCauses(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	book := func(start time.Time, mode booking.Mode, artisan string) string {
		t.Helper()
		req := request(start, mode)
		req.Artisan = artisan
		c, err := a.CreateBooking(ctx, req, app.CreateOptions{})
		if err != nil {
			t.Fatalf("book: %v", err)
		}
		return made(c).ID
	}
	video := book(time.Date(2026, 12, 2, 11, 0, 0, 0, sgt), booking.Virtual, "mei")
	visit := book(time.Date(2026, 12, 3, 11, 0, 0, 0, sgt), booking.InPerson, "arjun")
	ids := func(cs []app.Conflict) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	ch, err := a.DeactivateArtisan(ctx, admin, "mei")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ch.Conflicts); len(got) != 1 || got[0] != video {
		t.Fatalf("withdrawing mei: conflicts %v, want only %s", got, video)
	}
	name := "Arjun Nair"
	ch, err = a.UpdateArtisan(ctx, admin, "arjun", app.ArtisanRequest{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ch.Conflicts); len(got) != 0 {
		t.Errorf("renaming arjun: conflicts %v, want none (mei's booking was outside before)", got)
	}
	ch, err = a.DeactivateRoom(ctx, admin, "salon")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ch.Conflicts); len(got) != 1 || got[0] != visit {
		t.Errorf("withdrawing the only room: conflicts %v, want only the visit %s", got, visit)
	}
}
