package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// availability returns the availability of a virtual design consultation
// with mei on day.
func (e *StaffEnv) availability(t *testing.T, day string) Availability {
	t.Helper()
	r := e.Do(t, "", http.MethodGet, "/api/v1/availability?service=design&mode=virtual&artisan=mei&from="+day+"&to="+day, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("availability: %d %s", r.Status, r.Body)
	}
	var a Availability
	r.JSON(t, &a)
	return a
}

type conflictsBody struct {
	ID        string `json:"id"`
	Conflicts []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	} `json:"conflicts"`
}

func (c conflictsBody) has(id string) bool {
	for _, x := range c.Conflicts {
		if x.ID == id {
			return true
		}
	}
	return false
}

func TestStaffTimeOffChangesAvailability(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	mei := e.MustLogin(t, e.Mei)
	const day, slot = "2026-12-02", "2026-12-02T10:00:00+08:00"
	if !e.availability(t, day).HasSlot(slot, "mei") {
		t.Fatalf("precondition: mei free at %s", slot)
	}
	r := e.Do(t, mei, http.MethodPost, "/api/v1/staff/artisans/mei/time-off",
		map[string]string{"start": "2026-12-02T09:00:00+08:00", "end": "2026-12-02T12:00:00+08:00", "reason": "workshop"})
	if r.Status != http.StatusCreated {
		t.Fatalf("add time off: %d %s", r.Status, r.Body)
	}
	var added conflictsBody
	r.JSON(t, &added)
	if len(added.Conflicts) != 0 {
		t.Errorf("conflicts = %+v, want none", added.Conflicts)
	}
	if e.availability(t, day).HasSlot(slot, "mei") {
		t.Errorf("slot %s still offered during mei's time off", slot)
	}
	if !e.availability(t, day).HasSlot("2026-12-02T14:00:00+08:00", "mei") {
		t.Errorf("time off 09:00-12:00 removed the 14:00 slot too")
	}
	// The artisan's page lists it.
	var ar struct {
		TimeOff []struct{ ID, Reason string } `json:"time_off"`
	}
	e.Do(t, mei, http.MethodGet, "/api/v1/staff/artisans/mei", nil).JSON(t, &ar)
	if len(ar.TimeOff) != 1 || ar.TimeOff[0].ID != added.ID {
		t.Errorf("time_off = %+v, want the one added (%s)", ar.TimeOff, added.ID)
	}

	if r := e.Do(t, mei, http.MethodDelete, "/api/v1/staff/artisans/mei/time-off/"+added.ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete time off: %d %s", r.Status, r.Body)
	}
	if !e.availability(t, day).HasSlot(slot, "mei") {
		t.Errorf("slot %s not offered again after the time off was deleted", slot)
	}
}

func TestStaffClosureChangesAvailability(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	const day = "2026-12-03"
	if len(e.availability(t, day).Slots) == 0 {
		t.Fatal("precondition: slots on " + day)
	}
	r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/closures", map[string]string{"from": day, "to": day, "reason": "stock-take"})
	if r.Status != http.StatusCreated {
		t.Fatalf("add closure: %d %s", r.Status, r.Body)
	}
	var added conflictsBody
	r.JSON(t, &added)
	if got := e.availability(t, day).Slots; len(got) != 0 {
		t.Errorf("closed day still has %d slots", len(got))
	}
	// Customers see the closure.
	if r := e.Do(t, "", http.MethodGet, "/api/v1/atelier", nil); !strings.Contains(string(r.Body), "stock-take") {
		t.Errorf("GET /api/v1/atelier does not list the closure: %s", r.Body)
	}
	if r := e.Do(t, admin, http.MethodDelete, "/api/v1/staff/closures/"+added.ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete closure: %d %s", r.Status, r.Body)
	}
	if len(e.availability(t, day).Slots) == 0 {
		t.Error("no slots after the closure was deleted")
	}
}

