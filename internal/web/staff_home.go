package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/i18n"
)

// The staff home (/staff): today at a glance. Each artisan's appointments
// of the day, then what needs someone: requests waiting for a decision,
// bookings a change left outside the rules, e-mails not getting through,
// Google Calendar sync that stopped, and (admins) failing backups. Each
// warning is shown only while there is something to say.

// staffHomeData is the home page.
type staffHomeData struct {
	TodayLabel, Zone      string
	CalendarURL, WeekURL  string
	SheetURL              string
	Artisans              []homeArtisan
	Total                 int
	Requests              []agendaItem // waiting for a decision, soonest first
	Outside               []agendaItem // left outside the rules, soonest first
	OutsideDays           int
	Mail                  *mailNotice
	Google                *googleNotice
	Backup                *backupNotice
	NothingNeedsAttention bool
}

// homeArtisan is an artisan's day.
type homeArtisan struct {
	ID, Name, Color, URL, SheetURL, DayURL string
	Items                                  []agendaItem
	Away                                   []string // time off touching today, in words
	Working                                bool     // has working hours today
}

func (s *Server) handleStaffHome(w http.ResponseWriter, r *http.Request) error {
	staffLang := s.langs.Staff()
	q := r.URL.Query()
	if q.Has("view") || q.Has("date") || q.Has("artisan") {
		// The calendar was at /staff before it had a page of its own:
		// old links and bookmarks lead to it.
		http.Redirect(w, r, "/staff/calendar?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	ctx, u := r.Context(), staffUser(r)
	c, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	now := s.app.Now()
	today := booking.DateOf(now.In(c.Loc))
	cal, err := s.staff.app.StaffCalendar(ctx, u, app.DateRange{From: today, To: today.AddDays(app.HomeDays - 1)}, "")
	if err != nil {
		return err
	}
	d := &staffHomeData{
		TodayLabel: fmtDate(staffLang, today.In(c.Loc)), Zone: zoneLabel(c.Atelier.Timezone), OutsideDays: app.HomeDays,
		CalendarURL: "/staff/calendar?view=day&date=" + today.String(), WeekURL: "/staff/calendar?view=week&date=" + today.String(),
		SheetURL: "/staff/calendar/sheet?date=" + today.String(),
	}
	s.homeDay(d, c, cal, today)
	for _, b := range cal.Bookings {
		if b.Outside != "" {
			d.Outside = append(d.Outside, s.homeItem(c, b))
		}
	}
	// Every request waiting, whatever its date, soonest expiry first.
	requests, err := s.staff.app.PendingRequests(ctx, u)
	if err != nil {
		return err
	}
	for _, b := range requests {
		d.Requests = append(d.Requests, s.homeItem(c, app.CalendarBooking{StaffBooking: b}))
	}
	if err := s.homeWarnings(ctx, d, u, c); err != nil {
		return err
	}
	d.NothingNeedsAttention = len(d.Requests) == 0 && len(d.Outside) == 0 && d.Mail == nil && d.Google == nil && d.Backup == nil
	return s.show(w, r, "staff_home", s.staffPage(r, "Today", "home", d))
}

// homeItem is a booking of the home's lists, with its date.
func (s *Server) homeItem(c *catalogue, b app.CalendarBooking) agendaItem {
	staffLang := s.langs.Staff()
	it := s.item(c, b.StaffBooking)
	it.Time = fmtShortDate(staffLang, b.Start.In(c.Loc)) + ", " + it.Time
	it.Outside = sentence(b.Outside)
	return it
}

// homeDay fills each artisan's appointments of today.
func (s *Server) homeDay(d *staffHomeData, c *catalogue, cal *app.Calendar, today booking.Date) {
	dayStart, dayEnd := today.In(c.Loc), today.AddDays(1).In(c.Loc)
	for _, a := range cal.Artisans {
		ha := homeArtisan{ID: a.ID, Name: a.Name, Color: colorOf(c, a.ID), URL: "/staff/artisans/" + url.PathEscape(a.ID),
			SheetURL: "/staff/calendar/sheet?" + url.Values{"date": {today.String()}, "artisan": {a.ID}}.Encode(),
			DayURL:   "/staff/calendar?" + url.Values{"view": {"day"}, "date": {today.String()}, "artisan": {a.ID}}.Encode()}
		ha.Working = len(workingOn(&a, today)) > 0
		for _, b := range cal.Bookings {
			if b.ArtisanID == a.ID && onGrid(b.Status) && booking.DateOf(b.Start.In(c.Loc)) == today {
				it := s.item(c, b.StaffBooking)
				it.Outside = b.Outside
				ha.Items = append(ha.Items, it)
			}
		}
		for _, t := range a.TimeOff {
			if booking.Overlaps(t.Start, t.End, dayStart, dayEnd) {
				ha.Away = append(ha.Away, awayLabel(t, today, c.Loc))
			}
		}
		d.Total += len(ha.Items)
		d.Artisans = append(d.Artisans, ha)
	}
}

// homeWarnings fills the warnings: e-mails, Google Calendar, backups.
func (s *Server) homeWarnings(ctx context.Context, d *staffHomeData, u *booking.User, c *catalogue) error {
	failing, err := s.staff.app.StaffFailingMessages(ctx, u)
	if err != nil {
		return err
	}
	d.Mail = newMailNotice(c, failing)
	d.Backup = s.backupNotice(u, c.Loc) // staff_ops.go
	d.Google, err = s.googleNotice(ctx, u, c)
	return err
}

// googleNotice is the home's warning of Google Calendar sync problems.
type googleNotice struct {
	Heading string
	Lines   []string
}

// googleNotice words the Google Calendar problems the account may see:
// artisans whose sync stopped or never started, and (admins) calendar
// writes being retried or given up; nil when sync is off or all is well.
func (s *Server) googleNotice(ctx context.Context, u *booking.User, c *catalogue) (*googleNotice, error) {
	st, err := s.staff.app.GoogleStatus(ctx)
	if err != nil || st == nil {
		return nil, err
	}
	n := &googleNotice{}
	for _, g := range st {
		if !u.MayManage(g.ArtisanID) {
			continue
		}
		name := c.artisanName(g.ArtisanID)
		switch g.State {
		case "disconnected", "error":
			line := "Sync has stopped for " + name + ": their bookings are not reaching their Google Calendar and their Google events do not block times."
			if g.LastError != "" {
				line += " Google said: " + strings.TrimRight(g.LastError, ". ") + "."
			}
			n.Lines = append(n.Lines, line)
		case "not_connected":
			n.Lines = append(n.Lines, name+"'s Google Calendar is not connected yet.")
		}
	}
	if u.IsAdmin() {
		h, err := s.staff.app.Health(ctx)
		if err != nil {
			return nil, err
		}
		if h.Calendar != nil && h.Calendar.Failing > 0 {
			n.Lines = append(n.Lines, plural(h.Calendar.Failing, "calendar update is", "calendar updates are")+
				" failing (retried, or given up in the last day); each booking's page shows its sync state.")
		}
	}
	if len(n.Lines) == 0 {
		return nil, nil
	}
	n.Heading = "Google Calendar needs attention"
	return n, nil
}

// mailNotice is the staff home's warning of failing e-mails, with links
// to the bookings they are about.
type mailNotice struct {
	Heading, Detail string
	Bookings        []mailNoticeItem
	More            int
}

// mailNoticeItem is a booking with failing e-mails.
type mailNoticeItem struct {
	URL, Customer, When, State string
}

// plural writes n with the singular or plural noun: "1 e-mail", "3 e-mails".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// newMailNotice words the failing messages for staff; nil when none.
func newMailNotice(c *catalogue, f *app.FailingMessages) *mailNotice {
	staffLang := i18n.English()
	if f == nil || f.Total() == 0 {
		return nil
	}
	n := &mailNotice{More: f.More}
	if f.Total() == 1 {
		n.Heading = "1 e-mail is not getting through"
	} else {
		n.Heading = plural(f.Total(), "e-mail", "e-mails") + " are not getting through"
	}
	var parts []string
	if f.Retrying > 0 {
		parts = append(parts, plural(f.Retrying, "is", "are")+" being retried")
	}
	if f.Failed > 0 {
		parts = append(parts, plural(f.Failed, "could not be delivered", "could not be delivered")+" in the last 7 days")
	}
	n.Detail = strings.Join(parts, "; ") + ". Each booking's page shows its e-mails and why they failed; " +
		"a customer who did not get theirs may need a call."
	for _, b := range f.Bookings {
		var st []string
		if b.Retrying > 0 {
			st = append(st, plural(b.Retrying, "retrying", "retrying"))
		}
		if b.Failed > 0 {
			st = append(st, plural(b.Failed, "not delivered", "not delivered"))
		}
		start := b.Start.In(c.Loc)
		n.Bookings = append(n.Bookings, mailNoticeItem{
			URL: "/staff/bookings/" + url.PathEscape(b.ID) + "#mail-title", Customer: b.Customer,
			When: fmtShortDate(staffLang, start) + ", " + fmtTime(staffLang, start), State: strings.Join(st, ", "),
		})
	}
	return n
}
