package booking

import (
	"slices"
)

// DateHours are the hours of one local date that replace the weekly hours
// on that date: the atelier's opening hours (ArtisanID "") or an artisan's
// working hours. No spans closes the date ("closed on 24 December"); spans
// on a day the week keeps closed open it ("open on Sunday 13 December for
// an event"). A closure still closes the date whatever its hours.
type DateHours struct {
	ID        string `json:"id"`
	Date      Date   `json:"date"`
	ArtisanID string `json:"artisan,omitempty"`
	Hours     []Span `json:"hours"`
	Source    string `json:"source"` // "config" (from the file) or "staff"
}

// hoursOn returns the spans of date d: those of d's entry in dates when
// there is one (special reports it), else the week's for its weekday.
func hoursOn(week WeekHours, dates []DateHours, d Date) (spans []Span, special bool) {
	for i := range dates {
		if dates[i].Date == d {
			return dates[i].Hours, true
		}
	}
	return week.On(d.Weekday()), false
}

// HoursOn returns the atelier's opening hours on local date d (closures
// aside) and whether they were set for that date.
func (a *Atelier) HoursOn(d Date) ([]Span, bool) { return hoursOn(a.Hours, a.DateHours, d) }

// HoursOn returns the artisan's working hours on local date d and whether
// they were set for that date.
func (a *Artisan) HoursOn(d Date) ([]Span, bool) { return hoursOn(a.Hours, a.DateHours, d) }

// CloneDateHours returns a copy of dates that shares no spans with it.
func CloneDateHours(dates []DateHours) []DateHours {
	if dates == nil {
		return nil
	}
	out := slices.Clone(dates)
	for i := range out {
		out[i].Hours = slices.Clone(out[i].Hours)
	}
	return out
}
