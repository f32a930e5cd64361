package booking

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Clock is a wall-clock time of day in minutes since local midnight,
// 0 ("00:00") to 1440 ("24:00", only as the end of a span).
type Clock int

// ParseClock parses "HH:MM" (24-hour); "24:00" is accepted.
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	var h, m int
	for i, c := range s {
		if i == 2 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return Clock(h*60 + m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Span is a half-open range of wall-clock times [Start, End) within one day.
type Span struct {
	Start, End Clock
}

func (s Span) String() string { return s.Start.String() + "-" + s.End.String() }

// MarshalJSON encodes a span as ["10:00","19:00"].
func (s Span) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{s.Start.String(), s.End.String()})
}

// UnmarshalJSON decodes ["10:00","19:00"].
func (s *Span) UnmarshalJSON(b []byte) error {
	var pair []string
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("a span is a pair of times like [\"10:00\",\"19:00\"]")
	}
	start, err := ParseClock(pair[0])
	if err != nil {
		return err
	}
	end, err := ParseClock(pair[1])
	if err != nil {
		return err
	}
	*s = Span{Start: start, End: end}
	return nil
}

// WeekHours holds the open spans for each weekday, indexed by time.Weekday.
// A day with no spans is closed.
type WeekHours [7][]Span

// DayKeys are the JSON keys of WeekHours in time.Weekday order.
var DayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// MarshalJSON encodes {"mon": [["10:00","19:00"]], ...}; closed days are omitted.
func (w WeekHours) MarshalJSON() ([]byte, error) {
	m := make(map[string][]Span, 7)
	for d, spans := range w {
		if len(spans) > 0 {
			m[DayKeys[d]] = spans
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON decodes the object form and validates it.
func (w *WeekHours) UnmarshalJSON(b []byte) error {
	var m map[string][]Span
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	h, errs := WeekHoursFromMap(m)
	if len(errs) > 0 {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("%s: %s", keys[0], errs[keys[0]])
	}
	*w = h
	return nil
}

// WeekHoursFromMap builds WeekHours from day keys (in any case) and
// validates each day by the one rule of CheckDay. Errors are keyed by day
// ("mon", "mon[1]").
func WeekHoursFromMap(m map[string][]Span) (WeekHours, FieldErrors) {
	var w WeekHours
	errs := FieldErrors{}
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys) // a day given twice is named the same way each time
	var given [7]string
	for _, key := range keys {
		d, ok := ParseDay(key)
		switch {
		case !ok:
			errs.Add(key, UnknownDay(key))
			continue
		case given[d] != "":
			errs.Add(key, SameDay(key, given[d]))
			continue
		}
		given[d] = key
		spans, problems := CheckDay(DayKeys[d], m[key], nil)
		for _, p := range problems {
			errs.Add(p.Field, p.Message)
		}
		w[d] = spans
	}
	return w, errs
}

// ParseDay reads a day key of WeekHours ("mon", in any case).
func ParseDay(key string) (time.Weekday, bool) {
	key = strings.ToLower(key)
	for i, k := range DayKeys {
		if k == key {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// UnknownDay is the message for a day key that ParseDay refuses.
func UnknownDay(key string) string {
	return fmt.Sprintf("unknown day %q (use sun, mon, tue, wed, thu, fri, sat)", key)
}

// SameDay is the message for a day key given after another spelling of
// the same day ("Mon" after "mon").
func SameDay(key, first string) string {
	return fmt.Sprintf("%q is the same day as %q (give each day once)", key, first)
}

// SpanProblem is what is wrong with one span of a day.
type SpanProblem struct {
	Field   string // the day and the span's place as given: "mon[1]"
	Message string // `"18:00-10:00" ends before it starts`
}

// CheckDay is the one rule for the spans of a day of opening or working
// hours, wherever they come from (the configuration file, the API, the
// staff pages): a span must not be empty, must not end before it starts,
// must lie within the day and must not overlap another span of the day.
// It returns the good spans in order of their start (nil when there are
// none) and a problem for each wrong one, in the order given. Problems
// name a span by day and its place in the list as given: its index, or
// at[index] when at is not nil (a caller that left out spans it could not
// read keeps the places as written).
func CheckDay(day string, spans []Span, at []int) ([]Span, []SpanProblem) {
	place := func(i int) string {
		if at != nil {
			i = at[i]
		}
		return fmt.Sprintf("%s[%d]", day, i)
	}
	var problems []SpanProblem
	var good []Span
	var goodAt []int
	for i, s := range spans {
		msg := ""
		switch {
		case s.End == s.Start:
			msg = fmt.Sprintf("%q is empty", s.String())
		case s.End < s.Start:
			msg = fmt.Sprintf("%q ends before it starts", s.String())
		case s.Start < 0 || s.End > 24*60:
			msg = fmt.Sprintf("%q is not within the day", s.String())
		}
		if msg != "" {
			problems = append(problems, SpanProblem{place(i), msg})
			continue
		}
		for j, o := range good {
			if s.Start < o.End && o.Start < s.End {
				problems = append(problems, SpanProblem{place(i), fmt.Sprintf("%q overlaps %s (%s)", s.String(), place(goodAt[j]), o)})
			}
		}
		good = append(good, s)
		goodAt = append(goodAt, i)
	}
	sort.SliceStable(good, func(i, j int) bool { return good[i].Start < good[j].Start })
	return good, problems
}

// Clone returns a copy of w that shares no spans with it, for a caller
// that may change one without changing the other.
func (w WeekHours) Clone() WeekHours {
	for d := range w {
		w[d] = slices.Clone(w[d])
	}
	return w
}

// On returns the spans for weekday d.
func (w WeekHours) On(d time.Weekday) []Span { return w[d] }

// Contains reports whether [from, to) on weekday d lies inside one span.
func (w WeekHours) Contains(d time.Weekday, from, to Clock) bool {
	for _, s := range w[d] {
		if from >= s.Start && to <= s.End {
			return true
		}
	}
	return false
}
