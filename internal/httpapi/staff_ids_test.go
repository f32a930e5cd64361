package httpapi_test

import (
	"net/http"
	"testing"
)

// TestDeletedIDsNotReused: after the newest time off or closure is
// deleted, the next one gets a new id, so a retried DELETE is a 404 and
// never removes the newcomer.
func TestDeletedIDsNotReused(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	tests := []struct {
		name, collection string
		body             map[string]string
	}{
		{"TimeOff", "/api/v1/staff/artisans/mei/time-off",
			map[string]string{"start": "2027-06-01T10:00:00+08:00", "end": "2027-06-01T12:00:00+08:00", "reason": "dentist"}},
		{"Closure", "/api/v1/staff/closures",
			map[string]string{"from": "2027-06-06", "to": "2027-06-06", "reason": "stock-take"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			add := func() string {
				t.Helper()
				r := e.Do(t, admin, http.MethodPost, tc.collection, tc.body)
				if r.Status != http.StatusCreated {
					t.Fatalf("add: %d %s", r.Status, r.Body)
				}
				var v struct{ ID string }
				r.JSON(t, &v)
				return v.ID
			}
			first := add()
			if r := e.Do(t, admin, http.MethodDelete, tc.collection+"/"+first, nil); r.Status != http.StatusNoContent {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			second := add()
			if second == first {
				t.Fatalf("id %s given out again after its delete", first)
			}
			if r := e.Do(t, admin, http.MethodDelete, tc.collection+"/"+first, nil); r.Status != http.StatusNotFound {
				t.Errorf("retried delete of %s: %d, want 404", first, r.Status)
			}
			if r := e.Do(t, admin, http.MethodDelete, tc.collection+"/"+second, nil); r.Status != http.StatusNoContent {
				t.Errorf("the new one (%s) is not there to delete: %d %s", second, r.Status, r.Body)
			}
		})
	}
}
