package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/httpx"
)

const (
	tomorrow10 = "2026-12-02T10:00:00+08:00" // Wednesday
	tomorrow14 = "2026-12-02T14:00:00+08:00"
	dayQuery   = "service=design&mode=in_person&from=2026-12-02&to=2026-12-02"
)

func TestCatalogEndpoints(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})

	t.Run("Atelier", func(t *testing.T) {
		r := e.Do(t, http.MethodGet, "/api/v1/atelier", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		var got struct {
			Name         string                `json:"name"`
			Timezone     string                `json:"timezone"`
			Address      string                `json:"address"`
			Rooms        []map[string]string   `json:"rooms"`
			OpeningHours map[string][][]string `json:"opening_hours"`
			Closures     []map[string]string   `json:"closures"`
			Booking      map[string]int        `json:"booking"`
		}
		r.JSON(t, &got)
		if got.Name != "Maison Test" || got.Timezone != "Asia/Singapore" || got.Address == "" {
			t.Errorf("identity = %q %q %q", got.Name, got.Timezone, got.Address)
		}
		if len(got.Rooms) != 1 {
			t.Errorf("rooms = %v, want 1", got.Rooms)
		}
		if want := [][]string{{"10:00", "19:00"}}; len(got.OpeningHours["mon"]) != 1 || got.OpeningHours["mon"][0][0] != want[0][0] || got.OpeningHours["mon"][0][1] != want[0][1] {
			t.Errorf("mon hours = %v, want %v", got.OpeningHours["mon"], want)
		}
		if _, open := got.OpeningHours["sun"]; open {
			t.Errorf("sunday listed as open: %v", got.OpeningHours["sun"])
		}
		if len(got.Closures) != 1 || got.Closures[0]["from"] != "2026-12-25" || got.Closures[0]["reason"] != "Christmas Day" {
			t.Errorf("closures = %v", got.Closures)
		}
		want := map[string]int{"min_notice_minutes": 120, "horizon_days": 90, "slot_interval_minutes": 30}
		for k, v := range want {
			if got.Booking[k] != v {
				t.Errorf("booking.%s = %d, want %d", k, got.Booking[k], v)
			}
		}
	})
	t.Run("Services", func(t *testing.T) {
		r := e.Do(t, http.MethodGet, "/api/v1/services", nil)
		var got []struct {
			ID       string   `json:"id"`
			Duration int      `json:"duration_minutes"`
			Modes    []string `json:"modes"`
			Artisans []string `json:"artisans"`
		}
		r.JSON(t, &got)
		if len(got) != 2 || got[0].ID != "design" || got[0].Duration != 90 || len(got[0].Modes) != 2 || len(got[0].Artisans) != 2 {
			t.Errorf("services = %+v", got)
		}
	})
	t.Run("Artisans", func(t *testing.T) {
		r := e.Do(t, http.MethodGet, "/api/v1/artisans", nil)
		var got []struct {
			ID       string   `json:"id"`
			Name     string   `json:"name"`
			Services []string `json:"services"`
		}
		r.JSON(t, &got)
		if len(got) != 2 || got[0].ID != "mei" || len(got[0].Services) != 2 || got[1].ID != "arjun" {
			t.Errorf("artisans = %+v", got)
		}
	})
	t.Run("OneOfEach", func(t *testing.T) {
		tests := []struct {
			name, path string
			status     int
			wantID     string
		}{
			{"Service", "/api/v1/services/design", http.StatusOK, "design"},
			{"Artisan", "/api/v1/artisans/arjun", http.StatusOK, "arjun"},
			{"UnknownService", "/api/v1/services/polish", http.StatusNotFound, ""},
			{"UnknownArtisan", "/api/v1/artisans/zed", http.StatusNotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do(t, http.MethodGet, tt.path, nil)
				if r.Status != tt.status {
					t.Fatalf("status = %d, want %d; body %s", r.Status, tt.status, r.Body)
				}
				if tt.status != http.StatusOK {
					if p := r.Problem(t); p.Code != "not_found" {
						t.Errorf("code = %q, want not_found", p.Code)
					}
					return
				}
				var got struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				}
				r.JSON(t, &got)
				if got.ID != tt.wantID || got.Name == "" {
					t.Errorf("got %+v, want id %s with a name", got, tt.wantID)
				}
			})
		}
	})
}

