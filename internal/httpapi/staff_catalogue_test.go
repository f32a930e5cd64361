package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// catalogueChange is the answer to a change of the catalogue.
type catalogueChange struct {
	Service *struct {
		ID, Name, Source string
		Active           bool
		DurationMinutes  int `json:"duration_minutes"`
		Artisans         []string
		Buffers          map[string]struct {
			Before int `json:"before_minutes"`
			After  int `json:"after_minutes"`
		}
	}
	Artisan *struct {
		ID, Name, Source string
		Active           bool
		MeetingURL       string `json:"meeting_url"`
		Services         []string
	}
	Room    *struct{ ID, Name string }
	Booking *struct {
		HorizonDays int `json:"horizon_days"`
	}
	Conflicts []struct{ ID, Reason string }
}

func (e *StaffEnv) mustChange(t *testing.T, cookie, method, path string, body any, want int) catalogueChange {
	t.Helper()
	r := e.Do(t, cookie, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	var ch catalogueChange
	r.JSON(t, &ch)
	return ch
}

// An admin adds a service; customers can book it at once, without a
// restart; withdrawn, it is no longer offered and its booking stays, listed
// as a conflict.
func TestStaffCatalogueServiceIsBookableAtOnce(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	ch := e.mustChange(t, admin, http.MethodPost, "/api/v1/staff/services", map[string]any{
		"name": "Engraving", "description": "Initials inside a band.", "duration_minutes": 45,
		"modes": []string{"in_person", "virtual"}, "buffers": map[string]any{"in_person": map[string]int{"before_minutes": 10, "after_minutes": 5}},
		"artisans": []string{"arjun"},
	}, http.StatusCreated)
	if s := ch.Service; s == nil || s.ID != "engraving" || s.Source != "staff" || !s.Active || s.Buffers["in_person"].Before != 10 ||
		len(ch.Conflicts) != 0 {
		t.Fatalf("created: %+v", ch)
	}

	var services []struct{ ID string }
	e.Do(t, "", http.MethodGet, "/api/v1/services", nil).JSON(t, &services)
	if !strings.Contains(mustJSON(services), `"engraving"`) {
		t.Fatalf("customers' services lack the new one: %v", services)
	}
	var av struct{ Slots []struct{ Start string } }
	e.Do(t, "", http.MethodGet, "/api/v1/availability?service=engraving&mode=virtual&from=2026-12-02&to=2026-12-02", nil).JSON(t, &av)
	if len(av.Slots) == 0 {
		t.Fatal("no free times for the new service")
	}
	var b Booking
	if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", map[string]any{"service": "engraving", "mode": "virtual",
		"start": av.Slots[0].Start, "customer": map[string]string{"name": "Ada", "email": "ada@example.com"}}); r.Status != http.StatusCreated {
		t.Fatalf("booking the new service: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &b)
	}
	if b.Artisan != "arjun" {
		t.Errorf("booked with %q, want arjun (the only one offering it)", b.Artisan)
	}

	ch = e.mustChange(t, admin, http.MethodDelete, "/api/v1/staff/services/engraving", nil, http.StatusOK)
	if ch.Service.Active || len(ch.Conflicts) != 1 || ch.Conflicts[0].ID != b.ID {
		t.Errorf("withdrawn: %+v, want inactive with the booking as its one conflict", ch)
	}
	if r := e.Do(t, "", http.MethodGet, "/api/v1/services/engraving", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET a withdrawn service: %d, want 404", r.Status)
	}
	if r := e.Do(t, "", http.MethodGet, "/api/v1/availability?service=engraving&mode=virtual&from=2026-12-03&to=2026-12-03", nil); r.Status == http.StatusOK {
		t.Errorf("free times of a withdrawn service: %d %s", r.Status, r.Body)
	}
	if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", map[string]any{"service": "engraving", "mode": "virtual",
		"start": av.Slots[1].Start, "customer": map[string]string{"name": "Bo", "email": "bo@example.com"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("booking a withdrawn service: %d %s, want 422", r.Status, r.Body)
	}
	if r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings/"+b.ID, nil); r.Status != http.StatusOK {
		t.Errorf("the withdrawn service's booking: %d", r.Status)
	}
	// Offered again.
	ch = e.mustChange(t, admin, http.MethodPut, "/api/v1/staff/services/engraving", map[string]any{"active": true, "name": "Hand engraving"}, http.StatusOK)
	if !ch.Service.Active || ch.Service.Name != "Hand engraving" || ch.Service.DurationMinutes != 45 || len(ch.Conflicts) != 0 {
		t.Errorf("offered again: %+v", ch)
	}
}

