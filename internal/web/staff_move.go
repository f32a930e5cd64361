package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gorilla/mux"

	"github.com/atelier-app/atelier/internal/booking"
)

// The confirm step of a move (/staff/bookings/{id}/move?date&time&artisan):
// where a tile dragged on the calendar lands, and a plain address any
// form or link can lead to. It shows the booking as it is and where it
// would go, says whether that time can be booked now (the engine's check,
// with the staff's rules), and only then offers the button, which sends
// the move form's own POST (/staff/bookings/{id}/reschedule), so a move
// confirmed here is checked again, exactly as one typed into the form.

// moveData is the confirm page.
type moveData struct {
	ID, Customer, Service            string
	FromWhen, FromArtisan            string
	ToWhen, ToArtisan                string
	ArtisanChanges                   bool
	Free                             bool
	Reason                           string
	Date, Time, Artisan              string // the POST's fields
	BookingURL, CalendarURL, FormURL string
	Problem                          string // a date or time that cannot be read
}

func (s *Server) handleMoveConfirm(w http.ResponseWriter, r *http.Request) error {
	staffLang := s.langs.Staff()
	ctx, u, q := r.Context(), staffUser(r), r.URL.Query()
	c, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	v, err := s.staff.app.StaffGetBooking(ctx, u, id)
	if err != nil {
		return err
	}
	d := &moveData{
		ID: v.ID, Customer: customerName(&v.Booking.Booking), Service: v.ServiceName,
		FromWhen: whenLabel(staffLang, v.Start.In(c.Loc), v.End.In(c.Loc)), FromArtisan: c.teamName(staffLang, &v.Booking.Booking, v.ArtisanName),
		Date: q.Get("date"), Time: q.Get("time"), Artisan: q.Get("artisan"),
		BookingURL: staffBookingPath(v.ID, ""), FormURL: "/staff/bookings/" + url.PathEscape(v.ID) + "/reschedule",
		CalendarURL: "/staff/calendar?view=day&date=" + booking.DateOf(v.Start.In(c.Loc)).String(),
	}
	start, err := localTime(d.Date, d.Time, c.Loc)
	if err != nil {
		d.Problem = whenProblem(err)
		return s.show(w, r, "staff_move", s.staffPage(r, "Move booking "+v.ID, "calendar", d))
	}
	m, err := s.staff.app.StaffCheckMove(ctx, u, v.ID, start, d.Artisan)
	if err != nil {
		return err
	}
	// Asking for one of a team's artisans (the tile dragged in that
	// artisan's column) keeps the whole team (app.StaffCheckMove).
	d.Artisan, d.ArtisanChanges = m.ArtisanID, !slices.Contains(v.ArtisanIDs(), m.ArtisanID)
	d.ToWhen, d.ToArtisan = whenLabel(staffLang, m.Start, m.End), c.artisanName(m.ArtisanID)
	if !d.ArtisanChanges {
		d.ToArtisan = d.FromArtisan
	}
	d.Free, d.Reason = m.Free, sentence(m.Reason)
	return s.show(w, r, "staff_move", s.staffPage(r, "Move booking "+v.ID, "calendar", d))
}
