package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
)

// The staff calendar (/staff/calendar): a week of days, or a day of
// artisans, as columns on a proportional time grid (staff_grid.go), with
// the closed and unavailable times shaded and their reasons written on
// them. The home page (/staff, staff_home.go) is today at a glance; the
// day sheet (/staff/calendar/sheet, staff_sheet.go) prints a day per
// artisan; the move confirmation (/staff/bookings/{id}/move,
// staff_move.go) is where a tile dragged to another time lands.

// registerCalendarRoutes adds the routes of the calendar, the home page,
// the day sheet and the move confirmation (registerStaffRoutes).
func (s *Server) registerCalendarRoutes(r *mux.Router) {
	r.Handle("/staff", s.staffOnly(s.handleStaffHome)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/calendar", s.staffOnly(s.handleStaffCalendar)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/calendar/sheet", s.staffOnly(s.handleDaySheet)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/staff/bookings/{id}/move", s.staffOnly(s.handleMoveConfirm)).Methods(http.MethodGet, http.MethodHead)
}

// calendarData is the calendar page.
type calendarData struct {
	View                       string // "week" or "day"
	Label                      string // "Monday 7 – Sunday 13 December 2026" or the day
	PrevURL, NextURL, TodayURL string
	WeekURL, DayURL, SheetURL  string
	Zone                       string

	Artisans []artisanKey // whom the account may see: the filter and the colour key
	Rooms    []option
	Filter   string // the artisan shown, "" for everyone
	Room     string // the room shown, "" for every booking
	Hidden   []field

	Grid      calendarGrid
	Cancelled []agendaItem // the day view's cancelled bookings, listed under the grid
	Outside   int          // tiles flagged outside the rules
}

// calendarGrid is the time grid: the axis and the columns.
type calendarGrid struct {
	Hours    []gridHour
	RowsPos  string // the position of a whole column ("gr-1 gs-132")
	Cols     []gridCol
	First    int    // the frame's first minute, for the script
	Last     int    // the frame's end
	Interval int    // the slot grid, in minutes, for the script
	Clock    string // "12h" or "24h": how the script writes a time
	// Movable says tiles may be dragged (the script): a day view moves
	// between artisans too, for admins.
	Movable bool
}

// gridCol is a column: a day of the week view or an artisan of the day
// view.
type gridCol struct {
	Heading, Label, URL string // short heading, its full words, where it leads
	Summary             string // "2 appointments", "No appointments", "Closed: Christmas Day"
	Today               bool
	Color               string // the artisan's colour in the day view
	Date, Artisan       string // where a tile dropped here goes
	Shades              []gridShade
	Tiles               []gridTile
	Now, NowLabel       string // the "now" line's position and words; "" when not in view
}

// gridShade is a shaded time of a column with its reason.
type gridShade struct {
	Pos, Kind, Label string // Kind: closed, closure, off, away
}

// gridTile is an appointment on the grid.
type gridTile struct {
	ID, URL, MoveURL, Pos, Lane, Color string
	BufBefore, BufAfter                string // the buffers' positions, "" for none
	Time, Customer, Service, Meta      string
	Buffers                            string // the buffers in words, for screen readers
	Outside                            string // why it is outside the rules, "" when it fits
	Status, StatusLabel                string
	Size                               string // "short" (30 minutes or less: one line), "mid" (under an hour), ""
	Movable                            bool
	Start, Minutes                     int    // start (minutes since midnight) and length, for the script
	Discreet                           bool   // a surprise (booking.Booking.Discreet)
	Commission                         string // the title of its commission, "" for none
}

// agendaItem is a booking in a list (today at a glance, the cancelled
// bookings of a day).
type agendaItem struct {
	ID, URL, Time, End, Service, Customer, Artisan, Mode, Room string
	Color                                                      string
	Status, StatusLabel, Outside                               string
	Virtual, Cancelled                                         bool
	// Reply is the customer's answer to the invitation ("Accepted",
	// "Maybe", "Declined", "New time proposed"), "" for none.
	Reply string
}

// artisanKey is an artisan of the filter and the colour key.
type artisanKey struct {
	ID, Name, Color, URL string
	Selected             bool
}

// artisanColors is the number of artisan colours of staff.css (c0 to c7).
const artisanColors = 8

// colorOf gives each artisan a colour class by catalogue position.
func colorOf(c *catalogue, id string) string {
	for i, a := range c.Artisans {
		if a.ID == id {
			return fmt.Sprintf("c%d", i%artisanColors)
		}
	}
	return "c0"
}

// statusLabel names a booking's status for staff.
func statusLabel(st booking.Status) string {
	switch st {
	case booking.Confirmed:
		return "Confirmed"
	case booking.Cancelled:
		return "Cancelled"
	case booking.Pending:
		return "Request: awaiting a decision"
	case booking.Declined:
		return "Request declined"
	}
	return sentence(string(st))
}

// onGrid says whether a booking takes its time on the calendar: every
// status but the ones that gave the time back.
func onGrid(st booking.Status) bool { return st.Holds() }

// roomName is the name of room id, "" for none.
func roomName(c *catalogue, id string) string {
	for _, r := range c.Atelier.Rooms {
		if r.ID == id {
			return r.Name
		}
	}
	return id
}

// modeShort is a mode in one word for a tile.
func modeShort(m booking.Mode) string {
	if m == booking.Virtual {
		return "Video"
	}
	return "Visit"
}

func (s *Server) item(c *catalogue, v app.StaffBooking) agendaItem {
	staffLang := s.langs.Staff()
	start, end := v.Start.In(c.Loc), v.End.In(c.Loc)
	it := agendaItem{
		ID: v.ID, URL: "/staff/bookings/" + url.PathEscape(v.ID), Time: fmtTime(staffLang, start), End: fmtTime(staffLang, end),
		Service: v.ServiceName, Customer: customerName(&v.Booking.Booking), Artisan: v.ArtisanName,
		Color: colorOf(c, v.ArtisanID), Virtual: v.Mode == booking.Virtual, Cancelled: v.Status == booking.Cancelled,
		Mode: modeShort(v.Mode), Room: roomName(c, v.RoomID), Reply: replyTag(v),
		Status: string(v.Status), StatusLabel: statusLabel(v.Status),
	}
	return it
}

// monday returns the Monday on or before d.
func monday(d booking.Date) booking.Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }

