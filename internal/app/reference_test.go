package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// TestReferencesInAnyCase: the pages print a booking's reference in
// capitals, so a reference typed or passed back as "BK_…" (or with spaces
// around it) must find the booking wherever one is looked up, and changes
// made through it must land on the booking itself.
func TestReferencesInAnyCase(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	c, err := a.CreateBooking(ctx, request(time.Date(2026, 12, 3, 11, 0, 0, 0, sgt), booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id, token := made(c).ID, made(c).ManageToken
	if id != strings.ToLower(id) {
		t.Fatalf("new id %q is not lower case", id)
	}
	for _, ref := range []string{strings.ToUpper(id), "Bk_" + id[3:], "  " + strings.ToUpper(id) + " "} {
		t.Run(strings.TrimSpace(ref)[:3], func(t *testing.T) {
			for _, tc := range []struct {
				name string
				get  func() (string, error)
			}{
				{"GetBooking", func() (string, error) { v, err := a.GetBooking(ctx, ref, token); return idOf(v, err) }},
				{"StaffGetBooking", func() (string, error) {
					v, err := a.StaffGetBooking(ctx, admin, ref)
					if err != nil {
						return "", err
					}
					return v.ID, nil
				}},
				{"SetStaffNotes", func() (string, error) {
					v, err := a.SetStaffNotes(ctx, admin, ref, "ring size N via "+strings.TrimSpace(ref))
					if err != nil {
						return "", err
					}
					return v.ID, nil
				}},
				{"StaffBookingMessages", func() (string, error) {
					_, err := a.StaffBookingMessages(ctx, admin, ref)
					return id, err
				}},
			} {
				got, err := tc.get()
				if err != nil {
					t.Errorf("%s(%q): %v", tc.name, ref, err)
					continue
				}
				if got != id {
					t.Errorf("%s(%q) = %q, want %q", tc.name, ref, got, id)
				}
			}
			// The notes set through the capital reference are the booking's.
			v, err := a.StaffGetBooking(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if want := "ring size N via " + strings.TrimSpace(ref); v.StaffNotes != want {
				t.Errorf("staff notes of %s = %q, want %q", id, v.StaffNotes, want)
			}
		})
	}
	// Case is all that is forgiven: a wrong token is still not found.
	if _, err := a.GetBooking(ctx, strings.ToUpper(id), "wrong"); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("capital reference with a wrong token: %v, want not found", err)
	}
	if _, err := a.CancelBooking(ctx, strings.ToUpper(id), token); err != nil {
		t.Fatalf("cancel through the capital reference: %v", err)
	}
	if v, _ := a.StaffGetBooking(ctx, admin, id); v.Status != booking.Cancelled {
		t.Errorf("after a cancel through %q the booking is %s", strings.ToUpper(id), v.Status)
	}
}

func idOf(v *app.Booking, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return v.ID, nil
}
