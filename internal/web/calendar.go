package web

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// calendarQuery is what a month calendar shows and where its links lead.
type calendarQuery struct {
	Lang          *i18n.Lang // the page's language
	Service, Mode string
	Artisan       string // "" for any artisan
	Moving        string // the booking being moved, whose own time does not block
	Loc           *time.Location
	TZ            string
	// Month ("2026-12") and Date ("2026-12-08") as asked for; either may
	// be empty or invalid, and both are clamped to the bookable range.
	Month, Date string
	DayURL      func(d booking.Date) string
	MonthURL    func(d booking.Date) string // d is the first of the month
	SlotURL     func(start time.Time) string
}

// calendarView is a month of bookable days and, when a day is chosen, its
// free times.
type calendarView struct {
	MonthLabel        string
	PrevURL, NextURL  string
	Weekdays          []weekday
	Weeks             [][]dayCell
	FreeDays          int
	Day               *dayView  // the chosen day, if any
	NextFree          *nextFree // when the month has no free day
	TZ, TZLabel       string
	AtelierCity       string
	ShowAtelierTime   bool
	HorizonLabel      string
	HorizonReachedEnd bool
}

type weekday struct{ Short, Long string }

// dayCell is one square of the month grid.
type dayCell struct {
	Day                     int
	InMonth, Free, Selected bool
	Today                   bool
	Slots                   int
	URL, Label, Closed      string
}

// dayView is a chosen day and its free times.
type dayView struct {
	Label     string
	Slots     []slotCell
	Closed    string // the closure's reason when the atelier is closed
	NextFree  *nextFree
	DateValue string
}

// slotCell is one free time: in the customer's zone and, for a visit in
// another zone, the atelier's local time beside it.
type slotCell struct {
	Time, AtelierTime, URL, Label string
}

// nextFree points to the next day with a free time.
type nextFree struct{ Label, URL string }

var weekdays = []weekday{
	{"Mon", "Monday"}, {"Tue", "Tuesday"}, {"Wed", "Wednesday"}, {"Thu", "Thursday"},
	{"Fri", "Friday"}, {"Sat", "Saturday"}, {"Sun", "Sunday"},
}

// weekdaysIn are the days of the week, Monday first, in l.
func weekdaysIn(l *i18n.Lang) []weekday {
	out := make([]weekday, 7)
	for i := range out {
		wd := time.Weekday((i + 1) % 7)
		out[i] = weekday{Short: l.T("weekday.short." + booking.DayKeys[wd]), Long: l.Weekday(wd)}
	}
	return out
}

// parseMonth parses "2026-12" to the first of the month.
func parseMonth(s string) (booking.Date, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return booking.Date{}, false
	}
	return booking.DateOf(t), true
}

// firstOfMonth returns the first day of d's month.
func firstOfMonth(d booking.Date) booking.Date {
	return booking.Date{Year: d.Year, Month: d.Month, Day: 1}
}

// lastOfMonth returns the last day of d's month.
func lastOfMonth(d booking.Date) booking.Date {
	return firstOfMonth(firstOfMonth(d).AddDays(32)).AddDays(-1)
}

// monthIndex counts months, for comparing and clamping.
func monthIndex(d booking.Date) int { return d.Year*12 + int(d.Month) - 1 }

// calendar builds the month view of q for the atelier at.
func (s *Server) calendar(ctx context.Context, at *booking.Atelier, atLoc *time.Location, q calendarQuery) (*calendarView, error) {
	now := s.app.Now().In(q.Loc)
	today := booking.DateOf(now)
	last := today.AddDays(at.Rules.HorizonDays)

	month := firstOfMonth(today)
	var chosen booking.Date
	if d, err := booking.ParseDate(q.Date); err == nil {
		chosen, month = d, firstOfMonth(d)
	} else if m, ok := parseMonth(q.Month); ok {
		month = m
	}
	if monthIndex(month) < monthIndex(today) {
		month, chosen = firstOfMonth(today), booking.Date{}
	}
	if monthIndex(month) > monthIndex(last) {
		month, chosen = firstOfMonth(last), booking.Date{}
	}
	end := lastOfMonth(month)

	av, err := s.app.Availability(ctx, app.AvailabilityQuery{
		Service: q.Service, Mode: q.Mode, Artisan: q.Artisan, From: month, To: end, Timezone: q.TZ, Moving: q.Moving,
	})
	if err != nil {
		return nil, err
	}
	byDay := map[booking.Date][]availability.Slot{}
	for _, sl := range slotsIn(av) {
		d := booking.DateOf(sl.Start.In(q.Loc))
		byDay[d] = append(byDay[d], sl)
	}

	v := &calendarView{
		MonthLabel:      fmtMonth(q.Lang, month),
		Weekdays:        weekdaysIn(q.Lang),
		TZ:              q.TZ,
		TZLabel:         zoneLabel(q.TZ),
		AtelierCity:     cityOf(q.Lang, at.Timezone),
		ShowAtelierTime: q.Mode == string(booking.InPerson) && !sameOffsets(q.Loc, atLoc, now),
		HorizonLabel:    fmtDate(q.Lang, last.In(q.Loc)),
	}
	if monthIndex(month) > monthIndex(today) {
		v.PrevURL = q.MonthURL(firstOfMonth(month.AddDays(-1)))
	}
	if monthIndex(month) < monthIndex(last) {
		v.NextURL = q.MonthURL(end.AddDays(1))
	}

	// The grid starts on the Monday on or before the first of the month.
	start := month.AddDays(-((int(month.Weekday()) + 6) % 7))
	for d := start; !d.After(end) || d.Weekday() != time.Monday; d = d.AddDays(1) {
		if d.Weekday() == time.Monday {
			v.Weeks = append(v.Weeks, nil)
		}
		c := dayCell{Day: d.Day, InMonth: d.Month == month.Month, Today: d == today, Selected: d == chosen}
		if c.InMonth {
			c.Slots = len(byDay[d])
			c.Closed = closureOn(q.Lang, at, d)
			c.Free = c.Slots > 0
			c.Label = dayLabel(q.Lang, d, q.Loc, c.Slots, c.Closed)
			if c.Free {
				c.URL = q.DayURL(d)
				v.FreeDays++
			}
		}
		v.Weeks[len(v.Weeks)-1] = append(v.Weeks[len(v.Weeks)-1], c)
	}

	if v.FreeDays == 0 {
		nf, err := s.nextFree(ctx, q, end.AddDays(1), last)
		if err != nil {
			return nil, err
		}
		v.NextFree = nf
	}
	if !chosen.IsZero() {
		dv := &dayView{Label: fmtDate(q.Lang, chosen.In(q.Loc)), Closed: closureOn(q.Lang, at, chosen), DateValue: chosen.String()}
		for _, sl := range byDay[chosen] {
			dv.Slots = append(dv.Slots, s.slotCell(sl, q, atLoc, v.ShowAtelierTime, v.AtelierCity))
		}
		if len(dv.Slots) == 0 {
			// The next free day after the chosen one: this month first.
			for d := chosen.AddDays(1); !d.After(end); d = d.AddDays(1) {
				if len(byDay[d]) > 0 {
					dv.NextFree = &nextFree{Label: fmtDate(q.Lang, d.In(q.Loc)), URL: q.DayURL(d)}
					break
				}
			}
			if dv.NextFree == nil {
				if dv.NextFree, err = s.nextFree(ctx, q, end.AddDays(1), last); err != nil {
					return nil, err
				}
			}
		}
		v.Day = dv
	}
	return v, nil
}