// Bad input is a 422 with field errors and changes nothing; a taken id is
// 409, an unknown one 404; artisan accounts are refused.
func TestStaffCatalogueRefusals(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin, mei := e.MustLogin(t, e.Admin), e.MustLogin(t, e.Mei)
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"NoName", "POST", "/api/v1/staff/services", map[string]any{"duration_minutes": 30, "modes": []string{"virtual"}}, 422, "name"},
		{"Duration", "POST", "/api/v1/staff/services", map[string]any{"name": "X", "duration_minutes": 7, "modes": []string{"virtual"}}, 422, "duration_minutes"},
		{"Mode", "POST", "/api/v1/staff/services", map[string]any{"name": "X", "duration_minutes": 30, "modes": []string{"phone"}}, 422, "modes[0]"},
		{"UnknownArtisan", "POST", "/api/v1/staff/services", map[string]any{"name": "X", "duration_minutes": 30, "modes": []string{"virtual"}, "artisans": []string{"zoe"}}, 422, "artisans[0]"},
		{"BufferForOtherMode", "PUT", "/api/v1/staff/services/sizing", map[string]any{"buffers": map[string]any{"virtual": map[string]int{"before_minutes": 5}}}, 422, "buffers.virtual"},
		{"IDTaken", "POST", "/api/v1/staff/services", map[string]any{"id": "design", "name": "X", "duration_minutes": 30, "modes": []string{"virtual"}}, 409, ""},
		{"OtherID", "PUT", "/api/v1/staff/services/design", map[string]any{"id": "sizing"}, 422, "id"},
		{"UnknownService", "PUT", "/api/v1/staff/services/nope", map[string]any{"name": "X"}, 404, ""},
		{"Email", "PUT", "/api/v1/staff/artisans/mei", map[string]any{"email": "not an address"}, 422, "email"},
		{"Hours", "PUT", "/api/v1/staff/artisans/mei", map[string]any{"working_hours": map[string]any{"mon": [][]string{{"18:00", "10:00"}}}}, 422, "working_hours.mon[0]"},
		{"MeetingURL", "PUT", "/api/v1/staff/artisans/mei", map[string]any{"meeting_url": "zoom"}, 422, "meeting_url"},
		{"Cap", "PUT", "/api/v1/staff/artisans/mei", map[string]any{"daily_cap": -1}, 422, "daily_cap"},
		{"UnknownArtisanPath", "DELETE", "/api/v1/staff/artisans/zoe", nil, 404, ""},
		{"RoomTaken", "POST", "/api/v1/staff/rooms", map[string]any{"id": "salon", "name": "Salon"}, 409, ""},
		{"UnknownRoom", "DELETE", "/api/v1/staff/rooms/attic", nil, 404, ""},
		{"Interval", "PUT", "/api/v1/staff/booking-rules", map[string]any{"slot_interval_minutes": 7}, 422, "slot_interval_minutes"},
		{"Horizon", "PUT", "/api/v1/staff/booking-rules", map[string]any{"horizon_days": 0}, 422, "horizon_days"},
		{"UnknownField", "PUT", "/api/v1/staff/booking-rules", map[string]any{"horizon": 3}, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := e.DB.CatalogItems(context.Background())
			r := e.Do(t, admin, tc.method, tc.path, tc.body)
			if r.Status != tc.status {
				t.Fatalf("%d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.field != "" {
				var p struct{ Errors map[string]string }
				r.JSON(t, &p)
				if p.Errors[tc.field] == "" {
					t.Errorf("errors %v lack %q", p.Errors, tc.field)
				}
			}
			after, _ := e.DB.CatalogItems(context.Background())
			if mustJSON(before) != mustJSON(after) {
				t.Errorf("a refused change changed the catalogue")
			}
		})
	}
	if r := e.Do(t, mei, http.MethodPost, "/api/v1/staff/services", map[string]any{"name": "X", "duration_minutes": 30, "modes": []string{"virtual"}}); r.Status != http.StatusForbidden {
		t.Errorf("an artisan account adding a service: %d, want 403", r.Status)
	}
	if r := e.Do(t, mei, http.MethodPut, "/api/v1/staff/artisans/mei", map[string]any{"name": "Mei Ling"}); r.Status != http.StatusForbidden {
		t.Errorf("an artisan account editing its own artisan: %d, want 403", r.Status)
	}
}

