package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// policyBody is the booking policy of a booking view.
type policyBody struct {
	ID     string `json:"id"`
	Start  string `json:"start"`
	Token  string `json:"manage_token"`
	Policy struct {
		ChangeCutoffHours int    `json:"change_cutoff_hours"`
		MaxReschedules    int    `json:"max_reschedules"`
		Reschedules       int    `json:"reschedules"`
		ReschedulesLeft   *int   `json:"reschedules_left"`
		ChangesCloseAt    string `json:"changes_close_at"`
		CanCancel         bool   `json:"can_cancel"`
		CanReschedule     bool   `json:"can_reschedule"`
		Text              string `json:"text"`
	} `json:"policy"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// The booking policy through the real server: the customer's moves are
// counted and refused past the limit, the customer's cancel and move are
// refused inside the cutoff while staff's go through, and every answer
// says where the booking stands.
func TestBookingPolicy(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	cat := DemoCatalog()
	cat.Atelier.Rules.ChangeCutoff, cat.Atelier.Rules.MaxReschedules = 48*time.Hour, 1
	cat.Atelier.Rules.PolicyNote = "A late cancellation keeps the deposit."
	if _, err := e.DB.SyncCatalog(context.Background(), cat); err != nil {
		t.Fatal(err)
	}
	admin := e.MustLogin(t, e.Admin)
	do := func(cookie, method, path string, body any, want int, headers ...string) policyBody {
		t.Helper()
		r := e.Do(t, cookie, method, path, body, headers...)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d; %s", method, path, r.Status, want, r.Body)
		}
		var v policyBody
		r.JSON(t, &v)
		return v
	}
	req := VirtualRequest("2026-12-04T10:00:00+08:00", "mei")
	b := do("", http.MethodPost, "/api/v1/bookings", req, http.StatusCreated, "Idempotency-Key", "policy-1")
	p := b.Policy
	if p.ChangeCutoffHours != 48 || p.MaxReschedules != 1 || p.Reschedules != 0 || p.ReschedulesLeft == nil || *p.ReschedulesLeft != 1 ||
		!p.CanCancel || !p.CanReschedule || p.ChangesCloseAt != "2026-12-02T10:00:00+08:00" ||
		!strings.Contains(p.Text, "48 hours before") || !strings.Contains(p.Text, "at most once") || !strings.HasSuffix(p.Text, "A late cancellation keeps the deposit.") {
		t.Errorf("policy of the new booking: %+v", p)
	}
	bearer := []string{"Authorization", "Bearer " + b.Token}
	path := "/api/v1/bookings/" + b.ID

	moved := do("", http.MethodPost, path+"/reschedule", map[string]string{"start": "2026-12-04T10:30:00+08:00"}, http.StatusOK, bearer...)
	if moved.Policy.Reschedules != 1 || *moved.Policy.ReschedulesLeft != 0 || moved.Policy.CanReschedule || !moved.Policy.CanCancel {
		t.Errorf("after the customer's move: %+v", moved.Policy)
	}
	refused := do("", http.MethodPost, path+"/reschedule", map[string]string{"start": "2026-12-04T11:00:00+08:00"}, http.StatusConflict, bearer...)
	if refused.Code != "reschedule_limit" || !strings.Contains(refused.Detail, "+65 6000 0000") {
		t.Errorf("second move: %+v", refused)
	}
	if got := do("", http.MethodGet, path, nil, http.StatusOK, bearer...); got.Start != "2026-12-04T10:30:00+08:00" {
		t.Errorf("the refused move changed the booking: %s", got.Start)
	}
	// Staff are not bound, and their moves are not counted.
	staff := do(admin, http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/reschedule", map[string]string{"start": "2026-12-04T11:00:00+08:00"}, http.StatusOK)
	if staff.Policy.Reschedules != 1 {
		t.Errorf("a staff move was counted: %+v", staff.Policy)
	}

	// 47 hours before: inside the cutoff.
	e.Clock.Advance(time.Date(2026, 12, 2, 12, 0, 0, 0, time.FixedZone("SGT", 8*3600)).Sub(e.Clock.Now()))
	got := do("", http.MethodGet, path, nil, http.StatusOK, bearer...)
	if got.Policy.CanCancel || got.Policy.CanReschedule {
		t.Errorf("inside the cutoff the policy says %+v", got.Policy)
	}
	closed := do("", http.MethodPost, path+"/cancel", nil, http.StatusConflict, bearer...)
	if closed.Code != "change_window_closed" || !strings.Contains(closed.Detail, "48 hours") || !strings.Contains(closed.Detail, "hello@example.com") {
		t.Errorf("cancel inside the cutoff: %+v", closed)
	}
	if c := do("", http.MethodPost, path+"/reschedule", map[string]string{"start": "2026-12-04T14:00:00+08:00"}, http.StatusConflict, bearer...); c.Code != "change_window_closed" {
		t.Errorf("move inside the cutoff: %+v", c)
	}
	admin = e.MustLogin(t, e.Admin) // a day later: signed in again
	r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/cancel", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"status":"cancelled"`) {
		t.Errorf("staff cancel inside the cutoff: %d %s", r.Status, r.Body)
	}
}

// The policy of each service is in the customers' list of services: the
// atelier's, or the service's own cutoff and limit where it has them.
func TestServicesCarryTheirPolicy(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	cat := DemoCatalog()
	cat.Atelier.Rules.ChangeCutoff, cat.Atelier.Rules.MaxReschedules = 24*time.Hour, 2
	own, moves := 72*time.Hour, 1
	for i := range cat.Services {
		if cat.Services[i].ID == "design" {
			cat.Services[i].ChangeCutoff, cat.Services[i].MaxReschedules = &own, &moves
		}
	}
	if _, err := e.DB.SyncCatalog(context.Background(), cat); err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID     string `json:"id"`
		Policy *struct {
			ChangeCutoffHours int    `json:"change_cutoff_hours"`
			MaxReschedules    int    `json:"max_reschedules"`
			Text              string `json:"text"`
		} `json:"policy"`
	}
	r := e.Do(t, "", http.MethodGet, "/api/v1/services", nil)
	r.JSON(t, &list)
	if r.Status != http.StatusOK || len(list) < 2 {
		t.Fatalf("GET /api/v1/services: %d %s", r.Status, r.Body)
	}
	seen := false
	for _, s := range list {
		want := [2]int{24, 2}
		seen = seen || s.ID == "design"
		if s.ID == "design" {
			want = [2]int{72, 1}
		}
		if s.Policy == nil || [2]int{s.Policy.ChangeCutoffHours, s.Policy.MaxReschedules} != want || !strings.Contains(s.Policy.Text, strconv.Itoa(want[0])+" hours") {
			t.Errorf("service %s: policy %+v, want cutoff %d h and %d moves", s.ID, s.Policy, want[0], want[1])
		}
	}
	if !seen {
		t.Fatalf("no service design in %s", r.Body)
	}
	one := e.Do(t, "", http.MethodGet, "/api/v1/services/design", nil)
	if !strings.Contains(string(one.Body), `"change_cutoff_hours":72`) {
		t.Errorf("GET /api/v1/services/design: %s", one.Body)
	}
}
