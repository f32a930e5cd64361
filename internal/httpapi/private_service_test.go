package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// A service an admin makes with public: false is not listed to customers,
// and customers can neither see its times nor book it (it answers as an
// unknown service does); staff still see its times and book it. Made
// public again, customers book it.
func TestPrivateService(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/services", map[string]any{
		"id": "fitting", "name": "Fitting", "duration_minutes": 30, "modes": []string{"in_person"},
		"artisans": []string{"mei"}, "public": false,
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var created struct{ Service struct{ Public bool } }
	r.JSON(t, &created)
	if created.Service.Public {
		t.Fatalf("created public: %s", r.Body)
	}

	listed := func() bool {
		var services []struct{ ID string }
		e.Do(t, "", http.MethodGet, "/api/v1/services", nil).JSON(t, &services)
		var artisans []struct {
			ID       string
			Services []string
		}
		e.Do(t, "", http.MethodGet, "/api/v1/artisans", nil).JSON(t, &artisans)
		return strings.Contains(mustJSON(services), `"fitting"`) || strings.Contains(mustJSON(artisans), `"fitting"`)
	}
	if listed() {
		t.Fatal("a service that is not public is listed to customers")
	}
	if r := e.Do(t, "", http.MethodGet, "/api/v1/services/fitting", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET /services/fitting: %d, want 404", r.Status)
	}
	query := "service=fitting&mode=in_person&from=2026-12-02&to=2026-12-02"
	unknown := func(what string, r Response) {
		t.Helper()
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s, want 422 as for an unknown service", what, r.Status, r.Body)
		}
		if p := r.Problem(t); p.Errors["service"] != "unknown service" {
			t.Errorf("%s: errors %v, want service: unknown service", what, p.Errors)
		}
	}
	unknown("customer availability", e.Do(t, "", http.MethodGet, "/api/v1/availability?"+query, nil))
	req := Request("2026-12-02T14:00:00+08:00")
	req["service"] = "fitting"
	unknown("customer booking", e.Do(t, "", http.MethodPost, "/api/v1/bookings", req))

	var av Availability
	if r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/availability?"+query, nil); r.Status != http.StatusOK {
		t.Fatalf("staff availability: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &av)
	}
	if !av.HasSlot("2026-12-02T14:00:00+08:00", "mei") {
		t.Fatalf("staff do not see the fitting's times: %+v", av)
	}
	if b := e.MustStaffBook(t, admin, req); b.Service != "fitting" {
		t.Fatalf("staff booked %q", b.Service)
	}

	var items struct {
		Services []struct {
			ID     string
			Public bool
		}
	}
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/catalogue", nil).JSON(t, &items)
	for _, s := range items.Services {
		if want := s.ID != "fitting"; s.Public != want {
			t.Errorf("staff catalogue: %s public %v, want %v", s.ID, s.Public, want)
		}
	}

	e.mustChange(t, admin, http.MethodPut, "/api/v1/staff/services/fitting", map[string]any{"public": true}, http.StatusOK)
	if !listed() {
		t.Fatal("made public, the service is still not listed")
	}
	req["start"] = "2026-12-02T15:00:00+08:00"
	if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req); r.Status != http.StatusCreated {
		t.Fatalf("made public, a customer's booking: %d %s", r.Status, r.Body)
	}
}
