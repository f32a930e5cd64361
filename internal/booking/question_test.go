package booking_test

import (
	"encoding/json"
	"testing"

	"github.com/atelier-app/atelier/internal/booking"
)

func ptr(f float64) *float64 { return &f }

func intakeService() *booking.Service {
	return &booking.Service{ID: "design", Questions: []booking.Question{
		{ID: "occasion", Label: "Occasion", Type: booking.QChoice, Required: true, Options: []string{"Engagement", "Wedding"}},
		{ID: "metal", Label: "Metal", Type: booking.QMultiChoice, Options: []string{"Gold", "Platinum", "Silver"}},
		{ID: "stones", Label: "Stones", Type: booking.QText},
		{ID: "story", Label: "Story", Type: booking.QLongText},
		{ID: "own", Label: "Own stone?", Type: booking.QYesNo},
		{ID: "size", Label: "Ring size", Type: booking.QNumber, Units: booking.RingSizeUnits},
		{ID: "gold", Label: "Gold", Type: booking.QNumber, Unit: "g", Min: ptr(0), Max: ptr(500)},
		{ID: "by", Label: "Needed by", Type: booking.QDate},
		{ID: "photos", Label: "Photos", Type: booking.QPhotos},
	}}
}

func TestCheckAnswers(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // canonical answers, JSON
		wantErr map[string]string
		staff   bool
	}{
		{name: "Full",
			in:   `{"occasion":" Wedding ","metal":["Silver","Gold","Gold"],"stones":" a sapphire ","story":"line one\nline two","own":true,"size":{"value":"6.5","unit":"US"},"gold":"12,5","by":"2027-03-01"}`,
			want: `{"by":"2027-03-01","gold":12.5,"metal":["Gold","Silver"],"occasion":"Wedding","own":true,"size":{"value":6.5,"unit":"US"},"stones":"a sapphire","story":"line one\nline two"}`},
		{name: "UKRingSize", in: `{"occasion":"Wedding","size":{"value":"n 1/2","unit":"UK/AU"}}`,
			want: `{"occasion":"Wedding","size":{"value":"N½","unit":"UK/AU"}}`},
		{name: "EmptyIsUnanswered", in: `{"occasion":"Engagement","stones":"  ","metal":[],"own":null}`,
			want: `{"occasion":"Engagement"}`},
		{name: "RequiredMissing", in: `{}`, wantErr: map[string]string{"answers.occasion": "is required"}},
		{name: "WrongValues",
			in: `{"occasion":"Birthday","metal":["Bronze"],"stones":3,"own":"maybe","size":{"value":6,"unit":"FR"},"gold":600,"by":"1 March","extra":"x","photos":["a"]}`,
			wantErr: map[string]string{
				"answers.occasion": "must be one of: Engagement, Wedding",
				"answers.metal":    "must be a list of some of: Gold, Platinum, Silver",
				"answers.stones":   "must be text",
				"answers.own":      "must be true or false",
				"answers.size":     "unit must be one of US, UK/AU, EU/ISO, JP",
				"answers.gold":     "must be at most 500",
				"answers.by":       "must be a date (YYYY-MM-DD)",
				"answers.extra":    "is not a question of this service",
				"answers.photos":   "photos are added to the booking once it is made (POST /api/v1/bookings/{id}/photos), not as an answer",
			}},
		{name: "BadUKSize", in: `{"occasion":"Wedding","size":{"value":"N3","unit":"UK/AU"}}`,
			wantErr: map[string]string{"answers.size": "a UK/AU ring size is a letter from A to Z, with ½ for a half size (such as N or N½)"}},
		{name: "StaffMayLeaveRequired", in: `{"stones":"ruby"}`, want: `{"stones":"ruby"}`, staff: true},
		{name: "NumberNotANumber", in: `{"occasion":"Wedding","gold":"lots"}`, wantErr: map[string]string{"answers.gold": "must be a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			errs := booking.FieldErrors{}
			got := intakeService().CheckAnswers(in, errs, tt.staff)
			if len(tt.wantErr) > 0 || len(errs) > 0 {
				for k, v := range tt.wantErr {
					if errs[k] != v {
						t.Errorf("errs[%s] = %q, want %q", k, errs[k], v)
					}
				}
				if len(errs) != len(tt.wantErr) {
					t.Errorf("errs = %v, want %v", errs, tt.wantErr)
				}
				return
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Errorf("answers\n%s\nwant\n%s", b, tt.want)
			}
		})
	}
}

func TestAnswerText(t *testing.T) {
	s := intakeService()
	for id, tt := range map[string]struct{ raw, want string }{
		"own":   {`true`, "Yes"},
		"metal": {`["Gold","Silver"]`, "Gold, Silver"},
		"size":  {`{"value":"N½","unit":"UK/AU"}`, "N½ UK/AU"},
		"gold":  {`12.5`, "12.5 g"},
		"by":    {`"2027-03-01"`, "2027-03-01"},
	} {
		if got := s.Question(id).AnswerText(json.RawMessage(tt.raw)); got != tt.want {
			t.Errorf("%s: %q, want %q", id, got, tt.want)
		}
	}
}