func TestAvailability(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})

	t.Run("AtelierZone", func(t *testing.T) {
		a := MustAvailability(t, e, dayQuery)
		if a.Service != "design" || a.Mode != "in_person" || a.Timezone != "Asia/Singapore" {
			t.Errorf("header = %q %q %q", a.Service, a.Mode, a.Timezone)
		}
		// 10:00 .. 17:30 (a 90-minute visit must end by 19:00); the
		// 15-minute preparation buffer rules out 10:00 (before opening)
		// only if the engine counts buffers against opening hours.
		if len(a.Slots) == 0 {
			t.Fatal("no slots")
		}
		last := a.Slots[len(a.Slots)-1]
		if last.Start != "2026-12-02T17:30:00+08:00" || last.End != "2026-12-02T19:00:00+08:00" {
			t.Errorf("last slot = %s..%s, want 17:30..19:00 +08:00", last.Start, last.End)
		}
		if !a.HasSlot(tomorrow14, "mei") || !a.HasSlot(tomorrow14, "arjun") {
			t.Errorf("14:00 should be free for both artisans: %+v", a.Slots)
		}
	})
	t.Run("OtherZone", func(t *testing.T) {
		a := MustAvailability(t, e, dayQuery+"&tz=Europe/London")
		if a.Timezone != "Europe/London" {
			t.Errorf("timezone = %q", a.Timezone)
		}
		// 2 December in London is 08:00 on 2 Dec to 08:00 on 3 Dec in
		// Singapore: 14:00 Singapore is 06:00 London.
		// London in winter is UTC+0, written "+00:00" as the contract's
		// "explicit offset", never "Z".
		if !a.HasSlot("2026-12-02T06:00:00+00:00", "mei") {
			t.Errorf("want 06:00+00:00 (14:00 Singapore) in London's view: %+v", a.Slots)
		}
		for _, s := range a.Slots {
			if !strings.HasSuffix(s.Start, "+00:00") || !strings.HasSuffix(s.End, "+00:00") {
				t.Errorf("slot %s..%s not shown in London time with a numeric offset", s.Start, s.End)
			}
		}
	})
	t.Run("OneArtisan", func(t *testing.T) {
		a := MustAvailability(t, e, dayQuery+"&artisan=arjun")
		for _, s := range a.Slots {
			if len(s.Artisans) != 1 || s.Artisans[0] != "arjun" {
				t.Fatalf("slot %s lists %v, want only arjun", s.Start, s.Artisans)
			}
		}
	})
	t.Run("ClosedDay", func(t *testing.T) {
		a := MustAvailability(t, e, "service=design&mode=in_person&from=2026-12-25&to=2026-12-25")
		if len(a.Slots) != 0 {
			t.Errorf("Christmas Day has %d slots", len(a.Slots))
		}
	})
}