func TestStaffChangesListConflicts(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		alsoArjun  bool // the change strands arjun's booking that day too
	}{
		{"TimeOff", http.MethodPost, "/api/v1/staff/artisans/mei/time-off",
			map[string]string{"start": "2026-12-04T09:00:00+08:00", "end": "2026-12-04T11:00:00+08:00"}, http.StatusCreated, false},
		{"Closure", http.MethodPost, "/api/v1/staff/closures", map[string]string{"from": "2026-12-04", "to": "2026-12-04"}, http.StatusCreated, true},
		{"WorkingHours", http.MethodPut, "/api/v1/staff/artisans/mei/working-hours",
			map[string][][2]string{"fri": {{"14:00", "19:00"}}, "sat": {{"09:00", "19:00"}}}, http.StatusOK, false},
		{"OpeningHours", http.MethodPut, "/api/v1/staff/opening-hours",
			map[string][][2]string{"fri": {{"12:00", "19:00"}}, "sat": {{"10:00", "19:00"}}}, http.StatusOK, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := MustOpenStaffEnv(t, StaffOptions{}) // each change on a fresh calendar
			admin := e.MustLogin(t, e.Admin)
			b := e.MustStaffBook(t, admin, VirtualRequest("2026-12-04T10:00:00+08:00", "mei"))
			elsewhere := e.MustStaffBook(t, admin, VirtualRequest("2026-12-05T10:00:00+08:00", "mei"))
			arjun := e.MustStaffBook(t, admin, VirtualRequest("2026-12-04T13:00:00+08:00", "arjun"))
			r := e.Do(t, admin, tc.method, tc.path, tc.body)
			if r.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.Status, tc.wantStatus, r.Body)
			}
			var got conflictsBody
			r.JSON(t, &got)
			want := []string{b.ID}
			if tc.alsoArjun {
				want = append(want, arjun.ID)
			}
			if got.has(elsewhere.ID) || got.has(arjun.ID) != tc.alsoArjun || len(got.Conflicts) != len(want) || !got.has(b.ID) {
				t.Fatalf("conflicts = %+v, want exactly %v", got.Conflicts, want)
			}
			if got.Conflicts[0].Reason == "" {
				t.Error("a conflict carries no reason")
			}
			// The change is allowed: the booking stays confirmed.
			var after Booking
			e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+b.ID, nil).JSON(t, &after)
			if after.Status != "confirmed" {
				t.Errorf("booking status %q after the change, want confirmed", after.Status)
			}
		})
	}
}

func TestStaffBookingOnBehalf(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	// Now is 09:00; the atelier wants 2 hours' notice from customers.
	req := VirtualRequest("2026-12-01T10:00:00+08:00", "mei")
	if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req); r.Status != http.StatusConflict {
		t.Fatalf("customer inside the notice period: %d, want 409", r.Status)
	}
	b := e.MustStaffBook(t, admin, req)
	// Never a clash.
	if r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings", req); r.Status != http.StatusConflict {
		t.Errorf("staff double booking: %d, want 409; body %s", r.Status, r.Body)
	}
	// Never a closed day (Christmas).
	if r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings", VirtualRequest("2026-12-25T10:00:00+08:00", "mei")); r.Status != http.StatusConflict {
		t.Errorf("staff booking on a closed day: %d, want 409", r.Status)
	}
	// Beyond the 90-day horizon is fine for staff.
	e.MustStaffBook(t, admin, VirtualRequest("2027-06-01T10:00:00+08:00", "mei"))

	// Reschedule to another artisan.
	r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/reschedule",
		map[string]string{"start": "2026-12-01T11:00:00+08:00", "artisan": "arjun"})
	var moved Booking
	r.JSON(t, &moved)
	if r.Status != http.StatusOK || moved.Artisan != "arjun" || moved.Sequence != b.Sequence+1 {
		t.Fatalf("reschedule to arjun: %d %s", r.Status, r.Body)
	}
	// Mei's account no longer sees it; arjun's does.
	if got := e.Do(t, e.MustLogin(t, e.Mei), http.MethodGet, "/api/v1/staff/bookings/"+b.ID, nil).Status; got != http.StatusNotFound {
		t.Errorf("mei reads arjun's booking: %d, want 404", got)
	}
	arjun := e.MustLogin(t, e.Arjun)
	var list []Booking
	e.Do(t, arjun, http.MethodGet, "/api/v1/staff/bookings?from=2026-12-01&to=2026-12-01", nil).JSON(t, &list)
	if len(list) != 1 || list[0].ID != b.ID || list[0].Customer.Email != "ana@example.com" {
		t.Errorf("arjun's list = %+v, want the moved booking with customer details", list)
	}
	if got := e.Do(t, arjun, http.MethodGet, "/api/v1/staff/bookings?from=2026-12-01&to=2026-12-01&artisan=mei", nil).Status; got != http.StatusForbidden {
		t.Errorf("arjun lists mei's bookings: %d, want 403", got)
	}
}

