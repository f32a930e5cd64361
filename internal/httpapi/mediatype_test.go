package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/atelier-app/atelier/internal/httpx"
)

// TestBodyNotSentAsJSON: a JSON body sent as another media type (a form,
// text/plain, XML) is a 415 problem and changes nothing, for a customer's
// booking and for a staff change alike; application/json with a charset
// is read as JSON (so is a body with no Content-Type, for old scripts).
func TestBodyNotSentAsJSON(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/xml", "application/merge-patch+json", "not a media type"} {
		r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10), "Content-Type", ct)
		var p struct {
			Status int    `json:"status"`
			Code   string `json:"code"`
		}
		if r.Status != http.StatusUnsupportedMediaType || r.Header.Get("Content-Type") != "application/problem+json" ||
			json.Unmarshal(r.Body, &p) != nil || p.Status != 415 || p.Code != "unsupported_media_type" {
			t.Errorf("booking sent as %q: %d %s %s, want a 415 unsupported_media_type problem", ct, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
	if n := countBookings(t, e); n != 0 {
		t.Fatalf("%d bookings made by bodies not sent as JSON", n)
	}
	if r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10), "Content-Type", "application/json; charset=utf-8"); r.Status != http.StatusCreated {
		t.Errorf("booking sent as application/json with a charset: %d %s, want it booked", r.Status, r.Body)
	}

	s := MustOpenStaffEnv(t, StaffOptions{})
	admin := s.MustLogin(t, s.Admin)
	closure := map[string]string{"from": "2027-01-01", "to": "2027-01-02", "reason": "New Year"}
	if r := s.Do(t, admin, http.MethodPost, "/api/v1/staff/closures", closure, "Content-Type", "text/plain"); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("staff closure sent as text/plain: %d %s, want 415", r.Status, r.Body)
	}
	var list []struct{ Reason string }
	if r := s.Do(t, admin, http.MethodGet, "/api/v1/staff/closures", nil); r.Status != http.StatusOK || json.Unmarshal(r.Body, &list) != nil {
		t.Fatalf("list closures: %d %s", r.Status, r.Body)
	}
	for _, c := range list {
		if c.Reason == "New Year" {
			t.Errorf("the closure sent as text/plain was added: %s", s.Do(t, admin, http.MethodGet, "/api/v1/staff/closures", nil).Body)
		}
	}
}
