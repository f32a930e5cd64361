package web

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/config"
)

// The service page's intake editor and booking policy: each question of
// the intake form as a row of plain fields (no script needed), one empty
// row to add a question, and the service's own change cutoff and limit on
// moves (empty: the atelier's). The app checks them as it checks the API's
// (config.ServiceQuestions), and an error is shown on its row.

// intakeForm is the intake and policy part of the service form.
type intakeForm struct {
	Rows []questionRow
	// Cutoff and MaxReschedules are the service's own values as typed
	// ("" for the atelier's, which AtelierCutoff and AtelierMax say).
	Cutoff, MaxReschedules    string
	AtelierCutoff, AtelierMax string
	Errors                    map[string]string // "change_cutoff_hours", "max_reschedules", "questions"
	sent                      []int             // the row of each question sent (readIntake)
}

// questionRow is one question of the editor; its fields are named
// q<N>-<field>.
type questionRow struct {
	N                                    int
	ID, Label, Type, Help, Options, Unit string
	Min, Max, Order                      string
	Required, RingSizes, Blank           bool
	Types                                []option
	Errors                               []string
}

// Name is the form name of the row's field f.
func (q questionRow) Name(f string) string { return "q" + strconv.Itoa(q.N) + "-" + f }

// questionTypeLabels name the question types in the editor.
var questionTypeLabels = []struct {
	Type  booking.QuestionType
	Label string
}{
	{booking.QText, "Short text"}, {booking.QLongText, "Long text"}, {booking.QChoice, "One choice"},
	{booking.QMultiChoice, "Several choices"}, {booking.QYesNo, "Yes or no"}, {booking.QNumber, "Number"},
	{booking.QDate, "Date"}, {booking.QPhotos, "Photos"},
}

func typeOptions(t string) []option {
	out := make([]option, len(questionTypeLabels))
	for i, l := range questionTypeLabels {
		out[i] = option{Value: string(l.Type), Label: l.Label, Selected: string(l.Type) == t}
	}
	return out
}

// newIntakeForm is the editor of sv's intake and policy (sv nil: a new
// service) under the atelier's rules.
func newIntakeForm(sv *booking.ServiceItem, rules booking.Rules) *intakeForm {
	f := &intakeForm{AtelierCutoff: cutoffWords(rules.ChangeCutoff), AtelierMax: movesWords(rules.MaxReschedules)}
	if sv != nil {
		if sv.ChangeCutoff != nil {
			f.Cutoff = strconv.Itoa(int(*sv.ChangeCutoff / time.Hour))
		}
		if sv.MaxReschedules != nil {
			f.MaxReschedules = strconv.Itoa(*sv.MaxReschedules)
		}
		for i, q := range sv.Questions {
			f.Rows = append(f.Rows, rowOf(i+1, q))
		}
	}
	f.Rows = append(f.Rows, blankRow(len(f.Rows)+1))
	return f
}

// cutoffWords is the atelier's change cutoff as the editor's hint says it.
func cutoffWords(d time.Duration) string {
	if d <= 0 {
		return "until the appointment starts"
	}
	return booking.HoursWords(d) + " before"
}

// movesWords is the atelier's limit on a customer's moves.
func movesWords(n int) string {
	if n == 0 {
		return "no limit"
	}
	return "at most " + booking.Times(n)
}

func blankRow(n int) questionRow {
	return questionRow{N: n, Blank: true, Type: string(booking.QText), Types: typeOptions(string(booking.QText)), Order: strconv.Itoa(n)}
}

// rowOf is question q as row n.
func rowOf(n int, q booking.Question) questionRow {
	r := questionRow{N: n, ID: q.ID, Label: q.Label, Type: string(q.Type), Help: q.Help, Required: q.Required,
		Options: strings.Join(q.Options, "\n"), Unit: q.Unit, Order: strconv.Itoa(n), Types: typeOptions(string(q.Type))}
	units := q.Units
	if i := indexOfRingSizes(units); i >= 0 {
		r.RingSizes = true
		units = slices.Delete(slices.Clone(units), i, i+len(booking.RingSizeUnits))
	}
	if len(units) > 0 {
		r.Unit = strings.Join(units, ", ")
	}
	if q.Min != nil {
		r.Min = strconv.FormatFloat(*q.Min, 'f', -1, 64)
	}
	if q.Max != nil {
		r.Max = strconv.FormatFloat(*q.Max, 'f', -1, 64)
	}
	return r
}

// indexOfRingSizes is where the ring-size systems start in units, or -1.
func indexOfRingSizes(units []string) int {
	for i := 0; i+len(booking.RingSizeUnits) <= len(units); i++ {
		if slices.Equal(units[i:i+len(booking.RingSizeUnits)], booking.RingSizeUnits) {
			return i
		}
	}
	return -1
}

// maxQuestionRows bounds the rows read from a posted form.
const maxQuestionRows = 60

