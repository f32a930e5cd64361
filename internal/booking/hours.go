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

// WeekHoursFromMap builds WeekHours from day keys and validates each day.
// Errors are keyed by day ("mon", "mon[1]").
func WeekHoursFromMap(m map[string][]Span) (WeekHours, FieldErrors) {
	var w WeekHours
	errs := FieldErrors{}
	for key, spans := range m {
		d := dayIndex(key)
		if d < 0 {
			errs.Add(key, "unknown day (use sun, mon, tue, wed, thu, fri, sat)")
			continue
		}
		w[d] = append([]Span(nil), spans...)
	}
	for d := range w {
		for i, s := range w[d] {
			if s.End <= s.Start {
				errs.Add(fmt.Sprintf("%s[%d]", DayKeys[d], i), fmt.Sprintf("%s ends before it starts", s))
			}
			if s.End > 24*60 {
				errs.Add(fmt.Sprintf("%s[%d]", DayKeys[d], i), "times must be within the day")
			}
		}
		sort.Slice(w[d], func(i, j int) bool { return w[d][i].Start < w[d][j].Start })
		for i := 1; i < len(w[d]); i++ {
			if w[d][i].Start < w[d][i-1].End {
				errs.Add(fmt.Sprintf("%s[%d]", DayKeys[d], i), fmt.Sprintf("%s overlaps %s", w[d][i], w[d][i-1]))
			}
		}
	}
	return w, errs
}

func dayIndex(key string) int {
	key = strings.ToLower(key)
	for i, k := range DayKeys {
		if k == key {
			return i
		}
	}
	return -1
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
