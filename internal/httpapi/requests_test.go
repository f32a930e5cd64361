package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// RequestCatalog is DemoCatalog with a private viewing of Mei's that staff
// confirm (issue 13).
func RequestCatalog() *booking.Catalog {
	c := DemoCatalog()
	c.Services = append(c.Services, booking.Service{
		ID: "viewing", Name: "Private viewing", Description: "The collection, out of the safe.",
		Duration: 60 * time.Minute, Modes: []booking.Mode{booking.InPerson, booking.Virtual},
		Artisans: []string{"mei"}, RequiresConfirmation: true,
	})
	c.Artisans[0].Services = append(c.Artisans[0].Services, "viewing")
	return c
}

// ViewingRequest asks for Mei's private viewing in person at start.
func ViewingRequest(start string) map[string]any {
	r := Request(start)
	r["service"] = "viewing"
	return r
}

// request is a booking of the API with what requests add.
type request struct {
	Booking
	DecideBy      string `json:"decide_by"`
	DeclineReason string `json:"decline_reason"`
	Policy        struct {
		CanCancel     bool `json:"can_cancel"`
		CanReschedule bool `json:"can_reschedule"`
	} `json:"policy"`
}

// request makes a pending request of Mei's viewing at the fixture's next
// start, as a customer.
func (f *matrixFixture) request(t *testing.T) Booking {
	t.Helper()
	if _, err := f.e.DB.SyncCatalog(context.Background(), RequestCatalog()); err != nil {
		t.Fatal(err)
	}
	r := f.e.Do(t, "", http.MethodPost, "/api/v1/bookings", ViewingRequest(f.nextStart()))
	var b Booking
	r.JSON(t, &b)
	if r.Status != http.StatusCreated || b.Status != "pending" {
		t.Fatalf("request: %d %s", r.Status, r.Body)
	}
	return b
}

