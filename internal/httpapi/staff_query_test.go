package httpapi_test

import (
	"maps"
	"net/http"
	"testing"
)

// TestStaffQueryParameters: a staff listing whose from or to is missing,
// repeated or not a date is 400 with the fields named, as the customers'
// availability; a range that is readable but wrong stays 422.
func TestStaffQueryParameters(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	cookie := e.MustLogin(t, e.Admin)
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantFields map[string]string
	}{
		{"BookingsNoQuery", "/api/v1/staff/bookings", 400,
			map[string]string{"from": "is required", "to": "is required"}},
		{"BookingsNoTo", "/api/v1/staff/bookings?from=2026-12-01", 400,
			map[string]string{"to": "is required"}},
		{"BookingsEmptyFrom", "/api/v1/staff/bookings?from=&to=2026-12-01", 400,
			map[string]string{"from": "is required"}},
		{"BookingsBadDate", "/api/v1/staff/bookings?from=1%2F12%2F2026&to=2026-12-01", 400,
			map[string]string{"from": "must be a date like 2026-12-01"}},
		{"BookingsRepeated", "/api/v1/staff/bookings?from=2026-12-01&from=2026-12-02&to=2026-12-03", 400,
			map[string]string{"from": "must be given once"}},
		{"BookingsBadEscape", "/api/v1/staff/bookings?from=%zz&to=2026-12-01", 400, nil},
		{"BookingsToBeforeFrom", "/api/v1/staff/bookings?from=2026-12-31&to=2026-12-01", 422,
			map[string]string{"to": "must not be before from"}},
		{"BookingsTooLong", "/api/v1/staff/bookings?from=2026-01-01&to=2027-12-31", 422,
			map[string]string{"to": "the range is at most 366 days"}},
		{"BookingsFine", "/api/v1/staff/bookings?from=2026-12-01&to=2026-12-31", 200, nil},
		{"AuditNoQuery", "/api/v1/staff/audit", 400,
			map[string]string{"from": "is required", "to": "is required"}},
		{"AuditBadTo", "/api/v1/staff/audit?from=2026-12-01&to=tomorrow", 400,
			map[string]string{"to": "must be a date like 2026-12-01"}},
		{"AuditToBeforeFrom", "/api/v1/staff/audit?from=2026-12-02&to=2026-12-01", 422,
			map[string]string{"to": "must not be before from"}},
		{"AuditFine", "/api/v1/staff/audit?from=2026-12-01&to=2026-12-31", 200, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, cookie, http.MethodGet, tc.path, nil)
			if r.Status != tc.wantStatus {
				t.Fatalf("GET %s: %d, want %d; body %s", tc.path, r.Status, tc.wantStatus, r.Body)
			}
			if r.Status < 400 {
				return
			}
			p := r.Problem(t)
			if tc.wantFields != nil && !maps.Equal(p.Errors, tc.wantFields) {
				t.Errorf("errors = %v, want %v", p.Errors, tc.wantFields)
			}
		})
	}
}

// TestAddClosureDefaultsTo: a closure without "to" is the one day "from",
// as a closure in the configuration file.
func TestAddClosureDefaultsTo(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	cookie := e.MustLogin(t, e.Admin)
	tests := []struct {
		name       string
		body       map[string]string
		wantStatus int
		wantFrom   string
		wantTo     string
		wantFields map[string]string
	}{
		{"NoTo", map[string]string{"from": "2027-07-04", "reason": "stock-take"}, 201, "2027-07-04", "2027-07-04", nil},
		{"EmptyTo", map[string]string{"from": "2027-07-05", "to": ""}, 201, "2027-07-05", "2027-07-05", nil},
		{"WithTo", map[string]string{"from": "2027-07-06", "to": "2027-07-08"}, 201, "2027-07-06", "2027-07-08", nil},
		{"NoFrom", map[string]string{"to": "2027-07-08"}, 422, "", "", map[string]string{"from": "is required"}},
		{"NothingAtAll", map[string]string{}, 422, "", "", map[string]string{"from": "is required"}},
		{"BadFromNoTo", map[string]string{"from": "July 4th"}, 422, "", "", map[string]string{"from": "must be a date (YYYY-MM-DD)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, cookie, http.MethodPost, "/api/v1/staff/closures", tc.body)
			if r.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.Status, tc.wantStatus, r.Body)
			}
			if r.Status >= 400 {
				if p := r.Problem(t); !maps.Equal(p.Errors, tc.wantFields) {
					t.Errorf("errors = %v, want %v", p.Errors, tc.wantFields)
				}
				return
			}
			var got struct{ ID, From, To string }
			r.JSON(t, &got)
			if got.From != tc.wantFrom || got.To != tc.wantTo {
				t.Errorf("closure %s..%s, want %s..%s", got.From, got.To, tc.wantFrom, tc.wantTo)
			}
			// The atelier is closed on those days for customers too.
			var at struct {
				Closures []struct{ ID, From, To string }
			}
			e.Do(t, "", http.MethodGet, "/api/v1/atelier", nil).JSON(t, &at)
			found := false
			for _, c := range at.Closures {
				found = found || (c.ID == got.ID && c.From == tc.wantFrom && c.To == tc.wantTo)
			}
			if !found {
				t.Errorf("closure %+v not in the atelier's closures %+v", got, at.Closures)
			}
		})
	}
}
