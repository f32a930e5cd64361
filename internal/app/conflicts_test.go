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
