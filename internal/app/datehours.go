package app

import (
	"context"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
)

// Hours for one date (issue 12): the atelier's (admins) or an artisan's
// (its account or an admin), in place of the weekly hours on that date.

// DateHoursRequest asks to set the hours of one date.
type DateHoursRequest struct {
	Date    booking.Date
	Artisan string         // "" for the atelier's opening hours
	Hours   []booking.Span // none closes the date
	// HoursGiven tells an empty list (close the date) from none at all.
	HoursGiven bool
	// At is the place in the request of each span of Hours (spans that
	// could not be read are left out and reported in Unread), or nil.
	At     []int
	Unread booking.FieldErrors // as in BookingRequest
}

// DateHoursSet is the answer to setting or removing the hours of a date:
// the hours, and the confirmed bookings they leave outside the times they
// may take place.
type DateHoursSet struct {
	booking.DateHours
	Removed   bool // the hours were removed: the weekly hours apply
	Conflicts []Conflict
}

// mayEditDateHours refuses an account that may not change the hours of
// artisan ("" the atelier's: admins only).
func mayEditDateHours(u *booking.User, artisan string) error {
	if artisan == "" {
		return requireAdmin(u)
	}
	return requireArtisan(u, artisan)
}

// SetDateHours sets the hours of one date, replacing any set before.
func (a *App) SetDateHours(ctx context.Context, u *booking.User, req DateHoursRequest) (*DateHoursSet, error) {
	if err := mayEditDateHours(u, req.Artisan); err != nil {
		return nil, err
	}
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	errs := booking.FieldErrors{}
	unread(errs, req.Unread)
	if req.Artisan != "" && c.Artisan(req.Artisan) == nil {
		errs.Add("artisan", "unknown artisan")
	}
	today := booking.DateOf(a.now().In(zoneOf(c)))
	switch d := requiredDate(errs, "date", req.Date); {
	case !d.IsZero() && d.Before(today):
		errs.Add("date", "must not be before today ("+today.String()+")")
	case !d.IsZero() && d.After(today.AddDays(maxDateHoursAhead)):
		errs.Add("date", "must be within two years")
	}
	if !req.HoursGiven {
		errs.Add("hours", `is required (an empty list [] closes the date)`)
	}
	spans, problems := booking.CheckDay("hours", req.Hours, req.At)
	for _, p := range problems {
		errs.Add(p.Field, p.Message)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	d, err := a.store.SetDateHours(ctx, booking.DateHours{Date: req.Date, ArtisanID: req.Artisan, Hours: spans}, u.Actor())
	if err != nil {
		return nil, wrapStore("set date hours", err)
	}
	cs, err := a.dateConflicts(ctx, d)
	if err != nil {
		return nil, err
	}
	return &DateHoursSet{DateHours: d, Conflicts: cs}, nil
}

// maxDateHoursAhead is how far ahead hours for a date may be set, in days:
// the conflict check's window.
const maxDateHoursAhead = 2 * 365

// dateConflicts lists the confirmed bookings on d's date (of its artisan,
// or everyone's for the atelier's hours) that the hours now leave outside
// the rules.
func (a *App) dateConflicts(ctx context.Context, d booking.DateHours) ([]Conflict, error) {
	cs, _, err := a.leftOutside(ctx, d.ArtisanID, func(loc *time.Location) (time.Time, time.Time) {
		return d.Date.In(loc), d.Date.AddDays(1).In(loc)
	})
	return cs, err
}

// DeleteDateHours removes hours set for a date: the weekly hours apply on
// it again. The answer lists the bookings that leaves outside them.
func (a *App) DeleteDateHours(ctx context.Context, u *booking.User, id string) (*DateHoursSet, error) {
	d, err := a.store.DeleteDateHours(ctx, id, func(d booking.DateHours) error {
		return mayEditDateHours(u, d.ArtisanID)
	}, u.Actor())
	if err != nil {
		return nil, wrapStore("delete date hours", err)
	}
	cs, err := a.dateConflicts(ctx, d)
	if err != nil {
		return nil, err
	}
	return &DateHoursSet{DateHours: d, Removed: true, Conflicts: cs}, nil
}

// DateHoursList lists the hours set for dates in [From, To] (From default
// today, To default a year after From), by date: all for an admin; the
// atelier's and its own for an artisan account.
func (a *App) DateHoursList(ctx context.Context, u *booking.User, r DateRange) ([]booking.DateHours, error) {
	c, err := a.catalog(ctx)
	if err != nil {
		return nil, err
	}
	from, to := r.From, r.To
	if from.IsZero() {
		from = booking.DateOf(a.now().In(zoneOf(c)))
	}
	if to.IsZero() {
		to = from.AddDays(366)
	}
	errs := booking.FieldErrors{}
	switch {
	case to.Before(from):
		errs.Add("to", "must not be before from")
	case from.DaysUntil(to) > maxDateHoursAhead+366:
		errs.Add("to", "must be at most three years after from")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	all, err := a.store.DateHoursIn(ctx, from, to)
	if err != nil {
		return nil, internal("list date hours", err)
	}
	out := make([]booking.DateHours, 0, len(all))
	for _, d := range all {
		if d.ArtisanID == "" || u.MayManage(d.ArtisanID) {
			out = append(out, d)
		}
	}
	return out, nil
}
