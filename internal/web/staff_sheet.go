package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The day sheet (/staff/calendar/sheet?date[&artisan]): one printable
// page per artisan of the day's appointments, with what the artisan needs
// at the bench: who, when, what for, where, the customer's and the staff's
// notes and what the customer was asked to bring. It is an ordinary page on
// screen; printed (staff.css, @media print), each artisan starts a new
// sheet of paper and the site's header, navigation and footer are left off.

// sheetData is the day sheet.
type sheetData struct {
	DateLabel, Date  string
	PrevURL, NextURL string
	CalendarURL      string
	Artisans         []sheetArtisan
	Zone             string
	Printed          string // when the sheet was made, for the paper copy
	Filter           string
	Choices          []artisanKey
}

// sheetArtisan is one artisan's sheet.
type sheetArtisan struct {
	Name, Hours string
	Away        []string
	Items       []sheetItem
}

// sheetItem is an appointment on the sheet.
type sheetItem struct {
	// Booking is the whole booking as staff see it, for what a later
	// part of the sheet shows (partials/sheet_intake.html).
	Booking                   app.StaffBooking
	Time, Held, Service, Mode string
	Customer, Email, Phone    string
	Where, MeetingURL         string
	Notes, StaffNotes, Bring  string
	Status                    string // shown when not simply confirmed
	Reference                 string
	Outside                   string
	// Answers are the customer's answers to the service's questions
	// (intake.go), shown by partials/sheet_intake.html.
	Answers []answerRow
}

func (s *Server) handleDaySheet(w http.ResponseWriter, r *http.Request) error {
	staffLang := s.langs.Staff()
	ctx, u, q := r.Context(), staffUser(r), r.URL.Query()
	c, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	now := s.app.Now()
	day := booking.DateOf(now.In(c.Loc))
	if d, err := booking.ParseDate(q.Get("date")); err == nil {
		day = d
	}
	filter, ok := u.Scope(strings.TrimSpace(q.Get("artisan")))
	if !ok || (filter != "" && c.artisan(filter) == nil) {
		filter, _ = u.Scope("")
	}
	cal, err := s.staff.app.StaffCalendar(ctx, u, app.DateRange{From: day, To: day}, filter)
	if err != nil {
		return err
	}
	link := func(d booking.Date) string {
		v := url.Values{"date": {d.String()}}
		if filter != "" && u.IsAdmin() {
			v.Set("artisan", filter)
		}
		return "/staff/calendar/sheet?" + v.Encode()
	}
	d := &sheetData{
		DateLabel: fmtDate(staffLang, day.In(c.Loc)), Date: day.String(), PrevURL: link(day.AddDays(-1)), NextURL: link(day.AddDays(1)),
		CalendarURL: "/staff/calendar?view=day&date=" + day.String(), Zone: zoneLabel(c.Atelier.Timezone),
		Printed: fmtShortDate(staffLang, now.In(c.Loc)) + ", " + fmtTime(staffLang, now.In(c.Loc)), Filter: filter,
	}
	for _, a := range c.Artisans {
		if u.MayManage(a.ID) {
			d.Choices = append(d.Choices, artisanKey{ID: a.ID, Name: a.Name, Selected: a.ID == filter})
		}
	}
	for _, a := range cal.Artisans {
		d.Artisans = append(d.Artisans, s.sheetFor(c, cal, &a, day))
	}
	return s.show(w, r, "staff_sheet", s.staffPage(r, "Day sheet, "+d.DateLabel, "calendar", d))
}

// sheetFor is artisan a's sheet of day.
func (s *Server) sheetFor(c *catalogue, cal *app.Calendar, a *booking.Artisan, day booking.Date) sheetArtisan {
	staffLang := s.langs.Staff()
	sa := sheetArtisan{Name: a.Name, Hours: "Not working"}
	if spans := workingOn(a, day); len(spans) > 0 {
		var parts []string
		for _, sp := range spans {
			parts = append(parts, clockLabel(staffLang, sp.Start)+" – "+clockLabel(staffLang, sp.End))
		}
		sa.Hours = "Working " + strings.Join(parts, ", ")
	}
	dayStart, dayEnd := day.In(c.Loc), day.AddDays(1).In(c.Loc)
	for _, t := range a.TimeOff {
		if booking.Overlaps(t.Start, t.End, dayStart, dayEnd) {
			sa.Away = append(sa.Away, awayLabel(t, day, c.Loc))
		}
	}
	for _, b := range cal.Bookings {
		if b.ArtisanID != a.ID || !onGrid(b.Status) || booking.DateOf(b.Start.In(c.Loc)) != day {
			continue
		}
		sa.Items = append(sa.Items, s.sheetItemOf(c, b))
	}
	return sa
}

func (s *Server) sheetItemOf(c *catalogue, b app.CalendarBooking) sheetItem {
	staffLang := s.langs.Staff()
	start, end := b.Start.In(c.Loc), b.End.In(c.Loc)
	it := sheetItem{
		Booking: b.StaffBooking, Time: fmtTime(staffLang, start) + " – " + fmtTime(staffLang, end),
		Service: b.ServiceName, Mode: modeLabel(staffLang, b.Mode), Customer: customerName(&b.Booking.Booking), Email: b.Customer.Email, Phone: b.Customer.Phone,
		Notes: b.Notes, StaffNotes: b.StaffNotes, Bring: s.advice.For(b.ServiceID, b.Mode, staffLang),
		Reference: strings.ToUpper(b.ID), Outside: b.Outside,
		Answers: answerRows(c.service(b.ServiceID), b.Answers),
	}
	if b.Status != booking.Confirmed {
		it.Status = statusLabel(b.Status)
	}
	if before := b.Start.Sub(b.BlockStart); before > 0 {
		it.Held = "Ready by " + fmtTime(staffLang, b.BlockStart.In(c.Loc)) + " (" + fmtDuration(staffLang, int(before/time.Minute)) + " to prepare)"
	}
	if b.Mode == booking.InPerson {
		it.Where = roomName(c, b.RoomID)
		if it.Where == "" {
			it.Where = "At the atelier"
		}
	} else {
		it.Where, it.MeetingURL = "Video call", b.MeetingURL
	}
	return it
}

// awayLabel words time off t as seen on date day: its times alone when it
// lies within the day, else its whole span; then its reason.
func awayLabel(t booking.TimeOff, day booking.Date, loc *time.Location) string {
	staffLang := i18n.English()
	a, b := t.Start.In(loc), t.End.In(loc)
	w := "Away " + whenSpan(a, b)
	if booking.DateOf(a) == day && (booking.DateOf(b) == day || b.Equal(day.AddDays(1).In(loc))) {
		w = "Away " + fmtTime(staffLang, a) + " – " + fmtTime(staffLang, b)
	}
	if t.Reason != "" {
		w += ": " + t.Reason
	}
	return w
}