// openingOn is the atelier's opening hours on date d: the hours set for
// that date, else the week's.
func openingOn(at *booking.Atelier, d booking.Date) []booking.Span {
	spans, _ := at.HoursOn(d)
	return spans
}

// workingOn is artisan a's working hours on date d, as openingOn.
func workingOn(a *booking.Artisan, d booking.Date) []booking.Span {
	spans, _ := a.HoursOn(d)
	return spans
}

// forTheDate is what a shade's label adds when the hours it follows were
// set for that date rather than the week's.
func forTheDate(special bool) string {
	if special {
		return " (hours set for this date)"
	}
	return ""
}

// staffCal is one request's calendar: what was asked for, as far as
// the account may ask.
type staffCal struct {
	s          *Server
	u          *booking.User
	c          *catalogue
	view       string
	day, today booking.Date
	filter     string
	room       string
	now        time.Time
	from, to   booking.Date
	cal        *app.Calendar
	frame      gridFrame
}

func (s *Server) handleStaffCalendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	v := newCalendarView(s, r, c)
	v.cal, err = s.staff.app.StaffCalendar(ctx, v.u, app.DateRange{From: v.from, To: v.to}, v.filter)
	if err != nil {
		return err
	}
	d := v.page()
	return s.show(w, r, "staff_calendar", s.staffPage(r, "Calendar", "calendar", d))
}

