package config_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

const questionsAt = "    modes: [in_person, virtual]\n"

func TestQuestions(t *testing.T) {
	c := MustParse(t, edit(t, questionsAt, questionsAt+`    questions:
      - {id: occasion, label: " Occasion ", type: choice, required: true, options: [Engagement, " Wedding "]}
      - {id: size, label: Ring size, type: number, units: [ring_size]}
      - {id: gold, label: Gold, type: number, unit: g, min: 0, max: 500}
      - {id: photos, label: Photos, type: photos, help: Up to 8}
`))
	cat := MustCatalog(t, c)
	qs := cat.Services[0].Questions
	if len(qs) != 4 {
		t.Fatalf("%d questions, want 4", len(qs))
	}
	if q := qs[0]; q.Label != "Occasion" || q.Type != booking.QChoice || !q.Required || !slices.Equal(q.Options, []string{"Engagement", "Wedding"}) {
		t.Errorf("choice %+v", q)
	}
	if q := qs[1]; !slices.Equal(q.Units, booking.RingSizeUnits) {
		t.Errorf("ring size units %v, want %v", q.Units, booking.RingSizeUnits)
	}
	if q := qs[2]; q.Unit != "g" || q.Min == nil || *q.Min != 0 || q.Max == nil || *q.Max != 500 {
		t.Errorf("number %+v", q)
	}
	if q := qs[3]; q.Type != booking.QPhotos || q.Help != "Up to 8" {
		t.Errorf("photos %+v", q)
	}
}

func TestExampleQuestions(t *testing.T) {
	cat := MustCatalog(t, MustParse(t, string(atelier.ExampleConfig)))
	var design, gold *booking.Service
	for i := range cat.Services {
		switch cat.Services[i].ID {
		case "bespoke-design":
			design = &cat.Services[i]
		case "recycled-gold-remodelling":
			gold = &cat.Services[i]
		}
	}
	var ids []string
	for _, q := range design.Questions {
		ids = append(ids, q.ID)
	}
	if want := []string{"occasion", "needed-by", "metal", "stones", "budget", "own-stone", "ring-size", "inspiration"}; !slices.Equal(ids, want) {
		t.Errorf("bespoke design asks %v, want %v", ids, want)
	}
	if design.PhotoQuestion() == nil || gold.PhotoQuestion() == nil || gold.Question("pieces") == nil || gold.Question("gold-grams").Unit != "g" {
		t.Errorf("remodelling asks %+v", gold.Questions)
	}
}

func TestQuestionsInvalid(t *testing.T) {
	tests := []struct {
		name, questions string
		want            []string
	}{
		{"UnknownType", `[{id: a, label: A, type: color}]`,
			[]string{`services[0].questions[0].type: "color" is not one of text, long_text, choice, multi_choice, yes_no, number, date, photos`}},
		{"NoLabel", `[{id: a, type: text}]`, []string{"services[0].questions[0].label: is required"}},
		{"BadID", `[{id: "A b", label: A, type: text}]`, []string{`services[0].questions[0].id: "A b" is not a valid id`}},
		{"DuplicateID", `[{id: a, label: A, type: text}, {id: a, label: B, type: text}]`,
			[]string{`services[0].questions[1].id: duplicate id "a" (also services[0].questions[0])`}},
		{"ChoiceWithoutOptions", `[{id: a, label: A, type: choice}]`,
			[]string{"services[0].questions[0].options: a choice question needs 2 to 30 options (got 0)"}},
		{"OptionTwice", `[{id: a, label: A, type: multi_choice, options: [x, " x"]}]`,
			[]string{`services[0].questions[0].options[1]: "x" is listed twice`}},
		{"OptionsOnText", `[{id: a, label: A, type: text, options: [x, y]}]`,
			[]string{"services[0].questions[0].options: only a choice or multi_choice question has options"}},
		{"UnitOnDate", `[{id: a, label: A, type: date, unit: g}]`,
			[]string{"services[0].questions[0].unit: only a number question has unit"}},
		{"UnitAndUnits", `[{id: a, label: A, type: number, unit: g, units: [US]}]`,
			[]string{"services[0].questions[0].units: give unit or units, not both"}},
		{"MinOverMax", `[{id: a, label: A, type: number, min: 5, max: 1}]`,
			[]string{"services[0].questions[0].max: is below min"}},
		{"RequiredPhotos", `[{id: a, label: A, type: photos, required: true}]`,
			[]string{"services[0].questions[0].required: a photos question cannot be required: photos may be added after booking"}},
		{"TwoPhotoQuestions", `[{id: a, label: A, type: photos}, {id: b, label: B, type: photos}]`,
			[]string{"services[0].questions[1].type: a service asks for photos at most once"}},
		{"UnknownKey", `[{id: a, label: A, type: text, placeholder: x}]`,
			[]string{"services[0].questions[0].placeholder: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(edit(t, questionsAt, questionsAt+"    questions: "+tt.questions+"\n")))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse = %v, want a *config.Error", err)
			}
			if len(ce.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(ce.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}
