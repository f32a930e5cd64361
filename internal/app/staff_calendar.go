package app

import (
	"context"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
)

// MaxStaffListDays is the widest date range of a staff booking listing or
// audit query.
const MaxStaffListDays = 366

// maxAuditRows caps one audit query.
const maxAuditRows = 5000

// DateRange is an inclusive range of dates in a zone.
type DateRange struct {
	From, To booking.Date
	// Timezone is the IANA zone the dates are in and the times of the
	// answer are shown in ("tz" in the query); empty means the atelier's.
	Timezone string
}

// window resolves r against the catalogue: the zone of r and [midnight
// of From, midnight after To) in it. A zone that is not an IANA name and
// a missing, reversed or too long range are EINVALID, all in one field
// map.
func (r DateRange) window(c *booking.Catalog) (*time.Location, time.Time, time.Time, error) {
	errs := booking.FieldErrors{}
	loc := staffZone(c, r.Timezone, errs)
	switch {
	case r.From.IsZero():
		errs.Add("from", "is required")
	case r.To.IsZero():
		errs.Add("to", "is required")
	case r.To.Before(r.From):
		errs.Add("to", "must not be before from")
	case r.From.DaysUntil(r.To) >= MaxStaffListDays:
		errs.Add("to", "the range is at most 366 days")
	}
	if err := errs.Err(); err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	return loc, r.From.In(loc), r.To.AddDays(1).In(loc), nil
}

// zoneOf is the atelier's zone, where staff see times by default.
func zoneOf(c *booking.Catalog) *time.Location { return c.Atelier.Zone() }

// staffZone is the zone staff asked to see times in: tz (the "tz" query
// parameter) or, when empty, the atelier's. A tz that is not an IANA zone
// is added to errs under "tz" and the atelier's zone is returned.
func staffZone(c *booking.Catalog, tz string, errs booking.FieldErrors) *time.Location {
	tz = strings.TrimSpace(tz)
	if tz == "" {
		return zoneOf(c)
	}
	loc, err := booking.LoadZone(tz)
	if err != nil {
		errs.Add("tz", "must be an IANA time zone such as Asia/Singapore")
		return zoneOf(c)
	}
	return loc
}

// StaffBookings lists the bookings starting in r, with customer details
// and staff notes, times in r's zone (the atelier's by default; the
// customer's own zone stays in customer.timezone). An artisan account
// sees only its own artisan's; asking for another artisan is EFORBIDDEN.
func (a *App) StaffBookings(ctx context.Context, u *booking.User, r DateRange, artisanID string) ([]StaffBooking, error) {
	artisanID, err := scope(u, strings.TrimSpace(artisanID))
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
	bs, err := a.store.Bookings(ctx, from, to, artisanID)
	if err != nil {
		return nil, internal("list bookings", err)
	}
	ids := make([]string, len(bs))
	for i := range bs {
		ids[i] = bs[i].ID
	}
	notes, err := a.store.StaffNotes(ctx, ids...)
	if err != nil {
		return nil, internal("load staff notes", err)
	}
	replies, err := a.customerReplies(ctx, ids...)
	if err != nil {
		return nil, err
	}
	refs, err := a.commissionRefs(ctx, bs)
	if err != nil {
		return nil, err
	}
	out := make([]StaffBooking, 0, len(bs))
	for i := range bs {
		v := StaffBooking{Booking: *result(&bs[i], c, loc, a.now()), StaffNotes: notes[bs[i].ID], Commission: refs[bs[i].ID]}
		if cr, ok := replies[bs[i].ID]; ok {
			v.Reply = customerReply(cr, &bs[i])
		}
		out = append(out, v)
	}
	return out, nil
}