// TestRequests: a customer's booking of a service staff confirm is a
// request that holds its time against everyone until staff confirm or
// decline it; deciding anything but a request waiting is 409
// booking_not_pending; a reason is required to decline; staff's own
// bookings of it are confirmed at once; pending_hours is a booking rule.
func TestRequests(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	if _, err := e.DB.SyncCatalog(context.Background(), RequestCatalog()); err != nil {
		t.Fatal(err)
	}
	admin := e.MustLogin(t, e.Admin)
	do := func(cookie, method, path string, body any, want int, headers ...string) Response {
		t.Helper()
		r := e.Do(t, cookie, method, path, body, headers...)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
		}
		return r
	}
	wantProblem := func(r Response, code string) {
		t.Helper()
		if p := r.Problem(t); p.Code != code {
			t.Fatalf("problem %+v, want code %s", p, code)
		}
	}

	var services []struct {
		ID                   string `json:"id"`
		RequiresConfirmation bool   `json:"requires_confirmation"`
	}
	do("", http.MethodGet, "/api/v1/services", nil, http.StatusOK).JSON(t, &services)
	for _, s := range services {
		if s.RequiresConfirmation != (s.ID == "viewing") {
			t.Errorf("service %s: requires_confirmation %v", s.ID, s.RequiresConfirmation)
		}
	}

	// A request: pending, deciding by 48 hours from now (the default).
	var req request
	do("", http.MethodPost, "/api/v1/bookings", ViewingRequest(tomorrow10), http.StatusCreated).JSON(t, &req)
	if req.Status != "pending" || req.DecideBy != "2026-12-03T09:00:00+08:00" || req.MeetingURL != "" {
		t.Fatalf("request: %+v", req)
	}
	bearer := []string{"Authorization", "Bearer " + req.ManageToken}

	// The time is held: not offered, and a direct booking of Mei then is
	// refused, whatever the service.
	if a := MustAvailability(t, &Env{HTTP: e.HTTP}, "service=viewing&mode=in_person&from=2026-12-02&to=2026-12-02"); a.HasSlot(tomorrow10, "mei") {
		t.Error("availability offers the requested time")
	}
	r := do("", http.MethodPost, "/api/v1/bookings", Request(tomorrow10), http.StatusConflict)
	wantProblem(r, "slot_unavailable")

	// Its customer sees it pending, may withdraw it but not move it.
	var seen request
	do("", http.MethodGet, "/api/v1/bookings/"+req.ID, nil, http.StatusOK, bearer...).JSON(t, &seen)
	if seen.Status != "pending" || !seen.Policy.CanCancel || seen.Policy.CanReschedule {
		t.Errorf("the customer's view: %+v", seen)
	}
	r = do("", http.MethodPost, "/api/v1/bookings/"+req.ID+"/reschedule", map[string]string{"start": tomorrow14}, http.StatusConflict, bearer...)
	wantProblem(r, "request_pending")
	// No calendar file until the atelier confirms: the invite comes with
	// the confirmation.
	r = do("", http.MethodGet, "/api/v1/bookings/"+req.ID+"/invite.ics", nil, http.StatusConflict, bearer...)
	wantProblem(r, "request_pending")

	// Staff confirm it once.
	var confirmed request
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+req.ID+"/confirm", nil, http.StatusOK).JSON(t, &confirmed)
	if confirmed.Status != "confirmed" || confirmed.DecideBy == "" {
		t.Errorf("confirmed: %+v", confirmed)
	}
	if r := do("", http.MethodGet, "/api/v1/bookings/"+req.ID+"/invite.ics", nil, http.StatusOK, bearer...); !strings.Contains(string(r.Body), "METHOD:REQUEST") {
		t.Errorf("the confirmed request's invite: %s", r.Body)
	}
	for _, path := range []string{"/confirm", "/decline"} {
		r := do(admin, http.MethodPost, "/api/v1/staff/bookings/"+req.ID+path, map[string]string{"reason": "x"}, http.StatusConflict)
		wantProblem(r, "booking_not_pending")
	}

	// Another request, declined: a reason is needed; the time is free
	// again at once and the customer can no longer cancel it.
	var other request
	do("", http.MethodPost, "/api/v1/bookings", ViewingRequest(tomorrow14), http.StatusCreated).JSON(t, &other)
	for _, reason := range []string{"", "   "} {
		r := do(admin, http.MethodPost, "/api/v1/staff/bookings/"+other.ID+"/decline", map[string]string{"reason": reason}, http.StatusUnprocessableEntity)
		if p := r.Problem(t); p.Errors["reason"] == "" {
			t.Errorf("decline with reason %q: %+v, want errors.reason", reason, p)
		}
	}
	var declined request
	do(admin, http.MethodPost, "/api/v1/staff/bookings/"+other.ID+"/decline", map[string]string{"reason": "The collection is at a fair that day."},
		http.StatusOK).JSON(t, &declined)
	if declined.Status != "declined" || declined.DeclineReason != "The collection is at a fair that day." {
		t.Errorf("declined: %+v", declined)
	}
	if a := MustAvailability(t, &Env{HTTP: e.HTTP}, "service=viewing&mode=in_person&from=2026-12-02&to=2026-12-02"); !a.HasSlot(tomorrow14, "mei") {
		t.Error("the declined request's time is not offered again")
	}
	r = do("", http.MethodPost, "/api/v1/bookings/"+other.ID+"/cancel", nil, http.StatusConflict, "Authorization", "Bearer "+other.ManageToken)
	wantProblem(r, "booking_cancelled")

	// An ordinary booking is no request.
	plain := MustCreateBooking(t, &Env{HTTP: e.HTTP}, Request("2026-12-02T16:00:00+08:00"))
	r = do(admin, http.MethodPost, "/api/v1/staff/bookings/"+plain.ID+"/confirm", nil, http.StatusConflict)
	wantProblem(r, "booking_not_pending")

	// Staff booking the viewing for a customer confirm it at once.
	var staffMade request
	staffReq := ViewingRequest("2026-12-04T10:00:00+08:00")
	do(admin, http.MethodPost, "/api/v1/staff/bookings", staffReq, http.StatusCreated).JSON(t, &staffMade)
	if staffMade.Status != "confirmed" || staffMade.DecideBy != "" {
		t.Errorf("staff's booking of the viewing: %+v", staffMade)
	}

	// pending_hours is a booking rule: shown, set, and used by the next
	// request.
	r = do(admin, http.MethodPut, "/api/v1/staff/booking-rules", map[string]int{"pending_hours": 0}, http.StatusUnprocessableEntity)
	if p := r.Problem(t); p.Errors["pending_hours"] == "" {
		t.Errorf("pending_hours 0: %+v", p)
	}
	do(admin, http.MethodPut, "/api/v1/staff/booking-rules", map[string]int{"pending_hours": 24}, http.StatusOK)
	var at struct {
		Booking struct {
			PendingHours int `json:"pending_hours"`
		} `json:"booking"`
	}
	do("", http.MethodGet, "/api/v1/atelier", nil, http.StatusOK).JSON(t, &at)
	if at.Booking.PendingHours != 24 {
		t.Errorf("atelier booking rules: pending_hours %d, want 24", at.Booking.PendingHours)
	}
	var soon request
	do("", http.MethodPost, "/api/v1/bookings", ViewingRequest("2026-12-05T10:00:00+08:00"), http.StatusCreated).JSON(t, &soon)
	if soon.DecideBy != "2026-12-02T09:00:00+08:00" {
		t.Errorf("a request after pending_hours 24: decide by %s", soon.DecideBy)
	}
}