// newCalendarView reads the query: view, date, artisan, room. A phone
// (as the browser's client hint says) gets the day view when none is
// asked for; the script does the same for the other phones.
func newCalendarView(s *Server, r *http.Request, c *catalogue) *staffCal {
	q, u := r.URL.Query(), staffUser(r)
	v := &staffCal{s: s, u: u, c: c, now: s.app.Now()}
	v.today = booking.DateOf(v.now.In(c.Loc))
	filter, ok := u.Scope(strings.TrimSpace(q.Get("artisan")))
	if !ok {
		filter, _ = u.Scope("")
	}
	v.filter = filter
	if c.artisan(filter) == nil {
		v.filter = ""
		if !u.IsAdmin() {
			v.filter = u.ArtisanID
		}
	}
	for _, rm := range c.Atelier.Rooms {
		if rm.ID == q.Get("room") {
			v.room = rm.ID
		}
	}
	switch q.Get("view") {
	case "day", "week":
		v.view = q.Get("view")
	default:
		v.view = "week"
		if r.Header.Get("Sec-CH-UA-Mobile") == "?1" {
			v.view = "day"
		}
	}
	v.day = v.today
	if d, err := booking.ParseDate(q.Get("date")); err == nil {
		v.day = d
	}
	v.from, v.to = v.day, v.day
	if v.view == "week" {
		v.from = monday(v.day)
		v.to = v.from.AddDays(6)
	}
	return v
}

// link is the address of the calendar for view and date, keeping the
// artisan and the room chosen.
func (v *staffCal) link(view string, date booking.Date) string {
	q := url.Values{"view": {view}, "date": {date.String()}}
	if v.filter != "" && v.u.IsAdmin() {
		q.Set("artisan", v.filter)
	}
	if v.room != "" {
		q.Set("room", v.room)
	}
	return "/staff/calendar?" + q.Encode()
}

// page builds the page's data.
func (v *staffCal) page() *calendarData {
	staffLang := v.s.langs.Staff()
	c := v.c
	d := &calendarData{View: v.view, Filter: v.filter, Room: v.room, Zone: zoneLabel(c.Atelier.Timezone)}
	for _, a := range c.Artisans {
		if v.u.MayManage(a.ID) {
			d.Artisans = append(d.Artisans, artisanKey{ID: a.ID, Name: a.Name, Color: colorOf(c, a.ID),
				URL: "/staff/artisans/" + url.PathEscape(a.ID), Selected: a.ID == v.filter})
		}
	}
	d.Rooms = append(d.Rooms, option{Value: "", Label: "Every room and call", Selected: v.room == ""})
	for _, rm := range c.Atelier.Rooms {
		d.Rooms = append(d.Rooms, option{Value: rm.ID, Label: rm.Name, Selected: rm.ID == v.room})
	}
	d.Hidden = []field{{"view", v.view}, {"date", v.day.String()}}
	d.WeekURL, d.DayURL, d.TodayURL = v.link("week", v.day), v.link("day", v.day), v.link(v.view, v.today)
	sheet := url.Values{"date": {v.day.String()}}
	if v.filter != "" {
		sheet.Set("artisan", v.filter)
	}
	d.SheetURL = "/staff/calendar/sheet?" + sheet.Encode()
	if v.view == "week" {
		d.Label = fmtDateRange(staffLang, v.from, v.to)
		d.PrevURL, d.NextURL = v.link("week", v.from.AddDays(-7)), v.link("week", v.from.AddDays(7))
	} else {
		d.Label = fmtDate(staffLang, v.day.In(c.Loc))
		d.PrevURL, d.NextURL = v.link("day", v.day.AddDays(-1)), v.link("day", v.day.AddDays(1))
	}
	d.Grid = v.grid()
	for _, b := range v.cal.Bookings {
		if !onGrid(b.Status) && v.view == "day" && v.inRoom(b) {
			d.Cancelled = append(d.Cancelled, v.s.item(c, b.StaffBooking))
		}
	}
	for _, col := range d.Grid.Cols {
		for _, t := range col.Tiles {
			if t.Outside != "" {
				d.Outside++
			}
		}
	}
	return d
}

