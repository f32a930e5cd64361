package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// staffHomeData is the staff calendar: today at a glance and a week of
// days as columns and hours as rows, or one day as a list.
type staffHomeData struct {
	TodayLabel string
	Today      []agendaItem

	View                       string // "week" or "day"
	Label                      string // "7 – 13 December 2026" or the day
	PrevURL, NextURL, TodayURL string
	WeekURL, DayURL            string
	Days                       []weekColumn
	Rows                       []weekRow
	DayItems                   []agendaItem

	Artisans []artisanKey
	Filter   string
	Hidden   []field
	Zone     string

	Backup *backupNotice // for admins, when the backups fail

	// Mail tells of e-mails not getting through; nil when none.
	Mail *mailNotice
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
			When: fmtShortDate(start) + ", " + fmtTime(start), State: strings.Join(st, ", "),
		})
	}
	return n
}

// weekColumn is a day of the week view.
type weekColumn struct {
	Short, Label, URL string
	Today             bool
}

// weekRow is an hour of the week view with the bookings starting in it,
// one list per day.
type weekRow struct {
	Hour  string
	Cells [7][]agendaItem
}

// agendaItem is a booking in the calendar.
type agendaItem struct {
	URL, Time, End, Service, Customer, Artisan, Mode, Color string
	Virtual, Cancelled                                      bool
	// Reply is the customer's answer to the invitation ("Accepted",
	// "Maybe", "Declined", "New time proposed"), "" for none.
	Reply string
}

// artisanKey is an artisan of the filter and the colour key.
type artisanKey struct {
	ID, Name, Color string
	Selected        bool
}

// colorOf gives each artisan a colour class by catalogue position.
func colorOf(c *catalogue, id string) string {
	for i, a := range c.Artisans {
		if a.ID == id {
			return "c" + string(rune('0'+i%6))
		}
	}
	return "c0"
}

func (s *Server) item(c *catalogue, v app.StaffBooking) agendaItem {
	start, end := v.Start.In(c.Loc), v.End.In(c.Loc)
	it := agendaItem{
		URL: "/staff/bookings/" + url.PathEscape(v.ID), Time: fmtTime(start), End: fmtTime(end),
		Service: v.ServiceName, Customer: v.Customer.Name, Artisan: v.ArtisanName,
		Color: colorOf(c, v.ArtisanID), Virtual: v.Mode == booking.Virtual, Cancelled: v.Status == booking.Cancelled,
		Mode: "Visit", Reply: replyTag(v),
	}
	if it.Virtual {
		it.Mode = "Video"
	}
	return it
}

// monday returns the Monday on or before d.
func monday(d booking.Date) booking.Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }

func (s *Server) handleStaffHome(w http.ResponseWriter, r *http.Request) error {
	ctx, u, q := r.Context(), staffUser(r), r.URL.Query()
	c, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	h := newStaffHome(s, u, c, q)
	fill := h.week
	if h.d.View == "day" {
		fill = h.dayList
	}
	if err := h.todayAndMail(ctx); err != nil {
		return err
	}
	if err := fill(ctx); err != nil {
		return err
	}
	return s.show(w, r, "staff_home", s.staffPage(r, "Calendar", "calendar", h.d))
}

// staffHome builds the staff home page of one request: the day or week
// asked for, of the artisan asked for as far as the account may ask.
type staffHome struct {
	s          *Server
	u          *booking.User
	c          *catalogue
	day, today booking.Date
	filter     string
	d          staffHomeData
}

func newStaffHome(s *Server, u *booking.User, c *catalogue, q url.Values) *staffHome {
	h := &staffHome{s: s, u: u, c: c}
	h.today = booking.DateOf(s.app.Now().In(c.Loc))
	// The artisan asked for, as far as the account may ask (an artisan's
	// own account always sees its own calendar).
	filter, ok := u.Scope(strings.TrimSpace(q.Get("artisan")))
	if !ok {
		filter, _ = u.Scope("")
	}
	h.filter = filter
	d := &h.d
	*d = staffHomeData{View: "week", Filter: filter, TodayLabel: fmtDate(h.today.In(c.Loc)), Zone: zoneLabel(c.Atelier.Timezone)}
	d.Backup = s.backupNotice(u, c.Loc) // staff_ops.go
	if q.Get("view") == "day" {
		d.View = "day"
	}
	h.day = h.today
	if v, err := booking.ParseDate(q.Get("date")); err == nil {
		h.day = v
	}
	for _, a := range c.Artisans {
		if u.MayManage(a.ID) {
			d.Artisans = append(d.Artisans, artisanKey{ID: a.ID, Name: a.Name, Color: colorOf(c, a.ID), Selected: a.ID == filter})
		}
	}
	d.Hidden = []field{{"view", d.View}, {"date", h.day.String()}}
	d.WeekURL, d.DayURL, d.TodayURL = h.link("week", h.day), h.link("day", h.day), h.link(d.View, h.today)
	return h
}

