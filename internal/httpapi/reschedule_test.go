package httpapi_test

import (
	"net/http"
	"testing"
)

// TestRescheduleArtisan checks the three forms of a reschedule, for the
// customer (manage token) and for staff (an admin): with no artisan the
// booking stays with its artisan, or is refused with 409 and left as it
// was; "any" lets any free artisan take it; an id asks for that artisan,
// and an unknown one, or one who does not offer the service, is 422 on
// artisan.
func TestRescheduleArtisan(t *testing.T) {
	const (
		at10    = "2026-12-02T10:00:00+08:00"
		meiBusy = "2026-12-02T14:00:00+08:00"
		meiFree = "2026-12-02T16:00:00+08:00"
	)
	for _, tc := range []struct {
		name, service, artisan, start string
		status                        int
		want                          string // artisan after the move
		code, field                   string // of a refusal
	}{
		{name: "NoArtisanKeeps", artisan: "", start: meiFree, status: 200, want: "mei"},
		{name: "NoArtisanRefusedWhenBusy", artisan: "", start: meiBusy, status: 409, code: "slot_unavailable"},
		{name: "AnyKeepsWhenFree", artisan: "any", start: meiFree, status: 200, want: "mei"},
		{name: "AnyTakesAnother", artisan: "any", start: meiBusy, status: 200, want: "arjun"},
		{name: "ByID", artisan: "arjun", start: meiFree, status: 200, want: "arjun"},
		{name: "ByIDBusy", artisan: "mei", start: meiBusy, status: 409, code: "slot_unavailable"},
		{name: "UnknownID", artisan: "nobody", start: meiFree, status: 422, code: "invalid_request", field: "artisan"},
		{name: "IDNotOfferingTheService", service: "sizing", artisan: "arjun", start: meiFree, status: 422, code: "invalid_request", field: "artisan"},
	} {
		for _, who := range []string{"Customer", "Staff"} {
			t.Run(tc.name+"/"+who, func(t *testing.T) {
				e := MustOpenStaffEnv(t, StaffOptions{})
				req := VirtualRequest(at10, "mei")
				if tc.service != "" {
					req["service"], req["mode"] = tc.service, "in_person"
				}
				r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
				if r.Status != http.StatusCreated {
					t.Fatalf("book: %d %s", r.Status, r.Body)
				}
				var b Booking
				r.JSON(t, &b)
				if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", VirtualRequest(meiBusy, "mei")); r.Status != http.StatusCreated {
					t.Fatalf("book Mei's 14:00: %d %s", r.Status, r.Body)
				}
				body := map[string]string{"start": tc.start}
				if tc.artisan != "" {
					body["artisan"] = tc.artisan
				}
				bearer := []string{"Authorization", "Bearer " + b.ManageToken}
				if who == "Customer" {
					r = e.Do(t, "", http.MethodPost, "/api/v1/bookings/"+b.ID+"/reschedule", body, bearer...)
				} else {
					r = e.Do(t, e.MustLogin(t, e.Admin), http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/reschedule", body)
				}
				if r.Status != tc.status {
					t.Fatalf("reschedule %v: %d %s, want %d", body, r.Status, r.Body, tc.status)
				}
				var got Booking
				e.Do(t, "", http.MethodGet, "/api/v1/bookings/"+b.ID, nil, bearer...).JSON(t, &got)
				if tc.status != http.StatusOK {
					if p := r.Problem(t); p.Code != tc.code || (tc.field != "" && p.Errors[tc.field] == "") {
						t.Errorf("problem = %+v, want code %s with errors[%q]", p, tc.code, tc.field)
					}
					if got.Start != b.Start || got.Artisan != "mei" || got.Sequence != b.Sequence {
						t.Errorf("a refused move changed the booking: %s with %s, sequence %d", got.Start, got.Artisan, got.Sequence)
					}
					return
				}
				var moved Booking
				r.JSON(t, &moved)
				if moved.Artisan != tc.want || got.Artisan != tc.want || got.Sequence != b.Sequence+1 {
					t.Errorf("moved with %s (stored %s, sequence %d), want %s, sequence %d", moved.Artisan, got.Artisan, got.Sequence, tc.want, b.Sequence+1)
				}
			})
		}
	}
}

// TestArtisanAccountReschedule: an artisan's own account moves its
// bookings, keeping them: "any" or another artisan would give the booking
// away, which only an admin may do.
func TestArtisanAccountReschedule(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	mei := e.MustLogin(t, e.Mei)
	b := e.MustStaffBook(t, mei, VirtualRequest("2026-12-02T10:00:00+08:00", "mei"))
	path := "/api/v1/staff/bookings/" + b.ID + "/reschedule"
	for _, artisan := range []string{"any", "arjun"} {
		r := e.Do(t, mei, http.MethodPost, path, map[string]string{"start": "2026-12-02T16:00:00+08:00", "artisan": artisan})
		if r.Status != http.StatusForbidden {
			t.Errorf("Mei's account moving her booking to %q: %d %s, want 403", artisan, r.Status, r.Body)
		}
	}
	r := e.Do(t, mei, http.MethodPost, path, map[string]string{"start": "2026-12-02T16:00:00+08:00"})
	var moved Booking
	r.JSON(t, &moved)
	if r.Status != http.StatusOK || moved.Artisan != "mei" || moved.Sequence != 1 {
		t.Errorf("Mei's account moving her booking: %d %s", r.Status, r.Body)
	}
}
