package booking

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// QuestionType is the kind of answer an intake question takes.
type QuestionType string

const (
	QText        QuestionType = "text"         // a line of text
	QLongText    QuestionType = "long_text"    // a paragraph
	QChoice      QuestionType = "choice"       // one of Options
	QMultiChoice QuestionType = "multi_choice" // any of Options
	QYesNo       QuestionType = "yes_no"       // true or false
	QNumber      QuestionType = "number"       // a number, with Unit or one of Units
	QDate        QuestionType = "date"         // YYYY-MM-DD
	QPhotos      QuestionType = "photos"       // photos uploaded to the booking
)

// QuestionTypes are the known types, in the order documentation lists them.
var QuestionTypes = []QuestionType{QText, QLongText, QChoice, QMultiChoice, QYesNo, QNumber, QDate, QPhotos}

// Valid reports whether t is a known question type.
func (t QuestionType) Valid() bool { return slices.Contains(QuestionTypes, t) }

// RingSizeUnits are the systems a ring size is given in. With them as a
// number question's Units, a size in "UK/AU" is a letter ("N", "N½").
var RingSizeUnits = []string{"US", "UK/AU", "EU/ISO", "JP"}

// Limits of answers, in characters.
const (
	MaxTextAnswer     = 200
	MaxLongTextAnswer = 4000
)

// Question is one question of a service's intake form, asked when the
// service is booked.
type Question struct {
	ID       string       `json:"id"`
	Label    string       `json:"label"`
	Type     QuestionType `json:"type"`
	Required bool         `json:"required"`
	Help     string       `json:"help,omitempty"`
	// Options are the choices of a choice or multi_choice question.
	Options []string `json:"options,omitempty"`
	// Unit is what a number question counts, shown after it ("g", "mm").
	Unit string `json:"unit,omitempty"`
	// Units, for a number question, are the units the customer chooses
	// among: the answer is then {"value": n, "unit": u}.
	Units []string `json:"units,omitempty"`
	// Min and Max bound a number question's answer (nil: no bound).
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// Answers are a booking's answers to its service's questions, by question
// id, each in its canonical JSON form (see Service.CheckAnswers).
type Answers map[string]json.RawMessage

// UnitAnswer is the answer to a number question with Units.
type UnitAnswer struct {
	Value json.RawMessage `json:"value"`
	Unit  string          `json:"unit"`
}

// Question returns s's question id, or nil.
func (s *Service) Question(id string) *Question {
	for i := range s.Questions {
		if s.Questions[i].ID == id {
			return &s.Questions[i]
		}
	}
	return nil
}

// PhotoQuestion returns s's photos question, or nil when it asks for none.
func (s *Service) PhotoQuestion() *Question {
	for i := range s.Questions {
		if s.Questions[i].Type == QPhotos {
			return &s.Questions[i]
		}
	}
	return nil
}

// CheckAnswers validates in against s's questions and returns the answers
// in canonical form (text trimmed, a number as a JSON number, empty answers
// left out). Problems are added to errs under "answers.ID": a required
// question left unanswered, an answer of the wrong shape, an answer to a
// question the service does not ask. Photos are not answers: they are
// added to the booking once it is made. With optional (staff booking on a
// customer's behalf, who may not know every answer yet) no question is
// required.
func (s *Service) CheckAnswers(in map[string]json.RawMessage, errs FieldErrors, optional bool) Answers {
	out := Answers{}
	for id := range in {
		q := s.Question(id)
		switch {
		case q == nil:
			errs.Add("answers."+id, "is not a question of this service")
		case q.Type == QPhotos:
			errs.Add("answers."+id, "photos are added to the booking once it is made (POST /api/v1/bookings/{id}/photos), not as an answer")
		}
	}
	for i := range s.Questions {
		q := &s.Questions[i]
		if q.Type == QPhotos {
			continue
		}
		raw, given := in[q.ID]
		if given && isEmptyAnswer(raw) {
			given = false
		}
		if !given {
			if q.Required && !optional {
				errs.Add("answers."+q.ID, "is required")
			}
			continue
		}
		v, msg := q.check(raw)
		if msg != "" {
			errs.Add("answers."+q.ID, msg)
			continue
		}
		out[q.ID] = v
	}
	return out
}

// isEmptyAnswer reports whether raw says nothing: null, "", [] or only
// spaces.
func isEmptyAnswer(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || string(t) == "[]" {
		return true
	}
	var s string
	if json.Unmarshal(t, &s) == nil {
		return strings.TrimSpace(s) == ""
	}
	return false
}

// check validates one given answer and returns its canonical form or a
// message.
func (q *Question) check(raw json.RawMessage) (json.RawMessage, string) {
	switch q.Type {
	case QText, QLongText:
		return q.checkText(raw)
	case QChoice:
		var s string
		if json.Unmarshal(raw, &s) != nil || !slices.Contains(q.Options, strings.TrimSpace(s)) {
			return nil, "must be one of: " + strings.Join(q.Options, ", ")
		}
		return mustJSON(strings.TrimSpace(s)), ""
	case QMultiChoice:
		return q.checkMulti(raw)
	case QYesNo:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, "must be true or false"
		}
		return mustJSON(b), ""
	case QNumber:
		return q.checkNumber(raw)
	case QDate:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "must be a date (YYYY-MM-DD)"
		}
		d, err := ParseDate(strings.TrimSpace(s))
		if err != nil {
			return nil, "must be a date (YYYY-MM-DD)"
		}
		return mustJSON(d.String()), ""
	}
	return nil, "cannot be answered"
}

