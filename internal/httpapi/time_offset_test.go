package httpapi_test

import (
	"net/http"
	"regexp"
	"testing"
)

// zuluTime matches an RFC 3339 time written with "Z" in a JSON body.
var zuluTime = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"`)

// TestTimesHaveNumericOffsets: the contract promises times "with an
// explicit offset"; at UTC+0 (London in winter, a customer in UTC) that
// is "+00:00", in every response, while requests may still say "Z".
func TestTimesHaveNumericOffsets(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)

	// A customer in London books 14:00 Singapore, giving the time as Z.
	req := VirtualRequest("2026-12-03T06:00:00Z", "mei")
	req["customer"].(map[string]any)["timezone"] = "Europe/London"
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
	if r.Status != http.StatusCreated {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	var b struct {
		ID, Start, End, CreatedAt, UpdatedAt string
		ManageToken                          string `json:"manage_token"`
	}
	r.JSON(t, &b)
	var stamps struct {
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
	}
	r.JSON(t, &stamps)
	if b.Start != "2026-12-03T06:00:00+00:00" || b.End != "2026-12-03T07:30:00+00:00" {
		t.Errorf("booking %s..%s, want 06:00+00:00..07:30+00:00", b.Start, b.End)
	}
	if want := "2026-12-01T01:00:00+00:00"; stamps.CreatedAt != want || stamps.UpdatedAt != want {
		t.Errorf("created_at %q updated_at %q, want %q", stamps.CreatedAt, stamps.UpdatedAt, want)
	}

	// Time off given in Z is stored and shown in the atelier's zone.
	r = e.Do(t, admin, http.MethodPost, "/api/v1/staff/artisans/mei/time-off",
		map[string]string{"start": "2027-01-05T02:00:00Z", "end": "2027-01-05T04:00:00Z", "reason": "errand"})
	if r.Status != http.StatusCreated {
		t.Fatalf("time off: %d %s", r.Status, r.Body)
	}
	var off struct{ Start, End string }
	r.JSON(t, &off)
	if off.Start != "2027-01-05T10:00:00+08:00" || off.End != "2027-01-05T12:00:00+08:00" {
		t.Errorf("time off %s..%s, want 10:00..12:00 +08:00", off.Start, off.End)
	}

	tests := []struct {
		name, cookie, path string
	}{
		{"AvailabilityLondon", "", "/api/v1/availability?service=design&mode=virtual&from=2026-12-02&to=2026-12-03&tz=Europe/London"},
		{"AvailabilityUTC", "", "/api/v1/availability?service=design&mode=virtual&from=2026-12-02&to=2026-12-02&tz=UTC"},
		{"CustomerBooking", "", "/api/v1/bookings/" + b.ID + "?token=" + b.ManageToken},
		{"StaffBookings", admin, "/api/v1/staff/bookings?from=2026-12-01&to=2026-12-31"},
		{"StaffBooking", admin, "/api/v1/staff/bookings/" + b.ID},
		{"StaffArtisan", admin, "/api/v1/staff/artisans/mei"},
		{"Audit", admin, "/api/v1/staff/audit?from=2026-11-30&to=2026-12-31"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.cookie, http.MethodGet, tc.path, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", tc.path, r.Status, r.Body)
			}
			if z := zuluTime.FindAll(r.Body, 3); len(z) > 0 {
				t.Errorf("GET %s writes times with Z: %s", tc.path, z)
			}
			if !regexp.MustCompile(`T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}"`).Match(r.Body) {
				t.Errorf("GET %s holds no time with an offset to check: %s", tc.path, r.Body)
			}
		})
	}
}
