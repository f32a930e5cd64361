package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"
)

// zoneBookings books, as customers, a virtual consultation with mei for
// a customer in London, one in New York and one who gave no zone, on
// 2 December 2026 at 10:00, 12:00 and 14:00 in Singapore, and returns
// them in that order.
func zoneBookings(t *testing.T, e *StaffEnv) []Booking {
	t.Helper()
	var out []Booking
	for _, c := range []struct{ start, zone string }{
		{"2026-12-02T10:00:00+08:00", "Europe/London"},
		{"2026-12-02T12:00:00+08:00", "America/New_York"},
		{"2026-12-02T14:00:00+08:00", ""},
	} {
		req := VirtualRequest(c.start, "mei")
		if c.zone != "" {
			req["customer"].(map[string]any)["timezone"] = c.zone
		}
		r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
		if r.Status != http.StatusCreated {
			t.Fatalf("book %s for %q: %d %s", c.start, c.zone, r.Status, r.Body)
		}
		var b Booking
		r.JSON(t, &b)
		out = append(out, b)
	}
	return out
}

func TestStaffBookingsShownInAtelierZone(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	bs := zoneBookings(t, e)
	wantZones := []string{"Europe/London", "America/New_York", ""}

	for _, tc := range []struct {
		name       string
		tz         string // the tz query parameter, "" for none
		wantStarts []string
		wantEnds   []string
	}{
		{"AtelierByDefault", "",
			[]string{"2026-12-02T10:00:00+08:00", "2026-12-02T12:00:00+08:00", "2026-12-02T14:00:00+08:00"},
			[]string{"2026-12-02T11:30:00+08:00", "2026-12-02T13:30:00+08:00", "2026-12-02T15:30:00+08:00"}},
		{"AtelierAskedFor", "Asia/Singapore",
			[]string{"2026-12-02T10:00:00+08:00", "2026-12-02T12:00:00+08:00", "2026-12-02T14:00:00+08:00"},
			[]string{"2026-12-02T11:30:00+08:00", "2026-12-02T13:30:00+08:00", "2026-12-02T15:30:00+08:00"}},
		{"London", "Europe/London",
			[]string{"2026-12-02T02:00:00+00:00", "2026-12-02T04:00:00+00:00", "2026-12-02T06:00:00+00:00"},
			[]string{"2026-12-02T03:30:00+00:00", "2026-12-02T05:30:00+00:00", "2026-12-02T07:30:00+00:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"from": {"2026-12-02"}, "to": {"2026-12-02"}}
			if tc.tz != "" {
				q.Set("tz", tc.tz)
			}
			r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings?"+q.Encode(), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("list: %d %s", r.Status, r.Body)
			}
			var list []Booking
			r.JSON(t, &list)
			if len(list) != len(bs) {
				t.Fatalf("list has %d bookings, want %d: %s", len(list), len(bs), r.Body)
			}
			for i, got := range list {
				if got.ID != bs[i].ID || got.Start != tc.wantStarts[i] || got.End != tc.wantEnds[i] {
					t.Errorf("list[%d] = %s %s–%s, want %s %s–%s", i, got.ID, got.Start, got.End, bs[i].ID, tc.wantStarts[i], tc.wantEnds[i])
				}
				if got.Customer.Timezone != wantZones[i] {
					t.Errorf("list[%d] customer.timezone = %q, want %q", i, got.Customer.Timezone, wantZones[i])
				}
			}

			// The single booking reads the same as its row in the list.
			path := "/api/v1/staff/bookings/" + bs[0].ID
			if tc.tz != "" {
				path += "?" + url.Values{"tz": {tc.tz}}.Encode()
			}
			var one Booking
			r = e.Do(t, admin, http.MethodGet, path, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("get: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &one)
			if one.Start != tc.wantStarts[0] || one.End != tc.wantEnds[0] || one.Customer.Timezone != "Europe/London" {
				t.Errorf("get = %s–%s (customer zone %q), want %s–%s (Europe/London)",
					one.Start, one.End, one.Customer.Timezone, tc.wantStarts[0], tc.wantEnds[0])
			}
		})
	}

	t.Run("CustomerStillInOwnZone", func(t *testing.T) {
		r := e.Do(t, "", http.MethodGet, "/api/v1/bookings/"+bs[1].ID, nil, "Authorization", "Bearer "+bs[1].ManageToken)
		var got Booking
		r.JSON(t, &got)
		if r.Status != http.StatusOK || got.Start != "2026-12-01T23:00:00-05:00" {
			t.Errorf("customer view: %d start %q, want 2026-12-01T23:00:00-05:00 (New York)", r.Status, got.Start)
		}
	})
}

// TestStaffBookingsDatesInZone checks that from and to are dates in tz:
// 10:00 on 3 December in Singapore is still 2 December in New York.
func TestStaffBookingsDatesInZone(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, VirtualRequest("2026-12-03T10:00:00+08:00", "mei"))

	for _, tc := range []struct {
		name, query string
		wantStart   string // "" for an empty list
	}{
		{"AtelierDayBefore", "from=2026-12-02&to=2026-12-02", ""},
		{"AtelierSameDay", "from=2026-12-03&to=2026-12-03", "2026-12-03T10:00:00+08:00"},
		{"NewYorkDayBefore", "from=2026-12-02&to=2026-12-02&tz=America/New_York", "2026-12-02T21:00:00-05:00"},
		{"NewYorkSameDay", "from=2026-12-03&to=2026-12-03&tz=America/New_York", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/bookings?"+tc.query, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("list: %d %s", r.Status, r.Body)
			}
			var list []Booking
			r.JSON(t, &list)
			switch {
			case tc.wantStart == "" && len(list) != 0:
				t.Errorf("list = %s, want it empty", r.Body)
			case tc.wantStart != "" && (len(list) != 1 || list[0].ID != b.ID || list[0].Start != tc.wantStart):
				t.Errorf("list = %s, want %s starting %s", r.Body, b.ID, tc.wantStart)
			}
		})
	}
}