// inRoom says whether b is shown under the room filter.
func (v *staffCal) inRoom(b app.CalendarBooking) bool {
	return v.room == "" || (b.Mode == booking.InPerson && b.RoomID == v.room)
}

// colSpec is what a column holds before it is laid out: its date, and
// the artisan it is of ("" for everyone in view).
type colSpec struct {
	date    booking.Date
	artisan *booking.Artisan
}

// columns are the columns of the view: the days of the week, or the
// artisans of the day (only its own for an artisan's account).
func (v *staffCal) columns() []colSpec {
	var out []colSpec
	if v.view == "week" {
		var one *booking.Artisan
		if len(v.cal.Artisans) == 1 {
			one = &v.cal.Artisans[0]
		}
		for i := range 7 {
			out = append(out, colSpec{date: v.from.AddDays(i), artisan: one})
		}
		return out
	}
	for i := range v.cal.Artisans {
		out = append(out, colSpec{date: v.day, artisan: &v.cal.Artisans[i]})
	}
	return out
}

// in says whether booking b belongs in column cs.
func (v *staffCal) in(cs colSpec, b *app.CalendarBooking) bool {
	if !onGrid(b.Status) || !v.inRoom(*b) || booking.DateOf(b.Start.In(v.c.Loc)) != cs.date {
		return false
	}
	// A booking of several artisans together is in each one's column.
	return v.view == "week" || b.HasArtisan(cs.artisan.ID)
}

// grid lays the columns out on one frame: the hours open or worked on any
// of them, widened to hold every booking shown.
func (v *staffCal) grid() calendarGrid {
	cols := v.columns()
	var spans [][2]int
	for _, cs := range cols {
		if v.closure(cs.date) != nil {
			continue
		}
		spans = append(spans, clockSpans(openingOn(&v.cal.Atelier, cs.date))...)
		for _, a := range v.contextArtisans(cs) {
			spans = append(spans, clockSpans(workingOn(a, cs.date))...)
		}
	}
	for i := range v.cal.Bookings {
		b := &v.cal.Bookings[i]
		for _, cs := range cols {
			if v.in(cs, b) {
				spans = append(spans, [2]int{wallMinutes(b.BlockStart, cs.date, v.c.Loc), wallMinutes(b.BlockEnd, cs.date, v.c.Loc)})
			}
		}
	}
	// Today's "now" is in view when it is within two hours of the day
	// shown: staff in before opening or staying late see where they are.
	for _, cs := range cols {
		if cs.date != v.today {
			continue
		}
		f, m := frameFor(spans), wallMinutes(v.now, cs.date, v.c.Loc)
		if m >= f.first-120 && m < f.last+120 {
			spans = append(spans, [2]int{m, m + 1})
		}
		break
	}
	v.frame = frameFor(spans)
	g := calendarGrid{Hours: v.frame.hours(), RowsPos: v.frame.pos(v.frame.first, v.frame.last), First: v.frame.first, Last: v.frame.last,
		Interval: int(v.c.Atelier.Rules.SlotInterval / time.Minute)}
	g.Movable = true
	g.Clock = string(v.s.langs.Staff().Clock())
	for _, cs := range cols {
		g.Cols = append(g.Cols, v.column(cs))
	}
	return g
}

// contextArtisans are the artisans whose hours and time off column cs
// shades: its own artisan, or in the week view everyone in view.
func (v *staffCal) contextArtisans(cs colSpec) []*booking.Artisan {
	if cs.artisan != nil {
		return []*booking.Artisan{cs.artisan}
	}
	out := make([]*booking.Artisan, 0, len(v.cal.Artisans))
	for i := range v.cal.Artisans {
		out = append(out, &v.cal.Artisans[i])
	}
	return out
}

// closure is the closure covering date d, or nil.
func (v *staffCal) closure(d booking.Date) *booking.Closure {
	for i, cl := range v.cal.Atelier.Closures {
		if cl.Covers(d) {
			return &v.cal.Atelier.Closures[i]
		}
	}
	return nil
}