// link is the address of the home page for view and date, keeping the
// artisan an admin chose.
func (h *staffHome) link(view string, date booking.Date) string {
	v := url.Values{"view": {view}, "date": {date.String()}}
	if h.filter != "" && h.u.IsAdmin() {
		v.Set("artisan", h.filter)
	}
	return "/staff?" + v.Encode()
}

// todayAndMail fills the warning of e-mails not getting through and
// today at a glance.
func (h *staffHome) todayAndMail(ctx context.Context) error {
	failing, err := h.s.staff.app.StaffFailingMessages(ctx, h.u)
	if err != nil {
		return err
	}
	h.d.Mail = newMailNotice(h.c, failing)
	todays, err := h.s.staff.app.StaffBookings(ctx, h.u, app.DateRange{From: h.today, To: h.today}, h.filter)
	if err != nil {
		return err
	}
	for _, v := range todays {
		if v.Status == booking.Confirmed {
			h.d.Today = append(h.d.Today, h.s.item(h.c, v))
		}
	}
	return nil
}

// dayList fills the day view: every booking of the day, cancelled ones
// included.
func (h *staffHome) dayList(ctx context.Context) error {
	d, day := &h.d, h.day
	d.Label = fmtDate(day.In(h.c.Loc))
	d.PrevURL, d.NextURL = h.link("day", day.AddDays(-1)), h.link("day", day.AddDays(1))
	list, err := h.s.staff.app.StaffBookings(ctx, h.u, app.DateRange{From: day, To: day}, h.filter)
	if err != nil {
		return err
	}
	for _, v := range list {
		d.DayItems = append(d.DayItems, h.s.item(h.c, v))
	}
	return nil
}

// week fills the week view: a grid of hours by days with the confirmed
// bookings in their cells.
func (h *staffHome) week(ctx context.Context) error {
	d, c := &h.d, h.c
	mon := monday(h.day)
	sun := mon.AddDays(6)
	d.Label = fmtDateRange(mon, sun)
	d.PrevURL, d.NextURL = h.link("week", mon.AddDays(-7)), h.link("week", mon.AddDays(7))
	list, err := h.s.staff.app.StaffBookings(ctx, h.u, app.DateRange{From: mon, To: sun}, h.filter)
	if err != nil {
		return err
	}
	var shown []app.StaffBooking
	for _, v := range list {
		if v.Status == booking.Confirmed {
			shown = append(shown, v)
		}
	}
	first, last := weekHours(c, mon, shown)
	for hr := first; hr < last; hr++ {
		d.Rows = append(d.Rows, weekRow{Hour: clockLabel(booking.Clock(hr * 60))})
	}
	for i := range 7 {
		dd := mon.AddDays(i)
		d.Days = append(d.Days, weekColumn{
			Short: weekdays[i].Short + " " + dd.In(c.Loc).Format("2 Jan"), Label: fmtDate(dd.In(c.Loc)),
			URL: h.link("day", dd), Today: dd == h.today,
		})
	}
	slices.SortFunc(shown, func(a, b app.StaffBooking) int { return a.Start.Compare(b.Start) })
	for _, v := range shown {
		start := v.Start.In(c.Loc)
		col := mon.DaysUntil(booking.DateOf(start))
		row := start.Hour() - first
		if col < 0 || col > 6 || row < 0 || row >= len(d.Rows) {
			continue
		}
		d.Rows[row].Cells[col] = append(d.Rows[row].Cells[col], h.s.item(c, v))
	}
	return nil
}

// weekHours are the hours the week grid runs over, [first, last): the
// opening hours of the week from mon, widened to fit every booking shown;
// 9 to 18 for a week with neither.
func weekHours(c *catalogue, mon booking.Date, shown []app.StaffBooking) (first, last int) {
	first, last = 24, 0
	for i := range 7 {
		for _, sp := range c.Atelier.Hours.On(mon.AddDays(i).Weekday()) {
			first, last = min(first, int(sp.Start)/60), max(last, (int(sp.End)+59)/60)
		}
	}
	for _, v := range shown {
		h := v.Start.In(c.Loc).Hour()
		first, last = min(first, h), max(last, h+1)
	}
	if first >= last {
		first, last = 9, 18
	}
	return first, last
}
