package httpapi_test

import (
	"net/http"
	"testing"
)

// TestStaffUnmatched: a wrong method on a staff path is 405 with Allow and
// an unknown staff path is 404, but only for a valid session; without one
// both are 401, so nobody signed out learns which staff paths exist.
func TestStaffUnmatched(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	adminCookie := e.MustLogin(t, e.Admin)
	meiCookie := e.MustLogin(t, e.Mei)
	expired := e.MustExpiredSession(t, e.Arjun)
	tests := []struct {
		name         string
		cookie       string
		method, path string
		wantStatus   int
		wantCode     string
		wantAllow    string
	}{
		{"WrongMethodAdmin", adminCookie, http.MethodDelete, "/api/v1/staff/bookings", 405, "method_not_allowed", "GET, POST"},
		{"WrongMethodArtisan", meiCookie, http.MethodPut, "/api/v1/staff/closures", 405, "method_not_allowed", "GET, POST"},
		{"WrongMethodWithVariable", adminCookie, http.MethodGet, "/api/v1/staff/artisans/mei/time-off", 405, "method_not_allowed", "POST"},
		{"WrongMethodOnLogin", adminCookie, http.MethodGet, "/api/v1/staff/login", 405, "method_not_allowed", "POST"},
		{"UnknownPathAdmin", adminCookie, http.MethodGet, "/api/v1/staff/nothing-here", 404, "not_found", ""},
		{"UnknownBareStaffPath", adminCookie, http.MethodGet, "/api/v1/staff", 404, "not_found", ""},
		{"WrongMethodNoSession", "", http.MethodDelete, "/api/v1/staff/bookings", 401, "unauthorized", ""},
		{"UnknownPathNoSession", "", http.MethodGet, "/api/v1/staff/nothing-here", 401, "unauthorized", ""},
		{"WrongMethodExpiredSession", expired, http.MethodDelete, "/api/v1/staff/bookings", 401, "unauthorized", ""},
		{"UnknownPathExpiredSession", expired, http.MethodGet, "/api/v1/staff/nothing-here", 401, "unauthorized", ""},
		{"BadCookie", "not-a-session", http.MethodDelete, "/api/v1/staff/bookings", 401, "unauthorized", ""},
		{"PrefixLookalike", "", http.MethodGet, "/api/v1/staffing", 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, tc.cookie, tc.method, tc.path, nil)
			p := r.Problem(t)
			if r.Status != tc.wantStatus || p.Code != tc.wantCode {
				t.Errorf("%s %s: %d %q, want %d %q; body %s", tc.method, tc.path, r.Status, p.Code, tc.wantStatus, tc.wantCode, r.Body)
			}
			if got := r.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tc.wantAllow)
			}
		})
	}
}
