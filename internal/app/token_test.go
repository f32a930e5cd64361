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

// TestManageTokenExpires: a booking's manage token opens it until
// app.ManageTokenGrace after the appointment, and then is as unknown as a
// wrong one.
func TestManageTokenExpires(t *testing.T) {
	a, clock := MustOpenApp(t)
	ctx := context.Background()
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, sgt)
	c, err := a.CreateBooking(ctx, request(start, booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	end := start.Add(time.Hour)
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"AfterTheAppointment", end.Add(time.Hour), true},
		{"JustBeforeTheGraceEnds", end.Add(app.ManageTokenGrace - time.Minute), true},
		{"AfterTheGrace", end.Add(app.ManageTokenGrace), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*clock = tc.at
			_, err := a.GetBooking(ctx, made(c).ID, made(c).ManageToken)
			if tc.ok && err != nil || !tc.ok && booking.ErrorKind(err) != booking.ENOTFOUND {
				t.Errorf("at %v: %v, want found = %v", tc.at, err, tc.ok)
			}
		})
	}
}

// TestInviteCarriesTheManageLink: the invite fetched with a manage token
// links back to the booking with that token, in its DESCRIPTION and URL.
func TestInviteCarriesTheManageLink(t *testing.T) {
	a, _ := MustOpenApp(t)
	ctx := context.Background()
	c, err := a.CreateBooking(ctx, request(time.Date(2026, 12, 2, 10, 0, 0, 0, sgt), booking.InPerson), app.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ics, _, err := a.Invite(ctx, made(c).ID, made(c).ManageToken)
	if err != nil {
		t.Fatal(err)
	}
	unfolded := strings.ReplaceAll(string(ics), "\r\n ", "")
	link := "https://atelier.example/bookings/" + made(c).ID + "?token=" + made(c).ManageToken
	if !strings.Contains(unfolded, "\r\nURL:"+link+"\r\n") || !strings.Contains(unfolded, "Change or cancel: "+link) {
		t.Errorf("invite lacks the manage link %s:\n%s", link, unfolded)
	}
}

// TestRequestManageLinks queues the same job for any well-formed address
// and refuses only a malformed one, as a field error.
func TestRequestManageLinks(t *testing.T) {
	var asked []string
	a, _ := MustOpenApp(t, func(d *app.Deps) {
		d.ManageLinks = func(email string) (booking.Job, error) {
			asked = append(asked, email)
			return booking.Job{Queue: "mail", Kind: "manage_links"}, nil
		}
	})
	ctx := context.Background()
	for _, addr := range []string{" ana@example.com ", "nobody@example.com"} {
		if err := a.RequestManageLinks(ctx, addr); err != nil {
			t.Errorf("%q: %v", addr, err)
		}
	}
	if strings.Join(asked, ",") != "ana@example.com,nobody@example.com" {
		t.Errorf("jobs made for %q", asked)
	}
	for _, bad := range []string{"", "not an address", "a@b"} {
		err := a.RequestManageLinks(ctx, bad)
		var fe *booking.Error
		if !errors.As(err, &fe) || fe.Kind != booking.EINVALID || fe.Fields["email"] == "" {
			t.Errorf("%q: %v, want EINVALID on email", bad, err)
		}
	}
}