func TestBookingLifecycle(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{PublicURL: "https://atelier.example"})

	if !MustAvailability(t, e, dayQuery).HasSlot(tomorrow10, "mei") {
		t.Fatal("10:00 not offered before booking")
	}
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10))
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var b Booking
	r.JSON(t, &b)
	switch {
	case !strings.HasPrefix(b.ID, "bk_") || len(b.ID) != 23:
		t.Errorf("id = %q, want bk_ and 20 characters", b.ID)
	case b.Status != "confirmed" || b.Artisan != "mei" || b.Service != "design" || b.Mode != "in_person":
		t.Errorf("booking = %+v", b)
	case b.Start != tomorrow10 || b.End != "2026-12-02T11:30:00+08:00":
		t.Errorf("times = %s..%s", b.Start, b.End)
	case len(b.ManageToken) < 43:
		t.Errorf("manage_token = %q, want 32 random bytes base64url", b.ManageToken)
	case b.Links.Manage != "https://atelier.example/bookings/"+b.ID+"?token="+b.ManageToken:
		t.Errorf("links.manage = %q", b.Links.Manage)
	case b.Links.ICS != "https://atelier.example/api/v1/bookings/"+b.ID+"/invite.ics?token="+b.ManageToken:
		t.Errorf("links.ics = %q, want the invite URL with the manage token", b.Links.ICS)
	case b.Location != "1 Test Street, Singapore 000001" || b.MeetingURL != "":
		t.Errorf("location = %q, meeting_url = %q", b.Location, b.MeetingURL)
	case b.Customer.Email != "ana@example.com" || b.Notes == "":
		t.Errorf("customer = %+v notes = %q", b.Customer, b.Notes)
	case b.CreatedAt != "2026-12-01T09:00:00+08:00":
		t.Errorf("created_at = %q", b.CreatedAt)
	}
	if got := r.Header.Get("Location"); got != "https://atelier.example/api/v1/bookings/"+b.ID {
		t.Errorf("Location header = %q", got)
	}
	if MustAvailability(t, e, dayQuery).HasSlot(tomorrow10, "mei") {
		t.Error("10:00 still offered with mei after booking")
	}

	path := "/api/v1/bookings/" + b.ID
	bearer := []string{"Authorization", "Bearer " + b.ManageToken}

	t.Run("GetWithBearer", func(t *testing.T) {
		r := e.Do(t, http.MethodGet, path, nil, bearer...)
		var got Booking
		r.JSON(t, &got)
		if r.Status != http.StatusOK || got.ID != b.ID || got.Start != b.Start {
			t.Fatalf("get: %d %s", r.Status, r.Body)
		}
		if got.ManageToken != "" || got.Links.Manage != "" || strings.Contains(string(r.Body), b.ManageToken) {
			t.Errorf("the token is shown outside the create response: %s", r.Body)
		}
	})
	t.Run("FollowInviteLink", func(t *testing.T) {
		// The links of the create response work as given.
		link := strings.TrimPrefix(b.Links.ICS, "https://atelier.example")
		if r := e.Do(t, http.MethodGet, link, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "METHOD:REQUEST") {
			t.Errorf("GET %s: %d %s", link, r.Status, r.Body)
		}
	})
	t.Run("GetWithQueryToken", func(t *testing.T) {
		if r := e.Do(t, http.MethodGet, path+"?token="+b.ManageToken, nil); r.Status != http.StatusOK {
			t.Fatalf("get: %d %s", r.Status, r.Body)
		}
	})
	t.Run("Invite", func(t *testing.T) {
		r := e.Do(t, http.MethodGet, path+"/invite.ics", nil, bearer...)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("invite: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if !bytes.Contains(r.Body, []byte("METHOD:REQUEST")) || !bytes.Contains(r.Body, []byte("UID:"+b.ID)) {
			t.Errorf("invite lacks METHOD:REQUEST or the booking's UID:\n%s", r.Body)
		}
	})

	var moved Booking
	t.Run("Reschedule", func(t *testing.T) {
		r := e.Do(t, http.MethodPost, path+"/reschedule", map[string]string{"start": tomorrow14}, bearer...)
		if r.Status != http.StatusOK {
			t.Fatalf("reschedule: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &moved)
		if moved.ID != b.ID || moved.Start != tomorrow14 || moved.Sequence != b.Sequence+1 || moved.Artisan != "mei" {
			t.Errorf("moved = id %s start %s sequence %d artisan %s; want same id, %s, sequence %d, mei",
				moved.ID, moved.Start, moved.Sequence, moved.Artisan, tomorrow14, b.Sequence+1)
		}
		a := MustAvailability(t, e, dayQuery)
		if !a.HasSlot(tomorrow10, "mei") {
			t.Error("old time not free after reschedule")
		}
		if a.HasSlot(tomorrow14, "mei") {
			t.Error("new time still offered with mei after reschedule")
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		r := e.Do(t, http.MethodPost, path+"/cancel", nil, bearer...)
		if r.Status != http.StatusOK {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		var got Booking
		r.JSON(t, &got)
		if got.Status != "cancelled" || got.Sequence != moved.Sequence+1 {
			t.Errorf("cancelled = status %s sequence %d", got.Status, got.Sequence)
		}
		if !MustAvailability(t, e, dayQuery).HasSlot(tomorrow14, "mei") {
			t.Error("time not free at once after cancel")
		}
		inv := e.Do(t, http.MethodGet, path+"/invite.ics", nil, bearer...)
		if !bytes.Contains(inv.Body, []byte("METHOD:CANCEL")) {
			t.Errorf("invite after cancel lacks METHOD:CANCEL:\n%s", inv.Body)
		}
	})
	t.Run("CancelTwice", func(t *testing.T) {
		r := e.Do(t, http.MethodPost, path+"/cancel", nil, bearer...)
		if p := r.Problem(t); r.Status != http.StatusConflict || p.Code != "booking_cancelled" {
			t.Errorf("second cancel: %d %+v", r.Status, p)
		}
	})
	t.Run("RescheduleCancelled", func(t *testing.T) {
		r := e.Do(t, http.MethodPost, path+"/reschedule", map[string]string{"start": tomorrow10}, bearer...)
		if r.Status != http.StatusConflict {
			t.Errorf("reschedule of a cancelled booking: %d %s", r.Status, r.Body)
		}
	})
}

func TestRescheduleConflictLeavesBookingUnchanged(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	a := MustCreateBooking(t, e, Request(tomorrow10))
	MustCreateBooking(t, e, Request(tomorrow14))

	r := e.Do(t, http.MethodPost, "/api/v1/bookings/"+a.ID+"/reschedule",
		map[string]string{"start": tomorrow14, "artisan": "mei"}, "Authorization", "Bearer "+a.ManageToken)
	if p := r.Problem(t); r.Status != http.StatusConflict || p.Code != "slot_unavailable" {
		t.Fatalf("reschedule onto a taken slot: %d %+v", r.Status, p)
	}
	var got Booking
	e.Do(t, http.MethodGet, "/api/v1/bookings/"+a.ID, nil, "Authorization", "Bearer "+a.ManageToken).JSON(t, &got)
	if got.Start != tomorrow10 || got.Sequence != a.Sequence {
		t.Errorf("after a refused reschedule: start %s sequence %d, want %s %d", got.Start, got.Sequence, tomorrow10, a.Sequence)
	}
}

func TestBookingTimezone(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	req := Request(tomorrow10)
	req["customer"].(map[string]any)["timezone"] = "America/New_York"
	b := MustCreateBooking(t, e, req)
	if b.Start != "2026-12-01T21:00:00-05:00" {
		t.Errorf("start = %s, want it in the customer's zone (2026-12-01T21:00:00-05:00)", b.Start)
	}
}

func TestStatusCodes(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	b := MustCreateBooking(t, e, Request(tomorrow10))
	bearer := []string{"Authorization", "Bearer " + b.ManageToken}
	withField := func(path string, v any) map[string]any {
		req := Request(tomorrow14)
		m := req
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		m[keys[len(keys)-1]] = v
		return req
	}

	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
		code    string
		field   string // a key expected in "errors"
	}{
		{"MalformedJSON", "POST", "/api/v1/bookings", `{"service": `, nil, 400, "malformed_request", ""},
		{"NotAnObject", "POST", "/api/v1/bookings", `[1,2]`, nil, 400, "malformed_request", ""},
		{"NullBody", "POST", "/api/v1/bookings", `null`, nil, 400, "malformed_request", ""},
		{"StringBody", "POST", "/api/v1/bookings", `"x"`, nil, 400, "malformed_request", ""},
		{"NullReschedule", "POST", "/api/v1/bookings/" + b.ID + "/reschedule", ` null `, bearer, 400, "malformed_request", ""},
		{"EmptyBody", "POST", "/api/v1/bookings", ``, nil, 400, "malformed_request", ""},
		{"UnknownField", "POST", "/api/v1/bookings", withField("colour", "gold"), nil, 400, "malformed_request", ""},
		{"TrailingData", "POST", "/api/v1/bookings", mustJSON(Request(tomorrow14)) + `{}`, nil, 400, "malformed_request", ""},
		// encoding/json would take "Start" for "start", and the last of two
		// "service" members: both are refused instead.
		{"FieldInOtherCase", "POST", "/api/v1/bookings", strings.Replace(mustJSON(Request(tomorrow14)), `"start"`, `"Start"`, 1), nil, 400, "malformed_request", ""},
		{"NestedFieldInOtherCase", "POST", "/api/v1/bookings", strings.Replace(mustJSON(Request(tomorrow14)), `"email"`, `"EMAIL"`, 1), nil, 400, "malformed_request", ""},
		{"MemberTwice", "POST", "/api/v1/bookings", strings.Replace(mustJSON(Request(tomorrow14)), `"service":`, `"service":"sizing","service":`, 1), nil, 400, "malformed_request", ""},
		{"WrongType", "POST", "/api/v1/bookings", withField("service", 7), nil, 400, "malformed_request", ""},
		{"BadIdempotencyKey", "POST", "/api/v1/bookings", Request(tomorrow14), []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400, "malformed_request", ""},
		{"QueryMissingService", "GET", "/api/v1/availability?mode=in_person&from=2026-12-02&to=2026-12-02", nil, nil, 400, "malformed_request", "service"},
		{"QueryBadDate", "GET", "/api/v1/availability?service=design&mode=in_person&from=2026-02-30&to=2026-12-02", nil, nil, 400, "malformed_request", "from"},
		{"QueryTwice", "GET", "/api/v1/availability?" + dayQuery + "&service=sizing", nil, nil, 400, "malformed_request", "service"},
		{"QueryBadEscape", "GET", "/api/v1/availability?service=%zz", nil, nil, 400, "malformed_request", ""},
		{"StaffWithoutSession", "GET", "/api/v1/staff/bookings", nil, nil, 401, "unauthorized", ""},
		{"StaffPostWithoutSession", "POST", "/api/v1/staff/bookings", `{}`, nil, 401, "unauthorized", ""},
		{"CrossOriginPost", "POST", "/api/v1/bookings", Request(tomorrow14), []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403, "cross_origin", ""},
		{"UnknownBooking", "GET", "/api/v1/bookings/bk_aaaaaaaaaaaaaaaaaaaa", nil, bearer, 404, "not_found", ""},
		{"WrongToken", "GET", "/api/v1/bookings/" + b.ID, nil, []string{"Authorization", "Bearer wrong"}, 404, "not_found", ""},
		{"NoToken", "GET", "/api/v1/bookings/" + b.ID, nil, nil, 404, "not_found", ""},
		{"WrongTokenCancel", "POST", "/api/v1/bookings/" + b.ID + "/cancel", nil, []string{"Authorization", "Bearer " + b.ManageToken + "x"}, 404, "not_found", ""},
		{"WrongTokenInvite", "GET", "/api/v1/bookings/" + b.ID + "/invite.ics?token=nope", nil, nil, 404, "not_found", ""},
		{"UnknownPath", "GET", "/api/v1/nothing", nil, nil, 404, "not_found", ""},
		{"MethodNotAllowed", "DELETE", "/api/v1/bookings/" + b.ID, nil, bearer, 405, "method_not_allowed", ""},
		{"SlotTaken", "POST", "/api/v1/bookings", Request(tomorrow10), nil, 409, "slot_unavailable", ""},
		{"OffGrid", "POST", "/api/v1/bookings", Request("2026-12-02T14:10:00+08:00"), nil, 422, "invalid_request", "start"},
		{"StartInPast", "POST", "/api/v1/bookings", Request("2026-11-30T14:00:00+08:00"), nil, 422, "invalid_request", "start"},
		{"RescheduleOffGrid", "POST", "/api/v1/bookings/" + b.ID + "/reschedule", map[string]string{"start": "2026-12-02T14:10:00+08:00"}, bearer, 422, "invalid_request", "start"},
		{"RescheduleInPast", "POST", "/api/v1/bookings/" + b.ID + "/reschedule", map[string]string{"start": "2026-11-30T14:00:00+08:00"}, bearer, 422, "invalid_request", "start"},
		{"TooSoon", "POST", "/api/v1/bookings", Request("2026-12-01T09:30:00+08:00"), nil, 409, "slot_unavailable", ""},
		{"BeyondHorizon", "POST", "/api/v1/bookings", Request("2027-06-01T14:00:00+08:00"), nil, 409, "slot_unavailable", ""},
		{"TooLarge", "POST", "/api/v1/bookings", withField("notes", strings.Repeat("x", 70<<10)), nil, 413, "request_too_large", ""},
		// Over the limit is 413 whatever the body holds, even when its
		// first bytes are not JSON.
		{"TooLargeNotJSON", "POST", "/api/v1/bookings", strings.Repeat("x", 70<<10), nil, 413, "request_too_large", ""},
		{"TooLargeTrailing", "POST", "/api/v1/bookings", mustJSON(Request(tomorrow14)) + strings.Repeat(" ", 70<<10), nil, 413, "request_too_large", ""},
		// JSON is UTF-8 (RFC 8259): a byte that is not is refused, never
		// stored as U+FFFD in the customer's name.
		{"BadUTF8", "POST", "/api/v1/bookings", strings.Replace(mustJSON(withField("customer.name", "Ana")), "Ana", "An\xff\xfea", 1), nil, 400, "malformed_request", ""},
		{"BadEmail", "POST", "/api/v1/bookings", withField("customer.email", "ana@"), nil, 422, "invalid_request", "customer.email"},
		{"EmailWithName", "POST", "/api/v1/bookings", withField("customer.email", "Ana <ana@example.com>"), nil, 422, "invalid_request", "customer.email"},
		{"EmailUTF8LocalPart", "POST", "/api/v1/bookings", withField("customer.email", "zoë@example.com"), nil, 422, "invalid_request", "customer.email"},
		{"NoName", "POST", "/api/v1/bookings", withField("customer.name", "  "), nil, 422, "invalid_request", "customer.name"},
		{"LongName", "POST", "/api/v1/bookings", withField("customer.name", strings.Repeat("é", 121)), nil, 422, "invalid_request", "customer.name"},
		{"ControlInName", "POST", "/api/v1/bookings", withField("customer.name", "Ana\x07"), nil, 422, "invalid_request", "customer.name"},
		{"BadPhone", "POST", "/api/v1/bookings", withField("customer.phone", "call me"), nil, 422, "invalid_request", "customer.phone"},
		{"BadZone", "POST", "/api/v1/bookings", withField("customer.timezone", "Mars/Olympus"), nil, 422, "invalid_request", "customer.timezone"},
		{"LocalZone", "POST", "/api/v1/bookings", withField("customer.timezone", "Local"), nil, 422, "invalid_request", "customer.timezone"},
		{"LongNotes", "POST", "/api/v1/bookings", withField("notes", strings.Repeat("n", 2001)), nil, 422, "invalid_request", "notes"},
		{"UnknownService", "POST", "/api/v1/bookings", withField("service", "polish"), nil, 422, "invalid_request", "service"},
		{"ModeNotOffered", "POST", "/api/v1/bookings", withField("service", "sizing"), nil, 201, "", ""},
		{"VirtualDesign", "POST", "/api/v1/bookings", withField("mode", "virtual"), nil, 409, "slot_unavailable", ""},
		{"BadMode", "POST", "/api/v1/bookings", withField("mode", "phone"), nil, 422, "invalid_request", "mode"},
		{"UnknownArtisan", "POST", "/api/v1/bookings", withField("artisan", "zed"), nil, 422, "invalid_request", "artisan"},
		{"StartWithoutOffset", "POST", "/api/v1/bookings", withField("start", "2026-12-02T14:00:00"), nil, 422, "invalid_request", "start"},
		{"StartMissing", "POST", "/api/v1/bookings", withField("start", ""), nil, 422, "invalid_request", "start"},
		{"AvailabilityUnknownService", "GET", "/api/v1/availability?service=polish&mode=in_person&from=2026-12-02&to=2026-12-02", nil, nil, 422, "invalid_request", "service"},
		{"AvailabilityModeNotOffered", "GET", "/api/v1/availability?service=sizing&mode=virtual&from=2026-12-02&to=2026-12-02", nil, nil, 422, "invalid_request", "mode"},
		{"AvailabilityBackwards", "GET", "/api/v1/availability?service=design&mode=in_person&from=2026-12-03&to=2026-12-02", nil, nil, 422, "invalid_request", "to"},
		{"AvailabilityTooLong", "GET", "/api/v1/availability?service=design&mode=in_person&from=2026-12-01&to=2027-02-02", nil, nil, 422, "invalid_request", "to"},
		{"AvailabilityBadZone", "GET", "/api/v1/availability?" + dayQuery + "&tz=Nowhere/Town", nil, nil, 422, "invalid_request", "tz"},
		{"AvailabilityStaffArtisanMismatch", "GET", "/api/v1/availability?service=sizing&mode=in_person&from=2026-12-02&to=2026-12-02&artisan=arjun", nil, nil, 422, "invalid_request", "artisan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(t, tt.method, tt.path, tt.body, tt.headers...)
			if r.Status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", r.Status, tt.status, r.Body)
			}
			if tt.status < 400 {
				return
			}
			p := r.Problem(t)
			if p.Status != tt.status || p.Code != tt.code || p.Type != "urn:atelier:problem:"+tt.code || p.Title == "" {
				t.Errorf("problem = %+v, want status %d code %s", p, tt.status, tt.code)
			}
			if tt.field != "" && p.Errors[tt.field] == "" {
				t.Errorf("errors = %v, want a message for %q", p.Errors, tt.field)
			}
		})
	}
}

