package httpapi_test

import (
	"net/http"
	"testing"
)

// dateHoursBody is the answer to setting or removing a date's hours.
type dateHoursBody struct {
	conflictsBody
	Date    string      `json:"date"`
	Artisan string      `json:"artisan"`
	Hours   [][2]string `json:"hours"`
	Source  string      `json:"source"`
	Removed bool        `json:"removed"`
}

func (e *StaffEnv) setDateHours(t *testing.T, cookie string, body map[string]any, want int) dateHoursBody {
	t.Helper()
	r := e.Do(t, cookie, http.MethodPost, "/api/v1/staff/date-hours", body)
	if r.Status != want {
		t.Fatalf("POST date-hours %v: status %d, want %d; body %s", body, r.Status, want, r.Body)
	}
	var v dateHoursBody
	if want == http.StatusCreated {
		r.JSON(t, &v)
	}
	return v
}

// Hours for a date open a Sunday the week keeps closed, for the atelier
// (admins) and for an artisan (its own account), and go away again.
func TestStaffDateHoursOpenASunday(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin, mei, arjun := e.MustLogin(t, e.Admin), e.MustLogin(t, e.Mei), e.MustLogin(t, e.Arjun)
	const sunday = "2026-12-06"
	if n := len(e.availability(t, sunday).Slots); n != 0 {
		t.Fatalf("precondition: %d slots on a Sunday", n)
	}
	// Only admins set the atelier's hours; an artisan account only its own.
	e.setDateHours(t, mei, map[string]any{"date": sunday, "hours": [][2]string{{"12:00", "16:00"}}}, http.StatusForbidden)
	e.setDateHours(t, arjun, map[string]any{"date": sunday, "artisan": "mei", "hours": [][2]string{{"11:00", "17:00"}}}, http.StatusForbidden)
	at := e.setDateHours(t, admin, map[string]any{"date": sunday, "hours": [][2]string{{"12:00", "16:00"}}}, http.StatusCreated)
	if at.ID == "" || at.Date != sunday || at.Artisan != "" || len(at.Hours) != 1 || at.Hours[0] != [2]string{"12:00", "16:00"} || at.Source != "staff" {
		t.Errorf("answer %+v", at)
	}
	// Mei's working hours still keep her Sunday free.
	if n := len(e.availability(t, sunday).Slots); n != 0 {
		t.Errorf("%d slots with the atelier open but Mei not working", n)
	}
	own := e.setDateHours(t, mei, map[string]any{"date": sunday, "artisan": "mei", "hours": [][2]string{{"11:00", "17:00"}}}, http.StatusCreated)
	a := e.availability(t, sunday)
	if len(a.Slots) != 6 || !a.HasSlot("2026-12-06T12:00:00+08:00", "mei") || !a.HasSlot("2026-12-06T14:30:00+08:00", "mei") {
		t.Errorf("slots %+v, want 12:00 to 14:30 (a 90-minute consultation inside the atelier's 12:00-16:00)", a.Slots)
	}
	// A customer books it.
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", VirtualRequest("2026-12-06T12:00:00+08:00", "mei"))
	if r.Status != http.StatusCreated {
		t.Fatalf("booking on the opened Sunday: %d %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(t, &b)

	// The list: all for an admin, the atelier's and their own for artisans.
	list := func(cookie string) []dateHoursBody {
		t.Helper()
		r := e.Do(t, cookie, http.MethodGet, "/api/v1/staff/date-hours?from=2026-12-01&to=2026-12-31", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		var v []dateHoursBody
		r.JSON(t, &v)
		return v
	}
	if l := list(admin); len(l) != 2 || l[0].Artisan != "" || l[1].Artisan != "mei" {
		t.Errorf("admin's list %+v", l)
	}
	if l := list(arjun); len(l) != 1 || l[0].ID != at.ID {
		t.Errorf("arjun's list %+v, want the atelier's only", l)
	}
	if r := e.Do(t, arjun, http.MethodDelete, "/api/v1/staff/date-hours/"+own.ID, nil); r.Status != http.StatusForbidden {
		t.Errorf("arjun removing Mei's hours: %d %s", r.Status, r.Body)
	}
	// Removing Mei's hours leaves the booking outside them: the answer says so.
	r = e.Do(t, mei, http.MethodDelete, "/api/v1/staff/date-hours/"+own.ID, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
	var gone dateHoursBody
	r.JSON(t, &gone)
	if !gone.Removed || gone.ID != own.ID || !gone.has(b.ID) || len(gone.Conflicts) != 1 {
		t.Errorf("removal answer %+v, want Mei's hours with the Sunday booking %s in conflict", gone, b.ID)
	}
	if n := len(e.availability(t, sunday).Slots); n != 0 {
		t.Errorf("%d slots after Mei's hours went", n)
	}
	if r := e.Do(t, mei, http.MethodDelete, "/api/v1/staff/date-hours/"+own.ID, nil); r.Status != http.StatusNotFound {
		t.Errorf("removing again: %d, want 404", r.Status)
	}
}

// Hours for a date that leave a confirmed booking out list it, as a change
// of the weekly hours does; an empty list closes the date.
func TestStaffDateHoursConflicts(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, VirtualRequest("2026-12-04T10:00:00+08:00", "mei"))
	other := e.MustStaffBook(t, admin, VirtualRequest("2026-12-04T15:00:00+08:00", "arjun"))
	next := e.MustStaffBook(t, admin, VirtualRequest("2026-12-05T10:00:00+08:00", "mei"))
	v := e.setDateHours(t, admin, map[string]any{"date": "2026-12-04", "hours": [][2]string{{"13:00", "19:00"}}}, http.StatusCreated)
	if !v.has(b.ID) || v.has(other.ID) || v.has(next.ID) || len(v.Conflicts) != 1 || v.Conflicts[0].Reason == "" {
		t.Errorf("conflicts %+v, want only %s", v.Conflicts, b.ID)
	}
	// Set again for the same date: replaced, with a new id.
	w := e.setDateHours(t, admin, map[string]any{"date": "2026-12-04", "hours": [][2]string{}}, http.StatusCreated)
	if w.ID == v.ID || len(w.Hours) != 0 || len(w.Conflicts) != 2 {
		t.Errorf("closing the date: %+v, want a new id, no hours and both bookings in conflict", w)
	}
	if n := len(e.availability(t, "2026-12-04").Slots); n != 0 {
		t.Errorf("%d slots on a date its hours close", n)
	}
	if r := e.Do(t, admin, http.MethodDelete, "/api/v1/staff/date-hours/"+v.ID, nil); r.Status != http.StatusNotFound {
		t.Errorf("removing the replaced hours: %d, want 404", r.Status)
	}
}

func TestStaffDateHoursInvalid(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"SpansWrong", map[string]any{"date": "2026-12-07", "hours": []any{[]string{"18:00", "10:00"}, []string{"10:00"}, []string{"09:00", "25:00"}}},
			[]string{"hours[0]", "hours[1]", "hours[2]"}},
		{"Overlapping", map[string]any{"date": "2026-12-07", "hours": [][2]string{{"10:00", "14:00"}, {"13:00", "18:00"}}}, []string{"hours[1]"}},
		{"NoHours", map[string]any{"date": "2026-12-07"}, []string{"hours"}},
		{"NoDate", map[string]any{"hours": [][2]string{}}, []string{"date"}},
		{"BadDate", map[string]any{"date": "7 December", "hours": [][2]string{}}, []string{"date"}},
		{"Past", map[string]any{"date": "2026-11-30", "hours": [][2]string{}}, []string{"date"}},
		{"UnknownArtisan", map[string]any{"date": "2026-12-07", "artisan": "nobody", "hours": [][2]string{}}, []string{"artisan"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/date-hours", tc.body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body %s", r.Status, r.Body)
			}
			var p struct{ Errors map[string]string }
			r.JSON(t, &p)
			for _, f := range tc.fields {
				if p.Errors[f] == "" {
					t.Errorf("errors %v lack %q", p.Errors, f)
				}
			}
			if len(p.Errors) != len(tc.fields) {
				t.Errorf("errors %v, want exactly %v", p.Errors, tc.fields)
			}
		})
	}
	r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/date-hours?from=2026-12-01&to=2026-12-31", nil)
	if r.Status != http.StatusOK || string(r.Body) != "[]\n" {
		t.Errorf("after refused changes: %d %s, want an empty list", r.Status, r.Body)
	}
}