// nextFree finds the first day from from to last (inclusive) with a free
// time, querying at most app.MaxAvailabilityDays at a time.
func (s *Server) nextFree(ctx context.Context, q calendarQuery, from, last booking.Date) (*nextFree, error) {
	for !from.After(last) {
		to := from.AddDays(app.MaxAvailabilityDays - 1)
		if to.After(last) {
			to = last
		}
		av, err := s.app.Availability(ctx, app.AvailabilityQuery{
			Service: q.Service, Mode: q.Mode, Artisan: q.Artisan, From: from, To: to, Timezone: q.TZ, Moving: q.Moving,
		})
		if err != nil {
			return nil, err
		}
		if len(av.Slots) > 0 {
			d := booking.DateOf(av.Slots[0].Start.In(q.Loc))
			return &nextFree{Label: fmtDate(q.Lang, d.In(q.Loc)), URL: q.DayURL(d)}, nil
		}
		from = to.AddDays(1)
	}
	return nil, nil
}

func (s *Server) slotCell(sl availability.Slot, q calendarQuery, atLoc *time.Location, showAtelier bool, city string) slotCell {
	local := sl.Start.In(q.Loc)
	l := q.Lang
	c := slotCell{Time: fmtSlotTime(l, local), URL: q.SlotURL(sl.Start)}
	c.Label = c.Time
	if showAtelier {
		there := sl.Start.In(atLoc)
		at := fmtSlotTime(l, there)
		if booking.DateOf(there) != booking.DateOf(local) {
			at = l.T("weekday.short."+booking.DayKeys[there.Weekday()]) + " " + at
		}
		c.AtelierTime = l.T("calendar.time_in", "Time", at, "City", city)
		c.Label = l.T("calendar.slot_label", "Time", c.Time, "There", c.AtelierTime)
	}
	return c
}

// slotsIn returns the slots of av with their times in the zone asked for,
// as the pages show them and write them into links and forms.
func slotsIn(av *app.Availability) []availability.Slot {
	out := make([]availability.Slot, len(av.Slots))
	for i, sl := range av.Slots {
		out[i] = availability.Slot{Start: sl.Start.In(av.Zone), End: sl.End.In(av.Zone), Artisans: sl.Artisans}
	}
	return out
}

// closureOn returns the reason the atelier is closed on d, or "".
func closureOn(l *i18n.Lang, at *booking.Atelier, d booking.Date) string {
	for _, c := range at.Closures {
		if !d.Before(c.From) && !d.After(c.To) {
			if c.Reason == "" {
				return l.T("calendar.closed")
			}
			return c.Reason
		}
	}
	return ""
}

// dayLabel is the accessible name of a day in the grid.
func dayLabel(l *i18n.Lang, d booking.Date, loc *time.Location, slots int, closed string) string {
	day := l.DateNoYear(d.In(loc))
	switch {
	case slots > 0:
		return l.N("calendar.day_free", slots, "Day", day)
	case closed != "":
		return l.T("calendar.day_closed", "Day", day, "Reason", closed)
	}
	return l.T("calendar.day_none", "Day", day)
}

// sameOffsets reports whether two zones have the same UTC offset at t, in
// which case showing the atelier's time beside the customer's adds nothing.
func sameOffsets(a, b *time.Location, t time.Time) bool {
	_, oa := t.In(a).Zone()
	_, ob := t.In(b).Zone()
	return oa == ob
}