func TestFieldErrorMessage(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	req := Request(tomorrow14)
	req["customer"].(map[string]any)["email"] = "not-an-address"
	req["customer"].(map[string]any)["name"] = ""
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", req)
	p := r.Problem(t)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	if got := p.Errors["customer.email"]; got != "must be a valid e-mail address" {
		t.Errorf(`errors["customer.email"] = %q`, got)
	}
	if p.Errors["customer.name"] == "" {
		t.Errorf("every invalid field is reported at once; errors = %v", p.Errors)
	}
}

func TestSameOriginPostAllowed(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	host := strings.TrimPrefix(e.HTTP.URL, "http://")
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10), "Origin", "http://"+host, "Sec-Fetch-Site", "same-origin")
	if r.Status != http.StatusCreated {
		t.Fatalf("same-origin POST: %d %s", r.Status, r.Body)
	}
}

func TestRateLimit(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{BookingsPerMinute: 2})
	// Invalid requests count too: the limit protects the booking endpoint,
	// not only successful bookings.
	for i := range 2 {
		if r := e.Do(t, http.MethodPost, "/api/v1/bookings", `{}`); r.Status == http.StatusTooManyRequests {
			t.Fatalf("request %d limited early", i+1)
		}
	}
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10))
	p := r.Problem(t)
	if r.Status != http.StatusTooManyRequests || p.Code != "rate_limited" {
		t.Fatalf("third request: %d %+v", r.Status, p)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After = %q, want 1..60 seconds", r.Header.Get("Retry-After"))
	}
	// Reading is never limited.
	if r := e.Do(t, http.MethodGet, "/api/v1/services", nil); r.Status != http.StatusOK {
		t.Errorf("GET after limit: %d", r.Status)
	}
}

