package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// IntakeCatalog is DemoCatalog whose design consultation asks questions.
func IntakeCatalog() *booking.Catalog {
	c := DemoCatalog()
	max := 500.0
	c.Services[0].Questions = []booking.Question{
		{ID: "occasion", Label: "Occasion", Type: booking.QChoice, Required: true, Options: []string{"Engagement", "Wedding"}},
		{ID: "metal", Label: "Metal", Type: booking.QMultiChoice, Options: []string{"Gold", "Platinum"}},
		{ID: "own-stone", Label: "Bringing your own stone?", Type: booking.QYesNo},
		{ID: "ring-size", Label: "Ring size", Type: booking.QNumber, Units: booking.RingSizeUnits},
		{ID: "gold", Label: "Gold", Type: booking.QNumber, Unit: "g", Max: &max},
		{ID: "needed-by", Label: "Needed by", Type: booking.QDate},
		{ID: "photos", Label: "Inspiration photos", Type: booking.QPhotos, Help: "Up to 8"},
	}
	return c
}

// MustOpenIntakeEnv is MustOpenEnv with IntakeCatalog.
func MustOpenIntakeEnv(tb testing.TB) *Env {
	tb.Helper()
	e := MustOpenEnv(tb, httpx.Config{})
	if _, err := e.DB.SyncCatalog(context.Background(), IntakeCatalog()); err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestServicesShowQuestions(t *testing.T) {
	e := MustOpenIntakeEnv(t)
	r := e.Do(t, http.MethodGet, "/api/v1/services", nil)
	var services []struct {
		ID        string             `json:"id"`
		Questions []booking.Question `json:"questions"`
	}
	r.JSON(t, &services)
	if len(services) != 2 {
		t.Fatalf("services %s", r.Body)
	}
	if got, want := services[0].Questions, IntakeCatalog().Services[0].Questions; !reflect.DeepEqual(got, want) {
		t.Errorf("questions\n got %+v\nwant %+v", got, want)
	}
	if services[1].Questions == nil || len(services[1].Questions) != 0 {
		t.Errorf("a service without questions: %s", r.Body)
	}
}

func TestBookingAnswers(t *testing.T) {
	e := MustOpenIntakeEnv(t)
	req := Request(tomorrow10)
	req["answers"] = map[string]any{
		"occasion": " Wedding ", "metal": []string{"Platinum", "Gold"}, "own-stone": true,
		"ring-size": map[string]any{"value": "N 1/2", "unit": "UK/AU"}, "gold": "12,5", "needed-by": "2027-03-01",
	}
	key := []string{"Idempotency-Key", "intake-1"}
	b := MustCreateBooking(t, e, req, key...)
	want := `{"gold":12.5,"metal":["Gold","Platinum"],"needed-by":"2027-03-01","occasion":"Wedding","own-stone":true,"ring-size":{"value":"N½","unit":"UK/AU"}}`
	var created struct {
		Answers json.RawMessage `json:"answers"`
	}
	r := e.Do(t, http.MethodGet, "/api/v1/bookings/"+b.ID, nil, "Authorization", "Bearer "+b.ManageToken)
	r.JSON(t, &created)
	if string(created.Answers) != want {
		t.Errorf("customer's view answers\n%s\nwant\n%s", created.Answers, want)
	}

	// The same key with the same answers is the first answer again; with
	// other answers it is refused.
	again := e.Do(t, http.MethodPost, "/api/v1/bookings", req, key...)
	var replayed Booking
	again.JSON(t, &replayed)
	if again.Status != http.StatusCreated || replayed.ID != b.ID {
		t.Errorf("replay: %d %s", again.Status, again.Body)
	}
	req["answers"].(map[string]any)["occasion"] = "Engagement"
	if r := e.Do(t, http.MethodPost, "/api/v1/bookings", req, key...); r.Status != http.StatusUnprocessableEntity || r.Problem(t).Code != "idempotency_key_reused" {
		t.Errorf("same key, other answers: %d %s", r.Status, r.Body)
	}
	if n := countBookings(t, e); n != 1 {
		t.Errorf("%d bookings, want 1", n)
	}
}

func TestBookingAnswersInvalid(t *testing.T) {
	e := MustOpenIntakeEnv(t)
	tests := []struct {
		name    string
		answers map[string]any
		want    map[string]string
	}{
		{"RequiredMissing", nil, map[string]string{"answers.occasion": "is required"}},
		{"RequiredBlank", map[string]any{"occasion": "  "}, map[string]string{"answers.occasion": "is required"}},
		{"WrongValues", map[string]any{"occasion": "Birthday", "own-stone": "yes", "gold": 900, "needed-by": "soon", "colour": "red",
			"ring-size": map[string]any{"value": 6, "unit": "FR"}},
			map[string]string{
				"answers.occasion":  "must be one of: Engagement, Wedding",
				"answers.own-stone": "must be true or false",
				"answers.gold":      "must be at most 500",
				"answers.needed-by": "must be a date (YYYY-MM-DD)",
				"answers.colour":    "is not a question of this service",
				"answers.ring-size": "unit must be one of US, UK/AU, EU/ISO, JP",
			}},
		{"PhotosAreNotAnswers", map[string]any{"occasion": "Wedding", "photos": []string{"x.jpg"}},
			map[string]string{"answers.photos": "photos are added to the booking once it is made (POST /api/v1/bookings/{id}/photos), not as an answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request(tomorrow10)
			if tt.answers != nil {
				req["answers"] = tt.answers
			}
			r := e.Do(t, http.MethodPost, "/api/v1/bookings", req)
			p := r.Problem(t)
			if r.Status != http.StatusUnprocessableEntity || !reflect.DeepEqual(p.Errors, tt.want) {
				t.Errorf("%d, errors %v, want 422 with %v", r.Status, p.Errors, tt.want)
			}
			if n := countBookings(t, e); n != 0 {
				t.Errorf("%d bookings after a refusal", n)
			}
		})
	}
}
