package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// failingLinker cannot make video links: the booking is refused with
// EUNAVAILABLE and nothing stored.
type failingLinker struct{}

func (failingLinker) Link(context.Context, *booking.Booking, *booking.Artisan) (string, error) {
	return "", errors.New("jitsi: connection refused")
}

func TestUnavailableAsksForARetry(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{}, func(d *app.Deps) { d.Meetings = failingLinker{} })
	req := Request(tomorrow10)
	req["mode"] = "virtual"
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", req)
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", r.Status, r.Body)
	}
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q, want a number of seconds", r.Header.Get("Retry-After"))
	}
	if p := r.Problem(t); p.Status != 503 || strings.Contains(p.Detail, "jitsi") {
		t.Errorf("problem %+v: want 503 without the internal detail", p)
	}
}

// TestBookingReferenceInAnyCase: references are printed in capitals, so
// the API finds "BK_…" as the booking "bk_…", for customers and staff.
func TestBookingReferenceInAnyCase(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, Request(tomorrow10))
	upper := strings.ToUpper(b.ID)
	for _, tc := range []struct {
		name, cookie, path string
	}{
		{"Customer", "", "/api/v1/bookings/" + upper + "?token=" + b.ManageToken},
		{"Invite", "", "/api/v1/bookings/" + upper + "/invite.ics?token=" + b.ManageToken},
		{"Staff", admin, "/api/v1/staff/bookings/" + upper},
		{"StaffMessages", admin, "/api/v1/staff/bookings/" + upper + "/messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.cookie, http.MethodGet, tc.path, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", tc.path, r.Status, r.Body)
			}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && !strings.Contains(string(r.Body), `"`+b.ID+`"`) &&
				tc.name != "StaffMessages" {
				t.Errorf("answer does not carry the id %s: %s", b.ID, r.Body)
			}
		})
	}
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings/"+upper+"/cancel?token="+b.ManageToken, nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"cancelled"`) {
		t.Fatalf("cancel through %s: %d %s", upper, r.Status, r.Body)
	}
}