func TestRateLimitPerForwardedClient(t *testing.T) {
	loopback := netip.MustParsePrefix("127.0.0.0/8")
	e := MustOpenEnv(t, httpx.Config{BookingsPerMinute: 1, TrustedProxies: []netip.Prefix{loopback}})
	post := func(xff string) int {
		return e.Do(t, http.MethodPost, "/api/v1/bookings", `{}`, "X-Forwarded-For", xff).Status
	}
	if got := post("203.0.113.1"); got == http.StatusTooManyRequests {
		t.Fatal("first client limited at once")
	}
	if got := post("203.0.113.2"); got == http.StatusTooManyRequests {
		t.Error("a second client behind the proxy shares the first one's bucket")
	}
	if got := post("198.51.100.9, 203.0.113.1"); got != http.StatusTooManyRequests {
		t.Errorf("spoofed left hop escaped the limit: %d", got)
	}
}

func TestIdempotency(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	key := []string{"Idempotency-Key", "order-42"}

	first := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10), key...)
	if first.Status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	again := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10), key...)
	if again.Status != http.StatusCreated {
		t.Fatalf("replay: %d %s", again.Status, again.Body)
	}
	if !bytes.Equal(first.Body, again.Body) {
		t.Errorf("replay body differs:\nfirst %s\nagain %s", first.Body, again.Body)
	}
	var b Booking
	again.JSON(t, &b)
	if b.ManageToken == "" {
		t.Error("replay lacks the manage token")
	}
	if r := e.Do(t, http.MethodGet, "/api/v1/bookings/"+b.ID, nil, "Authorization", "Bearer "+b.ManageToken); r.Status != http.StatusOK {
		t.Errorf("replayed token does not open the booking: %d", r.Status)
	}
	if n := countBookings(t, e); n != 1 {
		t.Errorf("%d bookings after a replay, want 1", n)
	}

	other := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow14), key...)
	if p := other.Problem(t); other.Status != http.StatusUnprocessableEntity || p.Code != "idempotency_key_reused" {
		t.Errorf("same key, other body: %d %+v", other.Status, p)
	}
	if n := countBookings(t, e); n != 1 {
		t.Errorf("%d bookings after a reused key, want 1", n)
	}
}

