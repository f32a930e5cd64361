package httpapi_test

import (
	"net/http"
	"testing"
)

// TestDiscreetBookingFlag: POST /api/v1/bookings takes "discreet": true
// and the customer's and the staff's views of the booking carry it; a
// booking without it reads "discreet": false; a flag that is not a boolean
// is refused and books nothing.
func TestDiscreetBookingFlag(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	type view struct {
		ID          string `json:"id"`
		Discreet    *bool  `json:"discreet"`
		ManageToken string `json:"manage_token"`
	}
	for _, tc := range []struct {
		start    string
		discreet any
		want     bool
	}{
		{"2026-12-02T10:00:00+08:00", true, true},
		{"2026-12-02T12:00:00+08:00", false, false},
		{"2026-12-02T14:00:00+08:00", nil, false},
	} {
		req := Request(tc.start)
		if tc.discreet != nil {
			req["discreet"] = tc.discreet
		}
		r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
		if r.Status != http.StatusCreated {
			t.Fatalf("POST discreet=%v: %d %s", tc.discreet, r.Status, r.Body)
		}
		var created, mine, staff view
		r.JSON(t, &created)
		e.Do(t, "", http.MethodGet, "/api/v1/bookings/"+created.ID+"?token="+created.ManageToken, nil).JSON(t, &mine)
		e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+created.ID, nil).JSON(t, &staff)
		for name, v := range map[string]view{"created": created, "customer's": mine, "staff": staff} {
			if v.Discreet == nil || *v.Discreet != tc.want {
				t.Errorf("discreet=%v: the %s view has discreet %v, want %v", tc.discreet, name, v.Discreet, tc.want)
			}
		}
	}
	bad := Request("2026-12-03T10:00:00+08:00")
	bad["discreet"] = "yes"
	if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", bad); r.Status/100 != 4 {
		t.Errorf("discreet \"yes\": %d %s, want a 4xx", r.Status, r.Body)
	}
}
