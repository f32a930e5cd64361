package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// TestBookingInternationalAddress: a domain with non-ASCII letters is
// booked (mail sends it as IDNA A-labels); a local part with them only
// where the mail transport can deliver it, else a 422 field error that
// books nothing.
func TestBookingInternationalAddress(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, sgt)
	for _, tc := range []struct {
		name      string
		email     string
		utf8Local bool
		ok        bool
	}{
		{"IDNDomain", "anna@bücher.de", false, true},
		{"UTF8LocalRefused", "zoë@example.com", false, false},
		{"UTF8LocalWithSMTPUTF8", "zoë@bücher.de", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := MustOpenApp(t, func(d *app.Deps) { d.UTF8LocalParts = tc.utf8Local })
			ctx := context.Background()
			req := request(start, booking.InPerson)
			req.Customer.Email = tc.email
			created, err := a.CreateBooking(ctx, req, app.CreateOptions{})
			if tc.ok {
				if err != nil {
					t.Fatalf("CreateBooking: %v", err)
				}
				if made(created).Customer.Email != tc.email {
					t.Errorf("stored e-mail %q, want %q", made(created).Customer.Email, tc.email)
				}
				return
			}
			var be *booking.Error
			if !errors.As(err, &be) || booking.ErrorKind(err) != booking.EINVALID || !strings.Contains(be.Fields["customer.email"], "before the @") {
				t.Fatalf("CreateBooking = %v, want a customer.email field error", err)
			}
			// Nothing was booked: the time is still free.
			if _, err := a.CreateBooking(ctx, request(start, booking.InPerson), app.CreateOptions{}); err != nil {
				t.Errorf("the slot is taken after a refused booking: %v", err)
			}
		})
	}
}