func (q *Question) checkText(raw json.RawMessage) (json.RawMessage, string) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, "must be text"
	}
	s = strings.TrimSpace(s)
	limit := MaxTextAnswer
	if q.Type == QLongText {
		limit = MaxLongTextAnswer
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return nil, fmt.Sprintf("must be at most %d characters", limit)
	}
	for _, r := range s {
		if q.Type == QLongText && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return nil, "must not contain control characters"
		}
	}
	return mustJSON(s), ""
}

func (q *Question) checkMulti(raw json.RawMessage) (json.RawMessage, string) {
	msg := "must be a list of some of: " + strings.Join(q.Options, ", ")
	var ss []string
	if json.Unmarshal(raw, &ss) != nil {
		return nil, msg
	}
	picked := make([]string, 0, len(ss))
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if !slices.Contains(q.Options, s) {
			return nil, msg
		}
		if !slices.Contains(picked, s) {
			picked = append(picked, s)
		}
	}
	// In the order of the options, whatever order they were ticked in.
	slices.SortFunc(picked, func(a, b string) int { return slices.Index(q.Options, a) - slices.Index(q.Options, b) })
	return mustJSON(picked), ""
}

// ukRingSize is a UK/AU ring size: a letter, a half size, or past Z.
var ukRingSize = regexp.MustCompile(`^(?:[A-Z](?:½| ?1/2)?|Z\+[1-9])$`)

func (q *Question) checkNumber(raw json.RawMessage) (json.RawMessage, string) {
	if len(q.Units) == 0 {
		n, msg := q.number(raw)
		if msg != "" {
			return nil, msg
		}
		return n, ""
	}
	var ua UnitAnswer
	if json.Unmarshal(raw, &ua) != nil || len(ua.Value) == 0 {
		return nil, fmt.Sprintf(`must be {"value": a number, "unit": one of %s}`, strings.Join(q.Units, ", "))
	}
	if !slices.Contains(q.Units, ua.Unit) {
		return nil, "unit must be one of " + strings.Join(q.Units, ", ")
	}
	if ua.Unit == "UK/AU" {
		// UK and Australian ring sizes are letters.
		var s string
		if json.Unmarshal(ua.Value, &s) == nil {
			s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " 1/2", "½"))
			s = strings.ReplaceAll(s, "1/2", "½")
			if !ukRingSize.MatchString(s) {
				return nil, "a UK/AU ring size is a letter from A to Z, with ½ for a half size (such as N or N½)"
			}
			return mustJSON(UnitAnswer{Value: mustJSON(s), Unit: ua.Unit}), ""
		}
	}
	n, msg := q.number(ua.Value)
	if msg != "" {
		return nil, msg
	}
	return mustJSON(UnitAnswer{Value: n, Unit: ua.Unit}), ""
}

// number reads a number (a JSON number, or a string holding one) within
// the question's bounds.
func (q *Question) number(raw json.RawMessage) (json.RawMessage, string) {
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "must be a number"
		}
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, ",", ".")), 64); err != nil {
			return nil, "must be a number"
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, "must be a number"
	}
	if q.Min != nil && f < *q.Min {
		return nil, "must be at least " + FormatNumber(*q.Min)
	}
	if q.Max != nil && f > *q.Max {
		return nil, "must be at most " + FormatNumber(*q.Max)
	}
	return json.RawMessage(FormatNumber(f)), ""
}

// FormatNumber writes f as briefly as it reads exactly ("6.5", "20").
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only strings, bools and lists of them
	}
	return b
}

// AnswerText is answer raw to q as words for staff ("Yes", "6.5 US",
// "Gold, Platinum"); "" when raw is empty or unreadable.
func (q *Question) AnswerText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch q.Type {
	case QYesNo:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return ""
		}
		if b {
			return "Yes"
		}
		return "No"
	case QMultiChoice:
		var ss []string
		if json.Unmarshal(raw, &ss) != nil {
			return ""
		}
		return strings.Join(ss, ", ")
	case QNumber:
		if len(q.Units) > 0 {
			var ua UnitAnswer
			if json.Unmarshal(raw, &ua) != nil {
				return ""
			}
			return strings.TrimSpace(scalarText(ua.Value) + " " + ua.Unit)
		}
		return strings.TrimSpace(scalarText(raw) + " " + q.Unit)
	}
	return scalarText(raw)
}

// scalarText is a JSON string's text or a number as written.
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// QuestionsJSON is qs as the stores keep it: a JSON list, "[]" for none.
func QuestionsJSON(qs []Question) (string, error) {
	if len(qs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(qs)
	return string(b), err
}

// AnswersJSON is a as the stores keep it: a JSON object, "{}" for none.
func AnswersJSON(a Answers) (string, error) {
	if len(a) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(a)
	return string(b), err
}

// ParseAnswers reads answers as the stores keep them (nil for none).
func ParseAnswers(s string) (Answers, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var a Answers
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return a, nil
}

// ParseQuestions reads questions as the stores keep them (nil for none).
func ParseQuestions(s string) ([]Question, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var qs []Question
	if err := json.Unmarshal([]byte(s), &qs); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	return qs, nil
}