// Artisans, rooms and rules: changes apply at once, answer with the
// conflicts they cause, and are in the audit log.
func TestStaffCatalogueArtisansRoomsRules(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, Request(tomorrow10)) // design, in person

	ch := e.mustChange(t, admin, http.MethodPost, "/api/v1/staff/artisans", map[string]any{
		"name": "Léa Moreau", "email": "lea@example.com", "services": []string{"design"},
		"working_hours": map[string]any{"wed": [][]string{{"09:00", "17:00"}}}, "meeting_url": "https://meet.example/lea",
	}, http.StatusCreated)
	if a := ch.Artisan; a == nil || a.ID != "lea-moreau" || a.MeetingURL != "https://meet.example/lea" {
		t.Fatalf("created: %+v", ch.Artisan)
	}
	var av struct{ Slots []struct{ Artisans []string } }
	e.Do(t, "", http.MethodGet, "/api/v1/availability?service=design&mode=virtual&artisan=lea-moreau&from=2026-12-02&to=2026-12-02", nil).JSON(t, &av)
	if len(av.Slots) == 0 {
		t.Error("the new artisan has no free times on her working day")
	}

	// Withdrawing the booking's artisan leaves it outside the rules.
	ch = e.mustChange(t, admin, http.MethodDelete, "/api/v1/staff/artisans/"+b.Artisan, nil, http.StatusOK)
	if len(ch.Conflicts) != 1 || ch.Conflicts[0].ID != b.ID {
		t.Errorf("withdrawing %s: conflicts %+v, want the booking %s", b.Artisan, ch.Conflicts, b.ID)
	}
	e.mustChange(t, admin, http.MethodPut, "/api/v1/staff/artisans/"+b.Artisan, map[string]any{"active": true}, http.StatusOK)

	// Withdrawing the only room leaves the visit without one.
	ch = e.mustChange(t, admin, http.MethodDelete, "/api/v1/staff/rooms/salon", nil, http.StatusOK)
	if len(ch.Conflicts) != 1 {
		t.Errorf("withdrawing the only room: conflicts %+v, want the visit", ch.Conflicts)
	}
	if r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", Request(tomorrow14)); r.Status == http.StatusCreated {
		t.Error("a visit was booked with no room offered")
	}
	ch = e.mustChange(t, admin, http.MethodPost, "/api/v1/staff/rooms", map[string]any{"id": "salon", "name": "Grand salon"}, http.StatusCreated)
	if ch.Room.Name != "Grand salon" || len(ch.Conflicts) != 0 {
		t.Errorf("room offered again: %+v", ch)
	}

	ch = e.mustChange(t, admin, http.MethodPut, "/api/v1/staff/booking-rules", map[string]any{"horizon_days": 14}, http.StatusOK)
	if ch.Booking == nil || ch.Booking.HorizonDays != 14 {
		t.Errorf("rules: %+v", ch.Booking)
	}
	var at struct {
		Booking struct {
			Horizon  int `json:"horizon_days"`
			Interval int `json:"slot_interval_minutes"`
		}
	}
	e.Do(t, "", http.MethodGet, "/api/v1/atelier", nil).JSON(t, &at)
	if at.Booking.Horizon != 14 || at.Booking.Interval != 30 {
		t.Errorf("atelier's rules after the change: %+v", at.Booking)
	}

	var cat struct {
		Services []struct{ ID, Source string }
		Rooms    []struct {
			ID, Source string
			Active     bool
		}
		BookingSource string `json:"booking_source"`
	}
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/catalogue", nil).JSON(t, &cat)
	if cat.BookingSource != "staff" || len(cat.Rooms) != 1 || cat.Rooms[0].Source != "staff" || !cat.Rooms[0].Active {
		t.Errorf("catalogue: %+v", cat)
	}

	var audit []struct{ Action, Target string }
	e.Do(t, admin, http.MethodGet, "/api/v1/staff/audit?from=2026-12-01&to=2026-12-01", nil).JSON(t, &audit)
	got := mustJSON(audit)
	for _, want := range []string{`"artisan.created","target":"artisan:lea-moreau"`, `"artisan.updated","target":"artisan:` + b.Artisan,
		`"room.deactivated","target":"room:salon"`, `"room.added","target":"room:salon"`, `"booking_rules.set"`} {
		if !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
			t.Errorf("audit lacks %s:\n%s", want, got)
		}
	}
}

// Withdrawing an item a second time, or saving it as it is, changes
// nothing: 200 with the item, and no second entry in the audit log.
func TestStaffCatalogueRepeatChangesNothing(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	auditLen := func() int {
		t.Helper()
		var audit []struct{ Action, Target string }
		e.Do(t, admin, http.MethodGet, "/api/v1/staff/audit?from=2026-12-01&to=2026-12-01", nil).JSON(t, &audit)
		return len(audit)
	}
	for _, path := range []string{"/api/v1/staff/services/design", "/api/v1/staff/artisans/arjun", "/api/v1/staff/rooms/salon"} {
		if r := e.Do(t, admin, http.MethodDelete, path, nil); r.Status != http.StatusOK {
			t.Fatalf("DELETE %s: %d %s", path, r.Status, r.Body)
		}
		n := auditLen()
		again := e.Do(t, admin, http.MethodDelete, path, nil)
		if again.Status != http.StatusOK || !strings.Contains(string(again.Body), `"active":false`) {
			t.Errorf("DELETE %s again: %d %s", path, again.Status, again.Body)
		}
		if got := auditLen(); got != n {
			t.Errorf("DELETE %s again wrote %d more audit entries", path, got-n)
		}
	}
	n := auditLen()
	if r := e.Do(t, admin, http.MethodPut, "/api/v1/staff/artisans/mei", map[string]any{"name": "Mei"}); r.Status != http.StatusOK {
		t.Fatalf("PUT the same name: %d %s", r.Status, r.Body)
	}
	if got := auditLen(); got != n {
		t.Errorf("a PUT that changes nothing wrote %d audit entries", got-n)
	}
}