func TestIdempotencyConcurrentRetries(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	const n = 50
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		bodies = map[string]int{}
		codes  = map[int]int{}
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			r := e.Do(t, http.MethodPost, "/api/v1/bookings", Request(tomorrow10), "Idempotency-Key", "retry-me")
			mu.Lock()
			defer mu.Unlock()
			codes[r.Status]++
			bodies[string(r.Body)]++
		})
	}
	close(start)
	wg.Wait()
	if codes[http.StatusCreated] != n {
		t.Errorf("status codes = %v, want %d × 201", codes, n)
	}
	if len(bodies) != 1 {
		t.Errorf("%d different bodies, want one", len(bodies))
	}
	if got := countBookings(t, e); got != 1 {
		t.Errorf("%d bookings, want 1", got)
	}
}

func TestManageTokenNotStoredInClear(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	b := MustCreateBooking(t, e, Request(tomorrow10), "Idempotency-Key", "k1")
	stored, err := e.DB.ManageTokens(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || bytes.Contains(stored[0].Hash, []byte(b.ManageToken)) || len(stored[0].Hash) != 32 {
		t.Errorf("stored tokens = %x, want one 32-byte SHA-256", stored)
	}
	raw, err := readFile(e)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(b.ManageToken)) {
		t.Error("the manage token is in the database file in the clear")
	}
}