func TestStaffNotesNeverReachCustomers(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	// Booked by the customer, so the manage token is theirs.
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", VirtualRequest("2026-12-02T10:00:00+08:00", "mei"))
	if r.Status != http.StatusCreated {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(t, &b)
	const secret = "Difficult client: insists on nickel-free gold"
	r = e.Do(t, admin, http.MethodPut, "/api/v1/staff/bookings/"+b.ID+"/staff-notes", map[string]string{"staff_notes": secret})
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), secret) {
		t.Fatalf("set staff notes: %d %s", r.Status, r.Body)
	}
	var list []struct {
		ID         string `json:"id"`
		StaffNotes string `json:"staff_notes"`
	}
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings?from=2026-12-02&to=2026-12-02", nil).JSON(t, &list)
	if len(list) != 1 || list[0].StaffNotes != secret {
		t.Errorf("staff list = %+v, want the staff notes", list)
	}
	auth := []string{"Authorization", "Bearer " + b.ManageToken}
	for _, path := range []string{"/api/v1/bookings/" + b.ID, "/api/v1/bookings/" + b.ID + "/invite.ics"} {
		r := e.Do(t, "", http.MethodGet, path, nil, auth...)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.Status)
		}
		if strings.Contains(string(r.Body), "nickel") || strings.Contains(string(r.Body), "staff_notes") {
			t.Errorf("GET %s shows the staff notes to the customer: %s", path, r.Body)
		}
	}
	r = e.Do(t, "", http.MethodPost, "/api/v1/bookings/"+b.ID+"/reschedule", map[string]string{"start": "2026-12-02T14:00:00+08:00"}, auth...)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), "nickel") {
		t.Errorf("customer reschedule: %d %s", r.Status, r.Body)
	}
}

func TestStaffAudit(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	mei := e.MustLogin(t, e.Mei)
	b := e.MustStaffBook(t, mei, VirtualRequest("2026-12-02T10:00:00+08:00", "mei"))
	if r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/cancel", nil); r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if r := e.Do(t, mei, http.MethodPut, "/api/v1/staff/artisans/mei/working-hours", workWeek); r.Status != http.StatusOK {
		t.Fatalf("working hours: %d %s", r.Status, r.Body)
	}
	var rows []struct {
		Action  string `json:"action"`
		Booking string `json:"booking"`
		Target  string `json:"target"`
		Actor   struct{ Kind, ID string }
		Before  map[string]any `json:"before"`
		After   map[string]any `json:"after"`
	}
	r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/audit?from=2026-12-01&to=2026-12-01", nil)
	r.JSON(t, &rows)
	type key struct{ action, actor string }
	got := map[key]bool{}
	for _, row := range rows {
		if row.Actor.Kind != "staff" {
			t.Errorf("row %s by %+v, want a staff user", row.Action, row.Actor)
		}
		got[key{row.Action, row.Actor.ID}] = true
		if row.Action == "booking.cancelled" && (row.Before["status"] != "confirmed" || row.After["status"] != "cancelled") {
			t.Errorf("cancel row before/after = %v / %v", row.Before["status"], row.After["status"])
		}
	}
	for _, want := range []key{{"booking.created", e.Mei.ID}, {"booking.cancelled", e.Admin.ID}, {"working_hours.set", e.Mei.ID}} {
		if !got[want] {
			t.Errorf("audit log lacks %s by %s; rows %s", want.action, want.actor, r.Body)
		}
	}
}

// TestStaffHoursInvalidSpans checks that hours which are valid JSON but not
// valid times are a 422 naming the span, like hours that end before they
// start; only JSON that does not parse is a 400.
func TestStaffHoursInvalidSpans(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantField  string
	}{
		{"hour past midnight", `{"wed":[["10:00","25:00"]]}`, http.StatusUnprocessableEntity, "wed[0]"},
		{"not a time", `{"mon":[["10:00","19:00"]],"tue":[["ten","19:00"]]}`, http.StatusUnprocessableEntity, "tue[0]"},
		{"one time only", `{"thu":[["10:00","19:00"],["20:00"]]}`, http.StatusUnprocessableEntity, "thu[1]"},
		{"ends before it starts", `{"wed":[["19:00","16:00"]]}`, http.StatusUnprocessableEntity, "wed[0]"},
		{"unknown day", `{"funday":[["10:00","16:00"]]}`, http.StatusUnprocessableEntity, "funday"},
		{"not JSON", `{"wed":[["10:00",`, http.StatusBadRequest, ""},
	}
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	for _, tc := range tests {
		for _, path := range []string{"/api/v1/staff/opening-hours", "/api/v1/staff/artisans/mei/working-hours"} {
			t.Run(tc.name+" "+path, func(t *testing.T) {
				r := e.Do(t, admin, http.MethodPut, path, tc.body)
				if r.Status != tc.wantStatus {
					t.Fatalf("status %d, want %d; body %s", r.Status, tc.wantStatus, r.Body)
				}
				p := r.Problem(t)
				if tc.wantField != "" && p.Errors[tc.wantField] == "" {
					t.Errorf("errors = %v, want a message for %s", p.Errors, tc.wantField)
				}
			})
		}
	}
}
