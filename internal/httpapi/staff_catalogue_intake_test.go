package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// An admin sets a service's questions and policy overrides in the app:
// customers see the questions at once, a newly required answer is asked
// for, the service's own cutoff applies to the customer's cancel, and
// null goes back to the atelier's policy.
func TestStaffServiceQuestionsAndPolicy(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	ch := e.Do(t, admin, http.MethodPut, "/api/v1/staff/services/design", map[string]any{
		"questions": []map[string]any{
			{"id": "occasion", "label": "What is the occasion?", "type": "choice", "required": true, "options": []string{"Engagement", "Wedding"}},
			{"id": "size", "label": "Ring size", "type": "number", "units": []string{"ring_size"}},
		},
		"change_cutoff_hours": 48, "max_reschedules": 2,
	})
	if ch.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", ch.Status, ch.Body)
	}
	var saved struct {
		Service struct {
			Questions []struct{ ID string }
			Cutoff    *int `json:"change_cutoff_hours"`
			Moves     *int `json:"max_reschedules"`
		}
	}
	ch.JSON(t, &saved)
	if s := saved.Service; len(s.Questions) != 2 || s.Cutoff == nil || *s.Cutoff != 48 || s.Moves == nil || *s.Moves != 2 {
		t.Fatalf("saved: %s", ch.Body)
	}

	var svc struct {
		Questions []struct {
			ID       string
			Required bool
			Units    []string
		}
	}
	e.Do(t, "", http.MethodGet, "/api/v1/services/design", nil).JSON(t, &svc)
	if len(svc.Questions) != 2 || svc.Questions[0].ID != "occasion" || !svc.Questions[0].Required || len(svc.Questions[1].Units) != 4 {
		t.Fatalf("customers' service: %+v", svc)
	}
	req := VirtualRequest("2026-12-04T10:00:00+08:00", "mei")
	r := e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
	var problem struct{ Errors map[string]string }
	r.JSON(t, &problem)
	if r.Status != http.StatusUnprocessableEntity || problem.Errors["answers.occasion"] == "" {
		t.Fatalf("booking without the new required answer: %d %s", r.Status, r.Body)
	}
	req["answers"] = map[string]any{"occasion": "Wedding"}
	r = e.Do(t, "", http.MethodPost, "/api/v1/bookings", req)
	if r.Status != http.StatusCreated {
		t.Fatalf("booking with the answer: %d %s", r.Status, r.Body)
	}
	var b policyBody
	r.JSON(t, &b)
	if b.Policy.ChangeCutoffHours != 48 || b.Policy.MaxReschedules != 2 {
		t.Errorf("the booking's policy: %+v, want the service's 48 hours and 2 moves", b.Policy)
	}

	// 47 hours before: inside the service's cutoff (the atelier has none).
	e.Clock.Advance(time.Date(2026, 12, 2, 11, 0, 0, 0, time.FixedZone("SGT", 8*3600)).Sub(e.Clock.Now()))
	r = e.Do(t, "", http.MethodPost, "/api/v1/bookings/"+b.ID+"/cancel", nil, "Authorization", "Bearer "+b.Token)
	var closed policyBody
	r.JSON(t, &closed)
	if r.Status != http.StatusConflict || closed.Code != "change_window_closed" {
		t.Errorf("cancel inside the service's cutoff: %d %s", r.Status, r.Body)
	}

	// null goes back to the atelier's policy; [] removes the questions.
	admin = e.MustLogin(t, e.Admin)
	r = e.Do(t, admin, http.MethodPut, "/api/v1/staff/services/design", map[string]any{"change_cutoff_hours": nil, "questions": []any{}})
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), "change_cutoff_hours") || !strings.Contains(string(r.Body), `"max_reschedules":2`) {
		t.Fatalf("clearing the cutoff: %d %s", r.Status, r.Body)
	}
	r = e.Do(t, "", http.MethodPost, "/api/v1/bookings/"+b.ID+"/cancel", nil, "Authorization", "Bearer "+b.Token)
	if r.Status != http.StatusOK {
		t.Errorf("cancel once the override is gone: %d %s", r.Status, r.Body)
	}
	e.Do(t, "", http.MethodGet, "/api/v1/services/design", nil).JSON(t, &svc)
	if len(svc.Questions) != 0 {
		t.Errorf("questions after []: %+v", svc.Questions)
	}
}

// Questions and overrides are checked as the configuration file's: each
// problem is a field error, and nothing changes.
func TestStaffServiceQuestionsRefused(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	admin := e.MustLogin(t, e.Admin)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"OneOption", map[string]any{"questions": []map[string]any{{"id": "a", "label": "A", "type": "choice", "options": []string{"x"}}}}, "questions[0].options"},
		{"NoLabel", map[string]any{"questions": []map[string]any{{"id": "a", "type": "text"}}}, "questions[0].label"},
		{"Type", map[string]any{"questions": []map[string]any{{"id": "a", "label": "A", "type": "colour"}}}, "questions[0].type"},
		{"TwiceSameID", map[string]any{"questions": []map[string]any{{"id": "a", "label": "A", "type": "text"}, {"id": "a", "label": "B", "type": "text"}}}, "questions[1].id"},
		{"RequiredPhotos", map[string]any{"questions": []map[string]any{{"id": "p", "label": "Photos", "type": "photos", "required": true}}}, "questions[0].required"},
		{"Cutoff", map[string]any{"change_cutoff_hours": -1}, "change_cutoff_hours"},
		{"Moves", map[string]any{"max_reschedules": 101}, "max_reschedules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, admin, http.MethodPut, "/api/v1/staff/services/design", tc.body)
			var p struct{ Errors map[string]string }
			r.JSON(t, &p)
			if r.Status != http.StatusUnprocessableEntity || p.Errors[tc.field] == "" {
				t.Errorf("%d %s, want 422 with errors[%q]", r.Status, r.Body, tc.field)
			}
		})
	}
	r := e.Do(t, admin, http.MethodPost, "/api/v1/staff/services", map[string]any{"name": "Engraving", "duration_minutes": 30,
		"modes": []string{"virtual"}, "questions": []map[string]any{{"id": "x", "label": "X", "type": "number", "options": []string{"a", "b"}}}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"questions[0].options"`) {
		t.Errorf("POST with a bad question: %d %s", r.Status, r.Body)
	}
	var svc struct{ Questions []any }
	e.Do(t, "", http.MethodGet, "/api/v1/services/design", nil).JSON(t, &svc)
	if len(svc.Questions) != 0 {
		t.Errorf("a refused change left questions: %+v", svc.Questions)
	}
	if r := e.Do(t, "", http.MethodGet, "/api/v1/services/engraving", nil); r.Status != http.StatusNotFound {
		t.Errorf("a refused POST made the service: %d", r.Status)
	}
}