func TestHealth(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	r := e.Do(t, http.MethodGet, "/healthz", nil)
	var got struct {
		Status string         `json:"status"`
		Mail   map[string]int `json:"mail"`
	}
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "ok" {
		t.Errorf("healthz: %d %s", r.Status, r.Body)
	}
	if q, ok := got.Mail["queued"]; !ok || q != 0 || got.Mail["failing"] != 0 || len(got.Mail) != 2 {
		t.Errorf("healthz mail = %v, want queued 0 and failing 0", got.Mail)
	}
	e.DB.Close()
	r = e.Do(t, http.MethodGet, "/healthz", nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("healthz with the database closed: %d %s", r.Status, r.Body)
	}
	if p := r.Problem(t); p.Code != "unavailable" || r.Header.Get("Retry-After") == "" {
		t.Errorf("healthz with the database closed: code %q, Retry-After %q; want unavailable with a Retry-After", p.Code, r.Header.Get("Retry-After"))
	}
}

func TestInternalErrorsHidden(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	e.Edge.Router().HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("secret detail") }).Name(TestFixture)
	r := e.Do(t, http.MethodGet, "/boom", nil)
	p := r.Problem(t)
	if r.Status != http.StatusInternalServerError || p.Detail != "internal error" || bytes.Contains(r.Body, []byte("secret")) {
		t.Errorf("panic: %d %s", r.Status, r.Body)
	}

	e.DB.Close() // every store call now fails with an internal error
	r = e.Do(t, http.MethodGet, "/api/v1/services", nil)
	p = r.Problem(t)
	if r.Status != http.StatusInternalServerError || p.Code != "internal_error" || p.Detail != "internal error" {
		t.Errorf("store failure: %d %s", r.Status, r.Body)
	}
	if bytes.Contains(r.Body, []byte("sql")) {
		t.Errorf("internal detail leaked: %s", r.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	for _, path := range []string{"/api/v1/atelier", "/api/v1/nothing", "/healthz"} {
		r := e.Do(t, http.MethodGet, path, nil)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers = %v", path, r.Header)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control = %q", path, r.Header.Get("Cache-Control"))
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// countBookings counts the confirmed bookings around the test days.
func countBookings(tb testing.TB, e *Env) int {
	tb.Helper()
	s, err := e.DB.Schedule(context.Background(), Now, Now.Add(30*24*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	return len(s.Bookings)
}

// TestMethodNotAllowedListsAllowed: a 405 says which methods the resource
// accepts, in the Allow header (RFC 9110).
func TestMethodNotAllowedListsAllowed(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{PublicURL: "https://atelier.example"})
	tests := []struct {
		name, method, path, want string
	}{
		{"Bookings", http.MethodGet, "/api/v1/bookings", "POST"},
		{"Booking", http.MethodDelete, "/api/v1/bookings/bk_aaaaaaaaaaaaaaaaaaaa", "GET, HEAD"},
		{"Cancel", http.MethodGet, "/api/v1/bookings/bk_aaaaaaaaaaaaaaaaaaaa/cancel", "POST"},
		{"Services", http.MethodPost, "/api/v1/services", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(t, tt.method, tt.path, nil)
			if r.Status != http.StatusMethodNotAllowed {
				t.Fatalf("status = %d, want 405", r.Status)
			}
			if got := r.Header.Get("Allow"); got != tt.want {
				t.Errorf("Allow = %q, want %q", got, tt.want)
			}
			r.Problem(t)
		})
	}
}
