package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/atelier-app/atelier/internal/booking"
)

// Question is one question of a service's intake form (services[].questions),
// asked on the details page and in the API (answers).
type Question struct {
	ID       string   `yaml:"id"`
	Label    string   `yaml:"label"`
	Type     string   `yaml:"type"`
	Required bool     `yaml:"required"`
	Help     string   `yaml:"help"`
	Options  []string `yaml:"options"`
	// Unit (number): what the number counts, shown after the field.
	Unit string `yaml:"unit"`
	// Units (number): the customer chooses one ("ring_size" stands for US,
	// UK/AU, EU/ISO, JP).
	Units []string `yaml:"units"`
	Min   *float64 `yaml:"min"`
	Max   *float64 `yaml:"max"`
}

// Limits of the intake form.
const (
	maxQuestions      = 30
	maxOptions        = 30
	maxQuestionLabel  = 200
	maxQuestionHelp   = 500
	maxOptionLen      = 100
	maxUnitLen        = 20
	ringSizeUnitsName = "ring_size"
)

// questions validates a service's intake form and returns it as domain
// values.
func (v *validator) questions(path string, qs []Question) []booking.Question {
	if len(qs) > maxQuestions {
		v.add(path, "has %d questions; at most %d", len(qs), maxQuestions)
	}
	seen := map[string]string{}
	photos := 0
	var out []booking.Question
	for i, q := range qs {
		qpath := fmt.Sprintf("%s[%d]", path, i)
		v.id(qpath+".id", q.ID, seen)
		if v.required(qpath+".label", q.Label) {
			v.maxLen(qpath+".label", q.Label, maxQuestionLabel)
		}
		v.maxLen(qpath+".help", q.Help, maxQuestionHelp)
		t := booking.QuestionType(q.Type)
		if !t.Valid() {
			names := make([]string, len(booking.QuestionTypes))
			for j, qt := range booking.QuestionTypes {
				names[j] = string(qt)
			}
			v.add(qpath+".type", "%q is not one of %s", q.Type, strings.Join(names, ", "))
			continue
		}
		bq := booking.Question{ID: q.ID, Label: strings.TrimSpace(q.Label), Type: t, Required: q.Required,
			Help: strings.TrimSpace(q.Help)}
		bq.Options = v.questionOptions(qpath, t, q.Options)
		bq.Unit, bq.Units, bq.Min, bq.Max = v.questionNumber(qpath, t, q)
		if t == booking.QPhotos {
			photos++
			if photos == 2 {
				v.add(qpath+".type", "a service asks for photos at most once")
			}
			if q.Required {
				// The API books first and takes the photos after, so a
				// booking can never wait for them.
				v.add(qpath+".required", "a photos question cannot be required: photos may be added after booking")
			}
		}
		out = append(out, bq)
	}
	return out
}

func (v *validator) questionOptions(qpath string, t booking.QuestionType, opts []string) []string {
	choice := t == booking.QChoice || t == booking.QMultiChoice
	if !choice {
		if len(opts) > 0 {
			v.add(qpath+".options", "only a choice or multi_choice question has options")
		}
		return nil
	}
	if len(opts) < 2 || len(opts) > maxOptions {
		v.add(qpath+".options", "a %s question needs 2 to %d options (got %d)", t, maxOptions, len(opts))
	}
	var out []string
	for j, o := range opts {
		opath := fmt.Sprintf("%s.options[%d]", qpath, j)
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			v.add(opath, "is empty")
		case len([]rune(o)) > maxOptionLen:
			v.add(opath, "is %d characters long; at most %d", len([]rune(o)), maxOptionLen)
		case slices.Contains(out, o):
			v.add(opath, "%q is listed twice", o)
		default:
			out = append(out, o)
		}
	}
	return out
}

func (v *validator) questionNumber(qpath string, t booking.QuestionType, q Question) (unit string, units []string, lo, hi *float64) {
	if t != booking.QNumber {
		for _, f := range []struct {
			key string
			set bool
		}{{"unit", q.Unit != ""}, {"units", len(q.Units) > 0}, {"min", q.Min != nil}, {"max", q.Max != nil}} {
			if f.set {
				v.add(qpath+"."+f.key, "only a number question has %s", f.key)
			}
		}
		return "", nil, nil, nil
	}
	if q.Unit != "" && len(q.Units) > 0 {
		v.add(qpath+".units", "give unit or units, not both")
	}
	v.maxLen(qpath+".unit", q.Unit, maxUnitLen)
	for j, u := range q.Units {
		upath := fmt.Sprintf("%s.units[%d]", qpath, j)
		switch u = strings.TrimSpace(u); {
		case u == ringSizeUnitsName:
			units = append(units, booking.RingSizeUnits...)
		case u == "" || len([]rune(u)) > maxUnitLen:
			v.add(upath, "must be 1 to %d characters", maxUnitLen)
		case slices.Contains(units, u):
			v.add(upath, "%q is listed twice", u)
		default:
			units = append(units, u)
		}
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		v.add(qpath+".max", "is below min")
	}
	return strings.TrimSpace(q.Unit), units, q.Min, q.Max
}

// ServiceQuestions checks an intake form given outside the file (a
// service edited in the app) by the file's rules, and returns it as domain
// values with the problems found, each under its path ("questions[0].label").
func ServiceQuestions(qs []Question) ([]booking.Question, []Problem) {
	v := &validator{}
	out := v.questions("questions", qs)
	return out, v.problems
}

// ServicePolicy checks a service's policy overrides given outside the file
// by the file's rules; the problems' paths are the keys
// (change_cutoff_hours, max_reschedules).
func ServicePolicy(cutoffHours, maxReschedules *int) []Problem {
	v := &validator{}
	v.policy("", cutoffHours, maxReschedules)
	for i := range v.problems {
		v.problems[i].Path = strings.TrimPrefix(v.problems[i].Path, ".")
	}
	return v.problems
}
