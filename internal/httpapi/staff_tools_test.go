package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
)

func init() {
	matrix["GET /api/v1/staff/availability"] = matrixCase{
		prepare: func(*testing.T, *matrixFixture) (string, any) {
			return "/api/v1/staff/availability?service=design&mode=virtual&artisan=mei&from=2026-12-02&to=2026-12-02", nil
		},
		want: [5]int{401, 401, 403, 200, 200},
	}
}

// starts lists the slot starts of an availability answer.
func starts(a Availability) []string {
	out := make([]string, len(a.Slots))
	for i, s := range a.Slots {
		out[i] = s.Start
	}
	return out
}

// TestStaffAvailability: staff are offered a time inside the minimum
// notice that customers are not, never a booked one, and an artisan
// account only its own artisan's times.
func TestStaffAvailability(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	const q = "?service=design&mode=virtual&from=2026-12-01&to=2026-12-01&artisan=mei"
	const ten, tenThirty = "2026-12-01T10:00:00+08:00", "2026-12-01T10:30:00+08:00"

	// Now is 09:00 and bookings need 2 hours' notice.
	var customer, staff Availability
	e.Do(t, "", http.MethodGet, "/api/v1/availability"+q, nil).JSON(t, &customer)
	if slices.Contains(starts(customer), ten) {
		t.Fatalf("customers are offered 10:00 inside the notice: %v", starts(customer))
	}
	r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/availability"+q, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("staff availability: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &staff)
	if got := starts(staff); len(got) == 0 || got[0] != ten || !slices.Contains(got, tenThirty) {
		t.Fatalf("staff slots %v, want 10:00 first and 10:30 among them", got)
	}

	// Staff book 10:30: neither list offers it, nor any start that would overlap it.
	e.MustStaffBook(t, admin, VirtualRequest(tenThirty, "mei"))
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/availability"+q, nil).JSON(t, &staff)
	for _, s := range starts(staff) {
		if s == ten || s == tenThirty || s == "2026-12-01T11:00:00+08:00" {
			t.Errorf("staff are offered %s, which clashes with the booking at 10:30", s)
		}
	}

	// Mei's account sees Mei's times without asking, and may not ask for Arjun's.
	mei := e.MustLogin(t, e.Mei)
	var own Availability
	e.Do(t, mei, http.MethodGet, "/api/v1/staff/availability?service=design&mode=virtual&from=2026-12-02&to=2026-12-02", nil).JSON(t, &own)
	if len(own.Slots) == 0 {
		t.Fatal("mei's account is offered no time on 2 December")
	}
	for _, s := range own.Slots {
		if !slices.Equal(s.Artisans, []string{"mei"}) {
			t.Fatalf("mei's account sees %v at %s", s.Artisans, s.Start)
		}
	}
	if r := e.Do(t, mei, http.MethodGet, "/api/v1/staff/availability?service=design&mode=virtual&artisan=arjun&from=2026-12-02&to=2026-12-02", nil); r.Status != http.StatusForbidden {
		t.Errorf("mei's account asking for arjun's times: %d, want 403", r.Status)
	}
	// Past the 90-day horizon staff still see times; customers do not.
	const far = "?service=design&mode=virtual&from=2027-03-09&to=2027-03-09&artisan=mei"
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/availability"+far, nil).JSON(t, &staff)
	e.Do(t, "", http.MethodGet, "/api/v1/availability"+far, nil).JSON(t, &customer)
	if len(staff.Slots) == 0 || len(customer.Slots) != 0 {
		t.Errorf("past the horizon: staff %d slots (want some), customers %d (want none)", len(staff.Slots), len(customer.Slots))
	}
}