func TestStaffZoneParameterErrors(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, admin, VirtualRequest("2026-12-02T10:00:00+08:00", "mei"))

	for _, tc := range []struct {
		name, path string
		wantStatus int
	}{
		{"ListUnknownZone", "/api/v1/staff/bookings?from=2026-12-02&to=2026-12-02&tz=Mars/Olympus", http.StatusUnprocessableEntity},
		{"ListOffsetNotZone", "/api/v1/staff/bookings?from=2026-12-02&to=2026-12-02&tz=%2B08:00", http.StatusUnprocessableEntity},
		{"ListZoneTwice", "/api/v1/staff/bookings?from=2026-12-02&to=2026-12-02&tz=UTC&tz=Asia/Singapore", http.StatusBadRequest},
		{"GetUnknownZone", "/api/v1/staff/bookings/" + b.ID + "?tz=Mars/Olympus", http.StatusUnprocessableEntity},
		{"GetZoneTwice", "/api/v1/staff/bookings/" + b.ID + "?tz=UTC&tz=UTC", http.StatusBadRequest},
		{"AuditUnknownZone", "/api/v1/staff/audit?from=2026-12-01&to=2026-12-01&tz=Mars/Olympus", http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, admin, http.MethodGet, tc.path, nil)
			if r.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.Status, tc.wantStatus, r.Body)
			}
			if p := r.Problem(t); p.Errors["tz"] == "" {
				t.Errorf("errors = %v, want one for tz", p.Errors)
			}
		})
	}
}