// staffView is b as staff see it, with its staff notes, times in loc.
func (a *App) staffView(ctx context.Context, b *booking.Booking, c *booking.Catalog, loc *time.Location) (*StaffBooking, error) {
	notes, err := a.store.StaffNotes(ctx, b.ID)
	if err != nil {
		return nil, internal("load staff notes", err)
	}
	refs, err := a.commissionRefs(ctx, []booking.Booking{*b})
	if err != nil {
		return nil, err
	}
	v := &StaffBooking{Booking: *result(b, c, loc, a.now()), StaffNotes: notes[b.ID], Commission: refs[b.ID]}
	replies, err := a.customerReplies(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	if cr, ok := replies[b.ID]; ok {
		v.Reply = customerReply(cr, b)
		// Whether the proposed time is free, for the one-click move.
		if v.Reply.CounterCurrent {
			free, why, err := a.counterFree(ctx, b, c, cr.Counter.Start)
			if err != nil {
				return nil, err
			}
			v.Reply.CounterFree, v.Reply.CounterReason = &free, why
		}
	}
	return v, nil
}

// atelierStaffView is b as staff see it in the atelier's zone.
func (a *App) atelierStaffView(ctx context.Context, b *booking.Booking) (*StaffBooking, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	return a.staffView(ctx, b, c, zoneOf(c))
}

// StaffGetBooking returns booking id with its staff notes, times in the
// atelier's zone.
func (a *App) StaffGetBooking(ctx context.Context, u *booking.User, id string) (*StaffBooking, error) {
	return a.StaffGetBookingIn(ctx, u, id, "")
}

// StaffGetBookingIn returns booking id with its staff notes, times in the
// IANA zone tz ("" for the atelier's). A tz that is not a zone is
// EINVALID with the field "tz".
func (a *App) StaffGetBookingIn(ctx context.Context, u *booking.User, id, tz string) (*StaffBooking, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	loc := staffZone(c, tz, errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return a.staffView(ctx, b, c, loc)
}

// StaffCreateBooking books on a customer's behalf: minimum notice and
// horizon do not apply, clashes and closed rooms do. An artisan account
// books only with its own artisan (the default when none is asked for).
// The booking's times are in the atelier's zone, a replayed answer's too.
func (a *App) StaffCreateBooking(ctx context.Context, u *booking.User, req BookingRequest, opt CreateOptions) (*Created, error) {
	var err error
	if req.Artisan, err = scope(u, req.Artisan); err != nil {
		return nil, err
	}
	return a.createBooking(ctx, req, opt, placing{staff: true, actor: u.Actor()})
}

// StaffCancel cancels booking id; times are in the atelier's zone.
func (a *App) StaffCancel(ctx context.Context, u *booking.User, id string) (*StaffBooking, error) {
	b, err := a.staffCancel(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return a.atelierStaffView(ctx, b)
}

// StaffReschedule moves booking id, possibly to another artisan (admins
// only: an artisan account's bookings stay with its artisan); times are
// in the atelier's zone.
func (a *App) StaffReschedule(ctx context.Context, u *booking.User, id string, req RescheduleRequest) (*StaffBooking, error) {
	moved, c, err := a.staffReschedule(ctx, u, id, req)
	if err != nil {
		return nil, err
	}
	return a.staffView(ctx, moved, c, zoneOf(c))
}

// maxStaffNotes is the longest staff note, in bytes.
const maxStaffNotes = 4000

// SetStaffNotes replaces the staff notes of booking id.
func (a *App) SetStaffNotes(ctx context.Context, u *booking.User, id, notes string) (*StaffBooking, error) {
	b, err := a.visibleBooking(ctx, u, id)
	if err != nil {
		return nil, err
	}
	notes = strings.TrimSpace(notes)
	if len(notes) > maxStaffNotes || hasControl(notes, true) {
		errs := booking.FieldErrors{}
		errs.Add("staff_notes", "must be at most 4000 bytes of text")
		return nil, errs.Err()
	}
	if err := a.store.SetStaffNotes(ctx, b.ID, notes, u.Actor()); err != nil {
		return nil, wrapStore("set staff notes", err)
	}
	return a.atelierStaffView(ctx, b)
}

// StaffArtisans lists the artisans u may manage (all for an admin, its
// own for an artisan account) with their hours and current time off.
func (a *App) StaffArtisans(ctx context.Context, u *booking.User) ([]Artisan, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := []Artisan{}
	for i := range c.Artisans {
		if requireArtisan(u, c.Artisans[i].ID) == nil {
			out = append(out, Artisan{Artisan: c.Artisans[i], Zone: zoneOf(c)})
		}
	}
	return out, nil
}

// StaffArtisan returns artisan id with working hours and time off that
// has not ended.
func (a *App) StaffArtisan(ctx context.Context, u *booking.User, id string) (*Artisan, error) {
	if err := requireArtisan(u, id); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	ar := c.Artisan(id)
	if ar == nil {
		return nil, booking.ErrNotFound("artisan")
	}
	return &Artisan{Artisan: *ar, Zone: zoneOf(c)}, nil
}

// conflictWindow is how far ahead a change of weekly hours is checked
// against confirmed bookings.
const conflictWindow = 2 * 366 * 24 * time.Hour

// SetOpeningHours replaces the atelier's opening hours (admins only).
func (a *App) SetOpeningHours(ctx context.Context, u *booking.User, h booking.WeekHours) (*HoursChange, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	if err := a.store.SetOpeningHours(ctx, h, u.Actor()); err != nil {
		return nil, wrapStore("set opening hours", err)
	}
	now := a.now()
	cs, err := a.conflicts(ctx, now, now.Add(conflictWindow), "")
	if err != nil {
		return nil, err
	}
	return &HoursChange{Hours: h, Conflicts: cs}, nil
}

// SetWorkingHours replaces artisan id's working hours.
func (a *App) SetWorkingHours(ctx context.Context, u *booking.User, id string, h booking.WeekHours) (*HoursChange, error) {
	if err := requireArtisan(u, id); err != nil {
		return nil, err
	}
	if err := a.store.SetWorkingHours(ctx, id, h, u.Actor()); err != nil {
		return nil, wrapStore("set working hours", err)
	}
	now := a.now()
	cs, err := a.conflicts(ctx, now, now.Add(conflictWindow), id)
	if err != nil {
		return nil, err
	}
	return &HoursChange{Hours: h, Artisan: id, Conflicts: cs}, nil
}

// ClosureRequest asks to close the atelier from From to To, inclusive.
// Without To (zero) the closure is the one day From, as in the
// configuration file.
type ClosureRequest struct {
	From, To booking.Date
	Reason   string
	Unread   booking.FieldErrors // as in BookingRequest
}

// requiredDate adds "is required" to errs for a date not given.
func requiredDate(errs booking.FieldErrors, field string, d booking.Date) booking.Date {
	if d.IsZero() {
		errs.Add(field, "is required")
	}
	return d
}

func validReason(errs booking.FieldErrors, s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 500 || hasControl(s, false) {
		errs.Add("reason", "must be at most 500 bytes on one line")
	}
	return s
}

// AddClosure closes the atelier on a range of dates (admins only).
func (a *App) AddClosure(ctx context.Context, u *booking.User, req ClosureRequest) (*ClosureAdded, error) {
	if err := requireAdmin(u); err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	cl := booking.Closure{From: requiredDate(errs, "from", req.From), To: req.To, Reason: validReason(errs, req.Reason)}
	if cl.To.IsZero() {
		cl.To = cl.From // one day, as in the configuration file
	}
	if len(errs) == 0 && cl.To.Before(cl.From) {
		errs.Add("to", "must not be before from")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	cl, err := a.store.AddClosure(ctx, cl, u.Actor())
	if err != nil {
		return nil, wrapStore("add closure", err)
	}
	cs, _, err := a.leftOutside(ctx, "", func(loc *time.Location) (time.Time, time.Time) {
		return cl.From.In(loc), cl.To.AddDays(1).In(loc)
	})
	if err != nil {
		return nil, err
	}
	return &ClosureAdded{Closure: cl, Conflicts: cs}, nil
}

// leftOutside is the tail of adding a closure or a time off: the confirmed
// bookings of artisan ("" for all) that the change leaves outside the rules,
// from the start of span (never before now) to its end, and the atelier's
// zone span is given in.
func (a *App) leftOutside(ctx context.Context, artisan string, span func(loc *time.Location) (from, to time.Time)) ([]Conflict, *time.Location, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	loc := zoneOf(c)
	from, to := span(loc)
	cs, err := a.conflicts(ctx, maxT(from, a.now()), to, artisan)
	if err != nil {
		return nil, nil, err
	}
	return cs, loc, nil
}

// DeleteClosure reopens the atelier (admins only).
func (a *App) DeleteClosure(ctx context.Context, u *booking.User, id string) error {
	if err := requireAdmin(u); err != nil {
		return err
	}
	if err := a.store.DeleteClosure(ctx, id, u.Actor()); err != nil {
		return wrapStore("delete closure", err)
	}
	return nil
}

// TimeOffRequest asks for time off of an artisan from Start to End.
type TimeOffRequest struct {
	Start, End time.Time // zero: not given
	Reason     string
	Unread     booking.FieldErrors // as in BookingRequest
}

// AddTimeOff records time off for artisan id.
func (a *App) AddTimeOff(ctx context.Context, u *booking.User, id string, req TimeOffRequest) (*TimeOffAdded, error) {
	if err := requireArtisan(u, id); err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	t := booking.TimeOff{ArtisanID: id, Start: req.Start, End: req.End, Reason: validReason(errs, req.Reason)}
	for f, v := range map[string]time.Time{"start": t.Start, "end": t.End} {
		if v.IsZero() {
			errs.Add(f, "is required")
		}
	}
	if len(errs) == 0 && !t.Start.Before(t.End) {
		errs.Add("end", "must be after start")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	t, err := a.store.AddTimeOff(ctx, t, u.Actor())
	if err != nil {
		return nil, wrapStore("add time off", err)
	}
	cs, loc, err := a.leftOutside(ctx, id, func(*time.Location) (time.Time, time.Time) { return t.Start, t.End })
	if err != nil {
		return nil, err
	}
	return &TimeOffAdded{TimeOff: t, Zone: loc, Conflicts: cs}, nil
}

// DeleteTimeOff removes time off tid of artisan id.
func (a *App) DeleteTimeOff(ctx context.Context, u *booking.User, id, tid string) error {
	if err := requireArtisan(u, id); err != nil {
		return err
	}
	if err := a.store.DeleteTimeOff(ctx, id, tid, u.Actor()); err != nil {
		return wrapStore("delete time off", err)
	}
	return nil
}

// Audit returns the audit rows written in r (admins only), oldest first,
// at most 5000, with times in r's zone (the atelier's by default).
func (a *App) Audit(ctx context.Context, u *booking.User, r DateRange) (*AuditLog, error) {
	if err := requireAdmin(u); err != nil {
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
	rows, err := a.store.AuditLog(ctx, from, to, maxAuditRows)
	if err != nil {
		return nil, internal("read audit log", err)
	}
	return &AuditLog{Entries: rows, Zone: loc}, nil
}

// conflicts lists the confirmed bookings starting in [from, to) (of
// artisanID when not "") that could not be made now as they stand: outside
// opening or working hours, on a closed day, in time off. The check is
// the availability engine's own, with the staff's exemption from minimum
// notice and horizon. A schedule's bookings carry no customer details, so
// each conflict's booking is read again for them: staff need to know whom
// to contact.
func (a *App) conflicts(ctx context.Context, from, to time.Time, artisanID string) ([]Conflict, error) {
	out := []Conflict{}
	if !from.Before(to) {
		return out, nil
	}
	sch, err := a.store.Schedule(ctx, from.Add(-scheduleMargin), to.Add(scheduleMargin))
	if err != nil {
		return nil, internal("load schedule", err)
	}
	now := a.now()
	loc := zoneOf(&sch.Catalog)
	for i := range sch.Bookings {
		b := &sch.Bookings[i]
		if !b.Status.Holds() || b.Start.Before(from) || !b.Start.Before(to) ||
			(artisanID != "" && b.ArtisanID != artisanID) || b.Start.Before(now) {
			continue
		}
		_, err := availability.Place(sch, availability.Request{
			ServiceID: b.ServiceID, Mode: b.Mode, Start: b.Start, ArtisanID: b.ArtisanID,
			IgnoreBookingID: b.ID, Staff: true,
		}, now)
		if err == nil {
			continue
		}
		full, ferr := a.store.Booking(ctx, b.ID)
		if ferr != nil {
			return nil, internal("load conflicting booking", ferr)
		}
		c := Conflict{Booking: *b, Reason: booking.ErrorMessage(err), Zone: loc}
		c.Customer = full.Customer
		out = append(out, c)
	}
	return out, nil
}

func maxT(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
