package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
)

// Calendar is what the staff calendar shows for a range of dates: the
// bookings with whatever a change of the rules left them outside, and
// the rules themselves (the atelier's hours and closures, each artisan's
// working hours and time off) so that closed and unavailable times can be
// shaded with their reason.
type Calendar struct {
	Zone     *time.Location
	Atelier  booking.Atelier
	Services []booking.Service
	// Artisans are the artisans the account may see (all for an admin,
	// its own for an artisan's account), narrowed to the one asked for,
	// with their working hours and time off.
	Artisans []booking.Artisan
	Bookings []CalendarBooking
}

// CalendarBooking is a booking of the calendar.
type CalendarBooking struct {
	StaffBooking
	// Outside, for a confirmed booking still to come, says why it could
	// not be made now as it stands (a change of hours, a closure or a time
	// off since it was made); "" when it fits the rules. It is worked out
	// afresh on every read, so it goes once the booking is moved or the
	// rules change back.
	Outside string
}

// StaffCalendar lists the bookings starting in r (of artisanID when not
// "", as StaffBookings) with the rules they are seen against. An artisan
// account sees only its own artisan; asking for another is EFORBIDDEN.
func (a *App) StaffCalendar(ctx context.Context, u *booking.User, r DateRange, artisanID string) (*Calendar, error) {
	artisanID, err := scope(u, strings.TrimSpace(artisanID))
	if err != nil {
		return nil, err
	}
	list, err := a.StaffBookings(ctx, u, r, artisanID)
	if err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	loc, from, to, err := r.window(c)
	if err != nil {
		return nil, err
	}
	out := &Calendar{Zone: loc, Atelier: c.Atelier, Services: c.Services}
	for _, ar := range c.Artisans {
		if u.MayManage(ar.ID) && (artisanID == "" || ar.ID == artisanID) {
			out.Artisans = append(out.Artisans, ar)
		}
	}
	outside, err := a.outsideRules(ctx, list, from, to)
	if err != nil {
		return nil, err
	}
	for _, v := range list {
		out.Bookings = append(out.Bookings, CalendarBooking{StaffBooking: v, Outside: outside[v.ID]})
	}
	return out, nil
}

// outsideRules checks each confirmed booking of list still to come
// against the rules as they are now, with the engine's own check and the
// staff's exemption from minimum notice and horizon (as conflicts does):
// the reason of each that would not be placed, by booking id.
func (a *App) outsideRules(ctx context.Context, list []StaffBooking, from, to time.Time) (map[string]string, error) {
	out := map[string]string{}
	now := a.now()
	var due []*StaffBooking
	for i := range list {
		if list[i].Status.Holds() && list[i].Start.After(now) {
			due = append(due, &list[i])
		}
	}
	if len(due) == 0 {
		return out, nil
	}
	sch, err := a.store.Schedule(ctx, from.Add(-scheduleMargin), to.Add(scheduleMargin))
	if err != nil {
		return nil, internal("load schedule", err)
	}
	for _, b := range due {
		_, err := availability.Place(sch, availability.Request{
			ServiceID: b.ServiceID, Mode: b.Mode, Start: b.Start, ArtisanID: b.ArtisanID, Artisans: b.Artisans,
			IgnoreBookingID: b.ID, Staff: true,
		}, now)
		switch {
		case err == nil:
		case booking.ErrorKind(err) == booking.EINTERNAL:
			return nil, err
		default:
			out[b.ID] = booking.ErrorMessage(err)
		}
	}
	return out, nil
}

// MoveCheck is the confirm step of a move: the booking as it is, where
// it would go, and whether it can go there now.
type MoveCheck struct {
	Booking *StaffBooking
	// Start and End are the new times, in the atelier's zone; ArtisanID
	// the artisan who would host it (the booking's own when none was
	// asked for).
	Start, End time.Time
	ArtisanID  string
	// Free says the move can be made now, by the same check the move
	// itself makes; Reason says why not when it cannot.
	Free   bool
	Reason string
}

// StaffCheckMove checks, without changing anything, whether booking id
// can move to start with artisan ("" keeps its own): the page that asks
// staff to confirm a move shows it. The move itself (StaffReschedule)
// checks again inside its transaction, so a time taken in between is
// still refused there.
func (a *App) StaffCheckMove(ctx context.Context, u *booking.User, id string, start time.Time, artisan string) (*MoveCheck, error) {
	v, err := a.StaffGetBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if artisan = strings.TrimSpace(artisan); artisan == "" {
		artisan = v.ArtisanID
	}
	if !slices.Contains(v.ArtisanIDs(), artisan) && !u.IsAdmin() {
		return nil, errForbidden()
	}
	if err := requireArtisan(u, artisan); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	if c.Artisan(artisan) == nil {
		errs := booking.FieldErrors{}
		errs.Add("artisan", "is not an artisan of the atelier")
		return nil, errs.Err()
	}
	loc := zoneOf(c)
	m := &MoveCheck{Booking: v, Start: start.In(loc), End: start.Add(v.End.Sub(v.Start)).In(loc), ArtisanID: artisan}
	if v.Status != booking.Confirmed {
		m.Reason = "the booking is " + string(v.Status)
		return m, nil
	}
	now := a.now()
	errs := booking.FieldErrors{}
	if _, ok := validateStart(errs, c, start, now); !ok {
		m.Reason = "that time is not on the atelier's slot grid"
		if start.Before(now) {
			m.Reason = "that time has passed"
		}
		return m, nil
	}
	svc := c.Service(v.ServiceID)
	if svc == nil {
		m.Reason = "the service of this booking is no longer offered"
		return m, nil
	}
	end, bs, be := availability.Times(svc, v.Mode, start)
	m.End = end.In(loc)
	sch, err := a.store.Schedule(ctx, bs.Add(-scheduleMargin), be.Add(scheduleMargin))
	if err != nil {
		return nil, internal("load schedule", err)
	}
	r := availability.Request{ServiceID: svc.ID, Mode: v.Mode, Start: start, ArtisanID: artisan, IgnoreBookingID: v.ID, Staff: true}
	if team := teamOf(&v.Booking.Booking, c, svc); keepsTeam(team, artisan) {
		// The move keeps the whole team (keepTeam), so every one of them
		// must be free then.
		r.ArtisanID, r.Artisans = team[0], team
	}
	if _, err := availability.Place(sch, r, now); err != nil {
		if booking.ErrorKind(err) == booking.EINTERNAL {
			return nil, err
		}
		m.Reason = booking.ErrorMessage(err)
		return m, nil
	}
	m.Free = true
	return m, nil
}

// HomeDays is how far ahead the staff home looks for bookings left
// outside the rules and for requests waiting for a decision.
const HomeDays = 92