// column lays out one column: its heading, shades, tiles and "now".
func (v *staffCal) column(cs colSpec) gridCol {
	staffLang := v.s.langs.Staff()
	c := v.c
	col := gridCol{Date: cs.date.String(), Today: cs.date == v.today}
	if v.view == "week" {
		dt := cs.date.In(c.Loc)
		col.Heading, col.Label, col.URL = weekdays[(int(cs.date.Weekday())+6)%7].Short+" "+dt.Format("2 Jan"), fmtDate(staffLang, dt), v.link("day", cs.date)
		if cs.artisan != nil {
			col.Artisan = cs.artisan.ID
		}
	} else {
		col.Heading, col.Label, col.URL = cs.artisan.Name, cs.artisan.Name, "/staff/artisans/"+url.PathEscape(cs.artisan.ID)
		col.Color, col.Artisan = colorOf(c, cs.artisan.ID), cs.artisan.ID
	}
	col.Shades = v.shades(cs)
	var items []laneItem
	var shown []*app.CalendarBooking
	for i := range v.cal.Bookings {
		b := &v.cal.Bookings[i]
		if v.in(cs, b) {
			shown = append(shown, b)
			items = append(items, laneItem{from: wallMinutes(b.BlockStart, cs.date, c.Loc), to: wallMinutes(b.BlockEnd, cs.date, c.Loc)})
		}
	}
	lanes := assignLanes(items)
	for i, b := range shown {
		col.Tiles = append(col.Tiles, v.tile(cs, b, lanes[i]))
	}
	col.Summary = v.summary(cs, len(shown))
	if col.Today {
		if m := wallMinutes(v.now, cs.date, c.Loc); m >= v.frame.first && m < v.frame.last {
			col.Now, col.NowLabel = v.frame.pos(m, m+1), "Now, "+fmtTime(staffLang, v.now.In(c.Loc))
		}
	}
	return col
}

// summary is a column's line under its heading, so that a column scrolled
// into view never looks blank for want of a word.
func (v *staffCal) summary(cs colSpec, n int) string {
	if cl := v.closure(cs.date); cl != nil {
		return "Closed: " + cl.Reason
	}
	switch {
	case n == 1:
		return "1 appointment"
	case n > 1:
		return fmt.Sprintf("%d appointments", n)
	case len(openingOn(&v.cal.Atelier, cs.date)) == 0:
		return "Closed"
	}
	return "No appointments"
}

// shades are the closed and unavailable times of a column, each with its
// reason: a closure day, the hours the atelier is closed, the hours the
// column's artisan does not work, and time off.
func (v *staffCal) shades(cs colSpec) []gridShade {
	f, loc := v.frame, v.c.Loc
	if cl := v.closure(cs.date); cl != nil {
		return []gridShade{{Pos: f.pos(f.first, f.last), Kind: "closure", Label: "Closed: " + cl.Reason}}
	}
	var out []gridShade
	spans, special := v.cal.Atelier.HoursOn(cs.date)
	open := clockSpans(spans)
	closedLabel := "Atelier closed"
	if len(open) == 0 {
		closedLabel = "Atelier closed all day"
	}
	closedLabel += forTheDate(special)
	for _, p := range minusSpans(f.first, f.last, open) {
		if pos := f.pos(p[0], p[1]); pos != "" {
			out = append(out, gridShade{Pos: pos, Kind: "closed", Label: closedLabel})
		}
	}
	arts := v.contextArtisans(cs)
	if len(arts) == 1 {
		a := arts[0]
		wspans, wspecial := a.HoursOn(cs.date)
		work := clockSpans(wspans)
		label := a.Name + " not working" + forTheDate(wspecial)
		for _, o := range open {
			for _, p := range minusSpans(o[0], o[1], work) {
				if pos := f.pos(p[0], p[1]); pos != "" {
					out = append(out, gridShade{Pos: pos, Kind: "off", Label: label})
				}
			}
		}
	}
	dayStart, dayEnd := cs.date.In(loc), cs.date.AddDays(1).In(loc)
	for _, a := range arts {
		for _, t := range a.TimeOff {
			if !booking.Overlaps(t.Start, t.End, dayStart, dayEnd) {
				continue
			}
			label := a.Name + " away"
			if t.Reason != "" {
				label += ": " + t.Reason
			}
			if pos := f.pos(wallMinutes(t.Start, cs.date, loc), wallMinutes(t.End, cs.date, loc)); pos != "" {
				out = append(out, gridShade{Pos: pos, Kind: "away", Label: label})
			}
		}
	}
	return out
}