// readIntake reads the editor from the posted form into req, and f as
// typed. A row marked for removal, or left empty, is not sent; the others
// are sent in the order asked (then as listed). f.sent[i] is the row of
// the i-th question sent, to place the app's errors.
func readIntake(form url.Values, f *intakeForm, req *app.ServiceRequest) {
	if form.Get("intake") == "" {
		return // a form without the editor leaves the questions and policy as they are
	}
	f.Cutoff, f.MaxReschedules = strings.TrimSpace(form.Get("change_cutoff_hours")), strings.TrimSpace(form.Get("max_reschedules"))
	req.ChangeCutoffHours = policyValue(f.Cutoff, "change_cutoff_hours", "must be a whole number of hours, such as 48", req.Unread)
	req.MaxReschedules = policyValue(f.MaxReschedules, "max_reschedules", "must be a whole number, such as 3", req.Unread)
	f.Rows = nil
	for n := 1; n <= maxQuestionRows; n++ {
		key := "q" + strconv.Itoa(n) + "-"
		if _, ok := form[key+"label"]; !ok {
			continue
		}
		r := questionRow{N: n, ID: strings.TrimSpace(form.Get(key + "id")), Label: strings.TrimSpace(form.Get(key + "label")),
			Type: form.Get(key + "type"), Help: strings.TrimSpace(form.Get(key + "help")), Options: strings.TrimSpace(form.Get(key + "options")),
			Unit: strings.TrimSpace(form.Get(key + "unit")), Min: strings.TrimSpace(form.Get(key + "min")), Max: strings.TrimSpace(form.Get(key + "max")),
			Order: strings.TrimSpace(form.Get(key + "order")), Required: form.Get(key+"required") != "", RingSizes: form.Get(key+"ring_sizes") != "",
			Blank: form.Get(key+"blank") != ""}
		r.Types = typeOptions(r.Type)
		if form.Get(key+"remove") != "" || (r.Blank && r.ID == "" && r.Label == "") {
			continue
		}
		f.Rows = append(f.Rows, r)
	}
	slices.SortStableFunc(f.Rows, func(a, b questionRow) int { return cmp.Compare(orderOf(a), orderOf(b)) })
	req.Questions = []config.Question{}
	for i := range f.Rows {
		r := &f.Rows[i]
		r.Blank = false
		q, ok := r.question()
		if !ok {
			req.Unread.Add(fmt.Sprintf("questions[%d]", len(req.Questions)), "min and max must be numbers")
		}
		req.Questions = append(req.Questions, q)
		f.sent = append(f.sent, i)
	}
	for i := range f.Rows {
		f.Rows[i].N, f.Rows[i].Order = i+1, strconv.Itoa(i+1)
	}
	f.Rows = append(f.Rows, blankRow(len(f.Rows)+1))
}

func orderOf(r questionRow) float64 {
	if v, err := strconv.ParseFloat(r.Order, 64); err == nil {
		return v
	}
	return float64(r.N)
}

// policyValue is an override as typed: "" for the atelier's.
func policyValue(s, field, msg string, unread booking.FieldErrors) app.PolicyOverride {
	if s == "" {
		return app.PolicyOverride{Set: true}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		unread.Add(field, msg)
		return app.PolicyOverride{}
	}
	return app.PolicyOverride{Set: true, V: &n}
}

// question is the row as the app takes it; ok is false when min or max
// is not a number.
func (r questionRow) question() (config.Question, bool) {
	q := config.Question{ID: r.ID, Label: r.Label, Type: r.Type, Required: r.Required, Help: r.Help}
	if q.ID == "" {
		q.ID = app.Slug(r.Label)
	}
	for _, o := range strings.Split(r.Options, "\n") {
		if o = strings.TrimSpace(o); o != "" {
			q.Options = append(q.Options, o)
		}
	}
	if r.Type != string(booking.QNumber) {
		return q, true
	}
	if r.RingSizes {
		q.Units = append(q.Units, "ring_size")
	}
	if units := splitUnits(r.Unit); len(units) > 1 || (len(units) == 1 && r.RingSizes) {
		q.Units = append(q.Units, units...)
	} else if len(units) == 1 {
		q.Unit = units[0]
	}
	ok := true
	for _, b := range []struct {
		s   string
		dst **float64
	}{{r.Min, &q.Min}, {r.Max, &q.Max}} {
		if b.s == "" {
			continue
		}
		v, err := strconv.ParseFloat(b.s, 64)
		if err != nil {
			ok = false
			continue
		}
		*b.dst = &v
	}
	return q, ok
}

func splitUnits(s string) []string {
	var out []string
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

var questionErrKey = regexp.MustCompile(`^questions\[(\d+)\](?:\.(.*))?$`)

// placeIntakeErrors puts the app's errors on the questions sent on their
// rows, and the policy's in f.Errors.
func placeIntakeErrors(errs map[string]string, f *intakeForm) {
	sent := f.sent
	f.Errors = map[string]string{}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		msg := errs[k]
		switch m := questionErrKey.FindStringSubmatch(k); {
		case m != nil:
			i, _ := strconv.Atoi(m[1])
			if i >= len(sent) {
				f.Errors["questions"] = msg
				continue
			}
			what := "This question"
			if m[2] != "" {
				what = "Its " + strings.ReplaceAll(m[2], "_", " ")
			}
			r := &f.Rows[sent[i]]
			r.Errors = append(r.Errors, what+" "+msg+".")
		case k == "questions" || k == "change_cutoff_hours" || k == "max_reschedules":
			f.Errors[k] = msg
		}
	}
}