// TestStaffChangesShownInAtelierZone checks the answers of the staff's
// changes for a London customer: booking on their behalf, rescheduling,
// the conflicts of a closure and cancelling are all in Singapore time.
func TestStaffChangesShownInAtelierZone(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	req := VirtualRequest("2026-12-02T10:00:00+08:00", "mei")
	req["customer"].(map[string]any)["timezone"] = "Europe/London"

	created := e.MustStaffBook(t, admin, req)
	if created.Start != "2026-12-02T10:00:00+08:00" || created.Customer.Timezone != "Europe/London" {
		t.Errorf("created: start %q zone %q, want 2026-12-02T10:00:00+08:00 for Europe/London", created.Start, created.Customer.Timezone)
	}
	// A replayed answer is in the atelier's zone too.
	again := VirtualRequest("2026-12-03T10:00:00+08:00", "mei")
	again["customer"].(map[string]any)["timezone"] = "Europe/London"
	for i := range 2 {
		r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings", again, "Idempotency-Key", "zone-replay")
		var got Booking
		r.JSON(t, &got)
		if r.Status != http.StatusCreated || got.Start != "2026-12-03T10:00:00+08:00" || (i == 1) != (r.Header.Get("Idempotent-Replayed") == "true") {
			t.Errorf("create with a key, try %d: %d replayed %q start %q, want 201 at 2026-12-03T10:00:00+08:00",
				i+1, r.Status, r.Header.Get("Idempotent-Replayed"), got.Start)
		}
	}

	r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings/"+created.ID+"/reschedule", map[string]string{"start": "2026-12-04T15:00:00+08:00"})
	var moved Booking
	r.JSON(t, &moved)
	if r.Status != http.StatusOK || moved.Start != "2026-12-04T15:00:00+08:00" || moved.End != "2026-12-04T16:30:00+08:00" {
		t.Errorf("reschedule: %d %s–%s, want 2026-12-04T15:00:00+08:00–16:30", r.Status, moved.Start, moved.End)
	}

	r = e.Do(t, admin, http.MethodPost, "/api/v1/staff/closures", map[string]string{"from": "2026-12-04", "reason": "Stocktake"})
	var added struct {
		Conflicts []struct {
			ID    string `json:"id"`
			Start string `json:"start"`
		} `json:"conflicts"`
	}
	r.JSON(t, &added)
	if r.Status != http.StatusCreated || len(added.Conflicts) != 1 || added.Conflicts[0].Start != "2026-12-04T15:00:00+08:00" {
		t.Errorf("closure: %d %s, want one conflict starting 2026-12-04T15:00:00+08:00", r.Status, r.Body)
	}

	r = e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings/"+created.ID+"/cancel", nil)
	var cancelled Booking
	r.JSON(t, &cancelled)
	if r.Status != http.StatusOK || cancelled.Status != "cancelled" || cancelled.Start != "2026-12-04T15:00:00+08:00" {
		t.Errorf("cancel: %d status %q start %q, want cancelled at 2026-12-04T15:00:00+08:00", r.Status, cancelled.Status, cancelled.Start)
	}
}

// TestStaffAuditInZone checks that the audit's dates and times follow tz:
// 09:00 on 1 December in Singapore is 20:00 on 30 November in New York.
func TestStaffAuditInZone(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	e.MustStaffBook(t, admin, VirtualRequest("2026-12-02T10:00:00+08:00", "mei"))

	for _, tc := range []struct {
		name, query string
		wantAt      string // "" for no rows
	}{
		{"Atelier", "from=2026-12-01&to=2026-12-01", "2026-12-01T09:00:00+08:00"},
		{"AtelierDayBefore", "from=2026-11-30&to=2026-11-30", ""},
		{"NewYork", "from=2026-11-30&to=2026-11-30&tz=America/New_York", "2026-11-30T20:00:00-05:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, admin, http.MethodGet, "/api/v1/staff/audit?"+tc.query, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("audit: %d %s", r.Status, r.Body)
			}
			var rows []struct {
				Action string `json:"action"`
				At     string `json:"at"`
			}
			r.JSON(t, &rows)
			if tc.wantAt == "" {
				if len(rows) != 0 {
					t.Errorf("audit = %s, want no rows", r.Body)
				}
				return
			}
			if len(rows) == 0 {
				t.Fatalf("audit has no rows, want the booking at %s", tc.wantAt)
			}
			for _, row := range rows {
				if row.At != tc.wantAt {
					t.Errorf("%s at %s, want %s", row.Action, row.At, tc.wantAt)
				}
			}
		})
	}
}