// tileArtisan is the artisan whose colour b's tile takes in column cs: the
// column's own when it is an artisan's column and that artisan is one of
// b's team (a booking of two artisans shows in each one's colour), else
// b's own artisan.
func tileArtisan(cs colSpec, b *app.CalendarBooking) string {
	if cs.artisan != nil && slices.Contains(b.ArtisanIDs(), cs.artisan.ID) {
		return cs.artisan.ID
	}
	return b.ArtisanID
}

// tile lays out booking b in column cs.
func (v *staffCal) tile(cs colSpec, b *app.CalendarBooking, lane string) gridTile {
	staffLang := v.s.langs.Staff()
	c, loc, f := v.c, v.c.Loc, v.frame
	start, end := wallMinutes(b.Start, cs.date, loc), wallMinutes(b.End, cs.date, loc)
	bs, be := wallMinutes(b.BlockStart, cs.date, loc), wallMinutes(b.BlockEnd, cs.date, loc)
	t := gridTile{
		ID: b.ID, URL: "/staff/bookings/" + url.PathEscape(b.ID), MoveURL: "/staff/bookings/" + url.PathEscape(b.ID) + "/move",
		Pos: f.pos(start, end), Lane: lane, Color: colorOf(c, tileArtisan(cs, b)),
		Time:     fmtTime(staffLang, b.Start.In(loc)) + " – " + fmtTime(staffLang, b.End.In(loc)),
		Customer: customerName(&b.Booking.Booking), Service: b.ServiceName, Outside: b.Outside,
		Status: string(b.Status), StatusLabel: statusLabel(b.Status),
		Size: tileSize(end - start), Start: start, Minutes: int(b.End.Sub(b.Start) / time.Minute),
		Discreet: b.Discreet,
	}
	if b.Commission != nil {
		t.Commission = b.Commission.Title
	}
	if t.Pos == "" { // a booking wholly outside the frame cannot be: the frame holds it
		t.Pos = f.pos(f.first, f.first+gridStep)
	}
	if bs < start {
		t.BufBefore = f.pos(bs, start)
	}
	if be > end {
		t.BufAfter = f.pos(end, be)
	}
	if bs < start || be > end {
		t.Buffers = fmt.Sprintf("Held from %s to %s with preparation and clearing time.", fmtTime(staffLang, b.BlockStart.In(loc)), fmtTime(staffLang, b.BlockEnd.In(loc)))
	}
	meta := []string{modeShort(b.Mode)}
	if b.Mode == booking.InPerson && b.RoomID != "" {
		meta = append(meta, roomName(c, b.RoomID))
	}
	if v.view == "week" && len(v.cal.Artisans) > 1 {
		meta = append(meta, b.ArtisanName)
	}
	meta = append(meta, t.StatusLabel)
	if tag := replyTag(b.StaffBooking); tag != "" {
		meta = append(meta, tag)
	}
	t.Meta = strings.Join(meta, " · ")
	t.Movable = b.Status == booking.Confirmed && b.Start.After(v.now)
	return t
}

// tileSize is the class of a tile of min minutes: how much of it fits.
func tileSize(min int) string {
	switch {
	case min <= 30:
		return "short"
	case min < 60:
		return "mid"
	}
	return ""
}
